"""The offline geocoder: place text in, a point with honest precision out, no network."""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from itertools import pairwise
from math import log10
from pathlib import Path

from geopy.location import Location

from . import forms, institutions
from .gazetteer import METROPOLIS, PRIMARY, Entry, Gazetteer, Kind, open_index, region_variants
from .place import Place, Precision
from .text import NOT_A_PLACE, fold

# A candidate this far behind the best (in log10 of population) is not a real alternative.
AMBIGUITY_MARGIN = 1.3
# Two answers closer than this (degrees, about 50 km) are the same place.
SAME_PLACE_DEGREES = 0.45
# A place this close (degrees, about 30 km) to a larger city can take it as a qualifier.
AROUND_DEGREES = 0.3
MAX_CANDIDATES = 5
# A place found only as words inside other text ("Microsoft Reactor London") is less sure,
# and must be a country, region or city at least this large to count.
INSIDE_CONFIDENCE = 0.6
WELL_KNOWN_CITY = 15000
# A city this large may be found inside other text by another of its names ("TU München").
LARGE_CITY = 150000
# Readings that leave part of the text unread are worth at most this much confidence:
# the first of two places ("Raleigh/Durham"), or a place with a qualifier it does not match.
PARTIAL_CONFIDENCE = 0.7
# An area (region or country) standing in for text that named something more precise.
FALLBACK_CONFIDENCE = 0.5
# A misspelling ("Gothenberg") is read as a name only this similar (rapidfuzz ratio, 0-100)
# and only when no other place's name comes within FUZZY_MARGIN of it.
FUZZY_SCORE = 87
FUZZY_MARGIN = 4
FUZZY_CONFIDENCE = 0.6
# A city at least this share of a same-named region's population is what people mean.
CITY_OVER_REGION = 0.25
MAX_QUERY_LENGTH = 300
# cities1000 lists some districts with population 0: rank them as the smallest it holds.
UNKNOWN_POPULATION = 1000
_KIND_BONUS = {
    Kind.COUNTRY: 1.0,
    Kind.VERNACULAR: 1.0,
    Kind.REGION: 0.5,
    Kind.CITY: 0.0,
    Kind.AREA: 0.0,
    Kind.INSTITUTION: 0.0,
}
_PRECISION = {
    Kind.CITY: Precision.CITY,
    Kind.AREA: Precision.REGION,
    Kind.REGION: Precision.REGION,
    Kind.VERNACULAR: Precision.REGION,
    Kind.COUNTRY: Precision.COUNTRY,
    Kind.INSTITUTION: Precision.VENUE,
}
_BRACKETS = re.compile(r"\(([^()]*)\)")
_DIRECTIONAL = re.compile(
    r"((?:north|south|east|west)(?:ern)?(?:[- ]?(?:east|west)(?:ern)?)?"
    r"|central|upper|lower|greater|metro|upstate|downstate|inland|coastal|rural)\s+(.+)",
    re.IGNORECASE,
)
_FILLER = {"event", "hybrid", "meetup", "area", "metro", "metropolitan", "and", "or"}
_ARTICLES = {"the", "a", "an", "my", "our", "your"}
_NOT_A_PLACE_WORDS = sorted(
    (re.escape(w) for w in NOT_A_PLACE | {"hybrid", "event", "meetup"} if " " not in w),
    key=len,
    reverse=True,
)
# "UC Davis", "TU Delft", "UW Madison": an institution's initials before its town
_ACRONYM_LED = re.compile(r"[A-Z]{2,4}\s+[A-Z][a-z]")
_STATE_WORD = re.compile(r"\sstate$", re.IGNORECASE)
_AREA = re.compile(r"(.+?)\s+(?:metro(?:politan)?\s+)?(?:area|region|metro)", re.IGNORECASE)
# A region's code as people write it alone ("MN", "NSW"): two or three capitals.
_CODE = re.compile(r"[A-Z]{2,3}")


# The country a postcode in the query names ("..., St Andrews KY16 9RJ"), while it is read.
_POSTCODE_COUNTRY: ContextVar[str | None] = ContextVar("postcode_country", default=None)
# The countries whose postcodes look like a numeric one in the query ("29200 Brest").
_POSTCODE_COUNTRIES: ContextVar[frozenset[str]] = ContextVar(
    "postcode_countries", default=frozenset()
)


@dataclass(frozen=True)
class _Scored:
    """A gazetteer entry with how well it answers the query."""

    entry: Entry
    qualifiers: int  # how many qualifiers ("Georgia", "UK") it matched
    quality: int  # PRIMARY when the text is the place's own name
    score: float
    skipped: int  # leading comma parts ignored (venue or street text)
    cap: float = 1.0  # the most confidence this reading can have


