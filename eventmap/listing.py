"""Arrange a campaign's events the way its page lists them: by day, TBD last."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, time
from typing import Any

import pycountry
from sqlalchemy import ColumnElement, Row, Select, String, bindparam, cast, func, select

from .dates import format_part, format_span, format_times
from .extensions import db
from .geocoding import Precision
from .memo import memoized
from .memories import photo_counts
from .models import Campaign, Event, EventPart, RsvpTally


@dataclass
class DayGroup:
    """Events that start on the same day (`day` is None for dates to be announced)."""

    day: date | None
    events: list[Event] = field(default_factory=list)


def group_by_start(events: Iterable[Event]) -> list[DayGroup]:
    """Group events by start day in date order, with the undated ones as the last group."""
    groups: dict[date | None, DayGroup] = {}
    for event in events:
        groups.setdefault(event.start_date, DayGroup(event.start_date)).events.append(event)
    return sorted(groups.values(), key=lambda g: (g.day is None, g.day or date.min))


def event_when(event: Event | PublicEvent) -> str:
    """Return an event's date as a person reads it, parts and labels included."""
    if event.parts:
        return "; ".join(format_part(p.start_date, p.end_date, p.label) for p in event.parts)
    return format_span(event.start_date, event.end_date)


def event_time(event: Event | PublicEvent) -> str:
    """Return the time of day with its zone: "18:30–22:00, local time (Europe/Berlin)".

    Empty for an all-day party; times are local, so the zone says which clock they are on.
    """
    times = format_times(event.start_time, event.end_time)
    if not times:
        return ""
    zone = f" ({event.timezone})" if event.timezone else ""
    return f"{times}, local time{zone}"


def event_place(event: Event | PublicEvent) -> str:
    """Return where a party is on one line: venue, address, then the place as typed.

    A piece already contained in an earlier one is left out, so "Hofbräuhaus, Platzl 9,
    Munich" does not repeat Munich.
    """
    pieces: list[str] = []
    for piece in (event.venue, event.address, event.location_text):
        piece = " ".join((piece or "").split())
        if piece and not any(piece.casefold() in seen.casefold() for seen in pieces):
            pieces.append(piece)
    return ", ".join(pieces)


def country_names(codes: Iterable[str | None]) -> list[tuple[str, str]]:
    """Return (code, name) for each distinct country code, sorted by name."""
    names: dict[str, str] = {}
    for code in codes:
        if code and code not in names:
            country = pycountry.countries.get(alpha_2=code)
            names[code] = getattr(country, "common_name", None) or getattr(country, "name", code)
    return sorted(names.items(), key=lambda item: item[1])


def countries_of(events: Iterable[Event]) -> list[tuple[str, str]]:
    """Return the (code, name) of every country with an event, sorted by name."""
    return country_names(event.country_code for event in events)


@dataclass(frozen=True)
class MapSummary:
    """What the map page needs to know before the events arrive: counts, countries, days."""

    count: int
    countries: list[tuple[str, str]]
    first_day: date | None
    last_day: date | None


def map_summary(campaign: Campaign) -> MapSummary:
    """Sum up a campaign's public events with aggregate queries, not by loading them."""
    approved = Event.approved(campaign).order_by(None).subquery()
    count, first, last = db.session.execute(
        select(func.count(), func.min(approved.c.start_date), func.max(approved.c.end_date))
    ).one()
    codes = db.session.scalars(select(approved.c.country_code).distinct())
    return MapSummary(count, country_names(codes), *campaign_window(campaign, first, last))


def campaign_summary(campaign: Campaign) -> MapSummary:
    """Return map_summary as of the current data version: aggregated once per version."""
    return memoized(("summary", campaign.id), lambda: map_summary(campaign))


def campaign_window(
    campaign: Campaign, first: date | None, last: date | None
) -> tuple[date | None, date | None]:
    """Return the days a campaign's map covers: its own window, widened to its events' days."""
    starts = [d for d in (first, campaign.starts_on) if d]
    ends = [d for d in (last, campaign.ends_on) if d]
    return (min(starts) if starts else None, max(ends) if ends else None)


@dataclass(frozen=True, slots=True)
class CampaignRef:
    """The part of a campaign a public event needs: its slug."""

    slug: str


@dataclass(frozen=True, slots=True)
class PartRef:
    """One dated part of a public event."""

    label: str | None
    start_date: date
    end_date: date


