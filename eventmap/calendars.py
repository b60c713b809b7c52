"""Calendars: occurrences of parties by day, month and week grids, and iCalendar feeds.

A multi-part event (Thailand: tutorials, then a launch party) occurs once per part. Dates are
whole days in the event's own time zone: "today" and "past" are worked out there.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as dt_time
from functools import lru_cache
from itertools import islice
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from icalendar.timezone.tzid import tzid_from_tzinfo
from sqlalchemy import select

from .dates import EARLIEST_DAY, format_part
from .extensions import db
from .listing import CampaignRef, event_place
from .models import Campaign, Event, EventPart
from .urls import event_url_builder

PRODID = "-//eventmap//community celebrations//EN"
# How long a party with a start time but no end time is entered in calendars.
DEFAULT_LENGTH = timedelta(hours=2)
# The years a VTIMEZONE describes at most: zone rules beyond are guesses anyway, and writing
# them for a stored party dated 9999 would take seconds. Parties in the date window fit.
ZONE_YEARS = range(EARLIEST_DAY.year, 2201)
ENTRIES_AT_ONCE = 1000  # VEVENTs a feed writes per piece


@dataclass(frozen=True)
class Occurrence:
    """One stretch of days of an event: the whole event, or one of its parts."""

    event: Event | FeedEvent
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

    def days(self, first: date = date.min, last: date = date.max) -> Iterable[date]:
        """Yield every day the occurrence covers from `first` to `last` (both included)."""
        for ordinal in range(
            max(self.start, first).toordinal(), min(self.end, last).toordinal() + 1
        ):
            yield date.fromordinal(ordinal)


@dataclass(frozen=True, slots=True)
class FeedPart:
    """One dated part of an event in a calendar feed."""

    position: int
    label: str | None
    start_date: date
    end_date: date


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """What a calendar feed needs of an event, read without building ORM objects.

    Same attribute names as Event, so occurrences, vevent and event_place take either;
    reading the columns of 100,000 events takes a fraction of loading them as objects.
    """

    id: int
    slug: str
    title: str
    location_text: str
    venue: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    timezone: str | None
    start_date: date | None
    end_date: date | None
    start_time: dt_time | None
    end_time: dt_time | None
    date_text: str
    description: str
    link: str | None
    language: str | None
    created_at: datetime | None
    updated_at: datetime | None
    campaign: CampaignRef
    parts: tuple[FeedPart, ...]


_FEED_NAMES = tuple(item.name for item in fields(FeedEvent))[:-2]  # then campaign and parts
FEED_COLUMNS = tuple(getattr(Event, name) for name in _FEED_NAMES)


def feed_events(campaign: Campaign) -> list[FeedEvent]:
    """Read a campaign's public events for its calendar feed with two plain queries."""
    approved = Event.approved(campaign)
    parts: dict[int, list[FeedPart]] = defaultdict(list)
    chosen = approved.with_only_columns(Event.id).order_by(None).scalar_subquery()
    connection = db.session.connection()  # Core rows: the ORM's bookkeeping is most of the time
    for event_id, position, label, start, end in connection.execute(
        select(
            EventPart.event_id,
            EventPart.position,
            EventPart.label,
            EventPart.start_date,
            EventPart.end_date,
        )
        .where(EventPart.event_id.in_(chosen))
        .order_by(EventPart.event_id, EventPart.position)
    ):
        parts[event_id].append(FeedPart(position, label, start, end))
    ref = CampaignRef(campaign.slug)
    rows = connection.execute(approved.with_only_columns(*FEED_COLUMNS))
    return [FeedEvent(*row, campaign=ref, parts=tuple(parts.get(row[0], ()))) for row in rows]


def occurrences(events: Iterable[Event] | Iterable[FeedEvent]) -> list[Occurrence]:
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


