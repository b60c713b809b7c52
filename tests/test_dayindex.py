"""The day index of a campaign: what it answers agrees with walking every occurrence."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from eventmap.dayindex import NO_PART, day_index, make_index
from eventmap.extensions import db
from eventmap.memo import app_memo
from eventmap.models import EventPart, EventStatus

BASE = date(2016, 7, 1).toordinal()

# An occurrence: a first day near July 2016, a length (a few long ones, as stored rows from
# before the 31-day rule may be), a title out of a few, so that ties are common.
occurrence = st.tuples(
    st.integers(0, 40),
    st.one_of(st.integers(0, 3), st.integers(0, 400)),
    st.sampled_from(["A", "B", "b", "Ä"]),
)


def rows_of(drawn):
    """Make index rows: every third pair an event of two parts, the others one-part events."""
    rows = []
    for n, (start, length, title) in enumerate(drawn):
        if n // 2 % 3 == 0:
            event_id, position = n // 2 + 1, n % 2
        else:
            event_id, position = 1000 + n, NO_PART
        rows.append((BASE + start, BASE + start + length, title, event_id, position))
    return rows


def in_order(rows):
    return sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3], max(r[4], 0)))


def keys(index, chosen):
    return [index.key(i) for i in chosen]


@settings(max_examples=150, deadline=None)
@given(st.lists(occurrence, max_size=60), st.integers(-5, 60), st.integers(0, 70))
def test_the_index_answers_as_a_walk_over_every_occurrence_does(drawn, offset, skip):
    rows = rows_of(drawn)
    index = make_index(rows, [])
    ordered = in_order(rows)
    day = date.fromordinal(BASE + offset)
    ordinal = day.toordinal()
    on_day = [(r[3], r[4]) for r in ordered if r[0] <= ordinal <= r[1]]
    later = [(r[3], r[4]) for r in ordered if r[1] >= ordinal]
    over = [(r[3], r[4]) for r in reversed(ordered) if r[1] < ordinal]

    assert index.count_on(day) == len(on_day)
    assert keys(index, index.on(day, 5)) == on_day[:5]
    assert index.count_from(day) == len(later)
    assert keys(index, index.from_day(day, skip, 7)) == later[skip : skip + 7]
    assert keys(index, index.iter_from(day)) == later
    assert keys(index, index.iter_before(day)) == over
    assert index.count_before(day) == len(over)
    assert index.count_under_way(day) == len([r for r in ordered if r[0] < ordinal <= r[1]])
    assert index.first_day == (date.fromordinal(ordered[0][0]) if ordered else None)


def test_an_empty_index_answers_nothing():
    index = make_index([], [])
    day = date(2016, 7, 19)
    assert (index.count_on(day), index.on(day, 5), index.from_day(day, 0, 5)) == (0, [], [])
    assert list(index.iter_before(day)) == []
    assert index.first_day is None
    assert index.earlier_day(day, 50) is None


def test_the_earlier_day_is_a_page_back():
    rows = [(BASE + n // 10, BASE + n // 10, f"P{n:03}", n + 1, NO_PART) for n in range(100)]
    index = make_index(rows, [])  # ten parties a day from July 1 to 10
    assert index.earlier_day(date(2016, 7, 8), 25) == date(2016, 7, 5)
    assert index.earlier_day(date(2016, 7, 2), 25) == date(2016, 7, 1)
    assert index.earlier_day(date(2016, 7, 1), 25) is None


def test_the_index_holds_parts_not_their_event_and_undated_events_by_title(
    app, make_event, make_thailand
):
    thailand = make_thailand(title="Thailand")
    munich = make_event(title="Munich")
    zebra = make_event(title="Zebra", start_date=None, end_date=None)
    aardvark = make_event(title="Aardvark", start_date=None, end_date=None)
    make_event(title="Hidden", status=EventStatus.PENDING)
    index = day_index(thailand.campaign)
    assert keys(index, range(len(index))) == [
        (munich.id, NO_PART),
        (thailand.id, 0),
        (thailand.id, 1),
    ]
    assert list(index.undated) == [aardvark.id, zebra.id]
    assert index.count_on(date(2016, 7, 28)) == 1
    assert index.count_on(date(2016, 7, 29)) == 1


def test_the_index_is_built_once_per_data_version(app, make_event):
    event = make_event()
    memo = app_memo()
    first = day_index(event.campaign)
    assert day_index(event.campaign) is first
    builds = memo.builds
    event.start_date = event.end_date = date(2016, 7, 20)
    db.session.commit()  # a write bumps the version
    again = day_index(event.campaign)
    assert again is not first
    assert memo.builds == builds + 1
    assert again.first_day == date(2016, 7, 20)
    event.parts.append(
        EventPart(position=0, label="x", start_date=date(2016, 7, 21), end_date=date(2016, 7, 21))
    )
    db.session.commit()
    assert day_index(event.campaign).first_day == date(2016, 7, 21)
