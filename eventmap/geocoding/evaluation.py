"""Score a geocoder against a labelled set of queries (tests/data/geocoder_dev.csv)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from geopy.distance import geodesic

from .gazetteer import Gazetteer
from .place import Place, Precision
from .text import fold


@dataclass(frozen=True)
class Case:
    """One labelled query: what kind of place it is and where."""

    query: str
    expect: str  # city, region, country or none
    country_code: str | None
    region: str | None
    point: tuple[float, float] | None
    max_km: float | None
    note: str


@dataclass
class Score:
    """How many cases a geocoder got right, and which it missed."""

    total: int = 0
    correct: int = 0
    misses: list[tuple[Case, Place | None]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Return the share of cases answered correctly."""
        return self.correct / self.total if self.total else 0.0


def read_cases(path: Path) -> list[Case]:
    """Read the labelled set."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Case(
                query=row["query"],
                expect=row["expect"],
                country_code=row["country_code"] or None,
                region=row["region"] or None,
                point=(float(row["latitude"]), float(row["longitude"]))
                if row["latitude"]
                else None,
                max_km=float(row["max_km"]) if row["max_km"] else None,
                note=row["note"],
            )
            for row in csv.DictReader(handle)
        ]


def is_correct(case: Case, place: Place | None) -> bool:
    """Judge one answer: not found for non-places; else right country, and near or same region."""
    if case.expect == "none":
        return place is None
    if place is None or place.country_code != case.country_code:
        return False
    if case.expect == "country":
        return True  # the right country is all that a country-level query asks
    near = (
        case.point is not None
        and case.max_km is not None
        and geodesic(case.point, (place.latitude, place.longitude)).km <= case.max_km
    )
    if case.expect == "region":
        same_region = case.region is not None and fold(place.region or "") == fold(case.region)
        return same_region or near
    return near


def score(lookup: Callable[[str], Place | None], cases: Iterable[Case]) -> Score:
    """Run every case through `lookup` and count the right answers."""
    result = Score()
    for case in cases:
        place = lookup(case.query)
        result.total += 1
        if is_correct(case, place):
            result.correct += 1
        else:
            result.misses.append((case, place))
    return result


def naive_lookup(gazetteer: Gazetteer) -> Callable[[str], Place | None]:
    """Return the naive geocoder: the most populous place whose name is exactly the text."""

    def lookup(query: str) -> Place | None:
        found = gazetteer.find(query)
        if not found:
            return None
        entry = max((e for e, _quality in found), key=lambda e: e.population)
        return Place(
            query=query,
            latitude=entry.latitude,
            longitude=entry.longitude,
            precision=Precision.CITY,
            country_code=entry.country_code,
            region=entry.region,
            display_name=entry.name,
            confidence=1.0,
            timezone=entry.timezone,
        )

    return lookup
