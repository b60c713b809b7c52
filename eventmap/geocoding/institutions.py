"""Institutions by name: US colleges and universities at their campus point.

Source: the `us-colleges` npm package (ISC licence, locked in assets/package-lock.json):
2,289 US colleges, each with its town, state and campus point. Many names are "Base-Campus"
("University of Michigan-Ann Arbor", "Ohio State University-Main Campus"): each school is
filed under its whole name (FULL) and under its base, which the main or best-known campus
holds as MAIN and every other campus as BRANCH. A base or a name that several schools share
is only a guess; "University of X" and "X University" are never taken for each other (Miami
University is not the University of Miami).

The builder (gazetteer.py) writes the schools into the place index under INSTITUTION_KEY, so
`Gazetteer.find` never finds one as a town; `answer` reads them, and a town, state or country
that the rest of the text names and the school is not in wins over the school.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from geopy.distance import geodesic

from . import forms
from .place import Place, Precision
from .text import fold

NODE_MODULES = Path(__file__).resolve().parents[2] / "assets" / "node_modules"
COLLEGES = NODE_MODULES / "us-colleges" / "data" / "us-colleges.json"
# The package's list of about 100 best-known colleges: the campus a shared base stands for.
POPULAR = NODE_MODULES / "us-colleges" / "src" / "popular-us-colleges.js"
SOURCE_PACKAGE = "us-colleges"
INSTITUTION_KEY = "@institution "

FULL = 3  # the school's whole name
MAIN = 2  # the base of its name, and it is the main or best-known campus
BRANCH = 1  # the base of its name, one of several campuses

# A school whose whole name the text gives, alone or with what it agrees with.
SURE_CONFIDENCE = 0.9
# ... with other text around it that reads as no place ("..., Room 620", "... Library").
UNREAD_CONFIDENCE = 0.8
# A base with several campuses, one of them marked main or best known: that one, to check.
MAIN_GUESS_CONFIDENCE = 0.6
# A name found only once its spaces are left out ("Stonybrook" for Stony Brook), or by a
# short name ("UCLA", "Georgia Tech"; "MSU" is Michigan State's and others'): to check.
VARIANT_CONFIDENCE = 0.6
# Several schools and nothing to choose: the one in the largest town, to check.
GUESS_CONFIDENCE = 0.5
# A town the text names this close (km) to the campus is the campus's town.
SAME_TOWN_KM = 25.0
# A school's point this far (km) from every town of its stated town's name is not trusted.
MISPLACED_KM = 50.0
MAX_CANDIDATES = 5

# Words that make a name an institution's; a school whose name has none is not indexed.
INSTITUTION_WORDS = frozenset(
    {
        "university",
        "universities",
        "college",
        "colleges",
        "institute",
        "school",
        "academy",
        "seminary",
        "conservatory",
        "polytechnic",
        "yeshiva",
    }
)
# Everyday abbreviations folded to the word ("Univ.", "Inst.", "St."), on both sides.
_WORDS = {
    "univ": "university",
    "uni": "university",
    "coll": "college",
    "inst": "institute",
    "st": "saint",
    "ste": "sainte",
    "mt": "mount",
    "ft": "fort",
}
_DROPPED = frozenset({"the", "and"})
_PARTICLES = frozenset({"of", "at", "in", "for", "de"})
# Words after a name that make it part of a longer name ("National University of Singapore").
_NAME_GOES_ON = frozenset({"of", "for", "de", "del", "and", "&"})
# "Base-Campus": a hyphen with an institution's name before it and none after it.
_HYPHEN = re.compile(r"\s*[-–]\s*")
_AT = re.compile(r"\s+(?:at|in)\s+", re.IGNORECASE)
_CAMPUS = re.compile(r"\s+campus(?:es)?$", re.IGNORECASE)
_PARTS = re.compile(r"\s*[,()\[\]]\s*")
# What text must hold to name a college: an institution word or its abbreviation, a word in
# capitals, or "Tech" (a quick test before the parts are folded and looked up).
_HINT = re.compile(
    r"(?i:univ|\buni\b|\bu\.?\s+of\b|coll|inst|school|academ|seminar|conservator|polytechn"
    r"|yeshiva|tech)|\b[A-Z]{2,5}\b"
)
# One college of the best-known list: its point and its name, with a short name in brackets
# ("Massachusetts Institute of Technology (MIT)", "... (Georgia Tech)").
_POPULAR = re.compile(
    r"latitude:\s*(-?[\d.]+),\s*longitude:\s*(-?[\d.]+),\s*name:\s*'[^'(]*(?:\(([^)']+)\))?"
)


@dataclass(frozen=True)
class School:
    """One school of the source, its name split into base and campus."""

    name: str
    city: str
    state: str
    latitude: float
    longitude: float
    base: str | None  # "University of Michigan" for "University of Michigan-Ann Arbor"
    campus: str | None  # "Ann Arbor"; "Main Campus"
    popular: bool = False
    aliases: tuple[str, ...] = ()  # the package's short names for it: "MIT", "Georgia Tech"

    @property
    def main(self) -> bool:
        """Tell whether the source marks this campus as its base's main or best-known one."""
        return self.popular or fold(self.campus or "") == "main campus"