class OfflineGeocoder:
    """Geocode place text from the packaged gazetteer; follows geopy's geocoder interface."""

    def __init__(self, index_dir: Path | None = None) -> None:
        """Use the place index in `index_dir` (default: instance/), opened on first use."""
        self.index_dir = index_dir
        self._gazetteer: Gazetteer | None = None
        self._country_regions: dict[str, list[tuple[tuple[str, str], set[str]]]] = {}

    @property
    def gazetteer(self) -> Gazetteer:
        """Return the place index, building it on first use if it is missing."""
        if self._gazetteer is None:
            self._gazetteer = open_index(self.index_dir)
        return self._gazetteer

    def geocode(
        self, query: str, exactly_one: bool = True, **_ignored: object
    ) -> Location | list[Location] | None:
        """Answer like geopy: a Location (raw holds the Place as a dict), a list, or None."""
        place = self.lookup(query)
        if place is None:
            return None
        locations = [_location(p) for p in (place, *place.candidates)]
        return locations[0] if exactly_one else locations

    def lookup(self, query: str) -> Place | None:
        """Return the best place for the text with its alternatives, or None if not a place."""
        text = " ".join(str(query).split())[:MAX_QUERY_LENGTH]
        if not fold(text) or fold(text) in NOT_A_PLACE:
            return None
        token = _POSTCODE_COUNTRY.set(forms.postcode_country(text))
        numeric = forms.numeric_postcode(text)
        countries = self.gazetteer.postcode_countries(numeric) if numeric else frozenset()
        numeric_token = _POSTCODE_COUNTRIES.set(countries)
        try:
            return self._institution(query, text) or self._lookup(query, text)
        finally:
            _POSTCODE_COUNTRIES.reset(numeric_token)
            _POSTCODE_COUNTRY.reset(token)

    def _lookup(self, query: str, text: str) -> Place | None:
        """Read the text: brackets, parts, then known names inside it."""
        near = forms.without_nearness(text)
        if near:  # "near Arnstadt, Germany": the town, but the party is somewhere around it
            place = self._lookup(query, near)
            if place is None:
                return None
            return replace(place, confidence=min(place.confidence, PARTIAL_CONFIDENCE))
        text = forms.plain_separators(text)
        if forms.is_cjk(text):
            text = forms.cjk_parts(text)
        bracketed = [b for b in _BRACKETS.findall(text) if fold(b)]
        main = _BRACKETS.sub(" ", text)
        attempts = [_without_not_a_place(a) for a in ([main, *bracketed])]
        attempts = [a for a in attempts if fold(a)]
        if bracketed and "," not in text:
            whole = self._readings(text, [], 0)  # "Halle (Saale)" is the town's own name
            if whole:
                return self._answer(query, whole)
        if bracketed and all(
            len(fold(b)) > 3 and fold(b) in self.gazetteer.qualifier_keys for b in bracketed
        ):
            # "Santa Catarina (Mexico)": a region or country in brackets qualifies the name
            # as it would after a comma; a code may be anything ("Milano (MI)", "(GIS)")
            ranked = self._rank(_without_not_a_place(", ".join([main, *bracketed])))
            if ranked:
                return self._answer(query, ranked)
        # "University of Toronto (Scarborough)", "ResBaz Sydney (GIS)": a town in the main
        # text before what the brackets say
        inside_first = bool(bracketed) and bool(attempts) and fold(attempts[0]) == fold(main)
        if inside_first:
            attempts = [attempts[0], *attempts]
        read = self._read(query, attempts, inside_first)
        if read is not None and not read.precision.approximate and not read.needs_check:
            return read
        capital = self._federal_capital(main)
        if capital:  # "México, D.F.", "CABA, Argentina": a town of the country's capital
            rewritten, country_code = capital
            ranked = [
                s
                for s in self._rank(rewritten)
                if s.entry.kind == Kind.CITY and s.entry.country_code == country_code
            ]
            if ranked:
                return self._answer(query, ranked)
        return read

    def _read(self, query: str, attempts: list[str], inside_first: bool) -> Place | None:
        """Read the main text and its brackets, then known names inside them."""
        for number, attempt in enumerate(attempts):
            if inside_first and number == 1:
                ranked = self._inside(attempt)
                if ranked:
                    return self._answer(query, ranked, confidence=INSIDE_CONFIDENCE)
                continue
            ranked = self._rank(attempt)
            if ranked:  # a bracket read when the main text was not ("... Center (CIP)")
                confidence = 1.0 if number == 0 else INSIDE_CONFIDENCE
                if (
                    attempt.isascii()
                    and len(fold(attempt)) <= 3
                    and ranked[0].entry.kind == Kind.CITY
                ):
                    # "MN": a code, or a town's short name? Not "札幌市" or "北京": three
                    # characters of CJK are a whole name, as long as "Sapporo" is
                    confidence = FALLBACK_CONFIDENCE
                return self._answer(query, ranked, confidence)
        for attempt in attempts:  # "Microsoft Reactor London": a known name inside the text
            ranked = self._inside(attempt)
            if ranked:
                return self._answer(query, ranked, confidence=INSIDE_CONFIDENCE)
        return None

    def _federal_capital(self, text: str) -> tuple[str, str] | None:
        """Rewrite "México, D.F." or "Palermo, CABA" as the capital city they name ("Mexico
        City", "Palermo, Buenos Aires"), with its country; None if no part is a federal
        district's name with its country beside it or implied."""
        parts = [p.strip() for p in text.split(",") if fold(p)]
        federal = [forms.federal_capital_countries(p) for p in parts]
        if len(parts) < 2 or all(f is None for f in federal):
            return None
        gaz = self.gazetteer
        named = {
            cc: number
            for number, part in enumerate(parts)
            for cc, names in gaz.country_names.items()
            if federal[number] is None and fold(part) in names and len(fold(part)) > 3
        }
        countries = set(named) | {cc for f in federal if f for cc in f}
        if len(countries) != 1:
            return None
        (country_code,) = countries
        capital = gaz.capital(country_code)
        if capital is None:
            return None
        kept = [
            p
            for number, p in enumerate(parts)
            if federal[number] is None and named.get(country_code) != number
        ]
        return ", ".join([*kept, capital]), country_code

    def _institution(self, query: str, text: str) -> Place | None:
        """Answer a college's name at its campus, unless the rest of the text names a place
        the college is not in (institutions.py); the rest is read as any other text."""
        return institutions.answer(
            query, text, self.gazetteer, lambda rest: self._lookup(rest, rest)
        )

    def _inside(self, attempt: str) -> list[_Scored]:
        """Find a known name inside text that was not read part by part."""
        parts = attempt.split(",")
        if len(parts) > 1 and not any(
            forms.is_venue(p) or len(p.split()) >= 3 or _ACRONYM_LED.match(p.strip()) for p in parts
        ):
            return []  # short comma parts were each tried as a place already
        if not any(c.isupper() for c in attempt):  # "university college london"
            attempt = attempt.title()
        return self._named_inside(attempt.replace(",", " "))

    def _named_inside(self, text: str) -> list[_Scored]:
        """Find the longest, last capitalised run of words that is a well-known place, else
        the longest that is a town of several words ("Bar Harbor"), never a word inside one."""
        # hyphens join names too ("UW-Madison", "University of Wisconsin-Milwaukee")
        words = re.findall(r"[^\W\d_][\w'’.]*", text)
        towns: list[range] = []  # runs that name a town of any size, by its own name
        small: list[_Scored] = []  # the longest such town, if no well-known place is named
        for size in range(min(len(words), 4), 0, -1):
            other_name: list[_Scored] = []  # "Git" (Geita) in "UC Davis ... Unix/Git/R"
            for start in range(len(words) - size, -1, -1):
                run = words[start : start + size]
                # "Maptime SF", "Code for DC": a short name in capitals, if a large city's
                code = size == 1 and _CODE.fullmatch(run[0]) is not None
                if (
                    not (run[0][0].isupper() and run[-1][0].isupper())
                    or not all(w[0].isupper() or w in forms.NAME_PARTICLES for w in run)
                    or forms.is_venue(" ".join(run))
                    or forms.is_compass(" ".join(run))
                    or forms.is_street(words[start + size : start + size + 1])
                    or (len(fold(" ".join(run))) < 3 and not code)
                    # "Cold Spring Harbor Laboratory": no town called Spring inside a town
                    or any(start in town and start + size - 1 in town for town in towns)
                ):
                    continue
                readings = self._readings(" ".join(run), [], skipped=1)
                if code:  # its initials ("SF"), not any letters of it ("UF": Ufa)
                    readings = [
                        s
                        for s in readings
                        if _short_name_of(run[0], s.entry) and _initials(run[0], s.entry.name)
                    ]
                own = [s for s in readings if s.entry.kind == Kind.CITY and s.quality == PRIMARY]
                if size > 1 and own:
                    towns.append(range(start, start + size))
                    if not small and not run[-1].endswith(("'s", "’s")):
                        # a name of several words is rarely a town's by chance
                        small = [s for s in own if s.entry.population >= 1000]
                found = [
                    s
                    for s in readings
                    if (
                        s.quality == PRIMARY
                        or s.entry.population >= LARGE_CITY
                        or _written_together(" ".join(run), s.entry)
                    )
                    and (s.entry.kind != Kind.CITY or s.entry.population >= WELL_KNOWN_CITY)
                ]
                if found:
                    found = self._qualified_by(found, words[:start] + words[start + size :])
                    if any(s.quality == PRIMARY for s in found):
                        return found
                    other_name = other_name or found  # a town's own name, if any, first
            if other_name:
                return other_name
        return small

    def _qualified_by(self, found: list[_Scored], others: list[str]) -> list[_Scored]:
        """Keep the readings whose region or country the rest of the text names
        ("University of Nebraska-Lincoln": the Lincoln in Nebraska), else all of them."""
        # a short word is a code only in capitals: "do" in "Universidade Federal do Rio
        # Grande" is Portuguese, not the Dominican Republic
        others = [w for w in others if len(w) > 2 or w.isupper()]
        names = {fold(w) for w in others} | {fold(f"{a} {b}") for a, b in pairwise(others)}
        names.discard("")
        kept = [s for s in found if any(self._names_area(s.entry, n) for n in names)]
        return kept or found

    def _rank(self, text: str) -> list[_Scored]:
        """Score every reading of the text, best first; leading parts may be venue or street."""
        parts = [p for p in (_clean_part(part) for part in text.split(",")) if fold(p)]
        for skipped in range(len(parts)):
            found = self._head(parts[skipped], parts[skipped + 1 :], skipped)
            if found and all(s.qualifiers < len(parts) - skipped - 1 for s in found):
                # "Roma Norte, CDMX", "Praga, Warszawa": a neighbourhood the gazetteer lacks,
                # named like a place elsewhere, inside the city of millions after it
                found = self._metropolis_after(parts[skipped + 1 :], skipped + 1) or found
            if skipped and parts[skipped].isascii() and len(fold(parts[skipped])) <= 3:
                # a lone code after skipped text ("..., IL") is a region, never a town "Il";
                # but it may be a city's short name ("Soho, NYC"), to check
                found = [
                    s
                    if s.entry.kind != Kind.CITY
                    else replace(s, cap=min(s.cap, PARTIAL_CONFIDENCE))
                    for s in found
                    if s.entry.kind != Kind.CITY or _short_name_of(parts[skipped], s.entry)
                ]
                if _CODE.fullmatch(parts[skipped]) and skipped == len(parts) - 1:
                    # "Grand Hall, IL": the region of that code; of a code's regions, the
                    # one a town the venue is named after lies in ("Baton Rouge ..., LA")
                    regions = self._region_after(parts[skipped], parts[:skipped], skipped)
                    for region in regions:
                        inside = self._venue_town(parts[:skipped], region.entry)
                        if inside:
                            return inside
                    found = found or regions
            if skipped and not found[1:] and found and found[0].entry.population < 1000:
                found = []  # "Alpbach, Tirol": a village of the last part's name is a guess
            if found and skipped and found[0].entry.kind != Kind.CITY:
                # "Portland State University, Oregon": the town the venue is named after
                inside = self._venue_town(parts[:skipped], found[0].entry)
                if inside:
                    return inside
            if found and skipped:
                found = self._college_town(found, parts[:skipped])
            if found:
                return found
        return []

    def _college_town(self, found: list[_Scored], venues: Sequence[str]) -> list[_Scored]:
        """Of same-named towns, put first the one whose college the venue text names
        ("Harvard, Cambridge" is in Massachusetts, "Tufts, Medford" in Massachusetts)."""
        words = {
            fold(w)
            for part in venues
            for w in part.split()
            if len(fold(w)) >= 4 and fold(w) not in forms.VENUE_WORDS
        }
        if not words or len(found) < 2:
            return found
        hosts = [
            s
            for s in found
            if s.entry.kind == Kind.CITY
            and s.entry.country_code == "US"
            and s.entry.region
            # a college's word other than the town's own ("Oxford University, Oxford" is no
            # sign of Oxford, Ohio, whose college names the town too)
            and (words - set(fold(s.entry.name).split()))
            & self.gazetteer.college_words(s.entry.region, s.entry.name)
        ]
        if not hosts or len(hosts) == len(found):
            return found
        top = max(s.score for s in found) + AMBIGUITY_MARGIN
        return [replace(s, score=top) for s in hosts] + [s for s in found if s not in hosts]

    def _metropolis_after(self, qualifiers: Sequence[str], skipped: int) -> list[_Scored]:
        """Return the city of millions that one of the qualifiers names, or the town it
        names together with the town's own region ("Portland OR"), if one does."""
        for number, qualifier in enumerate(qualifiers):
            found = [
                replace(s, cap=min(s.cap, PARTIAL_CONFIDENCE))
                for s in self._head(qualifier, qualifiers[number + 1 :], skipped + number)
                if s.entry.kind == Kind.CITY
                and (
                    s.entry.population >= METROPOLIS
                    or (
                        s.qualifiers
                        and s.cap == 1.0
                        and s.entry.population >= WELL_KNOWN_CITY
                        and fold(qualifier).startswith(fold(s.entry.name) + " ")
                    )
                )
            ]
            if found:
                return found
        return []

    def _venue_town(self, venues: Sequence[str], area: Entry) -> list[_Scored]:
        """Return the town in the area that one of the venue parts is named after, if any."""
        for part in venues:
            inside = [
                replace(s, cap=min(s.cap, INSIDE_CONFIDENCE))
                for s in self._named_inside(part)
                if s.entry.kind == Kind.CITY
                and s.entry.country_code == area.country_code
                and (area.region is None or s.entry.region == area.region)
            ]
            if inside and forms.is_venue(part):
                return inside
        return []

    def _region_after(self, code: str, before: Sequence[str], skipped: int) -> list[_Scored]:
        """Read a region's code after unread text ("Grand Hall, IL", "Baton Rouge Community
        Hall, LA"), in a country where that text names a place if it names one anywhere
        (never Da Nang for "Santo Domingo, DN")."""
        countries = {s.entry.country_code for part in before for s in self._readings(part, [], 0)}
        found = [
            s
            for s in self._region_by_code(code, (), skipped)
            if not countries or s.entry.country_code in countries
        ]
        return sorted(found, key=lambda s: s.score, reverse=True)

    def _head(self, head: str, qualifiers: Sequence[str], skipped: int) -> list[_Scored]:
        """Read one part before its qualifiers: as written, else with its last words as a
        qualifier ("Sydney NSW"), else without "State"/"Province" ("New York State")."""
        found = self._readings(head, qualifiers, skipped, partial=True)
        if not found and qualifiers:  # "TX, USA", "NSW, Australia": a region's code
            found = self._region_by_code(head, qualifiers, skipped)
        if not qualifiers and not skipped and _CODE.fullmatch(head):
            # "MN" alone is Minnesota's code (or another region's), not one of Amman's names
            # nor the town of Il; but "LA" and "KL" are short forms of their cities' names
            named = [
                s for s in found if s.entry.kind == Kind.COUNTRY or _short_name_of(head, s.entry)
            ]
            if named:  # and the city that stands for a region so named ("DC": Washington)
                named += [
                    s
                    for s in found
                    if s not in named and any(_same_place(s.entry, n.entry) for n in named)
                ]
            # a code alone, or a town's short name? Worth a check either way
            coded = [
                replace(s, cap=min(s.cap, FALLBACK_CONFIDENCE))
                for s in self._region_by_code(head, (), skipped)
            ]
            found = named or coded or found
        if not any(
            s.entry.kind != Kind.CITY
            # "West Jordan" is a town's own name, not the west of Jordan
            or (s.quality == PRIMARY and s.entry.population >= WELL_KNOWN_CITY)
            for s in found
        ):
            found += self._directional(head, qualifiers, skipped)  # "North Wales"
        plain = forms.without_designators(head)
        # "Kochi-shi": the Japanese Kōchi, though Kochi in India is larger
        countries = forms.designator_countries(head) if plain else frozenset()
        if found and plain and all(s.quality != PRIMARY for s in found):
            # "Hyderabad city" is another name of one Hyderabad, but people mean the largest
            bare = [
                s
                for s in self._readings(plain, qualifiers, skipped, partial=True)
                # "Quebec City" is the city, not the province; and a city's own name
                if s.entry.kind == Kind.CITY and s.quality == PRIMARY
            ]
            bare = [s for s in bare if s.entry.country_code in countries] or bare
            if bare and max(s.score for s in bare) > max(s.score for s in found):
                found = bare
        if found:
            found.sort(key=lambda s: s.score, reverse=True)
            metropolis = self._misspelt_metropolis(found[0], head)
            if metropolis:  # "Johannesberg": a village, or Johannesburg misspelt
                # the city of millions first, unless the qualifiers name the village's area
                found = [
                    replace(s, cap=min(s.cap, FALLBACK_CONFIDENCE))
                    for s in [*self._readings(metropolis, qualifiers, skipped), *found]
                ]
            return found
        if (
            plain
            and forms.names_an_area(head)  # "Dane County", "Département du Nord"
            and not any(  # but "Province of Ontario" is the admin-1 region
                s.entry.kind == Kind.REGION
                for s in self._readings(plain, qualifiers, skipped, partial=True)
            )
        ):
            found = self._areas(plain, qualifiers, skipped)
            if found:
                return found
        if plain:  # "Yokohama-shi", "Town of Amherst", "Région Occitanie"
            found = self._head(plain, qualifiers, skipped)
            found = [s for s in found if s.entry.country_code in countries] or found
            if forms.names_a_town(head):  # "Yamaguchi City": the city, not the prefecture
                found = [s for s in found if s.entry.kind == Kind.CITY] or found
            if found and forms.names_a_neighbourhood(head):
                found = [replace(s, cap=min(s.cap, PARTIAL_CONFIDENCE)) for s in found]
            if found and _STATE_WORD.search(head) and not qualifiers and not skipped:
                # "Utah State", "Ohio State": the state, or the university people call so
                found = [
                    replace(s, cap=min(s.cap, PARTIAL_CONFIDENCE))
                    if s.entry.kind == Kind.REGION
                    else s
                    for s in found
                ]
            if found and forms.names_an_area(head):
                # "Dane County", "District de X": an area; a town of its name is a guess
                found = [
                    replace(s, cap=min(s.cap, FALLBACK_CONFIDENCE))
                    if s.entry.kind == Kind.CITY
                    else s
                    for s in found
                ]
            if found:
                return found
        if forms.is_venue(head):
            return []  # "Kyoto University", "George Square": not a town called that
        area = _AREA.fullmatch(head)
        if area:  # "Stuttgart area", "Boston metro area": before "area" is read as a qualifier
            found = self._readings(area.group(1), qualifiers, skipped)
            if found:
                return found
        words = head.split()
        # "Washington DC", "Nova Iguaçu Rio de Janeiro"; before a hyphen is read as two
        # places ("Baie-Mahault Guadeloupe" is one town)
        for cut in (1, 2, 3):
            if len(words) > cut:
                found = self._readings(
                    " ".join(words[:-cut]), [" ".join(words[-cut:]), *qualifiers], skipped
                )
                if found:
                    return found
        pieces = forms.places_joined(head)
        for piece in pieces[:1]:  # "Raleigh/Durham", "Dallas-Fort Worth": the first one
            found = self._head(piece, qualifiers, skipped)
            if found:
                # "Bloomington-Normal": the Bloomington beside a Normal, if one is; and of
                # two so ("Newcastle / Gateshead"), the one beside the larger town
                twins = [
                    replace(s, score=s.score + log10(beside))
                    for s in found
                    if (beside := self._beside(s.entry, pieces[1:]))
                ]
                twins.sort(key=lambda s: s.score, reverse=True)
                return [replace(s, cap=min(s.cap, PARTIAL_CONFIDENCE)) for s in twins or found]
        if forms.is_cjk(head):
            plain = forms.without_cjk_suffix(head)
            if forms.is_ward(head):
                return []  # a ward's name (中央区) is shared by many cities: read the city
            found = self._readings(plain, qualifiers, skipped) if plain else []
            if found:
                return found
        plain = forms.without_compass(head)
        if plain:  # "Jakarta Selatan", "Paris Nord": a part of the city, read as the city
            found = [
                replace(s, cap=min(s.cap, 0.8))
                for s in self._head(plain, qualifiers, skipped)
                if s.entry.kind == Kind.CITY
            ]
            if found:
                return found
        for variant in sorted(region_variants(head) - {fold(head)}):
            found = [
                s for s in self._readings(variant, qualifiers, skipped) if s.entry.kind != Kind.CITY
            ]
            if found:
                return found
        found = self._areas(head, qualifiers, skipped)
        if found:  # "Jhapa, Nepal": a district named as it is
            return found
        return self._misspelt(head, qualifiers, skipped)

    def _region_by_code(self, head: str, qualifiers: Sequence[str], skipped: int) -> list[_Scored]:
        """Read a short code as the region of that code in the country a qualifier names,
        or in any country when there are no qualifiers."""
        gaz = self.gazetteer
        key = fold(head)
        folded = [fold(q) for q in qualifiers]
        found = []
        for cc, region in gaz.region_codes.get(key, ()) if len(key) <= 3 else ():
            if folded and not any(q in gaz.country_names.get(cc, ()) for q in folded):
                continue
            found += [
                _Scored(entry, len(folded), quality, log10(max(entry.population, 1)), skipped)
                for entry, quality in gaz.find(region)
                if entry.kind == Kind.REGION and entry.country_code == cc and entry.name == region
            ]
        return found

    def _areas(self, head: str, qualifiers: Sequence[str], skipped: int) -> list[_Scored]:
        """Read the text as an admin-2 area; its point is only its largest town's."""
        return [
            replace(s, cap=min(s.cap, PARTIAL_CONFIDENCE))
            for s in self._readings(head, qualifiers, skipped, partial=True, areas=True)
        ]

    def _misspelt_metropolis(self, best: _Scored, head: str) -> str | None:
        """Return the name of a city of millions that a small town's name is one letter off,
        or the first words of ("Addis" for Addis Ababa), if any."""
        entry = best.entry
        if entry.kind != Kind.CITY or entry.population >= WELL_KNOWN_CITY:
            return None
        shortened = self.gazetteer.metropolis_starting(fold(head))
        if shortened:
            return shortened
        key = fold(entry.name)
        if len(key) < 6:
            return None
        close = self.gazetteer.close_names(key, FUZZY_SCORE, 1, population=METROPOLIS)
        return close[0][0] if close and close[0][0] != key else None

    def _misspelt(self, head: str, qualifiers: Sequence[str], skipped: int) -> list[_Scored]:
        """Read a misspelling ("Copenhagan", "Buenos Aries") as the one name it is close to."""
        key = fold(head)
        if len(key) < 6 or any(c.isdigit() for c in key):
            return []
        close = self.gazetteer.close_names(key, FUZZY_SCORE - FUZZY_MARGIN)
        if not close or close[0][1] < FUZZY_SCORE:
            return []
        best = self._readings(close[0][0], qualifiers, skipped)
        if not best:
            return []
        near = [
            (similarity, self._readings(other, qualifiers, skipped))
            for other, similarity in close
            if similarity >= close[0][1] - FUZZY_MARGIN
        ]
        # "Ljubliana" is as close to Ljubljana's own name as to "Ljublin", a Slovene name
        # of Lublin: a rival by another of its names only counts if it is closer
        own_name = max(
            (
                similarity
                for similarity, readings in near
                if any(r.entry == best[0].entry and r.quality == PRIMARY for r in readings)
            ),
            default=0.0,
        )
        for similarity, rivals in near[1:]:
            if (
                rivals
                and not any(_same_place(r.entry, best[0].entry) for r in rivals)
                and rivals[0].score > best[0].score - AMBIGUITY_MARGIN
                and (rivals[0].quality == PRIMARY or similarity >= own_name)
            ):
                return []  # "Austen" is as close to Austin as to Aston: no clear winner
        return [replace(s, cap=min(s.cap, FUZZY_CONFIDENCE)) for s in best]

    def _readings(
        self,
        head: str,
        qualifiers: Sequence[str],
        skipped: int,
        *,
        partial: bool = False,
        areas: bool = False,
    ) -> list[_Scored]:
        """Score the places named `head` that agree with every qualifier (with `partial`,
        else with the qualifiers it can read, leaving unknown ones unread)."""
        gaz = self.gazetteer
        folded_qualifiers = [fold(q) for q in qualifiers]
        found = gaz.find_areas(head) if areas else gaz.find(head)
        postcode_country = _POSTCODE_COUNTRY.get()
        if postcode_country is not None:  # "St Andrews KY16 9RJ": the Scottish one
            found = tuple(f for f in found if f[0].country_code == postcode_country)
        written_so = _POSTCODE_COUNTRIES.get()
        if written_so:  # "29200 Brest" is the French one, "48143 Münster" the German one
            found = tuple(f for f in found if f[0].country_code in written_so) or found
        scored = []
        unread: list[_Scored] = []
        for entry, quality in found:
            matched = [self._qualifies(entry, q) for q in folded_qualifiers]
            score = (
                log10(max(entry.population, UNKNOWN_POPULATION))
                + (1.0 if quality == PRIMARY else 0.0)
                + _KIND_BONUS[entry.kind]
            )
            if all(matched):
                if len(found) > 1:  # "Providencia, Santiago": beside the Santiago people mean
                    # but "Santa Catarina, Mexico" names the country, not Mexico City
                    countries = gaz.country_names.get(entry.country_code, ())
                    score += sum(
                        log10(max(self._around(entry, q), 1))
                        for q in folded_qualifiers
                        if q not in countries
                    )
                scored.append(_Scored(entry, len(matched), quality, score, skipped))
            elif (
                partial
                and len(fold(head)) >= 4
                and self._may_ignore(folded_qualifiers, matched, entry.country_code)
            ):
                unread.append(
                    _Scored(entry, sum(matched), quality, score, skipped, PARTIAL_CONFIDENCE)
                )
        if folded_qualifiers:
            # "Guanajuato, Gto.", "Québec, QC": a region qualified by its own name is not
            # meant; the town of that name in it is
            # (a city as large as New York stands in for its state anyway)
            towns_in = {
                (s.entry.country_code, s.entry.region): s.entry.population
                for s in scored
                if s.entry.kind == Kind.CITY
            }
            scored = [
                s
                for s in scored
                if s.entry.kind != Kind.REGION
                or towns_in.get((s.entry.country_code, s.entry.name)) is None
                or not any(  # "Okinawa Pref., Japan" names the country, not the prefecture
                    q in gaz.region_names.get((s.entry.country_code, s.entry.name), ())
                    or (
                        self._qualifies(s.entry, q)
                        and q not in gaz.country_names.get(s.entry.country_code, ())
                    )
                    for q in folded_qualifiers
                )
                or towns_in[(s.entry.country_code, s.entry.name)]
                >= CITY_OVER_REGION * s.entry.population
            ]
        by_area = [
            s for s in scored if all(self._names_area(s.entry, q) for q in folded_qualifiers)
        ]
        if by_area:  # "Long Beach, California": the state, not a town California beside one
            scored = by_area
        if folded_qualifiers:
            scored = _own_names_first(scored)
        if not scored and unread:
            # "Torino, TO, Italia", "Москва, Россия": a qualifier the gazetteer cannot read
            best = max(s.qualifiers for s in unread)
            scored = [s for s in unread if s.qualifiers == best]
        scored = _regions_as_their_cities(scored)
        spelt = [s.score for s in scored if not head.isascii() and _spelt_as(s, head)]
        if spelt:  # "Inđija" is the Serbian town so spelt first, then India in Serbian
            scored = [
                replace(s, score=min(s.score, max(spelt) - 0.01))
                if s.entry.kind == Kind.COUNTRY and s.quality != PRIMARY
                else s
                for s in scored
            ]
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored

    def _may_ignore(
        self, qualifiers: Sequence[str], matched: Sequence[bool], country_code: str
    ) -> bool:
        """Say whether the unmatched qualifiers can be left unread: each is either a name
        the gazetteer knows as no area and no well-known town (in another country, only by
        the town's own name: "MDC" in "Tegucigalpa, MDC" is also one of Manado's names), or
        sits between the place and a matched one without being a well-known town ("Old
        Town, Arlington, Virginia" is in Arlington, not an Old Town elsewhere in Virginia)."""
        gaz = self.gazetteer
        last_match = max((i for i, m in enumerate(matched) if m), default=-1)
        return all(
            m
            or (
                i < last_match
                and not any(  # a code ("Torino, TO, Italia") is no town's name here
                    len(q) > 3
                    and e.kind == Kind.CITY
                    and quality == PRIMARY
                    and e.population >= WELL_KNOWN_CITY
                    for e, quality in gaz.find(q)
                )
            )
            or (
                q not in gaz.qualifier_keys
                and all(
                    e.population < WELL_KNOWN_CITY
                    or (
                        quality != PRIMARY
                        and e.country_code != country_code
                        and not _short_name_of(q, e)  # "Soho, NYC"
                    )
                    for e, quality in gaz.find(q)
                )
            )
            for i, (q, m) in enumerate(zip(qualifiers, matched, strict=True))
        )

    def _qualifies(self, entry: Entry, qualifier: str) -> bool:
        """Say whether a qualifier names the entry's country, region or county."""
        if self._names_area(entry, qualifier):
            return True
        if entry.region is not None:
            words = fold(entry.region).split()
            if len(qualifier) <= 4 and (
                (len(words) > 1 and qualifier in ("".join(w[0] for w in words), words[-1]))
                or (len(qualifier) >= 3 and words and words[0].startswith(qualifier))
            ):
                return True  # "N.L." for Nuevo León, "D.C." for Bogotá D.C., "Jal." for Jalisco
            if (
                3 <= len(qualifier) <= 5
                and " " not in qualifier
                and qualifier not in self.gazetteer.qualifier_keys
                and _letters_in_order(qualifier, "".join(words))
            ):
                return True  # "Gto." for Guanajuato, "Tamps." for Tamaulipas, "Hgo." Hidalgo
        around = self._around_cities(entry, qualifier)
        if around and not self._names_other_region(
            entry, qualifier, {entry.region, *(city.region for city in around)}
        ):
            return True  # "Brooklyn, NYC", "Yaba, Lagos"; not "Hyattsville, Washington" (state)
        words = qualifier.split()
        return (
            len(words) in (2, 3)
            and any(  # "TX USA", "WA Australia"
                self._qualifies(entry, " ".join(words[:cut]))
                and self._qualifies(entry, " ".join(words[cut:]))
                for cut in range(1, len(words))
            )
        )

    def _names_other_region(self, entry: Entry, qualifier: str, regions: set[str | None]) -> bool:
        """Say whether a qualifier is the name of a region of the entry's country other than
        `regions` (its own, and the regions of the cities it names: "Washington DC")."""
        return any(
            qualifier in names
            for (_cc, region), names in self._regions_of(entry.country_code)
            if region not in regions
        )

    def _regions_of(self, country_code: str) -> list[tuple[tuple[str, str], set[str]]]:
        """Return the names of a country's admin-1 regions, by (country, region)."""
        cached = self._country_regions.get(country_code)
        if cached is None:
            cached = [
                (key, names)
                for key, names in self.gazetteer.region_names.items()
                if key[0] == country_code
            ]
            self._country_regions[country_code] = cached
        return cached

    def _names_area(self, entry: Entry, qualifier: str) -> bool:
        """Say whether a qualifier is the name of the entry's country, region or county."""
        gaz = self.gazetteer
        if qualifier in gaz.country_names.get(entry.country_code, ()):
            return True
        if entry.region is not None:
            names = gaz.region_names.get((entry.country_code, entry.region), ())
            # "Gandaki Province" for a region filed as "Gandaki"
            if qualifier in names or any(v in names for v in region_variants(qualifier)):
                return True
            if any(  # the region in another language or script ("大阪府", "兵庫県", "Baviera")
                other.kind == Kind.REGION
                and other.country_code == entry.country_code
                and other.name == entry.region
                for name in {qualifier, forms.without_cjk_suffix(qualifier)} - {""}
                for other, _quality in gaz.find(name)
            ):
                return True
        return entry.county is not None and qualifier in region_variants(entry.county)

    def _around(self, entry: Entry, qualifier: str) -> int:
        """Return the population of the larger city named `qualifier` that the place lies in
        or beside ("Yaba, Lagos"), or 0 if there is none."""
        return max((other.population for other in self._around_cities(entry, qualifier)), default=0)

    def _beside(self, entry: Entry, names: Sequence[str]) -> int:
        """Return the population of the largest town of one of the names (of any size) that
        lies beside the entry, at least 1 if there is one, or 0 if there is none."""
        return max(
            (
                max(other.population, 1)
                for name in names
                for other, _quality in self.gazetteer.find(name)
                if other.kind == Kind.CITY and other is not entry and _same_place(entry, other)
            ),
            default=0,
        )

    def _around_cities(self, entry: Entry, qualifier: str) -> list[Entry]:
        """Return the larger cities named `qualifier` that the place lies in or beside."""
        return [
            other
            for other, _quality in self.gazetteer.find(qualifier)
            if other.kind in (Kind.CITY, Kind.VERNACULAR)
            and other.population > entry.population
            and other.country_code == entry.country_code
            and abs(entry.latitude - other.latitude) < AROUND_DEGREES
            and abs(entry.longitude - other.longitude) < AROUND_DEGREES
        ]

    def _directional(self, text: str, qualifiers: Sequence[str], skipped: int) -> list[_Scored]:
        """Read "Northern Bavaria", "Upstate New York" or "Greater Manchester" as the area named."""
        match = _DIRECTIONAL.fullmatch(text)
        if not match:
            return []
        kinds = {Kind.REGION, Kind.COUNTRY, Kind.VERNACULAR}
        if match.group(1).lower() in ("greater", "metro"):
            kinds.add(Kind.CITY)
        return [
            replace(s, score=s.score - 1)
            for s in self._readings(match.group(2), qualifiers, skipped)
            if s.entry.kind in kinds
        ]

    def _answer(self, query: str, ranked: list[_Scored], confidence: float = 1.0) -> Place:
        """Turn ranked readings into a Place with distinct alternatives."""
        distinct: list[_Scored] = []
        for scored in ranked:
            twin = next((d for d in distinct if _same_place(scored.entry, d.entry)), None)
            if twin is None:
                distinct.append(scored)
            elif _prefer_city(scored, twin):
                # "Washington DC", "Hong Kong": the region or country is the city itself.
                distinct[distinct.index(twin)] = replace(scored, score=twin.score)
            if len(distinct) > MAX_CANDIDATES:
                break
        area_named = distinct[0].entry.kind != Kind.CITY  # before a city stands in for it
        distinct = _city_for_region(distinct, ranked)
        best = distinct[0]
        rivals = [
            s
            for s in distinct[1:]
            if s.score > best.score - AMBIGUITY_MARGIN
            # "عمان" is both Oman and Amman: a country by another of its names is no surer
            # than a city of millions elsewhere by as good a name
            or (
                best.entry.kind == Kind.COUNTRY
                and best.quality != PRIMARY
                and s.entry.kind == Kind.CITY
                and s.entry.population >= METROPOLIS
                and s.entry.country_code != best.entry.country_code
                and s.quality >= best.quality
            )
        ]
        ambiguous = bool(rivals)
        confidence = min(confidence, best.cap)
        if ambiguous:
            confidence = min(confidence, 0.5)
        elif best.skipped and (area_named or best.entry.kind != Kind.CITY):
            # text more precise than this ("Hillcrest, California" -> the state's city)
            confidence = min(confidence, FALLBACK_CONFIDENCE)
        elif (
            best.skipped
            and not best.qualifiers
            and _POSTCODE_COUNTRY.get() is None
            and best.entry.population < WELL_KNOWN_CITY
        ):
            # "Alexander Fleming Building, South Kensington": a small town of the last
            # words, with nothing (no region, no postcode) to say which, may be a
            # neighbourhood of a city elsewhere
            confidence = min(confidence, PARTIAL_CONFIDENCE)
        elif best.skipped:
            confidence = min(confidence, 0.8)
        if best.entry.kind == Kind.CITY and best.entry.population < 1000:
            confidence = min(confidence, 0.7)
        candidates = tuple(self._place(query, s, 0.5) for s in distinct[1:] if ambiguous)
        return replace(
            self._place(query, best, confidence), ambiguous=ambiguous, candidates=candidates
        )

    def _place(self, query: str, scored: _Scored, confidence: float) -> Place:
        """Describe one entry as a Place."""
        entry = scored.entry
        precision = _PRECISION[entry.kind]
        if (
            entry.kind in (Kind.REGION, Kind.COUNTRY)
            and entry.anchor
            and (fold(entry.anchor) == fold(entry.name))
        ):
            precision = Precision.CITY  # Hong Kong, Singapore: the country is the city
        return Place(
            query=query,
            latitude=entry.latitude,
            longitude=entry.longitude,
            precision=precision,
            country_code=entry.country_code,
            region=entry.region,
            display_name=self._display_name(entry),
            confidence=confidence,
            timezone=entry.timezone,
        )

    def _display_name(self, entry: Entry) -> str:
        """Write the place as "Atlanta, Georgia, United States"."""
        country_entry = self.gazetteer.country(entry.country_code)
        country = country_entry.name if country_entry else None
        pieces = [entry.name]
        if entry.kind != Kind.REGION and entry.region and entry.region != entry.name:
            pieces.append(entry.region)
        if entry.kind != Kind.COUNTRY and country and country != entry.name:
            pieces.append(country)
        return ", ".join(pieces)


