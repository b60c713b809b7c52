"""Distances as the visitor reads them: kilometres, or miles where people use miles."""

from __future__ import annotations

from flask import request

# Where people read road distances in miles.
MILES_REGIONS = {"US", "GB", "LR", "MM"}
KM_PER_MILE = 1.609344


def prefers_miles(accept_language: str) -> bool:
    """Tell from Accept-Language whether the visitor reads distances in miles."""
    for tag in accept_language.replace(" ", "").split(","):
        parts = tag.split(";")[0].replace("_", "-").split("-")
        if len(parts) > 1:
            return parts[1].upper() in MILES_REGIONS
    return False


def distance_text(km: float, miles: bool) -> str:
    """Write a distance the way the visitor reads it, the other unit beside it."""
    metric = f"{km:,.0f} km" if km >= 10 else f"{km:,.1f} km"
    if not miles:
        return metric
    mi = km / KM_PER_MILE
    return (f"{mi:,.0f} mi" if mi >= 10 else f"{mi:,.1f} mi") + f" ({metric})"


def visitor_distance(km: float) -> str:
    """Write a distance in the units of this request's visitor (from Accept-Language)."""
    return distance_text(km, prefers_miles(request.headers.get("Accept-Language", "")))