def key(text: str) -> str:
    """Fold a name for matching: case, accents, punctuation, "The", "and", "Univ."."""
    words = [_WORDS.get(w, w) for w in fold(text).split()]
    return " ".join(w for w in words if w not in _DROPPED)


def is_institution(text: str) -> bool:
    """Say whether a name has a word that makes it an institution's ("... College")."""
    return any(word in INSTITUTION_WORDS for word in key(text).split())


# Short names (an acronym, "Georgia Tech") are filed under this mark: read only as written.
ALIAS = "="


def squashed(name_key: str) -> str:
    """Write a key without spaces, marked apart, so "Stonybrook" finds "Stony Brook"."""
    return "~" + name_key.replace(" ", "")


def split_name(name: str, city: str = "") -> tuple[str | None, str | None]:
    """Split "University of Alabama at Birmingham", "Arizona State University-Tempe" or
    "University of Colorado Boulder" (in Boulder) into base and campus; (None, None) for a
    name of one school ("Rice University", "University of Denver")."""
    at = _AT.split(name, maxsplit=1)
    if len(at) == 2 and is_institution(at[0]) and not is_institution(at[1]):
        return at[0].strip(), at[1].strip()
    pieces = _HYPHEN.split(name)
    for cut in range(1, len(pieces)):  # "Indiana University-Purdue University-Fort Wayne"
        base, campus = "-".join(pieces[:cut]), "-".join(pieces[cut:])
        if is_institution(base) and not is_institution(campus):
            return base.strip(), campus.strip()
    town = fold(city)
    if town and fold(name).endswith(" " + town):
        base = " ".join(name.split()[: -len(city.split())])
        named = [w for w in key(base).split() if w not in INSTITUTION_WORDS | _PARTICLES]
        last = key(base).split()[-1:]
        # not "Queens University" for "Queens University of Charlotte": a name of its own
        if named and is_institution(base) and last and last[0] not in _PARTICLES:
            return base, city
    return None, None


def read_colleges(path: Path = COLLEGES, popular: Path = POPULAR) -> list[School]:
    """Read the package's colleges, skipping names with no institution word."""
    best_known: dict[tuple[float, float], set[str]] = {}
    for lat, lon, alias in _POPULAR.findall(popular.read_text(encoding="utf-8")):
        best_known.setdefault((float(lat), float(lon)), set()).update({alias} - {""})
    schools = []
    for record in json.loads(path.read_text(encoding="utf-8")):
        name = " ".join(record["name"].split())
        if not is_institution(name):
            continue  # "Beth Medrash Govoha", "LIU Post": no word says what it is
        base, campus = split_name(name, record["city"])
        point = (float(record["latitude"]), float(record["longitude"]))
        schools.append(
            School(
                name,
                record["city"],
                record["state_name"],
                *point,
                base,
                campus,
                popular=point in best_known,
                aliases=tuple(sorted(best_known.get(point, ()))),
            )
        )
    return schools


def school_keys(school: School) -> dict[str, int]:
    """Return the folded names a school is filed under, each with how well it names it."""
    keys = {key(school.name): FULL}
    if school.base and school.campus:
        campus = school.campus
        keys.setdefault(key(f"{school.base} {campus}"), FULL)  # "... Alabama Birmingham"
        plain = _CAMPUS.sub("", campus)
        if plain and plain != campus and fold(plain) != "main":  # "... Washington Seattle"
            keys.setdefault(key(f"{school.base} {plain}"), FULL)
        keys.setdefault(key(school.base), MAIN if school.main else BRANCH)
    keys = {k: q for k, q in keys.items() if len(k.split()) >= 2}
    aliases = {ALIAS + key(alias): FULL for alias in school.aliases}
    return keys | {squashed(k): q for k, q in keys.items()} | aliases


