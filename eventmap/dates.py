"""Date phrases as organizers write them ("July 6-7", "July 14**", "TBD"), read exactly or refused.

The parser never guesses: a phrase is either read into whole days (parts with optional labels)
or refused with a `DateParseError` that quotes it and says what was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Protocol

from .geocoding.text import UNDECIDED

MAX_PHRASE_LENGTH = 200
MAX_PARTS = 20
MAX_SPAN_DAYS = 366
MAX_LABEL_LENGTH = 60
# The window of days a party may have; every entry point checks it with date_window_problem.
EARLIEST_DAY = date(1900, 1, 1)
YEARS_AFTER_CAMPAIGN = 5
MAX_PARTY_DAYS = 31  # from the first day of the first part to the last day of the last

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_MONTHS: dict[str, int] = {}
for _number, _name in enumerate(MONTH_NAMES, start=1):
    _MONTHS[_name.lower()] = _number
    _MONTHS[_name[:3].lower()] = _number
_MONTHS["sept"] = 9

_WEEKDAYS: dict[str, int] = {}
for _number, _name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
):
    _WEEKDAYS[_name] = _number
    _WEEKDAYS[_name[:3]] = _number
_WEEKDAYS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})

# Whole phrases meaning "not decided yet".
_UNDECIDED = UNDECIDED | {f"date {phrase}" for phrase in UNDECIDED}
_PART_SEPARATOR = re.compile(r";|\+|&|\band\b", re.IGNORECASE)
_RANGE_WORDS = {"to", "until", "till", "through", "thru"}
_MARKS = re.compile(r"[*†‡]+|\?+")
_LABEL = re.compile(r"\(([^()]*)\)\s*$")
_TOKEN = re.compile(
    r"(?P<iso>\d{4}-\d{2}-\d{2})"
    r"|(?P<number>\d+)(?:st|nd|rd|th)?\b"
    r"|(?P<word>[^\W\d_]+)\.?"
    r"|(?P<dash>[-–—])"
    r"|(?P<slash>/)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
)


class DateParseError(ValueError):
    """A date phrase that cannot be read; the message quotes the phrase and says why."""

    def __init__(self, phrase: str, reason: str) -> None:
        """Keep the phrase and the reason apart so callers can show either."""
        super().__init__(f'could not read the date "{phrase}": {reason}')
        self.phrase = phrase
        self.reason = reason


@dataclass(frozen=True)
class DatePart:
    """One stretch of whole days (end inclusive), with an optional label such as "tutorials"."""

    start: date
    end: date
    label: str | None = None


@dataclass(frozen=True)
class ParsedDate:
    """A phrase read into parts; no parts means the date is still to be announced."""

    text: str
    parts: tuple[DatePart, ...]
    marks: tuple[str, ...] = ()

    @property
    def tbd(self) -> bool:
        """Say whether the date is still to be announced."""
        return not self.parts

    @property
    def start(self) -> date | None:
        """Return the first day of the earliest part."""
        return min(p.start for p in self.parts) if self.parts else None

    @property
    def end(self) -> date | None:
        """Return the last day of the latest part."""
        return max(p.end for p in self.parts) if self.parts else None


@dataclass(frozen=True)
class DateProblem:
    """Why dated parts fall outside the window: the end at fault ("start" or "end"), and why."""

    side: str
    reason: str


class _CampaignDays(Protocol):
    """What the window needs of a campaign, stored or from the catalogue."""

    starts_on: date | None
    ends_on: date | None
    anniversary: date | None


def campaign_last_year(campaign: _CampaignDays, fallback: int) -> int:
    """Return the last year a campaign covers, or `fallback` when it names no day."""
    years = [d.year for d in (campaign.starts_on, campaign.ends_on, campaign.anniversary) if d]
    return max(years, default=fallback)


def latest_day(campaign_year: int) -> date:
    """Return the last day a party may have in a campaign whose last year is `campaign_year`."""
    return date(min(campaign_year + YEARS_AFTER_CAMPAIGN, date.max.year), 12, 31)


def date_window_problem(parts: Sequence[DatePart], campaign_year: int) -> DateProblem | None:
    """Say why parts are outside the window of sane days for the campaign, or None if inside.

    Nobody plans a party before 1900, years after its campaign, or lasting weeks on end; such
    dates are typing slips (9999-12-31), and they would make calendars draw years of days.
    """
    if not parts:
        return None
    first, last = min(p.start for p in parts), max(p.end for p in parts)
    if first < EARLIEST_DAY:
        return DateProblem("start", f"{first.isoformat()} is before {EARLIEST_DAY.year}.")
    latest = latest_day(campaign_year)
    if last > latest:
        return DateProblem(
            "end",
            f"{last.isoformat()} is more than {YEARS_AFTER_CAMPAIGN} years after the campaign"
            f" ({campaign_year}); the last day possible is {latest.isoformat()}.",
        )
    days = (last - first).days + 1
    if days > MAX_PARTY_DAYS:
        return DateProblem(
            "end",
            f"a party lasts at most {MAX_PARTY_DAYS} days, parts included; this one runs"
            f" {days} days, {first.isoformat()} to {last.isoformat()}.",
        )
    return None


@dataclass
class _Spec:
    """One side of a range as written: any of weekday, day, month, year."""

    day: int | None = None
    month: int | None = None
    year: int | None = None
    weekday: int | None = None
    iso: date | None = None


class _RefusedError(Exception):
    """Internal: the reason a piece of the phrase could not be read."""


def parse_date_phrase(text: str, year: int) -> ParsedDate:
    """Read a date phrase into parts, using `year` when the phrase names none."""
    if len(text) > MAX_PHRASE_LENGTH:
        raise DateParseError(text[:40] + "…", f"is longer than {MAX_PHRASE_LENGTH} characters")
    marks = tuple(_MARKS.findall(text))
    cleaned = " ".join(_MARKS.sub(" ", text).split())
    if cleaned.strip(" .,;:").lower() in _UNDECIDED or not cleaned.strip(" .,;:"):
        return ParsedDate(text, (), marks)
    try:
        parts = _parse_parts(cleaned, year)
    except _RefusedError as exc:
        raise DateParseError(text, str(exc)) from None
    return ParsedDate(text, tuple(parts), marks)


def _parse_parts(text: str, year: int) -> list[DatePart]:
    """Split a phrase into parts and read each, carrying the month from one part to the next."""
    pieces = _split_parts(text)
    if len(pieces) > MAX_PARTS:
        raise _RefusedError(f"has more than {MAX_PARTS} parts")
    parts: list[DatePart] = []
    month: int | None = None
    part_year = year
    for piece in pieces:
        body, label = _take_label(piece)
        if body.lower() in _UNDECIDED:
            raise _RefusedError("mixes dates with 'to be announced'; give the dates or only TBD")
        part = _parse_range(body, part_year, month)
        parts.append(DatePart(part.start, part.end, label))
        month, part_year = part.end.month, part.end.year
    return parts


def _split_parts(text: str) -> list[str]:
    """Cut the phrase at ; + & "and" and at commas that separate dates rather than a year."""
    pieces: list[str] = []
    for chunk in _split_outside_brackets(text, _PART_SEPARATOR):
        segments = [s.strip() for s in _split_outside_brackets(chunk, re.compile(","))]
        merged: list[str] = []
        pending_weekday = ""
        for segment in segments:
            if not segment:
                continue
            if re.fullmatch(r"\d{4}", segment) and merged:
                merged[-1] += " " + segment  # "July 6, 2016"
            elif segment.lower().rstrip(".") in _WEEKDAYS:
                pending_weekday = segment + " "  # "Wednesday, July 13"
            else:
                merged.append(pending_weekday + segment)
                pending_weekday = ""
        if pending_weekday:
            raise _RefusedError(f"{pending_weekday.strip()!r} is not followed by a date")
        if not merged:
            raise _RefusedError("has an empty part between separators")
        pieces.extend(merged)
    return pieces


def _split_outside_brackets(text: str, separator: re.Pattern[str]) -> list[str]:
    """Split at separators that are not inside a bracketed label."""
    pieces: list[str] = []
    depth = 0
    start = 0
    position = 0
    while position < len(text):
        char = text[position]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise _RefusedError("has a ')' without its '('")
        elif depth == 0:
            match = separator.match(text, position)
            if match:
                pieces.append(text[start:position])
                start = position = match.end()
                continue
        position += 1
    if depth:
        raise _RefusedError("has a '(' without its ')'")
    pieces.append(text[start:])
    return pieces


def _take_label(piece: str) -> tuple[str, str | None]:
    """Split "July 27-28 (tutorials)" into the dates and the label."""
    match = _LABEL.search(piece)
    if not match:
        if "(" in piece or ")" in piece:
            raise _RefusedError(
                f"has a note in brackets before the date in {piece!r};"
                " put it after the date, like 'July 27 (tutorials)'"
            )
        return piece.strip(), None
    label = " ".join(match.group(1).split())
    if not label:
        raise _RefusedError("has an empty label '()'")
    if len(label) > MAX_LABEL_LENGTH:
        raise _RefusedError(f"has a label longer than {MAX_LABEL_LENGTH} characters")
    body = piece[: match.start()].strip()
    if "(" in body or ")" in body:
        raise _RefusedError(f"has unbalanced brackets in {piece!r}")
    return body, label


def _parse_range(body: str, year: int, carried_month: int | None) -> DatePart:
    """Read "July 6-7", "30 July - 2 August", "2016-07-06" or a single day."""
    if not body:
        raise _RefusedError("has a label but no date")
    sides: list[list[tuple[str, str]]] = [[]]
    for match in _TOKEN.finditer(body):
        kind = match.lastgroup or "other"
        value = match.group(kind)
        if kind == "space":
            continue
        if kind == "other":
            if value in ",.":
                continue
            raise _RefusedError(f"has an unexpected {value!r}")
        if kind == "slash" and sides[-1] and sides[-1][-1][0] == "iso":
            sides.append([])  # "2016-07-06/2016-07-07", the ISO 8601 interval
            continue
        if kind == "dash" or (kind == "word" and value.lower() in _RANGE_WORDS):
            sides.append([])
            continue
        sides[-1].append((kind, value))
    if len(sides) > 2:
        raise _RefusedError(f"{body!r} has more than one range separator")
    specs = [_read_spec(tokens, body) for tokens in sides]
    if len(specs) == 1:
        start = end = _resolve(specs[0], None, year, carried_month, body)
        return DatePart(start, end)
    left, right = specs
    if left.month is None and left.iso is None:
        left.month = right.month if right.month is not None else carried_month
    if right.month is None and right.iso is None:
        right.month = left.month
    if left.year is None and left.iso is None:
        if right.year is not None:
            left.year = right.year - 1 if (left.month or 0) > (right.month or 0) else right.year
        else:
            left.year = year
    start = _resolve(left, None, year, carried_month, body)
    end = _resolve(right, start, year, carried_month, body)
    if end < start:
        raise _RefusedError(f"{body!r} ends before it starts")
    if (end - start).days >= MAX_SPAN_DAYS:
        raise _RefusedError(f"{body!r} spans more than {MAX_SPAN_DAYS} days")
    return DatePart(start, end)


def _read_spec(tokens: Sequence[tuple[str, str]], body: str) -> _Spec:
    """Read one side of a range into its weekday, day, month and year."""
    if not tokens:
        raise _RefusedError(f"{body!r} has a range with a missing end")
    spec = _Spec()
    numbers: list[str] = []
    for kind, value in tokens:
        if kind == "slash":
            raise _RefusedError("numeric dates such as 7/6 are ambiguous; write the month name")
        if kind == "iso":
            if len(tokens) > 1 and not all(k == "word" for k, _ in tokens[:-1]):
                raise _RefusedError(f"{body!r} mixes an ISO date with other numbers")
            try:
                spec.iso = date.fromisoformat(value)
            except ValueError:
                raise _RefusedError(f"{value} is not a date in the calendar") from None
            continue
        if kind == "number":
            numbers.append(value)
            continue
        word = value.lower()
        if word in _MONTHS:
            if spec.month is not None:
                raise _RefusedError(f"{body!r} names two months on one side of the range")
            spec.month = _MONTHS[word]
        elif word in _WEEKDAYS:
            if spec.weekday is not None:
                raise _RefusedError(f"{body!r} names two weekdays for one day")
            spec.weekday = _WEEKDAYS[word]
        else:
            raise _RefusedError(f"{value!r} is not a month or weekday")
    for number in numbers:
        if len(number) == 4:
            if spec.year is not None:
                raise _RefusedError(f"{body!r} names two years for one day")
            spec.year = int(number)
        elif len(number) <= 2 and spec.day is None:
            spec.day = int(number)
        elif len(number) <= 2:
            raise _RefusedError("numeric dates such as 7.6 are ambiguous; write the month name")
        else:
            raise _RefusedError(f"{number} is neither a day nor a year")
    if spec.iso is not None and (spec.day or spec.month or spec.year):
        raise _RefusedError(f"{body!r} mixes an ISO date with other numbers")
    if spec.iso is None and spec.day is None:
        what = "day" if spec.month else "date"
        raise _RefusedError(f"{body!r} has no {what} number")
    return spec


def _resolve(
    spec: _Spec, after: date | None, year: int, carried_month: int | None, body: str
) -> date:
    """Turn a side into a calendar day, checking it exists and matches its weekday."""
    if spec.iso is not None:
        day = spec.iso
    else:
        month = spec.month or carried_month
        if month is None:
            raise _RefusedError(f"{body!r} has no month; write it like 'July 6'")
        assert spec.day is not None
        chosen_year = spec.year or (after.year if after else year)
        try:
            day = date(chosen_year, month, spec.day)
        except ValueError:
            raise _RefusedError(
                f"{spec.day} {MONTH_NAMES[month - 1]} {chosen_year} is not a day in the calendar"
            ) from None
        if after is not None and spec.year is None and day < after and month < after.month:
            if day.year == date.max.year:
                raise _RefusedError(f"{body!r} ends after the last day of year {day.year}")
            day = day.replace(year=day.year + 1)  # "30 December - 2 January" crosses the year
    if spec.weekday is not None and day.weekday() != spec.weekday:
        raise _RefusedError(
            f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year} is a"
            f" {day.strftime('%A')}, not a {_weekday_name(spec.weekday)}"
        )
    return day


def _weekday_name(number: int) -> str:
    """Return the full English name of a weekday number (Monday is 0)."""
    return (date(2024, 1, 1) + timedelta(days=number)).strftime("%A")


def _day_month(day: date) -> str:
    """Return "6 July" for a day."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]}"


