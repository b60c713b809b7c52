"""A campaign's whole calendar feed, written from its day index a batch of entries at a time.

At 100,000 parties, reading every party (descriptions included) and sorting the lot before
writing the first line held about 200 MB in the worker. The day index (built once per data
version, a few arrays) already lists the occurrences in the feed's order, so the feed reads
the parties a thousand at a time in that order, after one light pass over the timed ones for
the VTIMEZONEs that must come first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select

from .calendars import (
    ENTRIES_AT_ONCE,
    FEED_COLUMNS,
    FeedEvent,
    FeedPart,
    Occurrence,
    clock_times,
    ical_calendar_pieces,
    vtimezones,
)
from .dayindex import NO_PART, DayIndex, day_index
from .extensions import db
from .listing import CampaignRef
from .models import Campaign, Event, EventPart, EventStatus


def campaign_feed_pieces(
    campaign: Campaign, name: str, url_of: Callable[[Any], str], public_url: str
) -> Iterator[bytes]:
    """Write the campaign's VCALENDAR in pieces, never holding all its parties at once."""
    index = day_index(campaign)
    return ical_calendar_pieces(
        name,
        _in_order(campaign, index),
        url_of,
        public_url,
        campaign.hashtag or None,
        zones=vtimezones(_zone_years(campaign)),
    )


def _in_order(campaign: Campaign, index: DayIndex) -> Iterator[Occurrence]:
    """Yield the occurrences in the index's (the feed's) order, reading a batch at a time.

    A party changed or withdrawn since the index was built shows as it is now, or not at all.
    """
    ref = CampaignRef(campaign.slug)
    for first in range(0, len(index), ENTRIES_AT_ONCE):
        chosen = range(first, min(first + ENTRIES_AT_ONCE, len(index)))
        events = _feed_events(
            {index.event_ids[i] for i in chosen},
            {index.event_ids[i] for i in chosen if index.positions[i] != NO_PART},
            ref,
        )
        for i in chosen:
            event = events.get(index.event_ids[i])
            if event is not None and (found := _occurrence(event, index.positions[i])):
                yield found


def _feed_events(ids: set[int], parted: set[int], ref: CampaignRef) -> dict[int, FeedEvent]:
    """Read the public events of `ids` by id, the parts of those in `parted` (Core rows)."""
    connection = db.session.connection()
    parts: dict[int, list[FeedPart]] = defaultdict(list)
    if parted:
        for event_id, position, label, start, end in connection.execute(
            select(
                EventPart.event_id,
                EventPart.position,
                EventPart.label,
                EventPart.start_date,
                EventPart.end_date,
            )
            .where(EventPart.event_id.in_(sorted(parted)))
            .order_by(EventPart.event_id, EventPart.position)
        ):
            parts[event_id].append(FeedPart(position, label, start, end))
    rows = connection.execute(
        select(*FEED_COLUMNS).where(Event.id.in_(sorted(ids)), Event.status == EventStatus.APPROVED)
    )
    return {
        row[0]: FeedEvent(*row, campaign=ref, parts=tuple(parts.get(row[0], ()))) for row in rows
    }


def _occurrence(event: FeedEvent, position: int) -> Occurrence | None:
    """Return the event's occurrence at `position` (NO_PART: the whole event), if it has one."""
    if position == NO_PART:
        if event.parts or event.start_date is None:
            return None
        return Occurrence(event, event.start_date, event.end_date or event.start_date)
    for part in event.parts:
        if part.position == position:
            return Occurrence(event, part.start_date, part.end_date, part.label, part.position)
    return None


def _zone_years(campaign: Campaign) -> dict[str, tuple[int, int]]:
    """Return the first and last year each time zone is on the clock of a timed party.

    The same years calendars.timezones finds in the occurrences, from the timed parties'
    clocks and days alone.
    """
    timed = (
        Event.campaign_id == campaign.id,
        Event.status == EventStatus.APPROVED,
        Event.start_time.is_not(None),
        Event.timezone.is_not(None),
    )
    connection = db.session.connection()
    parts: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
    for event_id, start, end in connection.execute(
        select(EventPart.event_id, EventPart.start_date, EventPart.end_date)
        .join(Event, Event.id == EventPart.event_id)
        .where(*timed)
    ):
        parts[event_id].append((start, end))
    years: dict[str, tuple[int, int]] = {}
    for event_id, zone, start_time, end_time, start, end in connection.execute(
        select(
            Event.id,
            Event.timezone,
            Event.start_time,
            Event.end_time,
            Event.start_date,
            Event.end_date,
        ).where(*timed)
    ):
        days = parts.get(event_id) or ([(start, end or start)] if start is not None else [])
        for first, last in days:
            times = clock_times(zone, start_time, end_time, first, last)
            if times is not None:
                low, high = years.get(zone, (times[0].year, times[1].year))
                years[zone] = (min(low, times[0].year), max(high, times[1].year))
    return years
