"""The words of date phrases in each supported language: months and weekdays from Babel's data.

Month and weekday names come from the Unicode CLDR through Babel (wide and abbreviated, format
and stand-alone, for each locale of a language); what CLDR does not hold — the connectors people
write between the numbers ("de", "le", "bis", "から"), ordinal endings ("1er", "1º"), and the
words for a date not decided yet — is listed here, one language a block. Words are looked up
folded (`fold`): compatibility forms, case, accents and a trailing abbreviation dot don't count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

from babel import Locale

from .geocoding.text import UNDECIDED as ENGLISH_UNDECIDED


@dataclass(frozen=True)
class _Words:
    """What a language adds to CLDR's names: hand-written, since CLDR does not hold them."""

    code: str
    locales: tuple[str, ...]  # the first names the language; the others add regional names
    fillers: tuple[str, ...]  # connectors that carry no date: "de", "le", "am"
    range_words: tuple[str, ...]  # words between the ends of a range: "to", "al", "bis"
    list_words: str  # a regex of the words between parts: "and", "y|e"
    ordinal: str  # a regex of what may follow a day number: "st|nd|rd|th", "er"
    undecided: tuple[str, ...]  # whole phrases meaning "not decided yet"
    extra_months: Mapping[str, int] | None = None
    extra_weekdays: Mapping[str, int] | None = None


_SYMBOL_SEPARATORS = r";|\+|&"

