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
from dataclasses import dataclass
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


@dataclass(frozen=True)
class PhotoRules:
    """Limits on uploaded photos, read by the upload form, the API, the JS and the image code."""

    # Largest file accepted, in bytes (15 MB as file managers show it, counted in MiB).
    max_bytes: int = 15 * 1024 * 1024
    # Files one upload may hold.
    max_files: int = 10
    # Largest picture, in pixels, checked on the size a file declares before it is decoded:
    # 60 megapixels lets 48 and 50 MP phone photos through and refuses decompression bombs.
    max_pixels: int = 60_000_000
    # Longest edge of each rendition, in pixels; a smaller picture is never enlarged.
    rendition_sizes: tuple[tuple[str, int], ...] = (("thumb", 320), ("page", 1280), ("full", 2560))
    # What every rendition is written as: format name, file extension, content type.
    rendition_formats: tuple[tuple[str, str, str], ...] = (
        ("webp", "webp", "image/webp"),
        ("jpeg", "jpg", "image/jpeg"),
    )
    # What uploads may be, decided on their content, never on their name or claimed type:
    # name shown to people, content types and file extensions (for the file picker only).
    accepted_types: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
        ("JPEG", ("image/jpeg",), (".jpg", ".jpeg")),
        ("PNG", ("image/png",), (".png",)),
        ("WebP", ("image/webp",), (".webp",)),
        ("HEIC", ("image/heic", "image/heif"), (".heic", ".heif")),
    )

    @property
    def max_megabytes(self) -> int:
        """Give the file limit in the MB people read."""
        return self.max_bytes // (1024 * 1024)

    @property
    def max_upload_bytes(self) -> int:
        """Give the largest upload request: every file at its limit, plus 1 MB for the fields."""
        return self.max_files * self.max_bytes + 1024 * 1024

    @property
    def accepted_names(self) -> str:
        """Name the accepted types for a sentence: "JPEG, PNG, WebP or HEIC"."""
        names = [name for name, _types, _extensions in self.accepted_types]
        return ", ".join(names[:-1]) + " or " + names[-1]

    @property
    def accept_attribute(self) -> str:
        """Give the file input's `accept` value: every content type and extension."""
        parts = [
            *(kind for _name, kinds, _ext in self.accepted_types for kind in kinds),
            *(ext for _name, _kinds, extensions in self.accepted_types for ext in extensions),
        ]
        return ",".join(parts)

    def as_dict(self) -> dict[str, object]:
        """Give the limits as plain JSON values, for the API and the page's script."""
        return {
            "max_bytes": self.max_bytes,
            "max_files": self.max_files,
            "max_pixels": self.max_pixels,
            "rendition_sizes": dict(self.rendition_sizes),
            "rendition_formats": [name for name, _ext, _type in self.rendition_formats],
            "accepted_content_types": [
                kind for _name, kinds, _ext in self.accepted_types for kind in kinds
            ],
            "accepted_extensions": [
                ext for _name, _kinds, extensions in self.accepted_types for ext in extensions
            ],
        }


PHOTO_RULES = PhotoRules()
# Photos after a party ("memories"): the caption's length (the files' limits are PHOTO_RULES).
PHOTO_CAPTION_MAX = 300
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
