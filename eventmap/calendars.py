"""Calendars: occurrences of parties by day, month and week grids, and iCalendar feeds.

A multi-part event (Thailand: tutorials, then a launch party) occurs once per part. Dates are
whole days in the event's own time zone: "today" and "past" are worked out there.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar

from .dates import EARLIEST_DAY, format_part
from .listing import event_place
from .models import Campaign, Event
from .urls import event_url_builder

PRODID = "-//eventmap//community celebrations//EN"
# How long a party with a start time but no end time is entered in calendars.
DEFAULT_LENGTH = timedelta(hours=2)
# The years a VTIMEZONE describes at most: zone rules beyond are guesses anyway, and writing
# them for a stored party dated 9999 would take seconds. Parties in the date window fit.
ZONE_YEARS = range(EARLIEST_DAY.year, 2201)


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

    def days(self, first: date = date.min, last: date = date.max) -> Iterable[date]:
        """Yield every day the occurrence covers from `first` to `last` (both included)."""
        for ordinal in range(
            max(self.start, first).toordinal(), min(self.end, last).toordinal() + 1
        ):
            yield date.fromordinal(ordinal)


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
    """Return when an occurrence starts and ends on its own clock, or None for an all-day one.

    Times of day need a known time zone to mean anything; without one the party stays all-day.
    The end is the end time on the last day; with no end time, two hours after the start time
    on the last day; an end at or before the start on the same day is past midnight.
    """
    event = occurrence.event
    zone = zone_of(event.timezone)
    if event.start_time is None or zone is None:
        return None
    start = datetime.combine(occurrence.start, event.start_time, tzinfo=zone)
    try:
        if event.end_time is None:
            end = datetime.combine(occurrence.end, event.start_time, tzinfo=zone) + DEFAULT_LENGTH
        else:
            end = datetime.combine(occurrence.end, event.end_time, tzinfo=zone)
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


def month_grid(year: int, month: int) -> list[list[Day]]:
    """Return the weeks (Monday first) of a month as empty cells, whole weeks."""
    first = date(year, month, 1)
    last = first.replace(day=stdlib_calendar.monthrange(year, month)[1])
    monday = first - timedelta(days=first.weekday())  # 0001-01-01 is a Monday: never too early
    cells = _days_from(monday, -(-((last - monday).days + 1) // 7) * 7)  # whole weeks
    return [[Day(d, d.month == month) for d in cells[n : n + 7]] for n in range(0, len(cells), 7)]


def week_days(monday: date) -> list[Day]:
    """Return the seven days of the week starting on `monday` as empty cells."""
    return [Day(d) for d in _days_from(monday, 7)]


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


def uid(occurrence: Occurrence, public_url: str) -> str:
    """Return a UID that stays the same across requests and edits (it names the row)."""
    host = urlsplit(public_url).hostname or "eventmap.invalid"
    part = f"-part-{occurrence.position}" if occurrence.position is not None else ""
    return f"event-{occurrence.event.id}{part}@{host}"


def ical_event(
    occurrence: Occurrence, url: str, public_url: str, hashtag: str | None
) -> icalendar.Event:
    """Describe one occurrence as a VEVENT: local times with their TZID, or all-day dates.

    All-day entries have an exclusive DTEND, as RFC 5545 says; timed ones need the calendar to
    carry a VTIMEZONE for their zone (ical_calendar adds it).
    """
    event = occurrence.event
    vevent = icalendar.Event()
    vevent.add("uid", uid(occurrence, public_url))
    vevent.add("summary", occurrence.title)
    times = local_times(occurrence)
    if times is not None:
        vevent.add("dtstart", times[0])
        vevent.add("dtend", times[1])
    else:
        vevent.add("dtstart", occurrence.start)
        end = day_after(occurrence.end)
        if end is not None:
            vevent.add("dtend", end)
        else:  # no day after 9999-12-31 to end on: say how long instead (RFC 5545, 3.6.1)
            vevent.add("duration", timedelta(days=(occurrence.end - occurrence.start).days + 1))
    stamp = event.updated_at or event.created_at or datetime.now(UTC)
    if stamp.tzinfo is None:  # SQLite hands back naive UTC
        stamp = stamp.replace(tzinfo=UTC)
    vevent.add("dtstamp", stamp)
    vevent.add("last-modified", stamp)
    vevent.add("location", event_place(event))
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
    # A subscribed feed lists parties worldwide: none of them should mark its reader busy.
    vevent.add("transp", "TRANSPARENT")
    return vevent


def timezones(found: Iterable[Occurrence]) -> list[icalendar.Timezone]:
    """Return a VTIMEZONE for each zone the timed occurrences use, in name order.

    Each covers the whole years of its parties, so the definition has the zone's usual
    standard and daylight-saving rules rather than only the offset of one day; the years are
    kept within ZONE_YEARS, so that a party dated 9999 cannot make it take seconds.
    """
    years: dict[str, list[int]] = defaultdict(list)
    for occurrence in found:
        times = local_times(occurrence)
        if times is not None:
            zone = str(occurrence.event.timezone)
            years[zone] += [times[0].year, times[1].year]
    components = []
    for zone in sorted(years):
        low = min(max(min(years[zone]), ZONE_YEARS.start), ZONE_YEARS[-1])
        high = max(min(max(years[zone]), ZONE_YEARS[-1]), ZONE_YEARS.start)
        first, last = date(low, 1, 1), date(high + 1, 1, 1)
        try:
            components.append(icalendar.Timezone.from_tzid(zone, first_date=first, last_date=last))
        except ValueError:  # a zone the library cannot describe: clients fall back on the name
            continue
    return components


def ical_calendar(
    name: str,
    found: Iterable[Occurrence],
    url_of: Callable[[Event], str],
    public_url: str,
    hashtag: str | None = None,
) -> bytes:
    """Write a VCALENDAR of occurrences; the library escapes and folds every line."""
    found = list(found)
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
    for timezone in timezones(found):  # before the entries that refer to them
        cal.add_component(timezone)
    for occurrence in found:
        cal.add_component(ical_event(occurrence, url_of(occurrence.event), public_url, hashtag))
    return cal.to_ical()


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
