"""Calendars: occurrences of parties by day, month and week grids, and iCalendar feeds.

A multi-part event (Thailand: tutorials, then a launch party) occurs once per part. Dates are
whole days in the event's own time zone: "today" and "past" are worked out there.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar

from .dates import format_part
from .models import Campaign, Event

PRODID = "-//eventmap//community celebrations//EN"


@dataclass(frozen=True)
class Occurrence:
    """One stretch of days of an event: the whole event, or one of its parts."""

    event: Event
    start: date
    end: date  # inclusive
    label: str | None = None
    position: int | None = None  # the part's position, None for a one-part event

    @property
    def title(self) -> str:
        """Return the title with the part's label: "Thailand party (tutorials)"."""
        return f"{self.event.title} ({self.label})" if self.label else self.event.title

    @property
    def when(self) -> str:
        """Return the days as people read them."""
        return format_part(self.start, self.end)

    def days(self) -> Iterable[date]:
        """Yield every day the occurrence covers."""
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)


def occurrences(events: Iterable[Event]) -> list[Occurrence]:
    """Expand dated events into occurrences (one per part), in date order; TBD ones are left out."""
    found = []
    for event in events:
        if event.parts:
            found.extend(
                Occurrence(event, p.start_date, p.end_date, p.label, p.position)
                for p in event.parts
            )
        elif event.start_date is not None:
            found.append(Occurrence(event, event.start_date, event.end_date or event.start_date))
    return sorted(found, key=lambda o: (o.start, o.end, o.event.title, o.position or 0))


def local_today(timezone: str | None, now: datetime | None = None) -> date:
    """Return today's date where the event happens (UTC when its zone is unknown)."""
    now = now or datetime.now(UTC)
    try:
        zone = ZoneInfo(timezone) if timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return now.astimezone(zone).date()


def stage(occurrence: Occurrence, now: datetime | None = None) -> str:
    """Say whether an occurrence is past, today or upcoming in its own time zone."""
    today = local_today(occurrence.event.timezone, now)
    if occurrence.end < today:
        return "past"
    if occurrence.start > today:
        return "upcoming"
    return "today"


@dataclass
class Day:
    """One cell of a calendar: a date and the occurrences on it."""

    day: date
    in_month: bool = True
    items: list[Occurrence] = field(default_factory=list)


def by_day(found: Iterable[Occurrence]) -> dict[date, list[Occurrence]]:
    """Index occurrences under every day they cover."""
    days: dict[date, list[Occurrence]] = defaultdict(list)
    for occurrence in found:
        for day in occurrence.days():
            days[day].append(occurrence)
    return days


def month_grid(year: int, month: int, found: Iterable[Occurrence]) -> list[list[Day]]:
    """Return the weeks (Monday first) of a month, each day with its occurrences."""
    days = by_day(found)
    weeks = stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return [[Day(d, d.month == month, days.get(d, [])) for d in week] for week in weeks]


def week_days(monday: date, found: Iterable[Occurrence]) -> list[Day]:
    """Return the seven days of the week starting on `monday`, with their occurrences."""
    days = by_day(found)
    return [
        Day(monday + timedelta(days=n), True, days.get(monday + timedelta(days=n), []))
        for n in range(7)
    ]


def default_month(campaign: Campaign, found: Sequence[Occurrence], today: date) -> date:
    """Pick the month a campaign's calendar opens on: today's if the campaign is on, else its
    anniversary's, else its first party's."""
    if campaign.starts_on and campaign.ends_on and campaign.starts_on <= today <= campaign.ends_on:
        return today.replace(day=1)
    for day in (campaign.anniversary, found[0].start if found else None, campaign.starts_on):
        if day is not None:
            return day.replace(day=1)
    return today.replace(day=1)


# iCalendar ------------------------------------------------------------------------------


def uid(occurrence: Occurrence, public_url: str) -> str:
    """Return a UID that stays the same across requests and edits (it names the row)."""
    host = urlsplit(public_url).hostname or "eventmap.invalid"
    part = f"-part-{occurrence.position}" if occurrence.position is not None else ""
    return f"event-{occurrence.event.id}{part}@{host}"


def ical_event(
    occurrence: Occurrence, url: str, public_url: str, hashtag: str | None
) -> icalendar.Event:
    """Describe one occurrence as an all-day VEVENT (DTEND exclusive, as RFC 5545 says)."""
    event = occurrence.event
    vevent = icalendar.Event()
    vevent.add("uid", uid(occurrence, public_url))
    vevent.add("summary", occurrence.title)
    vevent.add("dtstart", occurrence.start)
    vevent.add("dtend", occurrence.end + timedelta(days=1))
    stamp = event.updated_at or event.created_at or datetime.now(UTC)
    if stamp.tzinfo is None:  # SQLite hands back naive UTC
        stamp = stamp.replace(tzinfo=UTC)
    vevent.add("dtstamp", stamp)
    vevent.add("last-modified", stamp)
    vevent.add("location", event.location_text)
    if event.latitude is not None and event.longitude is not None:
        vevent.add("geo", (event.latitude, event.longitude))
    vevent.add("url", url)
    lines = []
    if event.description:
        lines.append(event.description)
    if event.date_text:
        lines.append(f"Date as announced: {event.date_text}")
    if event.link:
        lines.append(f"More: {event.link}")
    lines.append(url)
    vevent.add("description", "\n\n".join(lines))
    if hashtag:
        vevent.add("categories", [hashtag])
    vevent.add("transp", "TRANSPARENT")  # a party does not block the whole day
    return vevent


def ical_calendar(
    name: str,
    found: Iterable[Occurrence],
    url_of: Callable[[Event], str],
    public_url: str,
    hashtag: str | None = None,
) -> bytes:
    """Write a VCALENDAR of occurrences; the library escapes and folds every line."""
    name = " ".join(name.split())  # a calendar's name is one line
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    cal.add("refresh-interval", timedelta(hours=12), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT12H")
    for occurrence in found:
        cal.add_component(ical_event(occurrence, url_of(occurrence.event), public_url, hashtag))
    return cal.to_ical()


def google_calendar_link(occurrence: Occurrence, url: str) -> str:
    """Return a link that opens Google Calendar with the party filled in."""
    dates = f"{occurrence.start:%Y%m%d}/{occurrence.end + timedelta(days=1):%Y%m%d}"
    query = urlencode(
        {
            "action": "TEMPLATE",
            "text": occurrence.title,
            "dates": dates,
            "location": occurrence.event.location_text,
            "details": url,
        }
    )
    return f"https://calendar.google.com/calendar/render?{query}"
