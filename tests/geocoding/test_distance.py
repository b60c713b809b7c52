"""The one great-circle distance the app uses agrees with geopy's."""

from __future__ import annotations

import pytest
from geopy.distance import great_circle
from hypothesis import given
from hypothesis import strategies as st

from eventmap.geocoding import great_circle_km

latitudes = st.floats(min_value=-90, max_value=90)
longitudes = st.floats(min_value=-180, max_value=180)


@given(latitudes, longitudes, latitudes, longitudes)
def test_it_matches_geopy_great_circle(lat1, lon1, lat2, lon2):
    expected = great_circle((lat1, lon1), (lat2, lon2)).km
    # The two formulas round differently; they agree to well within a metre.
    assert great_circle_km(lat1, lon1, lat2, lon2) == pytest.approx(expected, abs=1e-3)


def test_known_distances():
    assert great_circle_km(0, 179.5, 0, -179.5) == pytest.approx(111.19, abs=0.01)
    assert great_circle_km(90, 0, -90, 0) == pytest.approx(20_015.1, abs=0.1)
