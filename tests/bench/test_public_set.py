"""The public real-text geocoder set: well formed, sourced, and rebuilt from its raw extracts."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bench import public_set
from eventmap.geocoding.evaluation import read_cases

CSV = Path(__file__).resolve().parents[1] / "data" / "geocoder_public.csv"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_set_has_the_evaluators_columns_and_a_source_for_every_row(rows):
    with CSV.open(encoding="utf-8", newline="") as handle:
        assert tuple(next(csv.reader(handle))) == public_set.COLUMNS
    assert len(rows) >= 1000
    for row in rows:
        assert row["query"].strip() == row["query"]
        assert row["query"]
        assert row["expect"] in {"city", "region", "country"}
        assert len(row["country_code"]) == 2
        assert row["country_code"].isupper()
        assert row["note"]
        repo, _, rest = row["source"].partition(":")
        assert "/" in repo, row["source"]
        assert "@" in rest, row["source"]


def test_pins_are_in_range_and_strings_are_not_repeated(rows):
    for row in rows:
        latitude, longitude = float(row["latitude"]), float(row["longitude"])
        assert -90 <= latitude <= 90
        assert -180 <= longitude <= 180
        assert (latitude, longitude) != (0, 0)
        assert float(row["max_km"]) > 0
    assert len({row["query"] for row in rows}) == len(rows)


def test_no_source_dominates(rows):
    by_repo: dict[str, int] = {}
    for row in rows:
        repo = row["source"].split(":")[0]
        by_repo[repo] = by_repo.get(repo, 0) + 1
    assert len(by_repo) >= 4
    assert max(by_repo.values()) / len(rows) < 0.5


def test_the_evaluator_reads_every_row():
    cases = read_cases(CSV)
    assert len(cases) >= 1000
    assert all(c.point is not None and c.max_km for c in cases)


def test_the_committed_csv_is_what_the_builder_makes_from_the_extracts(rows):
    built, _dropped, _sources = public_set.build()
    assert built == rows


@pytest.mark.parametrize(
    ("query", "country", "label"),
    [
        ("Москва", "RU", "non-latin"),
        ("Sweden", "SE", "country-only"),
        ("Pennsylvania, USA", "US", "region"),
        ("Room 3077, Building 32", "GB", "venue-only"),
        ("Woodhouse Lane, Leeds, LS2 9JT", "GB", "postcode"),
        ("University of Oslo", "NO", "venue-with-town"),
        ("Minneapolis / St. Paul, MN", "US", "two-places"),
        ("Davao City, Philippines", "PH", "designator"),
        ("Leeds", "GB", "town"),
        ("Bursa, Turkey", "TR", "town-and-qualifier"),
        ("Santa Satarina, Brazil", "BR", "unlisted-or-misspelt"),
    ],
)
def test_causes_come_from_one_general_rule(query, country, label):
    assert public_set.cause(query, country) == label


def test_pins_that_contradict_the_text_are_dropped():
    raw = public_set.Raw
    assert public_set.pin_problem(raw("Surabaya, Indonesia", "", 45.5, -78.56, "s")) == (
        "pin outside the stated country"
    )
    assert public_set.pin_problem(raw("Delhi", "", 30.7334, 76.7791, "s")) == (
        "pin far from every town of that name"
    )
    assert public_set.pin_problem(raw("Aarhus University", "DK", -33.77, 151.11, "s"))
    assert public_set.pin_problem(raw("Nowhere", "US", None, None, "s")) == "no coordinates"
    assert public_set.pin_problem(raw("Leeds", "GB", 53.8, -1.55, "s")) is None


def test_a_town_and_region_pinned_beyond_the_bar_from_every_place_of_the_name_is_dropped():
    raw = public_set.Raw
    # Urbana, Illinois is at (40.11, -88.21); this pin is in Chicago, the state named by ISO code
    assert public_set.pin_problem(raw("Urbana, IL", "", 41.88, -87.63, "s")) == (
        "pin far from every place of that name in the named region"
    )
    assert public_set.pin_problem(raw("Urbana, IL", "", 40.11, -88.21, "s")) is None
    # a name no source lists in that region is the geocoder's gap, not the pin's: kept
    assert public_set.pin_problem(raw("Hillcrest, California", "", 32.746, -117.153, "s")) is None


def test_a_region_the_pin_lies_in_is_a_region_though_a_far_town_bears_its_name():
    # Aragua de Barcelona (Anzoátegui) is also "Aragua"; the pin is in Aragua state
    assert public_set.region_named("Aragua, Venezuela", "VE", (9.894, -67.215)) == "Aragua"
    assert public_set.region_named("Aragua, Venezuela", "VE") is None
    assert public_set.region_named("CA, United States", "US") == "California"  # its ISO code


def test_a_pin_outside_the_region_the_string_states_last_is_dropped():
    raw = public_set.Raw
    # Olathe, Kansas, for Kansas City, Missouri: the country rule one level down
    assert public_set.pin_problem(raw("Kansas City, Mo", "US", 38.857, -94.768, "s")) == (
        "pin outside the stated region"
    )
    assert public_set.pin_problem(raw("Kansas City, Mo", "US", 39.099, -94.578, "s")) is None
    # a pin just over the state line, with a Missouri town within a few km, is kept
    assert public_set.pin_problem(raw("Westport, Missouri", "US", 39.04, -94.61, "s")) is None
    # "Washington" here is qualified by "D.C.", so it is not the state the string states
    pin = (38.928, -77.032)
    assert (
        public_set.pin_problem(raw("Columbia Heights, Washington, D.C.", "US", *pin, "s")) is None
    )


def test_a_bare_college_name_pinned_far_from_every_campus_of_that_name_is_dropped():
    raw = public_set.Raw
    # Creighton University is in Omaha, Nebraska; this pin is in Connecticut
    assert public_set.pin_problem(raw("Creighton University", "US", 41.732, -72.793, "s")) == (
        "pin far from every campus of that name"
    )
    assert public_set.pin_problem(raw("Creighton University", "US", 41.265, -95.946, "s")) is None


def test_a_small_towns_other_name_does_not_make_a_region_a_town():
    # Maryland City (16,000 people) is also called "Maryland"; New York City is a big town
    maryland = (39.046, -76.641)
    assert public_set.region_named("Maryland, USA", "US", maryland) == "Maryland"
    assert public_set.region_named("New York, United States", "US", (40.678, -73.944)) is None
