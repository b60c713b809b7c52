"""Services the app is configured with, looked up where domain code needs them."""

from __future__ import annotations

from flask import current_app

from .geocoding import OfflineGeocoder
from .importer import Geocoder

_EXTENSION_KEY = "eventmap.geocoder"


def geocoder() -> Geocoder:
    """Return the app's geocoder: config GEOCODER (an object, for tests) or the offline one."""
    extensions = current_app.extensions
    if _EXTENSION_KEY not in extensions:
        configured = current_app.config.get("GEOCODER")
        extensions[_EXTENSION_KEY] = configured if configured is not None else OfflineGeocoder()
    return extensions[_EXTENSION_KEY]