@dataclass(frozen=True, slots=True)
class PublicEvent:
    """What the public may see of an event, read without building ORM objects.

    Same attribute names as Event, so serialize and event_when take either.
    """

    id: int
    slug: str
    title: str
    location_text: str
    latitude: float | None
    longitude: float | None
    precision: Precision | None
    country_code: str | None
    timezone: str | None
    start_date: date | None
    end_date: date | None
    date_text: str
    start_time: time | None
    end_time: time | None
    venue: str | None
    address: str | None
    language: str | None
    campaign: CampaignRef
    parts: tuple[PartRef, ...]
    # People confirmed going (the busiest part of a multi-part party): a count, never names.
    going: int = 0

    @property
    def is_placed(self) -> bool:
        """Tell whether the event has a point on the map."""
        return self.latitude is not None and self.longitude is not None


# The Event columns PublicEvent is read from, named by its own fields, so a field added,
# removed or moved there cannot shift the values read into the others. The three fields that
# are not columns come last, passed by name.
_PUBLIC_NAMES = tuple(item.name for item in fields(PublicEvent))
if _PUBLIC_NAMES[-3:] != ("campaign", "parts", "going"):
    raise TypeError("PublicEvent must end with its campaign, parts and going fields")
_PUBLIC_COLUMNS = tuple(getattr(Event, name) for name in _PUBLIC_NAMES[:-3])


def public_events(
    campaign: Campaign | None = None,
    where: ColumnElement[bool] | None = None,
    ids: Sequence[int] | None = None,
) -> list[PublicEvent]:
    """Read the approved events (of one campaign) in page order with two plain queries.

    The API serves every event at once; loading ORM objects for 10,000 events costs most
    of a second, reading the columns a fraction of that.
    """
    approved = Event.approved(campaign)
    if where is not None:
        approved = approved.where(where)
    if ids is not None:  # a few chosen events (nearby search): no need to read in page order
        approved = approved.where(Event.id.in_(ids)).order_by(None)
    events = _public_select(approved)
    parts, going = _parts_of(approved, ids), going_counts(ids)
    return list(_public_rows(db.session.execute(events), parts, going))


# When an event last changed, as the database writes it down: a key, compared and never parsed.
_STAMP = cast(Event.updated_at, String)
IDS_AT_ONCE = 1000  # events read by id in one query: well under any database's parameter limit


def public_keys(campaign: Campaign | None, size: int) -> Iterator[Sequence[Row[Any]]]:
    """Read what each approved event's public text depends on, in page order, `size` at a time.

    Each row is the event's id, when it last changed (as text: every change of an event
    sets its updated_at, parts included) and its campaign's slug.
    """
    rows = db.session.execute(
        Event.approved(campaign)
        .with_only_columns(Event.id, _STAMP, Campaign.slug)
        .join(Campaign, Campaign.id == Event.campaign_id),
        execution_options={"yield_per": size},
    )
    yield from rows.partitions()


def stamped_public_batches(
    campaign: Campaign | None, size: int
) -> Iterator[list[tuple[PublicEvent, str]]]:
    """Read the approved events in page order, `size` at a time, with when each last changed.

    Each batch's parts are read after its rows, so that a text written from them is never
    older than the updated_at it is known by (PostgreSQL reads each statement anew).
    """
    approved = Event.approved(campaign)
    going = going_counts()
    rows = db.session.execute(
        _public_select(approved, _STAMP), execution_options={"yield_per": size}
    )
    for batch in rows.partitions():
        parts = _parts_of(approved, [row[0] for row in batch])
        yield list(_stamped_rows(batch, parts, going))


def stamped_public_events(
    campaign: Campaign | None, ids: Sequence[int]
) -> dict[int, tuple[PublicEvent, str]]:
    """Read the approved events among `ids` (of one campaign), by id, with when each changed.

    The rows are read before their parts and going counts, so that a text written from what
    was read is never known by a newer key than its row's.
    """
    found: dict[int, tuple[PublicEvent, str]] = {}
    for at in range(0, len(ids), IDS_AT_ONCE):
        chosen = list(ids[at : at + IDS_AT_ONCE])
        approved = Event.approved(campaign).where(Event.id.in_(chosen)).order_by(None)
        rows = db.session.execute(_public_select(approved, _STAMP)).all()
        parts, going = _parts_of(approved, chosen), going_counts(chosen)
        for event, stamp in _stamped_rows(rows, parts, going):
            found[event.id] = (event, stamp)
    return found


