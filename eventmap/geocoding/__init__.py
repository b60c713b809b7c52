"""Geocoding: turn the place text organizers type into a point, offline first."""

from .distance import EARTH_RADIUS_KM, great_circle_km
from .offline import OfflineGeocoder
from .place import CONFIDENT, Geocoder, Place, Precision, unsure
from .text import NOT_A_PLACE, fold
from .timezones import timezone_at

__all__ = [
    "CONFIDENT",
    "EARTH_RADIUS_KM",
    "NOT_A_PLACE",
    "Geocoder",
    "OfflineGeocoder",
    "Place",
    "Precision",
    "fold",
    "great_circle_km",
    "timezone_at",
    "unsure",
]