_WORDS = (
    _Words(
        "en",
        ("en", "en_GB"),
        fillers=("of", "the", "on", "from"),
        range_words=("to", "until", "till", "through", "thru"),
        list_words=r"\band\b",
        ordinal="st|nd|rd|th",
        undecided=(
            *ENGLISH_UNDECIDED,
            *(f"date {phrase}" for phrase in ENGLISH_UNDECIDED),
        ),
        extra_weekdays={"tues": 1, "weds": 2, "thur": 3, "thurs": 3},
    ),
    _Words(
        "es",
        ("es", "es_419"),
        fillers=("de", "del", "el", "los", "día", "días", "desde"),
        range_words=("al", "a", "hasta"),
        list_words=r"\b[ye]\b",
        ordinal=r"\.?(?:ro|o|°)",
        undecided=(
            "por confirmar",
            "a confirmar",
            "por definir",
            "a definir",
            "por determinar",
            "a determinar",
            "por anunciar",
            "fecha por confirmar",
            "fecha a confirmar",
            "fecha por definir",
            "fecha a definir",
            "fecha por determinar",
            "fecha por anunciar",
            "fecha pendiente",
            "pendiente",
            "próximamente",
        ),
    ),
    _Words(
        "pt",
        ("pt_BR", "pt_PT"),
        fillers=("de", "do", "da", "dia", "dias", "o", "os", "no", "nos", "em"),
        range_words=("a", "ao", "até"),
        list_words=r"\be\b",
        ordinal=r"\.?(?:o|°)",
        undecided=(
            "a confirmar",
            "a definir",
            "a anunciar",
            "a ser definida",
            "a ser definido",
            "a ser confirmada",
            "data a confirmar",
            "data a definir",
            "data a ser definida",
            "data a ser confirmada",
            "em breve",
        ),
    ),
    _Words(
        "fr",
        ("fr", "fr_CA"),
        fillers=("le", "les", "du", "de"),
        range_words=("au", "à"),
        list_words=r"\bet\b",
        ordinal="er",
        undecided=(
            "à confirmer",
            "à définir",
            "à déterminer",
            "à préciser",
            "à venir",
            "date à confirmer",
            "date à définir",
            "date à déterminer",
            "date à préciser",
            "date à venir",
            "prochainement",
        ),
    ),
    _Words(
        "de",
        ("de", "de_AT"),
        fillers=("am", "vom", "von", "den", "der"),
        range_words=("bis",),
        list_words=r"\bund\b",
        ordinal="",  # "28." — the dot after a day is read as punctuation
        undecided=(
            "noch offen",
            "offen",
            "termin folgt",
            "datum folgt",
            "folgt",
            "noch nicht bekannt",
            "noch unbekannt",
            "steht noch nicht fest",
            "noch nicht festgelegt",
            "wird noch bekannt gegeben",
            "wird noch bekanntgegeben",
            "wird bekannt gegeben",
            "wird bekanntgegeben",
        ),
    ),
    _Words(
        "ja",
        ("ja",),
        fillers=("まで",),
        range_words=("から",),
        list_words="・|と|及び",
        ordinal="",  # "6日" is read as a day token
        undecided=(
            "未定",
            "日程未定",
            "日時未定",
            "日付未定",
            "開催日未定",
            "調整中",
            "日程調整中",
            "後日発表",
            "近日発表",
        ),
    ),
    _Words(
        "ar",
        ("ar", "ar_SY", "ar_TN", "ar_MA"),  # Egyptian/Gulf, Levantine and Maghrebi month names
        fillers=("من", "في", "يوم", "أيام", "بتاريخ"),
        range_words=("إلى", "حتى", "لغاية"),
        # "و" (and) is written joined to the next number: "6 و7 يوليو"
        list_words=r"(?<![^\W\d_])و(?![^\W\d_])",
        ordinal="",
        undecided=(
            "يحدد لاحقا",
            "سيحدد لاحقا",
            "سيتم تحديده لاحقا",
            "سيتم تحديد الموعد لاحقا",
            "لم يحدد بعد",
            "لم يتحدد بعد",
            "يعلن لاحقا",
            "سيعلن لاحقا",
            "سيعلن عنه لاحقا",
            "سيتم الإعلان عنه لاحقا",
            "الموعد لاحقا",
            "قريبا",
        ),
    ),
)


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Fold a word for lookup: NFKC, casefold, no accents or tatweel, no trailing dot."""
    if text.isascii():
        return text.lower().rstrip(".")
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c) and c != "\u0640")
    return unicodedata.normalize("NFC", bare).rstrip(".")


# Punctuation of other scripts read as its ASCII counterpart; NFKC already maps full-width forms.
_PUNCTUATION = str.maketrans({"،": ",", "؛": ";", "、": ",", "，": ",", "〜": "~", "−": "-"})


def prepare(text: str) -> str:
    """Bring a phrase to one form for reading: NFKC, ASCII digits, no bidi or format marks.

    Arabic-Indic and other decimal digits become 0-9, Arabic and CJK commas become ",", and
    invisible format characters (right-to-left marks, zero-width joiners) are dropped.
    """
    text = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION)
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
            continue
        digit = unicodedata.decimal(char, None)
        if digit is not None:
            out.append(str(digit))
        elif unicodedata.category(char) != "Cf":
            out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class DateLanguage:
    """How one language writes date phrases: its names, connectors and separators."""

    code: str
    name: str  # in English, for messages
    months: Mapping[str, int]  # folded name -> 1..12
    weekdays: Mapping[str, int]  # folded name -> 0 (Monday) .. 6
    fillers: frozenset[str]
    range_words: frozenset[str]
    compounds: frozenset[str]  # folded names written as two words: "quinta-feira"
    undecided: frozenset[str]
    separator: re.Pattern[str]  # between parts
    token: re.Pattern[str]
    day_brackets: re.Pattern[str] | None  # "6日(水)": a weekday in brackets after a day

    vocabulary: frozenset[str]  # every word above, and each word of the compounds

    def knows(self, folded: str) -> bool:
        """Say whether a folded word is one of this language's date words."""
        return folded in self.vocabulary