def _same_place(a: Entry, b: Entry) -> bool:
    """Say whether two entries are one place under two names (a city and its district)."""
    return (
        a.country_code == b.country_code
        and abs(a.latitude - b.latitude) < SAME_PLACE_DEGREES
        and abs(a.longitude - b.longitude) < SAME_PLACE_DEGREES
    )


def _spelt_as(scored: _Scored, text: str) -> bool:
    """Say whether the reading is a well-known town whose own name is the text letter for
    letter, accents and all."""
    entry = scored.entry
    return (
        entry.kind == Kind.CITY
        and scored.quality == PRIMARY
        and entry.population >= WELL_KNOWN_CITY
        and entry.name.casefold() == " ".join(text.split()).casefold()
    )


def _written_together(text: str, entry: Entry) -> bool:
    """Say whether the text is the place's own name of several words written as one
    ("Chiangmai" for Chiang Mai): its own name, not another one that may be a word."""
    words = fold(entry.name).split()
    return len(words) > 1 and fold(text) == "".join(words)


def _letters_in_order(short: str, name: str) -> bool:
    """Say whether a short form is the name's first letter and others of it in order, the
    way Mexican states are abbreviated ("gto" in "guanajuato")."""
    if not short or not name or short[0] != name[0]:
        return False
    rest = iter(name[1:])
    return all(letter in rest for letter in short[1:])


