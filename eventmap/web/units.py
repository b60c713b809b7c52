"""Distances as the visitor reads them: kilometres, or miles where people use miles.

The rule is the territory's (`eventmap.localdates.MILES_TERRITORIES`): the region of the
visitor's language in Accept-Language ("en-US", "en-GB": miles), else that language's home
(Japanese: Japan, km); English with no region is read in kilometres. Digits and unit names are
the visitor's language's ("1.234 km", "5,2 km", "10 ميل").
"""

from __future__ import annotations

from ..localdates import KM_PER_MILE, MILES_TERRITORIES, format_distance
from .i18n import current_language, uses_miles

MILES_REGIONS = MILES_TERRITORIES
__all__ = ["KM_PER_MILE", "distance_text", "prefers_miles", "visitor_distance", "visitor_miles"]


def prefers_miles(accept_language: str) -> bool:
    """Tell from Accept-Language alone whether its first tag with a region reads miles."""
    for tag in accept_language.replace(" ", "").split(","):
        parts = tag.split(";")[0].replace("_", "-").split("-")
        if len(parts) > 1:
            return parts[1].upper() in MILES_REGIONS
    return False


def distance_text(km: float, miles: bool, locale: str = "en") -> str:
    """Write a distance the way the visitor reads it, the other unit beside it."""
    return format_distance(km, miles, locale)


def visitor_miles() -> bool:
    """Tell whether this request's visitor reads miles (their language and region)."""
    return uses_miles()


def visitor_distance(km: float) -> str:
    """Write a distance in the units and language of this request's visitor."""
    return distance_text(km, uses_miles(), current_language())
