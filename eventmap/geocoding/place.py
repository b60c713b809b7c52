"""What a geocoder answers: a point, how precise it is, and where it is."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Precision(StrEnum):
    """How closely a point marks the place: a venue, a city, a region or only a country."""

    VENUE = "venue"
    CITY = "city"
    REGION = "region"
    COUNTRY = "country"

    @property
    def approximate(self) -> bool:
        """Tell whether the point stands for a whole region or country, not a place to go to."""
        return self in (Precision.REGION, Precision.COUNTRY)

    @property
    def note(self) -> str:
        """Say how exact the point is, in the words every page and map script uses."""
        return _NOTES[self]

    @classmethod
    def approximate_kinds(cls) -> str:
        """Name the approximate precisions for legends ("region or country")."""
        return " or ".join(p.value for p in cls if p.approximate)


# Below this confidence an answer is one to check: a misspelling read, a part of the text
# left unread, a fallback to the region or country, or one of several same-named places.
CONFIDENT = 0.8


def unsure(confidence: float | None) -> bool:
    """Tell whether a geocoder's confidence marks an answer to check (None: no geocoder answer)."""
    return confidence is not None and confidence < CONFIDENT


def N_(text: str) -> str:  # noqa: N802 - the marker pybabel extracts by default
    """Mark English words for the catalogues; the web layer translates them when shown."""
    return text


_NOTES = {
    Precision.VENUE: N_("exact place"),
    Precision.CITY: N_("in or near the city"),
    Precision.REGION: N_("approximate: somewhere in the region"),
    Precision.COUNTRY: N_("approximate: somewhere in the country"),
}
# Each precision's name as a moderator reads it (the values stay English in files and APIs).
PRECISION_NAMES = {
    Precision.VENUE: N_("venue"),
    Precision.CITY: N_("city"),
    Precision.REGION: N_("region"),
    Precision.COUNTRY: N_("country"),
}


@dataclass(frozen=True)
class Place:
    """A geocoder's answer for one query, with the other places it could have meant."""

    query: str
    latitude: float
    longitude: float
    precision: Precision
    country_code: str | None
    region: str | None
    display_name: str
    confidence: float
    timezone: str | None
    ambiguous: bool = False
    candidates: tuple[Place, ...] = field(default=())

    @property
    def needs_check(self) -> bool:
        """Tell whether the geocoder is unsure it read the text right (a guess to confirm)."""
        return unsure(self.confidence)

    def as_dict(self) -> dict[str, Any]:
        """Return the answer as plain JSON-ready data (candidates without their own candidates)."""
        data = asdict(self)
        data["precision"] = self.precision.value
        data["candidates"] = [
            {k: v for k, v in c.as_dict().items() if k not in ("candidates", "query")}
            for c in self.candidates
        ]
        return data


def answer(query: str, place: Place | None) -> dict[str, Any]:
    """Return one query's answer in the CLI's JSON shape (lat and lon null when not found)."""

    def point(p: Place) -> dict[str, Any]:
        return {
            "lat": p.latitude,
            "lon": p.longitude,
            "precision": p.precision.value,
            "country_code": p.country_code,
            "region": p.region,
            "display_name": p.display_name,
            "confidence": p.confidence,
        }

    if place is None:
        empty = dict.fromkeys(("lat", "lon", "precision", "country_code", "region"))
        return {
            "query": query,
            **empty,
            "display_name": None,
            "confidence": 0.0,
            "ambiguous": False,
            "candidates": [],
        }
    return {
        "query": query,
        **point(place),
        "ambiguous": place.ambiguous,
        "candidates": [point(c) for c in place.candidates],
    }


class Geocoder(Protocol):
    """Anything that answers a place text with a Place or None: what every caller needs."""

    def lookup(self, query: str) -> Place | None: ...  # pragma: no cover - protocol