def _own_names_first(scored: list[_Scored]) -> list[_Scored]:
    """Drop a town found by another of its names (a former or local one: Carteret was
    "Roosevelt") when a town of that region bears the name as its own ("Roosevelt, New
    Jersey"); a city of LARGE_CITY people keeps its other names ("Koeln, NRW")."""
    own = {
        (s.entry.country_code, s.entry.region)
        for s in scored
        if s.entry.kind == Kind.CITY and s.quality == PRIMARY
    }
    return [
        s
        for s in scored
        if s.entry.kind != Kind.CITY
        or s.quality == PRIMARY
        or s.entry.population >= LARGE_CITY
        or (s.entry.country_code, s.entry.region) not in own
    ]


def _short_name_of(code: str, entry: Entry) -> bool:
    """Say whether a code is what people call the place for short: a region's ("DC") or a
    large city's ("LA", "NYC"), not a smaller town's plate or airport code ("RO": Rho)."""
    return (entry.kind != Kind.CITY or entry.population >= LARGE_CITY) and _short_form(
        code, entry.name
    )


def _initials(code: str, name: str) -> bool:
    """Say whether a code is the initials of a name's words ("DC": District of Columbia)."""
    words = [w for w in fold(name).split() if w not in forms.NAME_PARTICLES and w != "of"]
    return len(words) > 1 and fold(code).replace(" ", "") == "".join(w[0] for w in words)


