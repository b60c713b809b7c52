"""The IANA time zone at a point, from timezonefinder's offline data."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder


@cache
def _finder() -> TimezoneFinder:
    """Load timezonefinder's data once per process, when a point first needs its zone.

    Imported here rather than at the top: timezonefinder brings numpy, which a worker that
    only serves pages never needs.
    """
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def timezone_at(latitude: float, longitude: float) -> str | None:
    """Return the time zone name at a point, or None over open sea with no zone."""
    finder = _finder()
    return finder.timezone_at(lng=longitude, lat=latitude) or finder.timezone_at_land(
        lng=longitude, lat=latitude
    )
