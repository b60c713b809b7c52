"""Date phrases as organizers write them ("July 6-7", "July 14**", "TBD"), read exactly or refused.

The parser never guesses: a phrase is either read into whole days (parts with optional labels)
or refused with a `DateParseError` that quotes it and says what was wrong. Phrases may be in any
language of `eventmap.datewords` ("28 de julio", "28. Juli", "7月6日～7日"); no hint is taken:
every language that knows all the words reads the phrase, and readings that differ are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Protocol

from babel import Locale
from babel.dates import format_date, get_day_names, get_month_names
from babel.lists import format_list

from .datewords import DateLanguage, english_names, fold, languages, prepare, undecided_phrases
from .i18n_messages import N_, Message

MAX_PHRASE_LENGTH = 200
MAX_PARTS = 20
MAX_SPAN_DAYS = 366
MAX_LABEL_LENGTH = 60
# The window of days a party may have; every entry point checks it with date_window_problem.
EARLIEST_DAY = date(1900, 1, 1)
YEARS_AFTER_CAMPAIGN = 5
MAX_PARTY_DAYS = 31  # from the first day of the first part to the last day of the last

# CLDR's English names, as pages and messages write them: "July", "Wed".
MONTH_NAMES, WEEKDAY_NAMES = english_names()
_FULL_DAYS = get_day_names("wide", locale="en")
WEEKDAY_FULL_NAMES = tuple(str(_FULL_DAYS[number]) for number in range(7))

_MARKS = re.compile(r"[*†‡]+|\?+")
_LABEL = re.compile(r"\(([^()]*)\)\s*$")
_YEAR_FIRST = re.compile(r"\d{4}(?![\d-])")
_BRACKETED = re.compile(r"\([^()]*\)")


class DateParseError(ValueError):
    """A date phrase that cannot be read; the message quotes the phrase and says why."""

    def __init__(self, phrase: str, reason: Message) -> None:
        """Keep the phrase and the reason apart so callers can show either, in any language."""
        self.message = N_(
            'could not read the date "%(phrase)s": %(reason)s', phrase=phrase, reason=reason
        )
        super().__init__(str(self.message))
        self.phrase = phrase
        self.reason = str(reason)


def _english(locale: str) -> bool:
    """Tell whether the house style (English) applies."""
    return str(locale).split("_")[0] == "en"


@dataclass(frozen=True)
class _Day:
    """A day named in a refusal: "6 July 2016" in English, the reader's long form elsewhere."""

    day: date

    def __str__(self) -> str:
        """Write the day in the house style."""
        return f"{self.day.day} {MONTH_NAMES[self.day.month - 1]} {self.day.year}"

    def localized(self, locale: str) -> str:
        """Write the day as the language writes it in full: "6 de julio de 2016"."""
        return str(self) if _english(locale) else format_date(self.day, "long", locale=locale)


@dataclass(frozen=True)
class _Weekday:
    """A weekday named in a refusal (Monday is 0)."""

    number: int

    def __str__(self) -> str:
        """Write the weekday in full, in English."""
        return WEEKDAY_FULL_NAMES[self.number]

    def localized(self, locale: str) -> str:
        """Write the weekday in full in a language."""
        if _english(locale):
            return str(self)
        return str(get_day_names("wide", locale=locale)[self.number])


@dataclass(frozen=True)
class _Month:
    """A month named in a refusal (January is 1)."""

    number: int

    def __str__(self) -> str:
        """Write the month in English."""
        return MONTH_NAMES[self.number - 1]

    def localized(self, locale: str) -> str:
        """Write the month as a language names it standing alone in a date ("junio", "6月")."""
        if _english(locale):
            return str(self)
        return str(get_month_names("wide", locale=locale)[self.number])


