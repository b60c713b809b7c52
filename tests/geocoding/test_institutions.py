"""US colleges read by name (institutions.py), from the us-colleges package through the index."""

from __future__ import annotations

import json

import pytest
from geopy.distance import geodesic

from eventmap.geocoding import OfflineGeocoder, Precision, gazetteer, institutions
from eventmap.geocoding.gazetteer import Entry, Kind, _Builder
from eventmap.geocoding.institutions import BRANCH, FULL, MAIN, School, key, split_name


@pytest.fixture(scope="module")
def geocoder() -> OfflineGeocoder:
    return OfflineGeocoder()


ANN_ARBOR, DEARBORN = (42.276, -83.743), (42.317, -83.231)
BERKELEY, COLUMBUS = (37.872, -122.260), (39.998, -83.009)
CORAL_GABLES, OXFORD_OHIO = (25.720, -80.276), (39.510, -84.734)
POTSDAM_NY, STORRS = (44.664, -75.000), (41.808, -72.250)
WHEATON_IL, WHEATON_MA = (41.868, -88.101), (41.967, -71.184)
PARIS, DUBLIN, LONDON = (48.857, 2.352), (53.349, -6.260), (51.507, -0.128)


@pytest.mark.parametrize(
    ("name", "city", "split"),
    [
        ("University of Michigan-Ann Arbor", "Ann Arbor", ("University of Michigan", "Ann Arbor")),
        ("Ohio State University-Main Campus", "Columbus", ("Ohio State University", "Main Campus")),
        (
            "University of Alabama at Birmingham",
            "Birmingham",
            ("University of Alabama", "Birmingham"),
        ),
        (
            "Indiana University-Purdue University-Fort Wayne",
            "Fort Wayne",
            ("Indiana University-Purdue University", "Fort Wayne"),
        ),
        (
            "University of Illinois at Urbana-Champaign",
            "Champaign",
            ("University of Illinois", "Urbana-Champaign"),
        ),
        ("University of Colorado Boulder", "Boulder", ("University of Colorado", "Boulder")),
        # hyphens inside a name, a sub-school, a town in the school's own name
        ("Embry-Riddle Aeronautical University", "Daytona Beach", (None, None)),
        ("University of California-Hastings College of Law", "San Francisco", (None, None)),
        ("University of Denver", "Denver", (None, None)),
        ("Queens University of Charlotte", "Charlotte", (None, None)),
    ],
)
def test_a_name_splits_into_base_and_campus_only_where_it_is_one(name, city, split):
    assert split_name(name, city) == split


def test_keys_fold_the_ways_people_write_a_name():
    assert key("The Ohio State University") == key("ohio state university")
    assert key("Univ. of Michigan") == key("University of Michigan")
    assert key("Texas A&M University") == key("Texas A & M University")
    assert key("St. Olaf College") == key("Saint Olaf College")
    assert key("Miami University") != key("University of Miami")


def test_a_school_is_filed_under_its_name_and_its_base():
    main = School(
        "Ohio State University-Main Campus",
        "Columbus",
        "Ohio",
        40.0,
        -83.0,
        "Ohio State University",
        "Main Campus",
    )
    branch = School(
        "Ohio State University-Lima Campus",
        "Lima",
        "Ohio",
        40.7,
        -84.1,
        "Ohio State University",
        "Lima Campus",
    )
    assert institutions.school_keys(main)["ohio state university"] == MAIN
    assert institutions.school_keys(main)["ohio state university main campus"] == FULL
    assert institutions.school_keys(branch)["ohio state university"] == BRANCH
    assert institutions.school_keys(branch)["ohio state university lima"] == FULL


def test_the_package_is_read_whole_and_its_best_known_campuses_marked():
    schools = institutions.read_colleges()
    assert len(schools) > 2200
    by_name = {s.name: s for s in schools}
    assert by_name["University of Michigan-Ann Arbor"].main
    assert not by_name["University of Michigan-Flint"].main
    assert by_name["Rice University"].city == "Houston"
    assert by_name["Massachusetts Institute of Technology"].aliases == ("MIT",)


@pytest.mark.parametrize(
    ("query", "campus"),
    [
        ("University of Miami", CORAL_GABLES),  # not Miami University, Ohio
        ("university of california berkeley", BERKELEY),
        ("University of California, Berkeley", BERKELEY),
        ("University of California-Berkeley, USA", BERKELEY),
        ("Ohio State University (Main campus)", COLUMBUS),
        ("Clarkson University, Potsdam NY", POTSDAM_NY),
        ("University of Connecticut Storrs", STORRS),
        ("Univ. of Michigan, Dearborn", DEARBORN),
        ("U of Michigan, Dearborn", DEARBORN),
        ("Wheaton College, Illinois", WHEATON_IL),  # one of two Wheaton Colleges, by state
        ("Wheaton College, IL", WHEATON_IL),  # a code after the name is a state, not Israel
        ("Wheaton College, MA", WHEATON_MA),
        ("Wheaton College, Norton, MA", WHEATON_MA),
        ("Georgetown University, Washington", (38.909, -77.073)),  # its town, not the state
    ],
)
def test_a_college_named_with_its_campus_town_or_state_is_a_sure_venue(geocoder, query, campus):
    place = geocoder.lookup(query)
    assert place is not None
    assert place.precision == Precision.VENUE, place
    assert geodesic(campus, (place.latitude, place.longitude)).km <= 3, place
    assert not place.needs_check, place
    assert not place.ambiguous, place


