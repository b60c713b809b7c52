"""GEOCODER=nominatim: offline first, then a Nominatim server (a local stand-in here), cached."""

from __future__ import annotations

import socket

import pytest

from eventmap.extensions import db
from eventmap.geocoding import OfflineGeocoder, Precision
from eventmap.geocoding.chain import GeocoderChain
from eventmap.geocoding.online import NominatimGeocoder
from eventmap.models import GeocodeAnswer
from eventmap.services import build_geocoder, use_geocoder

from .standin import nominatim_standin

VENUE = "Zentrum für Kunst und Medien, Lorenzstraße 19, Karlsruhe"


@pytest.fixture
def standin():
    with nominatim_standin() as running:
        yield running


@pytest.fixture
def nominatim_app(app, standin):
    app.config.update(
        NOMINATIM_URL=standin.url,
        NOMINATIM_MIN_DELAY=0,
        NOMINATIM_USER_AGENT="eventmap-tests",
    )
    use_geocoder(app, "nominatim")
    return app


def test_the_app_builds_the_chain_from_config(nominatim_app):
    chain = build_geocoder(nominatim_app)
    assert isinstance(chain, GeocoderChain)
    assert isinstance(chain.offline, OfflineGeocoder)
    assert chain.online.url.startswith("http://127.0.0.1:")


def test_a_clear_offline_answer_never_asks_the_server(nominatim_app, standin, ctx):
    place = build_geocoder(nominatim_app).lookup("Kazan, Russia")
    assert place.country_code == "RU"
    assert standin.asked == []


def test_what_offline_cannot_place_is_asked_once_and_cached(nominatim_app, standin, ctx):
    standin.knows(VENUE, 49.0013, 8.3836, "arts_centre", "DE", "Baden-Württemberg")
    chain = build_geocoder(nominatim_app)

    first = chain.lookup(VENUE)
    again = build_geocoder(nominatim_app).lookup(VENUE)  # a new worker: the database remembers

    assert first.precision == Precision.VENUE
    assert (first.latitude, first.longitude) == (49.0013, 8.3836)
    assert first.country_code == "DE"
    assert first.timezone == "Europe/Berlin"
    assert again == first
    assert len(standin.asked) == 1
    asked = standin.asked[0]
    assert asked["q"] == [VENUE]
    assert asked["addressdetails"] == ["1"]
    row = db.session.query(GeocodeAnswer).one()
    assert (row.source, row.precision) == ("nominatim", Precision.VENUE)


def test_not_found_is_cached_too(nominatim_app, standin, ctx):
    chain = build_geocoder(nominatim_app)
    assert chain.lookup("Xqzv Wrplk Hall") is None
    assert chain.lookup("xqzv wrplk hall") is None  # same place text, folded
    assert len(standin.asked) == 1


def test_an_ambiguous_offline_answer_is_settled_online(nominatim_app, standin, ctx):
    standin.knows("Georgia", 32.6, -83.4, "state", "US", "Georgia", "Georgia, United States")
    place = build_geocoder(nominatim_app).lookup("Georgia")
    assert (place.country_code, place.precision) == ("US", Precision.REGION)


def test_an_unreachable_server_falls_back_to_offline_and_caches_nothing(app, ctx):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    app.config.update(
        GEOCODER="nominatim",
        NOMINATIM_URL=f"http://127.0.0.1:{port}",
        NOMINATIM_MIN_DELAY=0,
        NOMINATIM_TIMEOUT=2,
    )
    chain = build_geocoder(app)
    georgia = chain.lookup("Georgia")
    assert georgia is not None
    assert georgia.ambiguous  # the offline answer, alternatives and all
    assert chain.lookup(VENUE).display_name.startswith("Karlsruhe")  # venue text skipped
    assert db.session.query(GeocodeAnswer).count() == 0


def test_nominatim_address_types_map_to_precision(standin):
    standin.knows("Bavaria", 48.9, 11.4, "state", "DE", "Bavaria")
    standin.knows("Brno", 49.19, 16.6, "city", "CZ", "South Moravian")
    standin.knows("Kenya", 0.5, 37.9, "country", "KE")
    online = NominatimGeocoder(standin.url, "eventmap-tests", min_delay_seconds=0)
    assert online.lookup("Bavaria").precision == Precision.REGION
    assert online.lookup("Brno").precision == Precision.CITY
    assert online.lookup("Kenya").precision == Precision.COUNTRY
    assert online.lookup("Nowhere at all") is None


def test_an_unknown_geocoder_setting_is_refused(app):
    app.config["GEOCODER"] = "google"
    with pytest.raises(ValueError, match="not one of: offline, nominatim"):
        build_geocoder(app)