@lru_cache(maxsize=1024)
def zone_of(timezone: str | None) -> ZoneInfo | None:
    """Return the time zone an event names, or None when it names none or an unknown one."""
    if not timezone:
        return None
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_today(timezone: str | None, now: datetime | None = None) -> date:
    """Return today's date where the event happens (UTC when its zone is unknown)."""
    now = now or datetime.now(UTC)
    return now.astimezone(zone_of(timezone) or UTC).date()


def local_times(occurrence: Occurrence) -> tuple[datetime, datetime] | None:
    """Return when an occurrence starts and ends on its own clock, or None for an all-day one."""
    event = occurrence.event
    return clock_times(
        event.timezone, event.start_time, event.end_time, occurrence.start, occurrence.end
    )


def clock_times(
    timezone: str | None,
    start_time: dt_time | None,
    end_time: dt_time | None,
    first: date,
    last: date,
) -> tuple[datetime, datetime] | None:
    """Return when days from `first` to `last` at these times start and end, on the zone's clock.

    Times of day need a known time zone to mean anything; without one the party stays all-day.
    The end is the end time on the last day; with no end time, two hours after the start time
    on the last day; an end at or before the start on the same day is past midnight.
    """
    zone = zone_of(timezone)
    if start_time is None or zone is None:
        return None
    start = datetime.combine(first, start_time, tzinfo=zone)
    try:
        if end_time is None:
            end = datetime.combine(last, start_time, tzinfo=zone) + DEFAULT_LENGTH
        else:
            end = datetime.combine(last, end_time, tzinfo=zone)
            if end <= start:
                end += timedelta(days=1)
    except OverflowError:  # a stored party on the last day there is: all-day, then
        return None
    return start, end


def day_after(day: date) -> date | None:
    """Return the next day, or None after the last day Python knows (9999-12-31)."""
    return None if day == date.max else day + timedelta(days=1)


def stage(occurrence: Occurrence, now: datetime | None = None) -> str:
    """Say whether an occurrence is past, today or upcoming in its own time zone."""
    today = local_today(occurrence.event.timezone, now)
    if occurrence.end < today:
        return "past"
    if occurrence.start > today:
        return "upcoming"
    return "today"


# A calendar cell shows at most this many parties, then "N more" linking to that day's agenda
# (the lists of parties still to be dated too).
DAY_LIMIT = 5
# Parties on one page of the agenda (and of the parties still to be dated).
AGENDA_PAGE_SIZE = 50


@dataclass
class Day:
    """One cell of a calendar: a date, the first occurrences on it and how many there are."""

    day: date
    in_month: bool = True
    items: list[Occurrence] = field(default_factory=list)
    count: int = 0  # every occurrence on the day, the ones not shown included

    @property
    def more(self) -> int:
        """Return how many occurrences of the day are not shown in the cell."""
        return max(self.count - len(self.items), 0)


def _days_from(first: date, count: int) -> list[date]:
    """Return `count` days from `first`, fewer where the calendar ends (9999-12-31)."""
    last = min(first.toordinal() + count - 1, date.max.toordinal())
    return [date.fromordinal(n) for n in range(first.toordinal(), last + 1)]


def week_start(day: date, first_weekday: int = 0) -> date:
    """Return the first day of `day`'s week, weeks starting on `first_weekday` (Monday is 0).

    The first week of the calendar (0001-01-01 is a Monday) starts on its first day.
    """
    back = (day.weekday() - first_weekday) % 7
    return date.fromordinal(max(day.toordinal() - back, 1))