@pytest.mark.parametrize(
    "query", ["Brown University Library", "Stanford University - Room S361 (3rd floor)"]
)
def test_text_around_a_college_that_names_no_place_leaves_it_at_the_bar(geocoder, query):
    place = geocoder.lookup(query)
    assert place is not None
    assert place.precision == Precision.VENUE
    assert place.confidence == institutions.UNREAD_CONFIDENCE


@pytest.mark.parametrize(
    ("query", "guess"),
    [
        ("University of Michigan", ANN_ARBOR),  # Ann Arbor, Dearborn, Flint: the best known
        ("Ohio State University", COLUMBUS),  # the campus the source marks main
        ("Wheaton College", None),  # two schools of one name: either, to check
        ("Miami University", None),  # campuses in Oxford, Hamilton and Middletown
    ],
)
def test_a_base_or_a_shared_name_is_a_guess_with_the_others_as_candidates(geocoder, query, guess):
    place = geocoder.lookup(query)
    assert place is not None
    assert place.precision == Precision.VENUE
    assert place.needs_check, place
    assert place.ambiguous, place
    assert place.candidates, place
    if guess is not None:
        assert geodesic(guess, (place.latitude, place.longitude)).km <= 3, place


@pytest.mark.parametrize(
    ("query", "country", "point"),
    [
        ("Stanford University, Paris, France", "FR", PARIS),
        ("Trinity College Dublin", "IE", DUBLIN),  # Trinity College is in Hartford too
        ("Trinity College, Dublin, Ireland", "IE", DUBLIN),
        ("King's College London", "GB", LONDON),
        ("Harvard University, Cambridge, UK", "GB", (52.205, 0.119)),
        ("Wheaton College, Texas", "US", (29.763, -95.363)),  # Texas (its largest town)
    ],
)
def test_a_stated_place_the_college_is_not_in_wins(geocoder, query, country, point):
    place = geocoder.lookup(query)
    assert place is not None
    assert place.country_code == country, place
    assert place.precision != Precision.VENUE
    assert geodesic(point, (place.latitude, place.longitude)).km <= 25, place


@pytest.mark.parametrize(
    "query",
    [
        "National University of Singapore",  # not National University, California
        "Australian National University",
        "American University of Beirut",
    ],
)
def test_a_longer_name_is_not_the_college_it_starts_or_ends_with(geocoder, query):
    place = geocoder.lookup(query)
    assert place is None or place.precision != Precision.VENUE, place


def test_a_name_found_only_without_its_spaces_is_one_to_check(geocoder):
    place = geocoder.lookup("Stonybrook University")
    assert place is not None
    assert place.display_name.startswith("Stony Brook University")
    assert place.needs_check
    assert geocoder.lookup("North-West University").needs_check  # South Africa's, or Kirkland


@pytest.mark.parametrize(
    ("query", "campus"),
    [
        ("UCLA Department of Ecology", (34.069, -118.444)),
        ("UCSB Library, Classroom 1312", (34.415, -119.848)),
        ("Georgia Tech", (33.774, -84.396)),
        ("MIT", (42.360, -71.092)),
    ],
)
def test_a_short_name_the_package_gives_is_read_as_written_and_to_check(geocoder, query, campus):
    place = geocoder.lookup(query)
    assert place is not None
    assert place.precision == Precision.VENUE
    assert geodesic(campus, (place.latitude, place.longitude)).km <= 2, place
    assert place.needs_check, place


@pytest.mark.parametrize("query", ["mit", "ucla"])
def test_a_short_name_in_lower_case_is_no_college(geocoder, query):
    place = geocoder.lookup(query)
    assert place is None or place.precision != Precision.VENUE, place


def test_a_short_name_before_another_town_is_that_town(geocoder):
    place = geocoder.lookup("UW Madison")  # Washington's UW; Madison, Wisconsin, wins
    assert place is not None
    assert geodesic((43.073, -89.401), (place.latitude, place.longitude)).km <= 25, place


def test_a_college_is_never_found_as_a_town(geocoder):
    names = [entry.kind for entry, _q in geocoder.gazetteer.find("Rice University")]
    assert Kind.INSTITUTION not in names
    assert geocoder.gazetteer.find_institutions(key("Rice University"))


def test_a_school_whose_point_is_far_from_its_town_is_left_out(monkeypatch):
    built = _Builder()
    town = built.add(Entry(Kind.CITY, "Houston", "US", "Texas", 29.763, -95.363, 2_000_000))
    monkeypatch.setattr(
        institutions,
        "read_colleges",
        lambda: [
            School("Rice University", "Houston", "Texas", 29.717, -95.402, None, None),
            School("Far College", "Houston", "Texas", 40.0, -75.0, None, None),
        ],
    )
    gazetteer._add_institutions(built, {("US", "houston"): [town]})
    schools = [e for e in built.entries if e.kind == Kind.INSTITUTION]
    assert [e.name for e in schools] == ["Rice University"]
    assert schools[0].population == 2_000_000  # its town's, to rank same-named schools
    assert built.names[institutions.INSTITUTION_KEY + "rice university"]


def test_the_index_version_follows_the_colleges_package(monkeypatch, tmp_path):
    before = gazetteer.source_version()
    package = tmp_path / institutions.SOURCE_PACKAGE / "package.json"
    package.parent.mkdir()
    package.write_text(json.dumps({"version": "999.0.0"}))
    monkeypatch.setattr(institutions, "NODE_MODULES", tmp_path)
    assert gazetteer.source_version() != before