def _short_form(code: str, name: str) -> bool:
    """Say whether a code shortens the name, its letters in order from the first ("LA" for
    Los Angeles, "BCN" for Barcelona), rather than being the name itself ("Il", "Wa")."""
    letters, key = fold(code).replace(" ", ""), fold(name).replace(" ", "")
    if letters == key or not key.startswith(letters[0]):
        return False
    rest = iter(key[1:])
    return all(letter in rest for letter in letters[1:])


def _without_not_a_place(text: str) -> str:
    """Drop "online", "virtual", "hybrid" and similar from "Berlin / Online" or "UK Online"."""
    pieces = re.split(r"\s*(?:/|\+|&|\bor\b|\band\b|:)\s*|\s+", text)
    if not any(fold(p) in NOT_A_PLACE or fold(p) in _FILLER for p in pieces if p):
        return text
    kept = re.sub(
        r"(?i)(?:^|(?<=[\s/+&:,]))(?:" + "|".join(_NOT_A_PLACE_WORDS) + r")(?=$|[\s/+&:,])",
        " ",
        text,
    )
    kept = re.sub(r"\s*(?:/|\+|&|:)\s*(?=$|,)|^\s*(?:/|\+|&|:)\s*", " ", kept)
    kept = re.sub(r"\s*(?:/|\+|&)\s*", ", ", kept.strip())
    kept = " ".join(kept.split()).strip(" ,")
    words = re.findall(r"\w+", kept)
    if any(c.isupper() for c in text) and (
        all(w.islower() for w in words) or all(fold(w) in _ARTICLES for w in words)
    ):
        return ""  # "Zoom call", "The Internet": what is left is no name
    return kept