def _names(locales: tuple[str, ...], kind: str, count: range) -> dict[str, int]:
    """Collect the folded wide and abbreviated names of months or days from CLDR."""
    names: dict[str, int] = {}
    digits_expected = False
    for number, locale_id in enumerate(locales):
        locale = Locale.parse(locale_id)
        table = locale.months if kind == "months" else locale.days
        if number == 0:
            digits_expected = any(ch.isdigit() for ch in table["format"]["wide"][count[0]])
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for index in count:
                    name = table[context][width].get(index)
                    if not name or (any(ch.isdigit() for ch in name) and not digits_expected):
                        continue  # CLDR's fallback "1月" in Arabic's stand-alone months
                    names.setdefault(fold(name), index)
    return names


def _build(words: _Words) -> DateLanguage:
    """Build one language's lookup tables and token pattern from CLDR and its hand-written words."""
    months = _names(words.locales, "months", range(1, 13))
    weekdays = _names(words.locales, "days", range(7))
    if words.code == "ja":
        # "木曜" is as common as "木曜日"
        weekdays.update({name[:-1]: n for name, n in list(weekdays.items()) if len(name) == 3})
    months.update({fold(k): v for k, v in (words.extra_months or {}).items()})
    weekdays.update({fold(k): v for k, v in (words.extra_weekdays or {}).items()})
    for name, number in list(weekdays.items()):
        if "-" in name:  # "quinta-feira" is also written "quinta feira"
            weekdays.setdefault(name.replace("-", " "), number)
    compounds = frozenset(n for n in (*months, *weekdays) if re.search(r"[\s-]", n))
    cjk = any(name[0].isdigit() for name in months)
    alternatives = [r"(?P<iso>\d{4}-\d{2}-\d{2})"]
    if cjk:  # "2016年7月6日": the unit after a number says what it is
        alternatives += [
            r"(?P<cjkmonth>\d{1,2}月)",
            r"(?P<day>\d+)日",
            r"(?P<year>\d+)年",
            r"(?P<number>\d+)",
        ]
    else:
        ordinal = f"(?:{words.ordinal})?" if words.ordinal else ""
        alternatives.append(rf"(?P<number>\d+){ordinal}(?!\w)")
    alternatives += [
        r"(?P<word>[^\W\d_]+)\.?",
        r"(?P<dash>[-–—~])",
        r"(?P<slash>/)",
        r"(?P<space>\s+)",
        r"(?P<other>.)",
    ]
    fillers = frozenset(map(fold, words.fillers))
    range_words = frozenset(map(fold, words.range_words))
    day_brackets = None
    if cjk:
        names = "|".join(sorted(map(re.escape, weekdays), key=len, reverse=True))
        day_brackets = re.compile(rf"(?<=日)\s*\(\s*({names})\s*\)")
    return DateLanguage(
        code=words.code,
        name=Locale.parse(words.locales[0]).get_language_name("en") or words.code,
        months=months,
        weekdays=weekdays,
        fillers=fillers,
        range_words=range_words,
        compounds=compounds,
        undecided=frozenset(" ".join(fold(p).split()) for p in words.undecided),
        separator=re.compile(f"{_SYMBOL_SEPARATORS}|{words.list_words}", re.IGNORECASE),
        token=re.compile("|".join(alternatives), re.IGNORECASE),
        day_brackets=day_brackets,
        vocabulary=frozenset(
            (
                *months,
                *weekdays,
                *fillers,
                *range_words,
                *(part for name in compounds for part in re.split(r"[\s-]+", name)),
            )
        ),
    )


@cache
def languages() -> tuple[DateLanguage, ...]:
    """Return the supported languages, English first, built once from CLDR."""
    return tuple(_build(words) for words in _WORDS)


@cache
def undecided_phrases() -> frozenset[str]:
    """Return every language's folded phrases for "not decided yet"."""
    return frozenset().union(*(language.undecided for language in languages()))


def english_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return CLDR's English month names and abbreviated weekday names (Monday first)."""
    english = Locale.parse("en")
    months = tuple(english.months["format"]["wide"][n] for n in range(1, 13))
    weekdays = tuple(english.days["format"]["abbreviated"][n] for n in range(7))
    return months, weekdays
