"""Date phrases: every seed phrase reads exactly; anything unclear is refused, quoted."""

from __future__ import annotations

import csv
from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventmap.dates import (
    DateParseError,
    DatePart,
    date_window_problem,
    format_parsed,
    format_part,
    format_span,
    format_time,
    format_times,
    parse_date_phrase,
    to_phrase,
)

PARTIES = Path(__file__).resolve().parent.parent / "data" / "parties.csv"


def d(month: int, day: int, year: int = 2016) -> date:
    return date(year, month, day)


@pytest.mark.parametrize(
    ("phrase", "parts"),
    [
        ("July 28", [(d(7, 28), d(7, 28), None)]),
        ("August 10", [(d(8, 10), d(8, 10), None)]),
        ("July 6-7", [(d(7, 6), d(7, 7), None)]),
        ("July 6–7", [(d(7, 6), d(7, 7), None)]),
        ("6-7 July", [(d(7, 6), d(7, 7), None)]),
        ("July 6 to 9", [(d(7, 6), d(7, 9), None)]),
        ("30 July - 2 August", [(d(7, 30), d(8, 2), None)]),
        ("July 30 – August 2, 2016", [(d(7, 30), d(8, 2), None)]),
        ("December 30 - January 2", [(d(12, 30), d(1, 2, 2017), None)]),
        ("Wednesday, July 13, 2016", [(d(7, 13), d(7, 13), None)]),
        ("Wed 13 July", [(d(7, 13), d(7, 13), None)]),
        ("Sept. 3rd", [(d(9, 3), d(9, 3), None)]),
        ("2016-07-06", [(d(7, 6), d(7, 6), None)]),
        ("2016-07-06/2016-07-07", [(d(7, 6), d(7, 7), None)]),
        (
            "July 6, 8 and 10",
            [(d(7, 6), d(7, 6), None), (d(7, 8), d(7, 8), None), (d(7, 10), d(7, 10), None)],
        ),
        (
            "July 27-28 (tutorials); July 29 (launch party)",
            [(d(7, 27), d(7, 28), "tutorials"), (d(7, 29), d(7, 29), "launch party")],
        ),
        (
            "July 5 (talks, food and drinks) + 6 (party)",
            [(d(7, 5), d(7, 5), "talks, food and drinks"), (d(7, 6), d(7, 6), "party")],
        ),
    ],
)
def test_phrases_read_into_parts(phrase, parts):
    parsed = parse_date_phrase(phrase, 2016)
    assert [(p.start, p.end, p.label) for p in parsed.parts] == parts
    assert parsed.text == phrase
    assert parsed.start == min(p[0] for p in parts)
    assert parsed.end == max(p[1] for p in parts)


@pytest.mark.parametrize("phrase", ["TBD", "tba", "TBC", "To be announced", "", "  ", "TBD**"])
def test_undecided_dates_have_no_parts(phrase):
    parsed = parse_date_phrase(phrase, 2016)
    assert parsed.tbd
    assert parsed.start is None
    assert parsed.end is None


def test_footnote_marks_are_kept_aside_not_misread():
    parsed = parse_date_phrase("July 14**", 2016)
    assert parsed.parts == (DatePart(d(7, 14), d(7, 14), None),)
    assert parsed.marks == ("**",)


def test_every_seed_phrase_reads_and_matches_its_start_and_end_columns():
    with PARTIES.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 45
    for row in rows:
        parsed = parse_date_phrase(row["date_text"], 2016)
        start = parsed.start.isoformat() if parsed.start else ""
        end = parsed.end.isoformat() if parsed.end else ""
        assert (start, end) == (row["start"], row["end"]), row["location"]


@pytest.mark.parametrize(
    ("phrase", "reason"),
    [
        ("July 32", "32 July 2016 is not a day in the calendar"),
        ("February 29 2015", "29 February 2015 is not a day"),
        ("Julyy 5", "'Julyy' is not a month"),
        ("7/6", "numeric dates"),
        ("7.6.", "numeric dates"),
        ("hello", "'hello' is not a month"),
        ("July", "has no day"),
        ("5", "has no month"),
        ("Thu 13 July 2016", "is a Wednesday, not a Thursday"),
        ("July 9-7", "ends before it starts"),
        ("July 1 2016 - July 5 2017", "spans more than 366 days"),
        ("July 5 - ", "missing end"),
        ("July 5 - 6 - 7", "more than one range separator"),
        ("July 5 (party", "'(' without its ')'"),
        ("July 5) party", "')' without its '('"),
        ("(party) July 5", "before the date"),
        ("July 6; TBD", "mixes dates with 'to be announced'"),
        ("July 5;;", "empty part"),
        ("mid-July", "'mid' is not a month"),
        ("July 5 ()", "empty label"),
        ("2016-13-01", "is not a date in the calendar"),
        ("x" * 201, "longer than 200 characters"),
        ("December 30 9999 - January 2", "after the last day of year 9999"),
    ],
)
def test_unreadable_phrases_are_refused_with_the_phrase_quoted(phrase, reason):
    with pytest.raises(DateParseError) as caught:
        parse_date_phrase(phrase, 2016)
    assert reason in caught.value.reason
    assert str(caught.value).startswith('could not read the date "')
    assert phrase[:20] in str(caught.value)


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (d(7, 13), None, "Wed 13 July 2016"),
        (d(7, 13), d(7, 13), "Wed 13 July 2016"),
        (d(7, 27), d(7, 29), "27–29 July 2016"),
        (d(7, 30), d(8, 2), "30 July – 2 August 2016"),
        (d(12, 30), d(1, 2, 2017), "30 December 2016 – 2 January 2017"),
        (None, None, "Date to be announced"),
    ],
)
def test_spans_are_written_as_people_read_them(start, end, text):
    assert format_span(start, end) == text