def _public_select(approved: Select[tuple[Event]], *extra: Any) -> Select[Any]:
    """Select the PublicEvent columns of the chosen events, then `extra`, the campaign's slug."""
    return approved.with_only_columns(*_PUBLIC_COLUMNS, *extra, Campaign.slug).join(
        Campaign, Campaign.id == Event.campaign_id
    )


def _public_rows(
    rows: Iterable[Row[Any]], parts: dict[int, list[PartRef]], going: dict[int, int]
) -> Iterator[PublicEvent]:
    """Make PublicEvents of the rows read by _public_select, with their parts and counts."""
    campaigns: dict[str, CampaignRef] = {}
    for row in rows:
        yield PublicEvent(
            *row[:-1],
            campaign=campaigns.setdefault(row[-1], CampaignRef(row[-1])),
            parts=tuple(parts.get(row[0], ())),
            going=going.get(row[0], 0),
        )


def _stamped_rows(
    rows: Iterable[Row[Any]], parts: dict[int, list[PartRef]], going: dict[int, int]
) -> Iterator[tuple[PublicEvent, str]]:
    """Make (PublicEvent, stamp) pairs of rows read by _public_select with _STAMP."""
    campaigns: dict[str, CampaignRef] = {}
    width = len(_PUBLIC_COLUMNS)
    for row in rows:
        event_id = row[0]
        event = PublicEvent(
            *row[:width],
            campaign=campaigns.setdefault(row[-1], CampaignRef(row[-1])),
            parts=tuple(parts.get(event_id, ())),
            going=going.get(event_id, 0),
        )
        yield event, row[width]


def _parts_of(
    approved: Select[tuple[Event]], ids: Sequence[int] | None = None
) -> dict[int, list[PartRef]]:
    """Read the dated parts of the chosen events (or of `ids`), in order, keyed by event id."""
    chosen = approved.with_only_columns(Event.id).order_by(None).scalar_subquery()
    # A list of ids is bound as one expanding parameter: a thousand ids made into a thousand
    # literals cost more than the query (a build of 100,000 reads them a batch at a time).
    given = bindparam("ids", expanding=True)
    parts: dict[int, list[PartRef]] = {}
    for event_id, label, start, end in db.session.execute(
        select(EventPart.event_id, EventPart.label, EventPart.start_date, EventPart.end_date)
        .where(EventPart.event_id.in_(given if ids is not None else chosen))
        .order_by(EventPart.event_id, EventPart.position),
        {"ids": list(ids)} if ids is not None else {},
    ):
        parts.setdefault(event_id, []).append(PartRef(label, start, end))
    return parts


# The map feed's columns, in the order they are written.
MAP_COLUMNS: tuple[str, ...] = (
    "id",
    "lat",
    "lon",
    "precision",
    "country",
    "start",
    "end",
    "title",
    "location",
    "when",
    "url",
    "going",
    "photos",
)
# The map feed in two parts (?part=): the points draw the clusters and drive the filters and
# the time slider, the labels (about two thirds of the bytes) fill the list and popups after.
MAP_PARTS: dict[str, tuple[str, ...]] = {
    "points": ("id", "lat", "lon", "precision", "country", "start", "end", "going", "photos"),
    "labels": ("id", "title", "location", "when", "url"),
}
if {c for part in MAP_PARTS.values() for c in part} != set(MAP_COLUMNS):  # pragma: no cover
    raise RuntimeError("the map feed's parts must cover MAP_COLUMNS, no more")
MAP_COORDINATE_DIGITS = 5  # about a metre: finer than any geocoded point


MAP_ROWS_AT_ONCE = 2000  # rows the map feed reads from the database at a time


def map_inputs(campaign: Campaign | None) -> tuple[dict[int, int], dict[int, int]]:
    """Read what the map feed says of events besides their rows: going counts and photos."""
    return going_counts(), photo_counts(campaign)


def map_rows(
    campaign: Campaign | None, size: int, ids: Sequence[int] | None = None
) -> Iterator[Sequence[Row[Any]]]:
    """Read the map feed's row of each approved event (of `ids`), in page order, `size` at once.

    Each row is what _map_batch takes: the event's own columns, its campaign's slug, its
    slug, and when it last changed (as public_keys gives it).
    """
    approved = Event.approved(campaign)
    if ids is not None:
        approved = approved.where(Event.id.in_(list(ids)))
    rows = db.session.execute(
        approved.with_only_columns(
            Event.id,
            Event.latitude,
            Event.longitude,
            Event.precision,
            Event.country_code,
            Event.start_date,
            Event.end_date,
            Event.title,
            Event.location_text,
            Campaign.slug,
            Event.slug,
            _STAMP,
        ).join(Campaign, Campaign.id == Event.campaign_id),
        execution_options={"yield_per": size},
    )
    yield from rows.partitions()


