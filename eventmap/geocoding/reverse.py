"""The nearest known town to a point, for pins that organizers place by hand."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from geopy.distance import great_circle

# A pin farther than this from every GeoNames town (mid-ocean, Antarctica) names no country.
MAX_DISTANCE_KM = 100.0


@dataclass(frozen=True)
class NearestCity:
    """A town near a point: its name, region and country."""

    name: str
    region: str | None
    country_code: str
    distance_km: float


@cache
def _reverse_geocode() -> Any:
    """Import reverse_geocode lazily: building its index takes a second or two."""
    import reverse_geocode

    return reverse_geocode


def nearest_city(latitude: float, longitude: float) -> NearestCity | None:
    """Return the nearest town of at least 1,000 people within MAX_DISTANCE_KM, or None."""
    found = _reverse_geocode().get((latitude, longitude))
    if not found:
        return None
    distance = great_circle((latitude, longitude), (found["latitude"], found["longitude"])).km
    if distance > MAX_DISTANCE_KM:
        return None
    return NearestCity(
        name=found["city"],
        region=found.get("state") or None,
        country_code=found["country_code"],
        distance_km=distance,
    )
