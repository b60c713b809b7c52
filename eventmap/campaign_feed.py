"""A campaign's whole calendar feed, read and written a batch of entries at a time.

At 100,000 parties, reading every party (descriptions included) and sorting the lot before
writing the first line held about 200 MB in the worker. The database sorts the occurrences
instead (each one-part party, and each part of the others, in the feed's order) and hands
them over a thousand at a time, after one light pass over the timed parties for the
VTIMEZONEs that must come first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import String, exists, func, literal, null, select, union_all

from .calendars import (
    ENTRIES_AT_ONCE,
    FEED_COLUMNS,
    FeedEvent,
    Occurrence,
    clock_times,
    ical_calendar_pieces,
    vtimezones,
)
from .extensions import db
from .listing import CampaignRef
from .models import Campaign, Event, EventPart, EventStatus

NO_PART = -1  # the position of a one-part party's only occurrence, sorting before any part's
# Titles compared by code point, as Python's sort (calendars.occurrences) compares them,
# whatever collation the database has.
CODE_POINT_ORDER = {"postgresql": "C", "sqlite": "BINARY"}


def campaign_feed_pieces(
    campaign: Campaign, name: str, url_of: Callable[[Any], str], public_url: str
) -> Iterator[bytes]:
    """Write the campaign's VCALENDAR in pieces, never holding all its parties at once."""
    return ical_calendar_pieces(
        name,
        _in_order(campaign),
        url_of,
        public_url,
        campaign.hashtag or None,
        zones=vtimezones(_zone_years(campaign)),
    )


def _in_order(campaign: Campaign) -> Iterator[Occurrence]:
    """Yield the campaign's dated occurrences in calendars.occurrences' order, as they come."""
    public = (Event.campaign_id == campaign.id, Event.status == EventStatus.APPROVED)
    has_parts = exists().where(EventPart.event_id == Event.id)
    found = union_all(
        select(
            Event.id.label("event_id"),
            literal(NO_PART).label("position"),
            null().cast(String).label("label"),
            Event.start_date.label("first"),
            func.coalesce(Event.end_date, Event.start_date).label("last"),
        ).where(*public, Event.start_date.is_not(None), ~has_parts),
        select(
            EventPart.event_id,
            EventPart.position,
            EventPart.label,
            EventPart.start_date,
            EventPart.end_date,
        )
        .join(Event, Event.id == EventPart.event_id)
        .where(*public),
    ).subquery()
    connection = db.session.connection()
    title = Event.title.collate(CODE_POINT_ORDER.get(connection.dialect.name, "BINARY"))
    rows = connection.execute(
        select(*FEED_COLUMNS, found.c.position, found.c.label, found.c.first, found.c.last)
        .join(found, found.c.event_id == Event.id)
        .order_by(found.c.first, found.c.last, title, Event.id, found.c.position),
        execution_options={"yield_per": ENTRIES_AT_ONCE},
    )
    ref = CampaignRef(campaign.slug)
    for *columns, position, label, first, last in rows:
        event = FeedEvent(*columns, campaign=ref, parts=())
        if position == NO_PART:
            yield Occurrence(event, first, last)
        else:
            yield Occurrence(event, first, last, label, position)


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
