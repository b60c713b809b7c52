"""A campaign's whole calendar feed, read and written a batch of entries at a time.

At 100,000 parties, reading every party (descriptions included) and sorting the lot before
writing the first line held about 200 MB in the worker. The database sorts the occurrences
instead (each one-part party, and each part of the others, in the feed's order) and hands
them over a thousand at a time, after one light pass over the timed parties for the
VTIMEZONEs that must come first.

A build copies the VEVENTs of the last one (rebuilds.Writer) where their occurrence did not
change, so that the build after one party changes writes that party again and copies the
other 99,999: the sorted pass reads only what a VEVENT is known by (the party, its part, its
slug, when it was last changed, the part's label and days), and the parties whose VEVENT is
not found are read whole. A party's every change sets its updated_at (the DTSTAMP says so).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, exists, func, literal, null, select, union_all

from .calendars import (
    CALENDAR_END,
    ENTRIES_AT_ONCE,
    FEED_COLUMNS,
    FeedEvent,
    Occurrence,
    clock_times,
    feed_host,
    ical_calendar_shell,
    vevent,
    vtimezones,
)
from .extensions import db
from .listing import CampaignRef
from .models import Campaign, Event, EventPart, EventStatus
from .rebuilds import Writer, item_key

NO_PART = -1  # the position of a one-part party's only occurrence, sorting before any part's
# Titles compared by code point, as Python's sort (calendars.occurrences) compares them,
# whatever collation the database has.
CODE_POINT_ORDER = {"postgresql": "C", "sqlite": "BINARY"}
# A VEVENT's text depends on these of its occurrence's row; updated_at stands for the
# party's other columns, which every change of the party sets anew.
KEY_COLUMNS = (Event.id, Event.slug, Event.updated_at)


def campaign_feed_pieces(
    campaign: Campaign,
    name: str,
    url_of: Callable[[Any], str],
    public_url: str,
    writer: Writer | None = None,
) -> Iterator[bytes]:
    """Write the campaign's VCALENDAR in pieces, never holding all its parties at once.

    With a `writer` that has a last build, the VEVENTs it wrote are copied instead of
    written again where their occurrence is unchanged; the writer notes this build's.
    `url_of` must depend on nothing but the event's slug and its campaign's.
    """
    writer = writer if writer is not None else Writer()
    hashtag = campaign.hashtag or None
    # The head (the VTIMEZONEs: a worldwide feed names 300 zones, 4 s to describe) depends
    # on the name and each zone's years only: copied too when they are the same.
    years = _zone_years(campaign)
    head_key = item_key("head", name, tuple(sorted(years.items())))
    (head,) = writer.copied([head_key])
    if head is None:
        head = ical_calendar_shell(name, vtimezones(years))[0]
    yield writer.item(head_key, head)
    host = feed_host(public_url)
    ref = CampaignRef(campaign.slug)
    # What every VEVENT of the campaign depends on besides its own row.
    context = (campaign.id, hashtag, host, url_of(_Probe(ref)))
    for batch in _ordered(campaign, KEY_COLUMNS):
        keys = [
            item_key(context, event_id, position, slug, stamp, label, first, last_day)
            for event_id, slug, stamp, position, label, first, last_day in batch
        ]
        copied = writer.copied(keys)
        missing = {row[0] for row, text in zip(batch, copied, strict=True) if text is None}
        events = _feed_events(campaign, ref, missing) if missing else {}
        pieces: list[bytes] = []
        for (event_id, _, _, position, label, first, last_day), key, text in zip(
            batch, keys, copied, strict=True
        ):
            if text is not None:
                pieces.append(writer.item(key, text))
                continue
            event = events.get(event_id)
            if event is None:  # gone since the sorted pass began (READ COMMITTED)
                continue
            part = None if position == NO_PART else position
            occurrence = Occurrence(event, first, last_day, label, part)
            text = vevent(occurrence, url_of(event), host, hashtag).encode()
            if event.updated_at is None:  # DTSTAMP is the time of writing: never copied
                pieces.append(writer.raw(text))
                continue
            # Known by the row written, should the party have changed in between.
            key = item_key(
                context, event_id, position, event.slug, event.updated_at, label, first, last_day
            )
            pieces.append(writer.item(key, text))
        yield b"".join(pieces)
    yield writer.raw(CALENDAR_END)


@dataclass(frozen=True)
class _Probe:
    """An event no campaign has, to see what url_of makes of a campaign's events."""

    campaign: CampaignRef
    slug: str = "\x00"


def _ordered(campaign: Campaign, columns: Iterable[Any]) -> Iterator[Sequence[Any]]:
    """Yield `columns` of each dated occurrence, then its position, label and days, in
    calendars.occurrences' order, ENTRIES_AT_ONCE rows at a time as the database hands
    them over.

    `columns` (of Event) are read in each branch of the union, not joined to it afterwards:
    looking 100,000 events up again by id took SQLite about as long as the rest.
    """
    public = (Event.campaign_id == campaign.id, Event.status == EventStatus.APPROVED)
    has_parts = exists().where(EventPart.event_id == Event.id)
    connection = db.session.connection()
    title = Event.title.collate(CODE_POINT_ORDER.get(connection.dialect.name, "BINARY"))
    own = [column.label(f"own_{n}") for n, column in enumerate(columns)]
    found = union_all(
        select(
            *own,
            title.label("title"),
            Event.id.label("event_id"),
            literal(NO_PART).label("position"),
            null().cast(String).label("label"),
            Event.start_date.label("first"),
            func.coalesce(Event.end_date, Event.start_date).label("last"),
        ).where(*public, Event.start_date.is_not(None), ~has_parts),
        select(
            *own,
            title,
            Event.id,
            EventPart.position,
            EventPart.label,
            EventPart.start_date,
            EventPart.end_date,
        )
        .join(Event, Event.id == EventPart.event_id)
        .where(*public),
    ).subquery()
    return connection.execute(
        select(
            *(found.c[f"own_{n}"] for n in range(len(own))),
            found.c.position,
            found.c.label,
            found.c.first,
            found.c.last,
        ).order_by(found.c.first, found.c.last, found.c.title, found.c.event_id, found.c.position),
        execution_options={"yield_per": ENTRIES_AT_ONCE},
    ).partitions()


def _feed_events(campaign: Campaign, ref: CampaignRef, ids: set[int]) -> dict[int, FeedEvent]:
    """Read the public parties `ids` whole, by id."""
    connection = db.session.connection()
    rows = connection.execute(
        select(*FEED_COLUMNS).where(
            Event.id.in_(ids),
            Event.campaign_id == campaign.id,
            Event.status == EventStatus.APPROVED,
        )
    )
    return {row[0]: FeedEvent(*row, campaign=ref, parts=()) for row in rows}


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
