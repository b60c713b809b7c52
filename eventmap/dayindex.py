"""The days of a campaign's public parties, indexed once per data version for the calendars.

A month cell, a page of the agenda or the campaign page's "coming up" needs a few parties
and a count out of possibly 100,000; asking the database each time means reading every party
of the month (a thousand a day is no rarity for a big campaign). The index holds each
occurrence (an event, or one part of a multi-part event) as its first and last day, sorted
as the agenda lists them, with segment trees over the last days: the parties on a day, the
ones under way, the next or the previous ones are then found in O(log n) each, whatever the
parties' lengths (stored ones spanning centuries included). Only the few shown are then read
from the database, by id.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .calendars import DAY_LIMIT, Day, Occurrence
from .dates import MAX_PARTS
from .extensions import db
from .memo import memoized
from .models import Campaign, Event, EventPart, EventStatus

# Where an occurrence's event stands in the index: (event id, part position or NO_PART).
NO_PART = -1
OccurrenceKey = tuple[int, int]


class _Tree:
    """A segment tree over fixed values: the first (or last) index in a range holding a value
    at least (or below) a bound, in O(log n)."""

    def __init__(self, values: Sequence[int], *, keep_max: bool) -> None:
        """Build the levels bottom-up; padding never matches a search."""
        size = 1
        while size < max(len(values), 1):
            size *= 2
        pad = 0 if keep_max else 2**31 - 1
        pick = max if keep_max else min
        level = array("i", values)
        level.extend([pad] * (size - len(values)))
        self.levels = [level]
        while len(level) > 1:
            level = array("i", map(pick, level[0::2], level[1::2]))
            self.levels.append(level)
        self.top = len(self.levels) - 1

    def first_at_least(self, low: int, high: int, bound: int) -> int:
        """Return the first index in [low, high) whose value is >= bound, or -1."""
        return self._first(self.top, 0, low, high, bound) if low < high else -1

    def _first(self, level: int, node: int, low: int, high: int, bound: int) -> int:
        span = 1 << level
        start = node * span
        if start >= high or start + span <= low or self.levels[level][node] < bound:
            return -1
        if level == 0:
            return node
        found = self._first(level - 1, 2 * node, low, high, bound)
        return found if found >= 0 else self._first(level - 1, 2 * node + 1, low, high, bound)

    def last_below(self, low: int, high: int, bound: int) -> int:
        """Return the last index in [low, high) whose value is < bound, or -1 (min tree)."""
        return self._last(self.top, 0, low, high, bound) if low < high else -1

    def _last(self, level: int, node: int, low: int, high: int, bound: int) -> int:
        span = 1 << level
        start = node * span
        if start >= high or start + span <= low or self.levels[level][node] >= bound:
            return -1
        if level == 0:
            return node
        found = self._last(level - 1, 2 * node + 1, low, high, bound)
        return found if found >= 0 else self._last(level - 1, 2 * node, low, high, bound)


@dataclass(frozen=True)
class DayIndex:
    """A campaign's dated occurrences in agenda order, and its undated events by title."""

    starts: array  # first day of each occurrence (ordinal), in agenda order
    ends: array  # its last day (ordinal, inclusive)
    event_ids: array
    positions: array  # the part's position, NO_PART for a one-part event
    sorted_ends: array  # the last days in order, to count what has ended before a day
    latest_end: _Tree  # max of the last days: what is still on at a day
    earliest_end: _Tree  # min of the last days: what is over by a day
    undated: array  # ids of the events still to be dated, by title

    def __len__(self) -> int:
        """Return the number of dated occurrences."""
        return len(self.starts)

    @property
    def first_day(self) -> date | None:
        """Return the first day of the first occurrence, None without any."""
        return date.fromordinal(self.starts[0]) if self.starts else None

    def earlier_day(self, day: date, count: int) -> date | None:
        """Return the day that a page of `count` occurrences starting before `day` begins on,
        None when none starts before it."""
        first_later = bisect_left(self.starts, day.toordinal())
        if first_later == 0:
            return None
        return date.fromordinal(self.starts[max(first_later - count, 0)])

    def key(self, index: int) -> OccurrenceKey:
        """Return which event (and part) the occurrence at `index` is."""
        return self.event_ids[index], self.positions[index]

    def count_on(self, day: date) -> int:
        """Return how many occurrences cover `day`."""
        ordinal = day.toordinal()
        return bisect_right(self.starts, ordinal) - bisect_left(self.sorted_ends, ordinal)

    def count_under_way(self, day: date) -> int:
        """Return how many occurrences began before `day` and are still on that day."""
        ordinal = day.toordinal()
        return bisect_left(self.starts, ordinal) - bisect_left(self.sorted_ends, ordinal)

    def count_from(self, day: date) -> int:
        """Return how many occurrences are on `day` or later (those under way included)."""
        return len(self) - bisect_left(self.sorted_ends, day.toordinal())

    def count_before(self, day: date) -> int:
        """Return how many occurrences were over before `day`."""
        return bisect_left(self.sorted_ends, day.toordinal())

    def on(self, day: date, limit: int) -> list[int]:
        """Return the indexes of the first `limit` occurrences covering `day`, in agenda order."""
        ordinal = day.toordinal()
        found = self._still_on(bisect_right(self.starts, ordinal), ordinal)
        return [index for index, _ in zip(found, range(limit), strict=False)]

    def iter_from(self, day: date) -> Iterator[int]:
        """Yield the indexes of the occurrences on `day` or later, in agenda order.

        Those under way on `day` come first (they began earlier), then every later one.
        """
        ordinal = day.toordinal()
        first_later = bisect_left(self.starts, ordinal)
        yield from self._still_on(first_later, ordinal)
        yield from range(first_later, len(self))

    def from_day(self, day: date, skip: int, limit: int) -> list[int]:
        """Return the indexes of `limit` occurrences on `day` or later after the first `skip`.

        Skipping into the ones under way walks them one by one, so costs at most the parties
        of that one day; past them, the page is a slice.
        """
        under_way = self.count_under_way(day)
        if skip < under_way:
            return list(islice(self.iter_from(day), skip, skip + limit))
        begin = bisect_left(self.starts, day.toordinal()) + skip - under_way
        return list(range(begin, min(begin + limit, len(self))))

    def iter_before(self, day: date) -> Iterator[int]:
        """Yield the indexes of the occurrences over before `day`, latest first."""
        ordinal = day.toordinal()
        high = bisect_left(self.starts, ordinal)
        while True:
            index = self.earliest_end.last_below(0, high, ordinal)
            if index < 0:
                return
            yield index
            high = index

    def _still_on(self, high: int, ordinal: int) -> Iterator[int]:
        """Yield the indexes below `high` of occurrences lasting to `ordinal` or later."""
        low = 0
        while True:
            index = self.latest_end.first_at_least(low, high, ordinal)
            if index < 0:
                return
            yield index
            low = index + 1