def format_span(start: date | None, end: date | None = None) -> str:
    """Write a span of days the way a person reads it: "Wed 13 July 2016", "27–29 July 2016"."""
    if start is None:
        return "Date to be announced"
    end = end or start
    if end == start:
        return f"{WEEKDAY_NAMES[start.weekday()]} {_day_month(start)} {start.year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {MONTH_NAMES[end.month - 1]} {end.year}"
    if start.year == end.year:
        return f"{_day_month(start)} – {_day_month(end)} {end.year}"
    return f"{_day_month(start)} {start.year} – {_day_month(end)} {end.year}"


def format_time(moment: time) -> str:
    """Write a time of day on the 24-hour clock, as files and forms take it: "18:30"."""
    return f"{moment:%H:%M}"


def format_times(start: time | None, end: time | None = None) -> str:
    """Write local times of day: "18:30–22:00", "from 18:30", or "" for an all-day party."""
    if start is None:
        return ""
    if end is None:
        return f"from {format_time(start)}"
    return f"{format_time(start)}–{format_time(end)}"


def to_phrase(parts: Iterable[DatePart]) -> str:
    """Write parts as a phrase that `parse_date_phrase` reads back to the same parts."""
    pieces = []
    for part in parts:
        if part.label and re.search(r"[()*†‡?]", part.label):
            raise ValueError(f"the label {part.label!r} cannot be written in a date phrase")
        pieces.append(format_part(part.start, part.end, part.label))
    phrase = "; ".join(pieces) or "TBD"
    if len(phrase) > MAX_PHRASE_LENGTH:
        raise ValueError(f"these parts need more than {MAX_PHRASE_LENGTH} characters as a phrase")
    return phrase


def format_part(start: date, end: date, label: str | None = None) -> str:
    """Write one part as people read it: "27–28 July 2016 (tutorials)"."""
    return format_span(start, end) + (f" ({label})" if label else "")


def format_parsed(parsed: ParsedDate) -> str:
    """Write a parsed phrase back in the house style, or "Date to be announced"."""
    return "; ".join(format_part(p.start, p.end, p.label) for p in parsed.parts) or format_span(
        None
    )