def _clean_part(part: str) -> str:
    """Drop postcodes and house numbers from one comma part: "Sydney NSW 2000" -> "Sydney NSW"."""
    return forms.without_postcodes(part)


def _regions_as_their_cities(scored: list[_Scored]) -> list[_Scored]:
    """Score a region that its own large city will stand for by that city's people, not all
    the region's, when a larger city of the name lies elsewhere: "Saint Louis" is St. Louis
    before the Senegalese city, though the Senegalese region holds more people than either."""
    cities = [(c.entry, c.quality) for c in scored if c.entry.kind == Kind.CITY]
    if not cities or all(s.entry.kind != Kind.REGION for s in scored):
        return scored
    rescored = []
    for s in scored:
        stand_in = max(
            (
                city.population
                for city, _quality in cities
                if s.entry.kind == Kind.REGION
                and city.country_code == s.entry.country_code
                and city.region == s.entry.name
                and city.population >= CITY_OVER_REGION * s.entry.population
            ),
            default=None,
        )
        if stand_in is not None and any(  # a larger city by as good a name
            city.population > stand_in
            and city.country_code != s.entry.country_code
            and quality >= s.quality
            for city, quality in cities
        ):
            own_name = 1.0 if s.quality == PRIMARY else 0.0
            s = replace(s, score=log10(max(stand_in, UNKNOWN_POPULATION)) + own_name)
        elif s.entry.kind == Kind.REGION and any(
            # "Bari": the Italian city of 316,000 before the Somali region of 134,000
            city.population > s.entry.population
            and city.country_code != s.entry.country_code
            and quality >= s.quality
            for city, quality in cities
        ):
            s = replace(s, score=s.score - _KIND_BONUS[Kind.REGION])
        rescored.append(s)
    return rescored