def month_grid(year: int, month: int, first_weekday: int = 0) -> list[list[Day]]:
    """Return the weeks of a month as empty cells, whole weeks from `first_weekday` (Monday 0)."""
    first = date(year, month, 1)
    last = first.replace(day=stdlib_calendar.monthrange(year, month)[1])
    start = week_start(first, first_weekday)
    cells = _days_from(start, -(-((last - start).days + 1) // 7) * 7)  # whole weeks
    return [[Day(d, d.month == month) for d in cells[n : n + 7]] for n in range(0, len(cells), 7)]


def week_days(first: date) -> list[Day]:
    """Return the seven days of the week starting on `first` as empty cells."""
    return [Day(d) for d in _days_from(first, 7)]


def default_month(campaign: Campaign, first_day: date | None, today: date) -> date:
    """Pick the month a campaign's calendar opens on: today's if the campaign is on, else its
    anniversary's, else its first party's (`first_day`)."""
    if campaign.starts_on and campaign.ends_on and campaign.starts_on <= today <= campaign.ends_on:
        return today.replace(day=1)
    for day in (campaign.anniversary, first_day, campaign.starts_on):
        if day is not None:
            return day.replace(day=1)
    return today.replace(day=1)


def default_agenda_day(campaign: Campaign, first_day: date | None, today: date) -> date:
    """Pick the day a campaign's agenda starts on: today while the campaign is on, else its
    first party's day (so that every party is on its pages)."""
    if campaign.starts_on and campaign.ends_on and campaign.starts_on <= today <= campaign.ends_on:
        return today
    return first_day or today


def default_day(campaign: Campaign, first_day: date | None, today: date) -> date:
    """Pick the day a campaign's week view opens on: its anniversary, else its first party's."""
    return campaign.anniversary or first_day or today


# iCalendar ------------------------------------------------------------------------------


def uid(occurrence: Occurrence, host: str) -> str:
    """Return a UID that stays the same across requests and edits (it names the row)."""
    part = f"-part-{occurrence.position}" if occurrence.position is not None else ""
    return f"event-{occurrence.event.id}{part}@{host}"


# A VEVENT's properties, in the order icalendar writes them: its canonical ones first, then
# the others by name. Written here as text: icalendar's objects take a hundred times longer,
# too long for a feed of 100,000 parties (tests/test_calendars.py checks the two agree).
_CRLF = "\r\n"


# Characters TEXT escapes; most values have none, and are written as they are.
_ESCAPED = re.compile(r"[\\;,\r\n]")


def _text(value: str) -> str:
    """Escape TEXT as RFC 5545 (3.3.11) says, line breaks of any kind as \\n (as icalendar)."""
    if _ESCAPED.search(value) is None:
        return value
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _fold(line: str) -> str:
    """Fold a content line before 75 octets (RFC 5545, 3.1), never inside an escape.

    Where icalendar folds: after 74 octets, and a backslash (or ^) that would end a piece
    starts the next one instead, with the character it escapes.
    """
    if len(line) < 75 and (line.isascii() or len(line.encode()) < 75):
        return line
    sizes = None if line.isascii() else [len(char.encode()) for char in line]
    pieces: list[str] = []
    start = 0
    while True:
        if sizes is None:  # one octet a character: cut by position
            end = start + 74 if len(line) - start > 74 else len(line)
        else:
            end, used = start, 0
            while end < len(line) and (end == start or used + sizes[end] < 75):
                used += sizes[end]
                end += 1
        if end >= len(line):
            break
        if end - start > 1 and line[end - 1] in "\\^":
            end -= 1
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return "\r\n ".join(pieces)


def _ical_day(day: date) -> str:
    """Write a DATE value."""
    return f"{day.year:04}{day.month:02}{day.day:02}"


def _ical_time(moment: datetime) -> str:
    """Write a DATE-TIME value's digits (without the zone)."""
    return (
        f"{moment.year:04}{moment.month:02}{moment.day:02}"
        f"T{moment.hour:02}{moment.minute:02}{moment.second:02}"
    )


@lru_cache(maxsize=1024)
def _tzid(zone: tzinfo) -> str | None:
    """Return the TZID of a zone the way icalendar names it ("UTC" for UTC, GMT, Etc/UTC)."""
    return tzid_from_tzinfo(zone)


def _ical_moment(name: str, moment: datetime) -> str:
    """Write a local time with its zone: TZID=..., or UTC marked with Z."""
    tzid = _tzid(moment.tzinfo) if moment.tzinfo is not None else None
    if tzid == "UTC":
        return f"{name}:{_ical_time(moment)}Z"
    return f"{name};TZID={tzid}:{_ical_time(moment)}"


def vevent(occurrence: Occurrence, url: str, host: str, hashtag: str | None) -> str:
    """Write one occurrence as a VEVENT: local times with their TZID, or all-day dates.

    All-day entries have an exclusive DTEND, as RFC 5545 says; timed ones need the calendar to
    carry a VTIMEZONE for their zone (ical_calendar adds it). `host` makes the UID.
    """
    event = occurrence.event
    # Lines of fixed form (dates, times, numbers, a zone's name) are always shorter than a
    # fold; only those with text from the party or the configuration go through _fold.
    # The organizer's own words say their language (RFC 5545 LANGUAGE); tags are [A-Za-z0-9-].
    said = f";LANGUAGE={event.language}" if event.language else ""
    lines = ["BEGIN:VEVENT", _fold(f"SUMMARY{said}:" + _text(occurrence.title))]
    times = local_times(occurrence)
    if times is not None:
        lines += [_ical_moment("DTSTART", times[0]), _ical_moment("DTEND", times[1])]
    else:
        lines.append("DTSTART;VALUE=DATE:" + _ical_day(occurrence.start))
        end = day_after(occurrence.end)
        if end is not None:
            lines.append("DTEND;VALUE=DATE:" + _ical_day(end))
        else:  # no day after 9999-12-31 to end on: say how long instead (RFC 5545, 3.6.1)
            lines.append(f"DURATION:P{(occurrence.end - occurrence.start).days + 1}D")
    stamp = event.updated_at or event.created_at or datetime.now(UTC)
    stamp = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    written = _ical_time(stamp) + "Z"
    lines += ["DTSTAMP:" + written, _fold("UID:" + _text(uid(occurrence, host)))]
    if hashtag:
        lines.append(_fold("CATEGORIES:" + _text(hashtag)))
    about = []
    if event.description:
        about.append(event.description)
    if event.date_text:
        about.append(f"Date as announced: {event.date_text}")
    if event.link:
        about.append(f"More: {event.link}")
    about.append(url)
    lines.append(_fold("DESCRIPTION:" + _text("\n\n".join(about))))
    if event.latitude is not None and event.longitude is not None:
        lines.append(f"GEO:{float(event.latitude)};{float(event.longitude)}")
    lines += [
        "LAST-MODIFIED:" + written,
        _fold(f"LOCATION{said}:" + _text(event_place(event))),
        # A subscribed feed lists parties worldwide: none of them should mark its reader busy.
        "TRANSP:TRANSPARENT",
        _fold("URL:" + url),
        "END:VEVENT",
        "",
    ]
    return _CRLF.join(lines)


def timezones(found: Iterable[Occurrence]) -> list[icalendar.Timezone]:
    """Return a VTIMEZONE for each zone the timed occurrences use, in name order."""
    years: dict[str, list[int]] = defaultdict(list)
    for occurrence in found:
        times = local_times(occurrence)
        if times is not None:
            years[str(occurrence.event.timezone)] += [times[0].year, times[1].year]
    return vtimezones({zone: (min(seen), max(seen)) for zone, seen in years.items()})


def vtimezones(years: dict[str, tuple[int, int]]) -> list[icalendar.Timezone]:
    """Return a VTIMEZONE for each zone, covering its (first, last) years, in name order.

    Each covers the whole years of its parties, so the definition has the zone's usual
    standard and daylight-saving rules rather than only the offset of one day; the years are
    kept within ZONE_YEARS, so that a party dated 9999 cannot make it take seconds.
    """
    components = []
    for zone in sorted(years):
        first, last = years[zone]
        low = min(max(first, ZONE_YEARS.start), ZONE_YEARS[-1])
        high = max(min(last, ZONE_YEARS[-1]), ZONE_YEARS.start)
        written = _vtimezone(zone, low, high)
        if written is not None:
            components.append(icalendar.Timezone.from_ical(written))
    return components


# More than the zones there are (about 600), with a few spans of years each: a feed at
# 100,000 parties names about 300 zones, and with room for fewer than it names, an LRU cache
# written in the same order each build finds none of them (6 s a build).
@lru_cache(maxsize=2048)
def _vtimezone(zone: str, low: int, high: int) -> str | None:
    """Write a zone's VTIMEZONE for whole years, once per process (a tenth of a second each)."""
    try:
        written = icalendar.Timezone.from_tzid(
            zone, first_date=date(low, 1, 1), last_date=date(high + 1, 1, 1)
        )
    except ValueError:  # a zone the library cannot describe: clients fall back on the name
        return None
    return written.to_ical().decode()


def ical_calendar(
    name: str,
    found: Iterable[Occurrence],
    url_of: Callable[[Any], str],
    public_url: str,
    hashtag: str | None = None,
) -> bytes:
    """Write a VCALENDAR of occurrences; every line escaped and folded (RFC 5545)."""
    return b"".join(ical_calendar_pieces(name, found, url_of, public_url, hashtag))


def ical_calendar_pieces(
    name: str,
    found: Iterable[Occurrence],
    url_of: Callable[[Any], str],
    public_url: str,
    hashtag: str | None = None,
    zones: list[icalendar.Timezone] | None = None,
) -> Iterator[bytes]:
    """Write a VCALENDAR a piece at a time, so that a feed of 100,000 parties is never whole.

    `zones` are the VTIMEZONEs the occurrences need, when the caller knows them: `found` is
    then read once, as it comes; otherwise they are worked out from `found` first.
    """
    if zones is None:
        found = list(found)
        zones = timezones(found)
    head, end = ical_calendar_shell(name, zones)
    yield head
    host = feed_host(public_url)
    occurrences = iter(found)
    while batch := list(islice(occurrences, ENTRIES_AT_ONCE)):
        yield "".join(vevent(o, url_of(o.event), host, hashtag) for o in batch).encode()
    yield end


def feed_host(public_url: str) -> str:
    """Return the host a feed's UIDs are made on."""
    return urlsplit(public_url).hostname or "eventmap.invalid"


CALENDAR_END = b"END:VCALENDAR\r\n"  # the last line of every VCALENDAR


def ical_calendar_shell(name: str, zones: list[icalendar.Timezone]) -> tuple[bytes, bytes]:
    """Return what a VCALENDAR has before its VEVENTs (the VTIMEZONEs last) and after them."""
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
    for timezone in zones:  # before the entries that refer to them
        cal.add_component(timezone)
    shell = cal.to_ical()
    return shell[: -len(CALENDAR_END)], CALENDAR_END


def google_calendar_link(occurrence: Occurrence, url: str) -> str:
    """Return a link that opens Google Calendar with the party filled in.

    Timed parties give local times and their zone (ctz); all-day ones an exclusive end day.
    """
    times = local_times(occurrence)
    fields = {"action": "TEMPLATE", "text": occurrence.title}
    if times is not None:
        fields["dates"] = f"{times[0]:%Y%m%dT%H%M%S}/{times[1]:%Y%m%dT%H%M%S}"
        fields["ctz"] = str(occurrence.event.timezone)
    else:
        end = day_after(occurrence.end) or occurrence.end
        fields["dates"] = f"{_compact(occurrence.start)}/{_compact(end)}"
    fields["location"] = event_place(occurrence.event)
    fields["details"] = url
    return f"https://calendar.google.com/calendar/render?{urlencode(fields)}"


def _compact(day: date) -> str:
    """Write a day as YYYYMMDD, four-digit year included (strftime drops zeros before 1000)."""
    return day.isoformat().replace("-", "")


def add_to_calendar_links(event: Event) -> list[tuple[str, str]]:
    """Return (label, Google Calendar link) for each occurrence of an event."""
    url = event_url_builder()(event)
    return [(o.title, google_calendar_link(o, url)) for o in occurrences([event])]
