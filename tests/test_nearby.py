"""Nearest parties through the index equal the naive way, antimeridian and poles included."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from eventmap.extensions import db
from eventmap.models import Event
from eventmap.nearby import POINT_PATTERN, bounding_box, naive_nearest, nearest, parse_point

latitudes = st.one_of(st.floats(-90, 90), st.sampled_from([-90.0, -89.9, 89.9, 90.0, 0.0]))
longitudes = st.one_of(st.floats(-180, 180), st.sampled_from([-180.0, -179.95, 179.95, 180.0]))
points = st.tuples(latitudes, longitudes)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(points, min_size=0, max_size=40),
    points,
    st.integers(min_value=1, max_value=12),
    st.one_of(st.none(), st.floats(1, 25_000)),
)
def test_the_index_finds_exactly_what_measuring_everything_finds(
    make_event, parties, here, limit, radius
):
    db.session.execute(delete(Event))
    db.session.commit()
    for latitude, longitude in parties:
        make_event(latitude=latitude, longitude=longitude)
    make_event(latitude=None, longitude=None, precision=None)  # not on the map: never found

    result = nearest(*here, limit=limit, radius_km=radius)
    reference = naive_nearest(*here, limit=len(parties) + 1)

    got = [(n.event.id, round(n.distance_km, 6)) for n in result.items]
    if radius is not None and any(n.distance_km <= radius for n in reference):
        expected = [
            (n.event.id, round(n.distance_km, 6)) for n in reference if n.distance_km <= radius
        ]
        assert result.within_radius
    else:
        expected = [(n.event.id, round(n.distance_km, 6)) for n in reference]
        assert result.within_radius == (radius is None)
    assert got == expected[:limit]


def test_the_box_splits_at_the_antimeridian_and_opens_at_the_poles():
    south, north, ranges = bounding_box(0, 179.9, 100)
    assert ranges[0][1] == 180.0
    assert ranges[1][0] == -180.0
    assert south < 0 < north
    assert bounding_box(89.5, 10, 100)[2] == [(-180.0, 180.0)]
    assert bounding_box(-89.5, 10, 100)[2] == [(-180.0, 180.0)]
    assert bounding_box(10, 10, 30_000)[2] == [(-180.0, 180.0)]


def test_across_the_antimeridian_the_neighbour_is_found(make_event):
    fiji = make_event(latitude=-17.7, longitude=179.9, title="Fiji")
    make_event(latitude=-17.7, longitude=170.0, title="Far west")
    samoa_side = nearest(-17.7, -179.9, limit=1).items
    assert samoa_side[0].event.id == fiji.id
    assert samoa_side[0].distance_km < 25


def test_nothing_within_the_radius_gives_the_nearest_anyway(make_event):
    munich = make_event(latitude=48.137, longitude=11.575)
    result = nearest(52.52, 13.405, radius_km=100)  # Berlin: Munich is ~500 km away
    assert not result.within_radius
    assert [n.event.id for n in result.items] == [munich.id]
    assert 480 < result.items[0].distance_km < 520


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"latitude": 91, "longitude": 0}, "latitude"),
        ({"latitude": 0, "longitude": 181}, "longitude"),
        ({"latitude": 0, "longitude": 0, "limit": 0}, "limit"),
    ],
)
def test_impossible_questions_are_refused(ctx, kwargs, message):
    with pytest.raises(ValueError, match=message):
        nearest(**kwargs)


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("48.14,11.58", (48.14, 11.58)),
        ("-90,-180", (-90.0, -180.0)),
        ("90.000,180.0", (90.0, 180.0)),
        ("09,-0", (9.0, 0.0)),
        ("32.60000,-83.40000", (32.6, -83.4)),
    ],
)
def test_a_point_is_read_in_decimal_degrees(text, point):
    assert parse_point(text) == point


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("90.1,0", "within ±90"),
        ("0,180.5", "within ±180"),
        ("1e1,2", "LAT,LON"),  # float() reads all of these; a point in an address is plainer
        (" 1,2", "LAT,LON"),
        ("1, 2", "LAT,LON"),
        ("+1,2", "LAT,LON"),
        ("1_0,2", "LAT,LON"),
        ("١,٢", "LAT,LON"),
        ("inf,0", "LAT,LON"),
        ("1.,2", "LAT,LON"),
    ],
)
def test_anything_but_plain_decimal_degrees_is_refused(text, message):
    with pytest.raises(ValueError, match=message):
        parse_point(text)


@given(st.from_regex(POINT_PATTERN))
def test_every_point_the_pattern_allows_is_read_within_bounds(text):
    latitude, longitude = parse_point(text)
    assert -90 <= latitude <= 90
    assert -180 <= longitude <= 180


@given(points)
def test_points_as_the_pages_write_them_are_read_back(point):
    latitude, longitude = point
    text = f"{latitude:.5f},{longitude:.5f}"
    assert parse_point(text) == (float(f"{latitude:.5f}"), float(f"{longitude:.5f}"))
