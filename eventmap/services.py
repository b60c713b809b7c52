"""Services the app is configured with, looked up where domain code needs them."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from .extensions import db
from .geocode_cache import DatabaseAnswerCache
from .geocoding import Geocoder, OfflineGeocoder
from .geocoding.chain import GeocoderChain
from .geocoding.online import NominatimGeocoder
from .photo_storage import PhotoStorage, storage_from_config

_EXTENSION_KEY = "eventmap.geocoder"
_STORAGE_KEY = "eventmap.photo_storage"
GEOCODERS = ("offline", "nominatim")


def build_geocoder(app: Flask) -> Geocoder:
    """Make the geocoder the config asks for: an object (tests), "offline" or "nominatim"."""
    configured = app.config.get("GEOCODER") or "offline"
    if not isinstance(configured, str):
        return configured
    if configured not in GEOCODERS:
        raise ValueError(f"GEOCODER={configured!r} is not one of: {', '.join(GEOCODERS)}")
    offline = OfflineGeocoder(Path(app.config["GAZETTEER_DIR"]))
    if configured == "offline":
        return offline
    online = NominatimGeocoder(
        app.config["NOMINATIM_URL"],
        app.config["NOMINATIM_USER_AGENT"],
        timeout=app.config["NOMINATIM_TIMEOUT"],
        min_delay_seconds=app.config["NOMINATIM_MIN_DELAY"],
    )
    with app.app_context():
        engine = db.engine
    return GeocoderChain(offline, online, DatabaseAnswerCache(engine))


def geocoder() -> Geocoder:
    """Return the current app's geocoder, made once per app."""
    extensions = current_app.extensions
    if _EXTENSION_KEY not in extensions:
        extensions[_EXTENSION_KEY] = build_geocoder(current_app)
    return extensions[_EXTENSION_KEY]


def use_geocoder(app: Flask, configured: Geocoder | str) -> None:
    """Configure the app's geocoder anew (an object, "offline" or "nominatim"), made on next use."""
    app.config["GEOCODER"] = configured
    app.extensions.pop(_EXTENSION_KEY, None)


def photo_storage() -> PhotoStorage:
    """Return the current app's photo storage (local disk or S3), made once per app."""
    extensions = current_app.extensions
    if _STORAGE_KEY not in extensions:
        config, folder = current_app.config, current_app.instance_path
        extensions[_STORAGE_KEY] = storage_from_config(config, folder)
    return extensions[_STORAGE_KEY]