def _city_for_region(distinct: list[_Scored], ranked: list[_Scored]) -> list[_Scored]:
    """Prefer a big city over a region that shares its name (Kiev, Buenos Aires, New York)."""
    best = distinct[0]
    if best.entry.kind != Kind.REGION:
        return distinct
    for scored in ranked:
        entry = scored.entry
        if (
            entry.kind == Kind.CITY
            and entry.country_code == best.entry.country_code
            and (
                entry.population >= CITY_OVER_REGION * best.entry.population
                # "Tainan" is the city's own name and only one of its province's others
                # and "台南" one of the city's other names as good as the province's
                or (
                    scored.quality >= best.quality
                    and best.quality != PRIMARY
                    and entry.population >= LARGE_CITY
                )
            )
        ):
            city = replace(scored, score=best.score)
            rest = [d for d in distinct if d.entry is not entry]
            if _same_place(entry, best.entry) or (
                best.quality != PRIMARY and entry.region == best.entry.name
            ):
                # the region is the city's own ("St.-Petersburg"), or holds the city and is
                # named so only by one of its other names ("Tainan" for Taiwan province)
                rest = rest[1:]
            return [city, *rest]
    return distinct


def _prefer_city(city: _Scored, area: _Scored) -> bool:
    """Say whether a city found under the same name should stand for a region or country."""
    return (
        city.entry.kind == Kind.CITY
        and area.entry.kind in (Kind.REGION, Kind.COUNTRY)
        and area.entry.anchor == city.entry.name
        and (city.quality == PRIMARY or area.quality != PRIMARY)
    )


def _location(place: Place) -> Location:
    """Wrap a Place as geopy's Location, raw data included."""
    return Location(place.display_name, (place.latitude, place.longitude), place.as_dict())