def test_format_parsed_writes_labels_and_tbd():
    thailand = parse_date_phrase("July 27-28 (tutorials); July 29 (launch party)", 2016)
    assert format_parsed(thailand) == "27–28 July 2016 (tutorials); Fri 29 July 2016 (launch party)"
    assert format_parsed(parse_date_phrase("TBD", 2016)) == "Date to be announced"


def test_to_phrase_refuses_labels_it_could_not_read_back():
    with pytest.raises(ValueError, match="cannot be written"):
        to_phrase([DatePart(d(7, 1), d(7, 1), "a (b)")])


days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
labels = st.none() | st.text(
    alphabet=st.characters(categories=["L", "N", "Zs"], exclude_characters="*†‡?"),
    min_size=1,
    max_size=20,
).map(lambda s: " ".join(s.split())).filter(bool)


@st.composite
def part_lists(draw):
    count = draw(st.integers(min_value=1, max_value=4))
    parts = []
    for _ in range(count):
        start = draw(days)
        length = draw(st.integers(min_value=0, max_value=365))
        end = min(start.toordinal() + length, date(2200, 12, 31).toordinal())
        parts.append(DatePart(start, date.fromordinal(end), draw(labels)))
    return parts


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(part_lists(), st.integers(min_value=1900, max_value=2200))
def test_to_phrase_round_trips_through_the_parser(parts, year):
    written = "; ".join(format_part(p.start, p.end, p.label) for p in parts)
    if len(written) > 200:  # too long to read back, so refused rather than written
        with pytest.raises(ValueError, match="more than 200 characters"):
            to_phrase(parts)
        return
    assert list(parse_date_phrase(to_phrase(parts), year).parts) == parts


@settings(deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_read_or_refused_never_crashes(text):
    try:
        parsed = parse_date_phrase(text, 2016)
    except DateParseError as exc:
        reason = exc.reason
        parsed = None
    else:
        reason = None
    if parsed is None:
        assert reason
    else:
        assert all(part.start <= part.end for part in parsed.parts)


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (time(18, 30), time(22, 0), "18:30–22:00"),
        (time(9, 5), time(23, 59), "09:05–23:59"),
        (time(18, 30), None, "from 18:30"),
        (None, None, ""),
        (None, time(22, 0), ""),  # an end alone says nothing about the start
    ],
)
def test_times_of_day_on_the_24_hour_clock(start, end, text):
    assert format_times(start, end) == text


def test_a_time_is_written_as_files_take_it():
    assert format_time(time(7, 0)) == "07:00"
    assert format_time(time(18, 30, 45)) == "18:30"


# Sides of ranges made of the pieces that sit at the ends of the calendar.
EDGE_SIDES = st.tuples(
    st.sampled_from(["", "December", "January", "Dec", "Jan"]),
    st.sampled_from(["", "30", "31", "1", "2"]),
    st.sampled_from(["", "9999", "0001", "0000", "1900"]),
).map(" ".join)
EDGE_PHRASES = st.one_of(
    EDGE_SIDES,
    st.tuples(EDGE_SIDES, st.sampled_from([" - ", " to ", "; "]), EDGE_SIDES).map("".join),
    st.sampled_from(["9999-12-31 - 0001-01-01", "9999-12-31/9999-12-31", "0001-01-01"]),
)


@settings(deadline=None, max_examples=1000)  # the parser takes microseconds a phrase
@given(EDGE_PHRASES, st.sampled_from([1, 1900, 2016, 9999]))
def test_phrases_at_the_ends_of_the_calendar_are_read_or_refused(phrase, year):
    try:
        parsed = parse_date_phrase(phrase, year)
    except DateParseError:
        return
    assert all(part.start <= part.end for part in parsed.parts)


def parts_of(*spans: tuple[date, date]) -> tuple[DatePart, ...]:
    return tuple(DatePart(start, end) for start, end in spans)


@pytest.mark.parametrize(
    ("spans", "side", "reason"),
    [
        ([(d(7, 19), d(7, 19))], None, None),
        ([(d(7, 1), d(7, 31))], None, None),  # 31 days, the longest a party lasts
        ([(date(1900, 1, 1), date(1900, 1, 1))], None, None),
        ([(date(2021, 12, 31), date(2021, 12, 31))], None, None),  # 5 years after 2016
        ([(date(1899, 12, 31), date(1900, 1, 1))], "start", "is before 1900"),
        ([(date(1, 1, 1), date(1, 1, 1))], "start", "is before 1900"),
        ([(date(2022, 1, 1), date(2022, 1, 1))], "end", "more than 5 years after"),
        ([(date.max, date.max)], "end", "more than 5 years after"),
        ([(d(7, 1), d(8, 1))], "end", "lasts at most 31 days"),
        ([(d(7, 1), d(7, 2)), (d(8, 1), d(8, 1))], "end", "lasts at most 31 days"),
    ],
)
def test_the_date_window_refuses_odd_days_naming_the_end_at_fault(spans, side, reason):
    problem = date_window_problem(parts_of(*spans), 2016)
    if side is None:
        assert problem is None
    else:
        assert problem is not None
        assert problem.side == side
        assert reason in problem.reason


def test_a_date_still_to_be_announced_fits_the_window():
    assert date_window_problem((), 2016) is None
