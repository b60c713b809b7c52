"""Geocoding: turn the place text organizers type into a point, offline first."""

from .offline import OfflineGeocoder
from .place import Place, Precision
from .text import NOT_A_PLACE, fold
from .timezones import timezone_at

__all__ = ["NOT_A_PLACE", "OfflineGeocoder", "Place", "Precision", "fold", "timezone_at"]