def build_index(campaign_id: int) -> DayIndex:
    """Read the days of a campaign's approved events and parts (two plain queries).

    Core rows, not ORM ones: at 100,000 events the ORM's bookkeeping alone takes a second.
    """
    approved = (Event.campaign_id == campaign_id, Event.status == EventStatus.APPROVED)
    connection = db.session.connection()
    events = connection.execute(
        select(Event.id, Event.title, Event.start_date, Event.end_date).where(*approved)
    ).all()
    parts: dict[int, list[tuple[int, date, date]]] = {}
    for event_id, position, start, end in connection.execute(
        select(EventPart.event_id, EventPart.position, EventPart.start_date, EventPart.end_date)
        .join(Event, Event.id == EventPart.event_id)
        .where(*approved)
    ):
        parts.setdefault(event_id, []).append((position, start, end))
    rows: list[tuple[int, int, str, int, int]] = []
    undated: list[tuple[str, int]] = []
    for event_id, title, start, end in events:
        if start is None:
            undated.append((title, event_id))
        if event_id in parts:
            rows.extend(
                (s.toordinal(), e.toordinal(), title, event_id, position)
                for position, s, e in parts[event_id]
            )
        elif start is not None:
            rows.append((start.toordinal(), (end or start).toordinal(), title, event_id, NO_PART))
    return make_index(rows, undated)


