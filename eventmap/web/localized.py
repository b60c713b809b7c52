"""What templates show of dates, times, numbers and states, in the visitor's language.

Thin wrappers: each passes this request's language to `eventmap.localdates` (which never reads
the request) and words the few phrases around the values through the catalogues.
"""

from __future__ import annotations

from datetime import date, datetime, time

from babel.lists import format_list
from flask_babel import gettext, lazy_gettext

from .. import localdates
from ..geocoding import Precision
from ..geocoding.place import PRECISION_NAMES
from ..listing import PublicEvent
from ..models import Event, EventStatus
from .i18n import current_language, uses_miles


def span(start: date | None, end: date | None = None) -> str:
    """Write a span of days in the visitor's language, or "Date to be announced"."""
    if start is None:
        return gettext("Date to be announced")
    return localdates.format_span(start, end, current_language())


def part(start: date, end: date, label: str | None = None) -> str:
    """Write one part of a party, its label as the organizer wrote it."""
    return localdates.format_part(start, end, label, current_language())


def when(event: Event | PublicEvent) -> str:
    """Write an event's days, parts and labels included."""
    if event.parts:
        return "; ".join(part(p.start_date, p.end_date, p.label) for p in event.parts)
    return span(event.start_date, event.end_date)


def clock(moment: time) -> str:
    """Write a time of day."""
    return localdates.format_clock(moment, current_language())


def times(start: time | None, end: time | None = None) -> str:
    """Write local times of day: "18:30–22:00", "from 18:30", or "" for an all-day party."""
    if start is None:
        return ""
    if end is None:
        return gettext("from %(time)s", time=clock(start))
    return localdates.format_clock_range(start, end, current_language())


def time_of_day(event: Event | PublicEvent) -> str:
    """Write the time of day with its zone: "18:30–22:00, local time (Europe/Berlin)"."""
    written = times(event.start_time, event.end_time)
    if not written:
        return ""
    if event.timezone:
        return gettext("%(times)s, local time (%(zone)s)", times=written, zone=event.timezone)
    return gettext("%(times)s, local time", times=written)


def thousands(number: int) -> str:
    """Write a count with the visitor's grouping of thousands: 12,345 / 12.345 / 12 345."""
    return localdates.format_number(number, current_language())


def month_year(day: date) -> str:
    """Write a month and its year: "July 2016", "julio de 2016"."""
    return localdates.format_month_year(day, current_language())


def month_name(day: date) -> str:
    """Write the name of a day's month."""
    return localdates.format_month(day, current_language())


def weekday_name(day: date, width: str = "abbreviated") -> str:
    """Write a day's weekday, "abbreviated" or "wide"."""
    return localdates.format_weekday(day, width, current_language())


def day_number(day: date) -> str:
    """Write the day of the month alone."""
    return localdates.format_day_number(day, current_language())


def day_month_short(day: date) -> str:
    """Write a day and its month, short, for chart axes."""
    return localdates.format_day_month(day, current_language())


def utc_moment(moment: datetime) -> str:
    """Write a UTC timestamp for moderators."""
    return localdates.format_moment_utc(moment, current_language())


def distance_km(km: float) -> str:
    """Write a radius in the visitor's unit (miles beside km where people read miles)."""
    return localdates.format_distance(km, uses_miles(), current_language())


STAGE_WORDS = {
    "past": lazy_gettext("past"),
    "today": lazy_gettext("today"),
    "upcoming": lazy_gettext("upcoming"),
}
STATUS_WORDS = {
    EventStatus.PENDING: lazy_gettext("pending"),
    EventStatus.APPROVED: lazy_gettext("approved"),
    EventStatus.REJECTED: lazy_gettext("rejected"),
    EventStatus.WITHDRAWN: lazy_gettext("withdrawn"),
}


def stage_word(stage: str) -> str:
    """Say "past", "today" or "upcoming" in the visitor's language."""
    return str(STAGE_WORDS.get(stage, stage))


def status_word(status: EventStatus) -> str:
    """Name a moderation state in the visitor's language (the moderators' pages)."""
    return str(STATUS_WORDS[status])


def countries(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return (code, name) pairs with each country named in the visitor's language, by name."""
    language = current_language()
    named = [(code, localdates.territory_name(code, language, name)) for code, name in pairs]
    return sorted(named, key=lambda pair: pair[1])


def country_rows(rows: list[tuple[str, str, int]]) -> list[tuple[str, int]]:
    """Return (name, count) per country (code, name, count), named in the visitor's language."""
    language = current_language()
    return [(localdates.territory_name(code, language, name), n) for code, name, n in rows]


def continent_rows(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Return (name, count) per continent, named in the visitor's language."""
    language = current_language()
    return [(localdates.continent_name(name, language), n) for name, n in rows]


def approximate_kinds() -> str:
    """Name the approximate precisions in the visitor's language ("región o país")."""
    names = [gettext(PRECISION_NAMES[p]) for p in Precision if p.approximate]
    return format_list(names, style="or", locale=current_language())