@dataclass(frozen=True)
class _Languages:
    """Date languages named in a refusal: "Spanish", "Spanish or Portuguese"."""

    languages: tuple[DateLanguage, ...]

    def __str__(self) -> str:
        """Name the languages in English."""
        names = [language.name for language in self.languages]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"

    def localized(self, locale: str) -> str:
        """Name the languages in a language: "español o portugués"."""
        if _english(locale):
            return str(self)
        names = [
            Locale.parse(language.code).get_language_name(locale) or language.name
            for language in self.languages
        ]
        return format_list(names, style="or", locale=locale)


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
    message: Message

    @property
    def reason(self) -> str:
        """Return why, in English (the web layer translates `message`)."""
        return str(self.message)


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
        return DateProblem(
            "start",
            N_("%(day)s is before %(year)s.", day=first.isoformat(), year=EARLIEST_DAY.year),
        )
    latest = latest_day(campaign_year)
    if last > latest:
        return DateProblem(
            "end",
            N_(
                "%(day)s is more than %(years)s years after the campaign (%(year)s);"
                " the last day possible is %(latest)s.",
                day=last.isoformat(),
                years=YEARS_AFTER_CAMPAIGN,
                year=campaign_year,
                latest=latest.isoformat(),
            ),
        )
    days = (last - first).days + 1
    if days > MAX_PARTY_DAYS:
        return DateProblem(
            "end",
            N_(
                "a party lasts at most %(most)s days, parts included; this one runs"
                " %(days)s days, %(first)s to %(last)s.",
                most=MAX_PARTY_DAYS,
                days=days,
                first=first.isoformat(),
                last=last.isoformat(),
            ),
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

    def __init__(self, reason: Message, word: str | None = None, *, mixable: bool = False) -> None:
        """Keep the reason, and the word no month or weekday matched if that was the trouble.

        `mixable` marks refusals that words of another language would explain.
        """
        super().__init__(str(reason))
        self.message = reason
        self.word = word
        self.mixable = mixable or word is not None


def parse_date_phrase(text: str, year: int) -> ParsedDate:
    """Read a date phrase into parts, using `year` when the phrase names none.

    The phrase may be in any supported language (`eventmap.datewords`); every language that
    knows all of its words reads it, and if two read it differently it is refused as ambiguous.
    """
    if len(text) > MAX_PHRASE_LENGTH:
        raise DateParseError(
            text[:40] + "…",
            N_("is longer than %(most)s characters", most=MAX_PHRASE_LENGTH),
        )
    prepared = _prepare_outside_labels(text)
    marks = tuple(_MARKS.findall(prepared))
    cleaned = " ".join(_MARKS.sub(" ", prepared).split())
    bare = cleaned.strip(" .,;:")
    if not bare or " ".join(fold(bare).split()) in undecided_phrases():
        return ParsedDate(text, (), marks)
    try:
        parts = _read_in_some_language(cleaned, year)
    except _RefusedError as exc:
        raise DateParseError(text, exc.message) from None
    return ParsedDate(text, tuple(parts), marks)


def _prepare_outside_labels(text: str) -> str:
    """Prepare the phrase for reading (`prepare`) but keep the labels in brackets as written."""
    text = text.replace("（", "(").replace("）", ")")
    pieces: list[str] = []
    depth = start = 0
    for position, char in enumerate(text):
        if char == "(":
            if depth == 0:
                pieces.append(prepare(text[start:position]))
                start = position
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                pieces.append(text[start : position + 1])
                start = position + 1
    pieces.append(text[start:] if depth else prepare(text[start:]))
    return "".join(pieces)


def _read_in_some_language(text: str, year: int) -> list[DatePart]:
    """Read the phrase in each language that knows all its words; refuse if they disagree."""
    outside = text
    while _BRACKETED.search(outside):  # labels may hold any words
        outside = _BRACKETED.sub(" ", outside)
    scored = []
    for order, language in enumerate(languages()):
        known, unknown = _count_words(outside, language)
        scored.append((-known, order, language, unknown))
    scored.sort(key=lambda item: item[:2])
    candidates = [language for _, _, language, unknown in scored if not unknown]
    readings: list[tuple[DateLanguage, list[DatePart]]] = []
    first_refusal: _RefusedError | None = None
    for language in candidates:
        try:
            readings.append((language, _parse_parts(text, year, language)))
        except _RefusedError as exc:
            first_refusal = first_refusal or exc
    if readings:
        (language, parts), *others = readings
        for other, other_parts in others:
            if other_parts != parts:
                raise _RefusedError(
                    N_(
                        "reads as %(first)s in %(language)s but as %(second)s in %(other)s;"
                        " write the month in full",
                        first=_summary(parts),
                        language=_Languages((language,)),
                        second=_summary(other_parts),
                        other=_Languages((other,)),
                    )
                )
        return parts
    if first_refusal is not None:
        raise first_refusal
    _, _, best, unknown = scored[0]
    try:
        return _parse_parts(text, year, best)
    except _RefusedError as exc:
        raise _mixed_languages(exc, outside, best, unknown) or exc from None


def _count_words(text: str, language: DateLanguage) -> tuple[int, list[str]]:
    """Count the words of the phrase a language knows, and list those it does not."""
    known = 0
    unknown: list[str] = []
    for match in language.token.finditer(text):
        kind = match.lastgroup
        if kind == "cjkmonth":
            known += 1
        elif kind == "word":
            word = match.group("word")
            if language.knows(fold(word)):
                known += 1
            else:
                unknown.append(word)
    return known, unknown


def _mixed_languages(
    refusal: _RefusedError, text: str, language: DateLanguage, unknown: list[str]
) -> _RefusedError | None:
    """Say the phrase mixes languages if a word the best language lacks is another's."""
    if not refusal.mixable:
        return None
    own = next(
        (
            m.group(m.lastgroup or "word")
            for m in language.token.finditer(text)
            if m.lastgroup in ("word", "cjkmonth") and _is_name(_key(m), language)
        ),
        None,
    )
    for word in [refusal.word, *unknown] if refusal.word else unknown:
        others = [o for o in languages() if o is not language and o.knows(fold(word))]
        if others and own is not None:
            return _RefusedError(
                N_(
                    "%(word)s is %(others)s but %(own)s is %(language)s;"
                    " write the date in one language",
                    word=repr(word),
                    others=_Languages(tuple(others)),
                    own=repr(own),
                    language=_Languages((language,)),
                )
            )
    return None


def _is_name(folded: str, language: DateLanguage) -> bool:
    """Say whether a folded word names a month or weekday in a language."""
    return folded in language.months or folded in language.weekdays


def _key(match: re.Match[str]) -> str:
    """Return the lookup key of a word token: folded, and "07月" as "7月"."""
    if match.lastgroup == "cjkmonth":
        return match.group("cjkmonth").lstrip("0")
    return fold(match.group(match.lastgroup or "other"))


def _summary(parts: Sequence[DatePart]) -> str:
    """Write parts briefly for a message: "2016-07-06 to 2016-07-07"."""
    return "; ".join(
        p.start.isoformat() if p.start == p.end else f"{p.start.isoformat()} to {p.end.isoformat()}"
        for p in parts
    )


def _parse_parts(text: str, year: int, language: DateLanguage) -> list[DatePart]:
    """Split a phrase into parts and read each, carrying the month from one part to the next.

    A part without a month takes the one before it ("July 6, 8 and 10") or, at the start, the
    first one after it ("6 y 7 de julio").
    """
    if language.day_brackets is not None:
        text = language.day_brackets.sub(r" \1 ", text)  # "7月28日(木)": a weekday, not a label
    pieces = _split_parts(text, language)
    if len(pieces) > MAX_PARTS:
        raise _RefusedError(N_("has more than %(most)s parts", most=MAX_PARTS))
    read: list[tuple[str, str | None, list[_Spec]]] = []
    for piece in pieces:
        body, label = _take_label(piece)
        if " ".join(fold(body).split()) in undecided_phrases():
            raise _RefusedError(
                N_("mixes dates with 'to be announced'; give the dates or only TBD")
            )
        read.append((body, label, _read_sides(body, language)))
    parts: list[DatePart] = []
    month: int | None = None
    part_year = year
    borrowed: list[tuple[int, int]] = []  # (part, the later part whose month it took)
    for index, (body, label, specs) in enumerate(read):
        if month is None and not any(s.month or s.iso for s in specs):
            lender, ahead = next(
                (
                    (later, s)
                    for later in range(index + 1, len(read))
                    for s in read[later][2]
                    if s.month or s.iso
                ),
                (None, None),
            )
            if lender is not None and ahead is not None:
                month = ahead.iso.month if ahead.iso else ahead.month
                named_year = ahead.iso.year if ahead.iso else ahead.year
                if named_year and not any(s.year for s in specs):
                    part_year = named_year
                borrowed.append((index, lender))
        part = _resolve_range(specs, body, part_year, month)
        parts.append(DatePart(part.start, part.end, label))
        month, part_year = part.end.month, part.end.year
    for index, lender in borrowed:
        if parts[index].end >= parts[lender].start:  # "30, 31 y 1 de agosto"
            raise _RefusedError(
                N_(
                    "%(part)s has no month, and the month of %(lender)s would put it on or"
                    " after that; name its month",
                    part=repr(read[index][0]),
                    lender=repr(read[lender][0]),
                )
            )
    return parts


def _split_parts(text: str, language: DateLanguage) -> list[str]:
    """Cut the phrase at ; + & "and" and at commas that separate dates rather than a year."""
    pieces: list[str] = []
    for chunk in _split_outside_brackets(text, language.separator):
        segments = [s.strip() for s in _split_outside_brackets(chunk, re.compile(","))]
        merged: list[str] = []
        after_weekday = ""  # a comma after a weekday: "Wednesday, July 13", "Mi., 6. – Do., 7."
        for segment in segments:
            if not segment:
                continue
            if after_weekday:
                merged[-1] += " " + segment
            elif _YEAR_FIRST.match(segment) and merged:
                merged[-1] += " " + segment  # "July 6, 2016", "Dec 30, 2016 – Jan 2, 2017"
            else:
                merged.append(segment)
            after_weekday = _weekday_starting_a_side(segment, language)
        if after_weekday:
            raise _RefusedError(N_("%(word)s is not followed by a date", word=repr(after_weekday)))
        if not merged:
            raise _RefusedError(N_("has an empty part between separators"))
        pieces.extend(merged)
    return pieces


def _weekday_starting_a_side(segment: str, language: DateLanguage) -> str:
    """Return the weekday a segment ends with if it begins the date after it, else ""."""
    last_word = segment.split()[-1]
    if fold(last_word) not in language.weekdays:
        return ""
    before = segment[: -len(last_word)].rstrip()
    if not before or before[-1] in "-–—~" or fold(before.split()[-1]) in language.range_words:
        return last_word
    return ""


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
                raise _RefusedError(N_("has a ')' without its '('"))
        elif depth == 0:
            match = separator.match(text, position)
            if match:
                pieces.append(text[start:position])
                start = position = match.end()
                continue
        position += 1
    if depth:
        raise _RefusedError(N_("has a '(' without its ')'"))
    pieces.append(text[start:])
    return pieces


def _take_label(piece: str) -> tuple[str, str | None]:
    """Split "July 27-28 (tutorials)" into the dates and the label."""
    match = _LABEL.search(piece)
    if not match:
        if "(" in piece or ")" in piece:
            raise _RefusedError(
                N_(
                    "has a note in brackets before the date in %(piece)s;"
                    " put it after the date, like 'July 27 (tutorials)'",
                    piece=repr(piece),
                )
            )
        return piece.strip(), None
    label = " ".join(match.group(1).split())
    if not label:
        raise _RefusedError(N_("has an empty label '()'"))
    if len(label) > MAX_LABEL_LENGTH:
        raise _RefusedError(
            N_("has a label longer than %(most)s characters", most=MAX_LABEL_LENGTH)
        )
    body = piece[: match.start()].strip()
    if "(" in body or ")" in body:
        raise _RefusedError(N_("has unbalanced brackets in %(piece)s", piece=repr(piece)))
    return body, label


def _read_sides(body: str, language: DateLanguage) -> list[_Spec]:
    """Read "July 6-7", "30 July - 2 August", "2016-07-06" or a single day into its sides."""
    if not body:
        raise _RefusedError(N_("has a label but no date"))
    tokens: list[tuple[str, str]] = []
    for match in language.token.finditer(body):
        kind = match.lastgroup or "other"
        value = match.group(kind)
        if kind == "space":
            continue
        if kind == "other":
            if value in ",.":
                continue
            raise _RefusedError(N_("has an unexpected %(value)s", value=repr(value)), mixable=True)
        if kind == "cjkmonth":
            kind, value = "word", value.lstrip("0")
        tokens.append((kind, value))
    tokens = _join_compounds(tokens, language)
    sides: list[list[tuple[str, str]]] = [[]]
    for kind, value in tokens:
        if kind == "slash" and sides[-1] and sides[-1][-1][0] == "iso":
            sides.append([])  # "2016-07-06/2016-07-07", the ISO 8601 interval
            continue
        if kind == "dash" or (
            kind == "word"
            and fold(value) in language.range_words
            and not _is_name(fold(value), language)
        ):
            sides.append([])
            continue
        if (
            kind == "word"
            and fold(value) in language.fillers
            and not _is_name(fold(value), language)
        ):
            continue
        sides[-1].append((kind, value))
    if len(sides) > 2:
        raise _RefusedError(N_("%(body)s has more than one range separator", body=repr(body)))
    return [_read_spec(side, body, language) for side in sides]


def _join_compounds(tokens: list[tuple[str, str]], language: DateLanguage) -> list[tuple[str, str]]:
    """Join names written as two words ("quinta-feira", "كانون الثاني") into one word."""
    if not language.compounds:
        return tokens
    joined: list[tuple[str, str]] = []
    index = 0
    while index < len(tokens):
        kind, value = tokens[index]
        if kind == "word" and index + 1 < len(tokens):
            after_kind, after = tokens[index + 1]
            if after_kind == "word" and f"{fold(value)} {fold(after)}" in language.compounds:
                joined.append(("word", f"{value} {after}"))
                index += 2
                continue
            if (
                after_kind == "dash"
                and index + 2 < len(tokens)
                and tokens[index + 2][0] == "word"
                and f"{fold(value)}-{fold(tokens[index + 2][1])}" in language.compounds
            ):
                joined.append(("word", f"{value}-{tokens[index + 2][1]}"))
                index += 3
                continue
        joined.append((kind, value))
        index += 1
    return joined


def _resolve_range(specs: list[_Spec], body: str, year: int, carried_month: int | None) -> DatePart:
    """Turn the sides of a range into its first and last day."""
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
        raise _RefusedError(N_("%(body)s ends before it starts", body=repr(body)))
    if (end - start).days >= MAX_SPAN_DAYS:
        raise _RefusedError(
            N_("%(body)s spans more than %(most)s days", body=repr(body), most=MAX_SPAN_DAYS)
        )
    return DatePart(start, end)


def _read_spec(tokens: Sequence[tuple[str, str]], body: str, language: DateLanguage) -> _Spec:
    """Read one side of a range into its weekday, day, month and year."""
    if not tokens:
        raise _RefusedError(N_("%(body)s has a range with a missing end", body=repr(body)))
    spec = _Spec()
    numbers: list[str] = []
    both: list[str] = []  # words that name a month and a weekday ("mar" in Spanish)
    for kind, value in tokens:
        if kind == "slash":
            raise _RefusedError(N_("numeric dates such as 7/6 are ambiguous; write the month name"))
        if kind == "iso":
            if len(tokens) > 1 and not all(k == "word" for k, _ in tokens[:-1]):
                raise _RefusedError(
                    N_("%(body)s mixes an ISO date with other numbers", body=repr(body))
                )
            try:
                spec.iso = date.fromisoformat(value)
            except ValueError:
                raise _RefusedError(
                    N_("%(value)s is not a date in the calendar", value=value)
                ) from None
            continue
        if kind == "number":
            numbers.append(value)
            continue
        if kind == "day":  # "6日"
            if spec.day is not None or len(value) > 2:
                raise _RefusedError(
                    N_(
                        "%(value)s日 is not one day of a month in %(body)s",
                        value=value,
                        body=repr(body),
                    )
                )
            spec.day = int(value)
            continue
        if kind == "year":  # "2016年"
            if spec.year is not None or len(value) != 4:
                raise _RefusedError(
                    N_(
                        "%(value)s年 is not a year of four digits in %(body)s",
                        value=value,
                        body=repr(body),
                    )
                )
            spec.year = int(value)
            continue
        word = fold(value)
        if word in language.months and word in language.weekdays:
            both.append(word)
        elif word in language.months:
            if spec.month is not None:
                raise _RefusedError(
                    N_("%(body)s names two months on one side of the range", body=repr(body))
                )
            spec.month = language.months[word]
        elif word in language.weekdays:
            if spec.weekday is not None:
                raise _RefusedError(N_("%(body)s names two weekdays for one day", body=repr(body)))
            spec.weekday = language.weekdays[word]
        else:
            raise _RefusedError(
                N_("%(value)s is not a month or weekday", value=repr(value)), word=value
            )
    for word in both:
        if spec.month is None:
            spec.month = language.months[word]
        elif spec.weekday is None:
            spec.weekday = language.weekdays[word]
        else:
            raise _RefusedError(
                N_("%(body)s names too many months and weekdays for one day", body=repr(body))
            )
    for number in numbers:
        if len(number) == 4:
            if spec.year is not None:
                raise _RefusedError(N_("%(body)s names two years for one day", body=repr(body)))
            spec.year = int(number)
        elif len(number) <= 2 and spec.day is None:
            spec.day = int(number)
        elif len(number) <= 2:
            raise _RefusedError(N_("numeric dates such as 7.6 are ambiguous; write the month name"))
        else:
            raise _RefusedError(N_("%(number)s is neither a day nor a year", number=number))
    if spec.iso is not None and (spec.day or spec.month or spec.year):
        raise _RefusedError(N_("%(body)s mixes an ISO date with other numbers", body=repr(body)))
    if spec.iso is None and spec.day is None:
        if spec.month:
            raise _RefusedError(N_("%(body)s has no day number", body=repr(body)))
        raise _RefusedError(N_("%(body)s has no date number", body=repr(body)))
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
            raise _RefusedError(
                N_("%(body)s has no month; write it like 'July 6'", body=repr(body))
            )
        assert spec.day is not None
        chosen_year = spec.year or (after.year if after else year)
        try:
            day = date(chosen_year, month, spec.day)
        except ValueError:
            raise _RefusedError(
                N_(
                    "%(day)s %(month)s %(year)s is not a day in the calendar",
                    day=spec.day,
                    month=_Month(month),
                    year=chosen_year,
                )
            ) from None
        if after is not None and spec.year is None and day < after and month < after.month:
            if day.year == date.max.year:
                raise _RefusedError(
                    N_(
                        "%(body)s ends after the last day of year %(year)s",
                        body=repr(body),
                        year=day.year,
                    )
                )
            day = day.replace(year=day.year + 1)  # "30 December - 2 January" crosses the year
    if spec.weekday is not None and day.weekday() != spec.weekday:
        raise _RefusedError(
            N_(
                "%(day)s is a %(weekday)s, not a %(written)s",
                day=_Day(day),
                weekday=_Weekday(day.weekday()),
                written=_Weekday(spec.weekday),
            )
        )
    return day


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