class Entry(Protocol):
    """A school as the index holds it (gazetteer.Entry, which imports this module)."""

    @property
    def name(self) -> str: ...  # pragma: no cover - protocol
    @property
    def country_code(self) -> str: ...  # pragma: no cover
    @property
    def region(self) -> str | None: ...  # pragma: no cover - its state
    @property
    def latitude(self) -> float: ...  # pragma: no cover
    @property
    def longitude(self) -> float: ...  # pragma: no cover
    @property
    def population(self) -> int: ...  # pragma: no cover - its town's
    @property
    def anchor(self) -> str | None: ...  # pragma: no cover - its town
    @property
    def timezone(self) -> str | None: ...  # pragma: no cover


class Index(Protocol):
    """What the reading needs of the place index (gazetteer.Gazetteer)."""

    country_names: dict[str, set[str]]
    region_names: dict[tuple[str, str], set[str]]

    def find_institutions(self, key: str) -> Sequence[tuple[Entry, int]]: ...  # pragma: no cover


@dataclass(frozen=True)
class _Match:
    """Schools named in the text, and the text around the name."""

    found: list[tuple[Entry, int]]
    rest: str  # the other parts: "IL"
    # found only with the spaces left out ("Stonybrook") or by a short name ("UCLA")
    variant: bool = False


Finder = Callable[[str], Sequence[tuple[Entry, int]]]
Reader = Callable[[str], Place | None]


def _words(part: str) -> list[tuple[str, str]]:
    """Split a part into (written word, key words); a dropped word ("the") has no key."""
    written = part.split()
    following = [*(fold(w) for w in written[1:]), ""]
    return [
        (word, "university" if fold(word) == "u" and after == "of" else key(word))
        for word, after in zip(written, following, strict=True)
    ]


def _may_be_name(run: str) -> bool:
    """Say whether folded words may be a college's name: two or more, one an institution's."""
    return len(run.split()) >= 2 and is_institution(run)


def _may_be_alias(written: list[str]) -> bool:
    """Say whether words as written may be a college's short name: one word in capitals
    ("UCLA", never the German "mit"), or two ending in "Tech" ("Georgia Tech"); so
    "Caltech" is not read."""
    if len(written) == 1:
        letters = written[0].strip(".,:;")
        return 2 <= len(letters) <= 5 and letters.isalpha() and letters.isupper()
    return len(written) == 2 and fold(written[1]) == "tech"


def _match(text: str, find: Finder) -> _Match | None:
    """Find the first part of the text that starts with a school's name, and not a longer
    name ("National University of Singapore" is not National University, nor "Australian
    National University": a name is read only from the start of a part)."""
    if not _HINT.search(text):
        return None  # most text: no institution word, capitals or "Tech" (a few µs)
    parts = [p for p in _PARTS.split(forms.plain_separators(text)) if fold(p)]
    for number, part in enumerate(parts):
        words = _words(part)
        first = [w for w, _k in words[:2]]
        if not (
            _may_be_alias(first[:1])
            or _may_be_alias(first)
            or is_institution(" ".join(k for _w, k in words))
        ):
            continue
        for size in range(len(words), 0, -1):
            run = " ".join(k for _w, k in words[:size] if k)
            after = [w for w, _k in words[size:]]
            if after and fold(after[0]) in _NAME_GOES_ON:
                continue
            found = list(find(run)) if _may_be_name(run) else []
            variant = not found
            if not found and _may_be_name(run):
                found = list(find(squashed(run)))
            if not found and _may_be_alias([w for w, _k in words[:size]]):
                found = list(find(ALIAS + run))
            if not found:
                continue
            later = parts[number + 1 :]
            if size == len(words) and later:  # "University of California, Berkeley"
                joined = list(find(f"{run} {key(later[0])}"))
                if any(quality == FULL for _e, quality in joined):
                    found, later = joined, later[1:]
            if after and fold(after[0]) in ("at", "in"):  # "... University in Cambridge"
                after = after[1:]
            rest = [*parts[:number], " ".join(after), *later]
            return _Match(found, ", ".join(r for r in rest if fold(r)), variant)
    return None


def _agrees(school: Entry, where: Place) -> bool:
    """Say whether a place the text names holds the school: its country, state or town."""
    if where.country_code != "US":
        return False
    if where.precision == Precision.COUNTRY:
        return True
    if where.precision == Precision.REGION:
        return fold(where.region or "") == fold(school.region or "")
    return any(
        geodesic((school.latitude, school.longitude), (p.latitude, p.longitude)).km <= SAME_TOWN_KM
        for p in (where, *where.candidates)
    )