def map_columns(
    campaign: Campaign | None,
    rows: Sequence[Row[Any]],
    inputs: tuple[dict[int, int], dict[int, int]],
    spans: dict[tuple[date | None, date | None], str],
    link_pattern: str,
) -> dict[str, list[Any]]:
    """Turn map_rows' rows into one list per MAP_COLUMNS name, with their parts' days.

    The map page needs a dozen values per event, not a GeoJSON Feature: parallel lists are
    about a third of the size, and take about half the time to write here and to parse there.
    `link_pattern` makes each event's address from {campaign} and {event} (its slug);
    `spans` keeps the text of each span of days met (a campaign has few distinct spans).
    """
    ids = [row[0] for row in rows]
    # Read after the rows, so that a text is never older than the updated_at it is known by.
    parts = _parts_of(Event.approved(campaign), ids) if ids else {}
    return _map_batch(rows, parts, *inputs, spans, link_pattern)


def _map_batch(
    rows: Sequence[Row[Any]],
    parts: dict[int, list[PartRef]],
    going: dict[int, int],
    photos: dict[int, int],
    spans: dict[tuple[date | None, date | None], str],
    link_pattern: str,
) -> dict[str, list[Any]]:
    """Turn a batch of map rows into one list per MAP_COLUMNS name."""
    ids, lats, lons, precisions, countries, starts, ends, titles, places, campaigns, slugs, _ = (
        list(column) for column in zip(*rows, strict=True)
    )
    when = []
    for event_id, start, end in zip(ids, starts, ends, strict=True):
        if event_id in parts:
            when.append(
                "; ".join(format_part(p.start_date, p.end_date, p.label) for p in parts[event_id])
            )
        else:
            text = spans.get((start, end))
            if text is None:
                text = spans[start, end] = format_span(start, end)
            when.append(text)
    digits = MAP_COORDINATE_DIGITS
    return {
        "id": ids,
        "lat": [None if v is None else round(v, digits) for v in lats],
        "lon": [None if v is None else round(v, digits) for v in lons],
        "precision": [p.value if p else None for p in precisions],
        "country": countries,
        "start": [d.isoformat() if d else None for d in starts],
        "end": [d.isoformat() if d else None for d in ends],
        "title": titles,
        "location": places,
        "when": when,
        "url": [
            link_pattern.format(campaign=c, event=e) for c, e in zip(campaigns, slugs, strict=True)
        ],
        "going": [going.get(event_id, 0) for event_id in ids],
        # Published photos: the map's memories layer marks the parties that have some.
        "photos": [photos.get(event_id, 0) for event_id in ids],
    }


def going_counts(event_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Return how many people are going, by event: the busiest of its parts (one query).

    Only confirmed answers are in the tallies; events nobody answered for are left out.
    """
    query = select(RsvpTally.event_id, func.max(RsvpTally.going)).group_by(RsvpTally.event_id)
    if event_ids is not None:
        query = query.where(RsvpTally.event_id.in_(list(event_ids)))
    return {event_id: going for event_id, going in db.session.execute(query) if going}


def campaign_going(campaign: Campaign) -> int:
    """Return how many people are going to a campaign's public parties (once per version)."""

    def count() -> int:
        # One aggregate in the database: at 100,000 parties a list of their ids would be more
        # parameters than PostgreSQL takes in one statement (65,535).
        approved = Event.approved(campaign).with_only_columns(Event.id).order_by(None)
        busiest = (
            select(func.max(RsvpTally.going).label("going"))
            .where(RsvpTally.event_id.in_(approved))
            .group_by(RsvpTally.event_id)
            .subquery()
        )
        return int(db.session.scalar(select(func.coalesce(func.sum(busiest.c.going), 0))) or 0)

    return memoized(("going", campaign.id), count)


def filtered_events(
    campaign: Campaign,
    *,
    country: str | None = None,
    first: date | None = None,
    last: date | None = None,
    limit: int = 50,
) -> tuple[list[Event], int]:
    """Return the first public events of a country and days, in date order, and how many match."""
    query = Event.approved(campaign)
    if country:
        query = query.where(Event.country_code == country)
    if first is not None:
        query = query.where(Event.end_date >= first)
    if last is not None:
        query = query.where(Event.start_date <= last)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return list(db.session.scalars(query.limit(limit))), total or 0
