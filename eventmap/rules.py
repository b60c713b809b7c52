"""Field rules shared by every entry point (forms, importer, admin views, Markdown renderer).

A limit or a check lives here once, so a value the form accepts is one the importer accepts.
Each entry point words the answer for its own readers (a message beside a form field, a row
and column in an import report); what is accepted and refused is decided here.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, time
from functools import lru_cache
from typing import Protocol
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError

# Campaign and event slugs: the last parts of permalinks.
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Upper bounds on each text field, matching the database column sizes (descriptions are Text,
# bounded here so that rendering stays cheap).
MAX_LENGTHS = {
    "campaign": 64,
    "slug": 120,
    "title": 200,
    "location": 300,
    "venue": 200,
    "address": 300,
    "date_text": 200,
    "region": 200,
    "place_name": 300,
    "timezone": 64,
    "link": 500,
    "description": 10_000,
    "contact": 300,
    "organizer_name": 200,
    "organizer_email": 254,
    "attendee_name": 100,
    "attendee_email": 254,
    "attendee_note": 500,
    "language": 35,
}
# "I'm going": how many people one answer may bring (themselves included).
RSVP_MAX_PEOPLE = 5
# The largest capacity an organizer may set for a party.
RSVP_MAX_CAPACITY = 100_000
# The only fields that may span lines; every other one is a single line, so that CR/LF can
# never reach an e-mail header or split a CSV row.
MULTILINE_FIELDS = frozenset({"description", "attendee_note"})
# Control characters a multi-line field may hold (browsers send CRLF line breaks).
_LINE_BREAKS_AND_TABS = "\n\r\t"
WEB_SCHEMES = frozenset({"http", "https"})


def control_character(value: str, *, multiline: bool = False) -> str | None:
    """Return the first control character the text may not hold, or None when it is clean."""
    allowed = _LINE_BREAKS_AND_TABS if multiline else ""
    for char in value:
        if unicodedata.category(char) == "Cc" and char not in allowed:
            return char
    return None


def is_web_link(url: str | None) -> bool:
    """Tell whether a link is an absolute http(s) address, so that it can never run script."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # an unbalanced "[" in the host, for one
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.netloc)


# A party's language: a BCP 47 tag (es, pt-BR, zh-Hant) of any language Babel knows, not only
# those the pages are written in. The form offers these; the importer and API take any other.
COMMON_LANGUAGES: tuple[str, ...] = (
    "en", "es", "pt", "pt-BR", "fr", "de", "it", "nl", "pl", "ru", "uk", "tr", "el", "cs",
    "sv", "ro", "hu", "ar", "he", "fa", "ur", "hi", "bn", "id", "ms", "vi", "th", "ja", "ko",
    "zh-Hans", "zh-Hant", "sw",
)  # fmt: skip
LANGUAGE_TAG_RE = re.compile(r"^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$")


@lru_cache(maxsize=512)
def _locale(tag: str) -> Locale | None:
    """Return Babel's locale for a tag (pt-br, pt_BR), or None when Babel does not know it."""
    if len(tag) > MAX_LENGTHS["language"] or not LANGUAGE_TAG_RE.match(tag):
        return None
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def language_tag(value: str) -> str | None:
    """Return a language's canonical BCP 47 tag (pt_br -> pt-BR), or None for no known language.

    Babel decides what is a language (and renames old codes: iw -> he); the subtags written stay,
    in BCP 47's casing (zh-tw -> zh-TW, not Babel's fuller zh-Hant-TW).
    """
    value = value.strip()
    locale = _locale(value)
    if locale is None or locale.language == "root" or value[:3].lower() == "und":
        return None
    subtags = [locale.language]
    for subtag in value.replace("_", "-").split("-")[1:]:
        if len(subtag) == 4 and subtag.isalpha():
            subtags.append(subtag.title())
        elif (len(subtag) == 2 and subtag.isalpha()) or (len(subtag) == 3 and subtag.isdigit()):
            subtags.append(subtag.upper())
        else:
            subtags.append(subtag.lower())
    return "-".join(subtags)


def language_direction(tag: str) -> str:
    """Return the writing direction of a stored language tag: "rtl" or "ltr"."""
    locale = _locale(tag)
    return "rtl" if locale is not None and locale.text_direction == "rtl" else "ltr"


class DatedPart(Protocol):
    """What the time rule needs of a dated part: its first and last day."""

    @property
    def start(self) -> date: ...  # pragma: no cover - protocol

    @property
    def end(self) -> date: ...  # pragma: no cover - protocol


class TimeProblem(enum.Enum):
    """Why local times of day do not fit the days of a party, and the field it concerns."""

    NEEDS_DATE = ("needs-date", "start_time")  # times on a party still to be announced
    NEEDS_START = ("needs-start", "start_time")  # an end time without a start time
    ENDS_BEFORE_START = ("ends-before-start", "end_time")  # a one-day party ending as it starts

    @property
    def field(self) -> str:
        """Name the field the problem belongs beside."""
        return self.value[1]


def time_problem(
    start: time | None, end: time | None, parts: Sequence[DatedPart]
) -> TimeProblem | None:
    """Check local start and end times against the party's days; None when they fit.

    A party past midnight ends on the next day, so only a one-day party must end after it
    starts.
    """
    if start is None and end is None:
        return None
    if start is None:
        return TimeProblem.NEEDS_START
    if not parts:
        return TimeProblem.NEEDS_DATE
    one_day = parts[0].start == parts[-1].end
    if end is not None and one_day and end <= start:
        return TimeProblem.ENDS_BEFORE_START
    return None


# Moderators' passwords: long enough to resist guessing, short enough to hash quickly.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200


def password_problem(password: str) -> str | None:
    """Say what is wrong with a new moderator password, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"must be at most {MAX_PASSWORD_LENGTH} characters long"
    return None
