"""data/parties.csv: all 45 parties import with the real offline geocoder and serve as GeoJSON."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from eventmap.geocoding import OfflineGeocoder
from eventmap.services import use_geocoder

PARTIES = Path(__file__).resolve().parent.parent / "data" / "parties.csv"

# location as published -> (country, first day, last day); None for dates to be announced.
EXPECTED = {
    "Argentina": ("AR", "2016-07-28", "2016-07-28"),
    "Atlanta, Georgia": ("US", "2016-07-21", "2016-07-21"),
    "Baden-Württemberg, Germany": ("DE", None, None),
    "Belgium": ("BE", "2016-07-05", "2016-07-05"),
    "Brazil": ("BR", "2016-07-16", "2016-07-16"),
    "Central Florida": ("US", "2016-07-19", "2016-07-19"),
    "Colorado": ("US", "2016-07-28", "2016-07-28"),
    "Durban": ("ZA", "2016-07-08", "2016-07-08"),
    "Frankfurt, Germany": ("DE", None, None),
    "Greece": ("GR", "2016-07-13", "2016-07-13"),
    "Guadalajara, Mexico": ("MX", "2016-07-15", "2016-07-15"),
    "Guatemala": ("GT", "2016-07-21", "2016-07-21"),
    "Hong Kong": ("HK", "2016-07-12", "2016-07-12"),
    "Italy": ("IT", "2016-07-18", "2016-07-18"),
    "Japan": ("JP", "2016-07-06", "2016-07-07"),
    "Kazan, Russia": ("RU", "2016-07-28", "2016-07-28"),
    "Kentucky": ("US", "2016-07-28", "2016-07-28"),
    "Los Angeles": ("US", "2016-07-28", "2016-07-28"),
    "Malaysia": ("MY", "2016-08-10", "2016-08-10"),
    "Manchester, UK": ("GB", "2016-07-27", "2016-07-27"),
    "Minnesota": ("US", "2016-07-25", "2016-07-25"),
    "Morocco": ("MA", "2016-07-29", "2016-07-29"),
    "Munich": ("DE", "2016-07-19", "2016-07-19"),
    "Nairobi": ("KE", "2016-07-16", "2016-07-16"),
    "New York City": ("US", "2016-07-13", "2016-07-13"),
    "Nigeria": ("NG", "2016-07-08", "2016-07-08"),
    "North Carolina": ("US", "2016-07-21", "2016-07-21"),
    "Northern Virginia (NOVA)": ("US", "2016-07-28", "2016-07-28"),
    "Pakistan": ("PK", "2016-07-27", "2016-07-27"),
    "Paris, France": ("FR", "2016-07-05", "2016-07-05"),
    "Philadelphia, Pennsylvania": ("US", "2016-07-28", "2016-07-28"),
    "Romania": ("RO", "2016-07-14", "2016-07-14"),
    "Philippines": ("PH", "2016-07-22", "2016-07-22"),
    "San Francisco, California": ("US", "2016-07-14", "2016-07-14"),
    "South Korea": ("KR", "2016-07-21", "2016-07-21"),
    "St. Louis, Missouri": ("US", "2016-07-21", "2016-07-21"),
    "Sweden": ("SE", "2016-07-06", "2016-07-06"),
    "Switzerland": ("CH", "2016-07-07", "2016-07-07"),
    "Thailand": ("TH", "2016-07-27", "2016-07-29"),
    "Toulouse, France": ("FR", "2016-07-04", "2016-07-04"),
    "Tunisia": ("TN", "2016-07-28", "2016-07-28"),
    "Turkey": ("TR", "2016-07-13", "2016-07-13"),
    "Vietnam": ("VN", "2016-07-30", "2016-07-30"),
    "Virginia": ("US", "2016-07-18", "2016-07-18"),
    "Washington DC": ("US", "2016-07-18", "2016-07-18"),
}

# Rough boxes (south, west, north, east) that each country's point must fall in: a check that
# the point is on the right part of the earth, independent of the geocoder's own data.
BOXES = {
    "AR": (-55, -74, -21, -53),
    "US": (24, -125, 50, -66),
    "DE": (47, 5.8, 55.1, 15.1),
    "BE": (49.4, 2.5, 51.6, 6.5),
    "BR": (-34, -74, 5.3, -34),
    "ZA": (-35, 16, -22, 33),
    "GR": (34.8, 19.3, 41.8, 29.7),
    "MX": (14.5, -118, 32.8, -86.7),
    "GT": (13.7, -92.3, 17.9, -88.2),
    "HK": (22.1, 113.8, 22.6, 114.5),
    "IT": (35.4, 6.6, 47.1, 18.6),
    "JP": (24, 122.9, 45.6, 146),
    "RU": (41, 19, 82, 180),
    "MY": (0.8, 99.6, 7.4, 119.3),
    "GB": (49.8, -8.7, 60.9, 1.8),
    "MA": (27.6, -13.2, 35.9, -1),
    "KE": (-4.7, 33.9, 5.1, 41.9),
    "NG": (4.2, 2.6, 13.9, 14.7),
    "PK": (23.6, 60.8, 37.1, 77.9),
    "FR": (41.3, -5.2, 51.1, 9.6),
    "RO": (43.6, 20.2, 48.3, 29.8),
    "PH": (4.5, 116.9, 21.2, 126.7),
    "KR": (33, 124.6, 38.7, 131),
    "SE": (55.3, 10.9, 69.1, 24.2),
    "CH": (45.8, 5.9, 47.9, 10.5),
    "TH": (5.6, 97.3, 20.5, 105.7),
    "TN": (30.2, 7.5, 37.6, 11.6),
    "TR": (35.8, 25.6, 42.2, 44.9),
    "VN": (8.4, 102.1, 23.4, 109.5),
}


def test_the_csv_has_the_45_published_rows_verbatim():
    with PARTIES.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 45
    assert {row["location"] for row in rows} == set(EXPECTED)
    texts = {row["location"]: row["date_text"] for row in rows}
    assert texts["San Francisco, California"] == "July 14**"
    assert texts["Thailand"] == "July 27-28 (tutorials); July 29 (launch party)"
    assert texts["Japan"] == "July 6-7"
    assert texts["Malaysia"] == "August 10"


@pytest.fixture(scope="module")
def offline() -> OfflineGeocoder:
    return OfflineGeocoder()


def test_import_of_the_seed_serves_45_features_in_the_right_places(app, runner, client, offline):
    use_geocoder(app, offline)

    result = runner.invoke(args=["import", str(PARTIES)])

    assert result.exit_code == 0, result.output
    assert "45 row(s): 45 created" in result.output
    features = client.get("/api/events").get_json(force=True)["features"]
    assert len(features) == 45
    for feature in features:
        props = feature["properties"]
        country, start, end = EXPECTED[props["location"]]
        assert props["country_code"] == country, props["location"]
        assert (props["start"], props["end"]) == (start, end), props["location"]
        lon, lat = feature["geometry"]["coordinates"]
        south, west, north, east = BOXES[country]
        assert south <= lat <= north, (props["location"], lat)
        assert west <= lon <= east, (props["location"], lon)
        assert props["timezone"], props["location"]
    thailand = next(f for f in features if f["properties"]["location"] == "Thailand")
    assert [p["label"] for p in thailand["properties"]["parts"]] == ["tutorials", "launch party"]

    again = runner.invoke(args=["import", str(PARTIES)])
    assert "45 row(s): 0 created, 0 updated, 45 unchanged" in again.output
