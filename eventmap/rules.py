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
from typing import Protocol
from urllib.parse import urlsplit

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


# Photos after a party ("memories"): how many files one upload may carry, how big each may be,
# and the caption's length. The request body of an upload may hold them all, plus the form.
PHOTO_MAX_FILES = 10
PHOTO_MAX_BYTES = 15 * 1024 * 1024
PHOTO_MAX_PIXELS = 50_000_000
PHOTO_CAPTION_MAX = 300
PHOTO_UPLOAD_MAX_BODY = PHOTO_MAX_FILES * PHOTO_MAX_BYTES + 1024 * 1024
# A rejected photo's reason, told to whoever reads the queue's trail.
PHOTO_REASON_MAX = 500
# The organizer's report after the party: how many came, a few words, a few links.
REPORT_MAX_ATTENDANCE = 1_000_000
REPORT_WORDS_MAX = 2_000
REPORT_MAX_LINKS = 10


def report_problem(attendance: int | None, words: str, links: Sequence[str]) -> str | None:
    """Say what is wrong with an organizer's report, or None when it can be saved."""
    if attendance is not None and not 0 <= attendance <= REPORT_MAX_ATTENDANCE:
        return f"How many came: give a whole number from 0 to {REPORT_MAX_ATTENDANCE:,}."
    if len(words) > REPORT_WORDS_MAX:
        return f"A few words: at most {REPORT_WORDS_MAX:,} characters."
    if control_character(words, multiline=True):
        return "A few words: contains an invisible control character."
    if len(links) > REPORT_MAX_LINKS:
        return f"Links: at most {REPORT_MAX_LINKS}, one a line."
    for link in links:
        if len(link) > MAX_LENGTHS["link"] or not is_web_link(link) or control_character(link):
            return f"Links: “{link[:80]}” is not a web address starting with https:// (or http://)."
    return None