def make_index(
    rows: list[tuple[int, int, str, int, int]], undated: list[tuple[str, int]]
) -> DayIndex:
    """Index occurrences given as (first day, last day, title, event id, position) ordinals,
    and undated events as (title, id)."""
    # The order of calendars.occurrences: by day, then title, then the part's position. The
    # tuples sort so as they are: positions are only compared within one event, where they
    # are all parts' (NO_PART is an event's only occurrence).
    rows = sorted(rows)
    undated = sorted(undated)
    starts, ends, _, event_ids, positions = zip(*rows, strict=True) if rows else ((),) * 5
    ends = array("i", ends)
    return DayIndex(
        starts=array("i", starts),
        ends=ends,
        event_ids=array("i", event_ids),
        positions=array("i", positions),
        sorted_ends=array("i", sorted(ends)),
        latest_end=_Tree(ends, keep_max=True),
        earliest_end=_Tree(ends, keep_max=False),
        undated=array("i", (event_id for _, event_id in undated)),
    )


def day_index(campaign: Campaign) -> DayIndex:
    """Return the campaign's index as of the current data version (built once per version)."""
    campaign_id = campaign.id
    return memoized(("day-index", campaign_id), lambda: build_index(campaign_id))


def load_events(ids: Sequence[int]) -> dict[int, Event]:
    """Read the approved events with these ids, their parts and campaign, keyed by id."""
    if not ids:
        return {}
    query = (
        select(Event)
        .where(Event.id.in_(sorted(set(ids))), Event.status == EventStatus.APPROVED)
        .options(selectinload(Event.parts), joinedload(Event.campaign))
    )
    return {event.id: event for event in db.session.scalars(query)}


def load_occurrences(index: DayIndex, chosen: Sequence[int]) -> dict[int, Occurrence]:
    """Return the occurrences at the chosen indexes, keyed by index, read in one query.

    An event changed since the index was built (a write racing this request) shows as it is
    now, or not at all when it is gone.
    """
    events = load_events([index.event_ids[i] for i in chosen])
    found: dict[int, Occurrence] = {}
    for i in chosen:
        event = events.get(index.event_ids[i])
        if event is None:
            continue
        position = index.positions[i]
        if position == NO_PART:
            if event.start_date is not None:
                found[i] = Occurrence(event, event.start_date, event.end_date or event.start_date)
            continue
        for part in event.parts:
            if part.position == position:
                found[i] = Occurrence(
                    event, part.start_date, part.end_date, part.label, part.position
                )
    return found


def undated_events(index: DayIndex, skip: int, limit: int) -> list[Event]:
    """Return `limit` of the campaign's events still to be dated, by title, after `skip`."""
    ids = list(index.undated[skip : skip + limit])
    events = load_events(ids)
    return [events[i] for i in ids if i in events]


def fill_days(index: DayIndex, cells: Iterable[Day], limit: int = DAY_LIMIT) -> None:
    """Put the first `limit` occurrences of each cell's day in it, and their count (one query)."""
    cells = list(cells)
    chosen = {cell.day: index.on(cell.day, limit) for cell in cells}
    found = load_occurrences(index, [i for indexes in chosen.values() for i in indexes])
    for cell in cells:
        cell.count = index.count_on(cell.day)
        cell.items = [found[i] for i in chosen[cell.day] if i in found]


@dataclass(frozen=True)
class Undated:
    """The first few events still to be dated, and how many there are."""

    events: list[Event]
    count: int

    @property
    def more(self) -> int:
        """Return how many are not among the first few."""
        return max(self.count - len(self.events), 0)


def undated_summary(index: DayIndex, limit: int = DAY_LIMIT) -> Undated:
    """Return the first `limit` events still to be dated, and their count."""
    return Undated(undated_events(index, 0, limit), len(index.undated))


def _distinct_events(indexes: Iterable[int], index: DayIndex, limit: int) -> list[int]:
    """Return the ids of the first `limit` events the occurrences belong to, in their order."""
    ids: dict[int, None] = {}
    for i in islice(indexes, limit * MAX_PARTS):  # an event has at most MAX_PARTS parts
        ids.setdefault(index.event_ids[i])
        if len(ids) == limit:
            break
    return list(ids)


def coming_and_past(index: DayIndex, today: date, limit: int) -> tuple[list[Event], list[Event]]:
    """Return the `limit` events on today or next, and the `limit` last ones before, nearest
    first; an event with parts on both sides is only coming."""
    coming = _distinct_events(index.iter_from(today), index, limit)
    seen = set(coming)
    past = [
        i
        for i in _distinct_events(index.iter_before(today), index, limit + len(seen))
        if i not in seen
    ][:limit]
    events = load_events(coming + past)
    return [events[i] for i in coming if i in events], [events[i] for i in past if i in events]
