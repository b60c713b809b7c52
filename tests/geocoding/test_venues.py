"""Institution and venue names with no town (issue 16, cause `venue-only`), through the index.

The index holds US colleges (us-colleges, institutions.py; tests/geocoding/test_institutions.py)
and no other institution: no package ships a world registry with coordinates (README's
geocoding section). What must hold: a venue word alone is never answered as an institution, an
institution never beats the town and country the text states, a college lands at its campus,
and a name the geocoder cannot place is never a confident pin.
"""

from __future__ import annotations

import pytest
from geopy.distance import geodesic

from eventmap.geocoding import OfflineGeocoder, Precision


@pytest.fixture(scope="module")
def geocoder() -> OfflineGeocoder:
    return OfflineGeocoder()


PARIS, LYON = (48.857, 2.352), (45.764, 4.836)
NASHVILLE, HOUSTON = (36.166, -86.784), (29.763, -95.363)


@pytest.mark.parametrize(
    "query",
    [
        "University",
        "Library",
        "Institute",
        "Campus",
        "University Library",
        "Research Institute",
        "National Laboratory",
    ],
)
def test_a_venue_word_alone_is_not_a_confident_place(geocoder, query):
    place = geocoder.lookup(query)
    assert place is None or place.needs_check, place


@pytest.mark.parametrize(
    ("query", "country", "point"),
    [
        # the institution is elsewhere (California, Massachusetts, Australia): the text's
        # town and country win
        ("Stanford University, Paris, France", "FR", PARIS),
        ("Harvard University, Lyon, France", "FR", LYON),
        ("CSIRO, Paris, France", "FR", PARIS),
        ("Library, Paris, France", "FR", PARIS),
        # the institution is in the stated town: the town's point
        ("Vanderbilt University, Nashville, TN", "US", NASHVILLE),
        ("Rice University, Houston, Texas", "US", HOUSTON),
    ],
)
def test_a_stated_town_and_country_beat_the_institution(geocoder, query, country, point):
    place = geocoder.lookup(query)
    assert place is not None
    assert place.country_code == country, place
    assert geodesic(point, (place.latitude, place.longitude)).km <= 25, place


RICE, DUKE = (29.717, -95.402), (36.001, -78.939)
BRANDEIS, CORNELL = (42.366, -71.259), (42.447, -76.483)


@pytest.mark.parametrize(
    ("query", "campus"),
    [
        ("Rice University", RICE),
        ("Duke University", DUKE),
        ("Brandeis University", BRANDEIS),
        ("Cornell University", CORNELL),
    ],
)
def test_a_college_with_no_town_lands_at_its_campus(geocoder, query, campus):
    place = geocoder.lookup(query)
    assert place is not None
    assert place.precision == Precision.VENUE, place
    assert place.country_code == "US"
    assert geodesic(campus, (place.latitude, place.longitude)).km <= 2, place
    assert not place.needs_check, place
    assert not place.ambiguous, place


@pytest.mark.parametrize(
    "query",
    [
        "Bodleian Library",
        "Smithsonian Institution",
        "Lincoln Center",  # a venue named after a person is not the town Lincoln
        "MIT",  # an acronym alone
    ],
)
def test_an_institution_with_no_town_is_never_a_confident_pin(geocoder, query):
    place = geocoder.lookup(query)
    assert place is None or place.needs_check, place