def _states(rest: str, where: Place) -> bool:
    """Say whether the rest of the text states the place it was read as: a sure reading, or
    a part that is the place's very name and no venue ("Trinity College, Dublin"), not a
    guess from inside other words ("Women in Science and Engineering")."""
    if not where.needs_check:
        return True
    name = fold(where.display_name.split(",")[0])
    return any(fold(part) == name and not forms.is_venue(part) for part in rest.split(","))


@lru_cache(maxsize=4)
def _us_states(gazetteer: Index) -> dict[str, str]:
    """Return the US states by every folded name and code the index knows ("il", "illinois")."""
    return {
        name: region
        for (cc, region), names in gazetteer.region_names.items()
        if cc == "US"
        for name in names
    }


def _named(school: Entry, part: str, gazetteer: Index) -> bool | None:
    """Say whether a part of the text is the school's town, state or country (True), another
    US state (False), or none of these (None: read it as a place)."""
    folded = fold(part)
    if folded == fold(school.anchor or "") or folded in gazetteer.country_names.get("US", ()):
        return True
    state = _us_states(gazetteer).get(folded)
    return None if state is None else state == school.region


def answer(query: str, text: str, gazetteer: Index, read: Reader) -> Place | None:
    """Place the school the text names at its campus, or None: no school's name in it, or
    a town, state or country the rest of the text names that no such school is in."""
    match = _match(text, gazetteer.find_institutions)
    if match is None:
        return None
    found = match.found
    confidence = SURE_CONFIDENCE
    unread = []
    for part in (p for p in match.rest.split(",") if fold(p)):
        named = [_named(e, part, gazetteer) for e, _q in found]
        if all(n is None for n in named):
            unread.append(part)  # not the school's town, nor a US state: read it below
            continue
        found = [f for f, n in zip(found, named, strict=True) if n]
        if not found:
            return None  # "Wheaton College, Texas": the stated state wins
    where = read(", ".join(unread)) if unread else None
    if where is not None:
        agreeing = [(e, q) for e, q in found if _agrees(e, where)]
        if agreeing:
            found = agreeing
        elif _states(", ".join(unread), where):
            return None  # "Stanford University, Paris, France": the stated place wins
        else:
            confidence = UNREAD_CONFIDENCE  # "Brown University Library": a guess left unread
    elif unread:
        confidence = UNREAD_CONFIDENCE  # "Brown University Library", "..., Room 620"
    if match.variant:  # "North-West University" (South Africa) is not Northwest University
        confidence = min(confidence, VARIANT_CONFIDENCE)
    schools = _distinct(found)
    (best, _quality), *others = schools
    if others:
        full = [s for s in schools if s[1] == FULL]
        main = [s for s in schools if s[1] >= MAIN]
        if len(full) == 1:  # "University of Arkansas": one school's whole name, other campuses
            best, others = full[0][0], []
        elif len(main) == 1:  # "Ohio State University": the main campus, to check
            best = main[0][0]
            confidence = min(confidence, MAIN_GUESS_CONFIDENCE)
        else:
            confidence = min(confidence, GUESS_CONFIDENCE)
    rivals = [e for e, _q in schools if e is not best] if others else []
    candidates = tuple(_place(query, e, GUESS_CONFIDENCE) for e in rivals[:MAX_CANDIDATES])
    return replace(_place(query, best, confidence), ambiguous=bool(rivals), candidates=candidates)


def _distinct(found: list[tuple[Entry, int]]) -> list[tuple[Entry, int]]:
    """Return each school once with its best match, best first, then by its town's size."""
    best: dict[Entry, int] = {}
    for entry, quality in found:
        best[entry] = max(quality, best.get(entry, 0))
    return sorted(best.items(), key=lambda s: (-s[1], -s[0].population, s[0].name))


def _place(query: str, school: Entry, confidence: float) -> Place:
    """Describe a school's campus as a Place: the point of a venue."""
    return Place(
        query=query,
        latitude=school.latitude,
        longitude=school.longitude,
        precision=Precision.VENUE,
        country_code=school.country_code,
        region=school.region,
        display_name=f"{school.name}, {school.anchor}, {school.region}, United States",
        confidence=confidence,
        timezone=school.timezone,
    )
