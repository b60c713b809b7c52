"""GET /api/events: GeoJSON of approved events."""

from __future__ import annotations

from datetime import time

import pytest

from eventmap.extensions import db
from eventmap.geocoding import Precision
from eventmap.models import EventStatus


def test_events_is_a_geojson_feature_collection(client, make_event):
    event = make_event(slug="munich", title="Munich party")

    response = client.get("/api/events")

    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    document = response.get_json(force=True)
    assert document["type"] == "FeatureCollection"
    (feature,) = document["features"]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [11.575, 48.137]}
    assert feature["properties"] == {
        "id": event.id,
        "title": "Munich party",
        "location": "Munich",
        "venue": None,
        "address": None,
        "country_code": "DE",
        "precision": "city",
        "timezone": "Europe/Berlin",
        "start": "2016-07-19",
        "end": "2016-07-19",
        "start_time": None,
        "end_time": None,
        "date_text": "July 19",
        "when": "Tue 19 July 2016",
        "time": None,
        "campaign": "openstack6bday",
        "url": "http://localhost/openstack6bday/munich",
    }


def test_events_carry_the_venue_address_and_local_times(client, make_event):
    make_event(
        slug="hall",
        venue="Werk1",
        address="Atelierstraße 29, 81671 München",
        start_time=time(18, 30),
        end_time=time(22, 0),
    )

    (feature,) = client.get("/api/events").get_json(force=True)["features"]

    properties = feature["properties"]
    assert properties["venue"] == "Werk1"
    assert properties["address"] == "Atelierstraße 29, 81671 München"
    assert (properties["start_time"], properties["end_time"]) == ("18:30", "22:00")
    assert properties["time"] == "18:30–22:00, local time (Europe/Berlin)"


def test_only_approved_events_are_listed_and_contact_never_is(client, make_event):
    make_event(slug="ok", contact="secret@example.org")
    make_event(slug="waiting", status=EventStatus.PENDING)
    make_event(slug="no", status=EventStatus.REJECTED)

    body = client.get("/api/events").get_data(as_text=True)

    urls = [
        f["properties"]["url"] for f in client.get("/api/events").get_json(force=True)["features"]
    ]
    assert urls == ["http://localhost/openstack6bday/ok"]
    assert "secret@example.org" not in body


def test_unplaced_and_tbd_events_have_null_geometry_and_dates(client, make_event):
    make_event(
        latitude=None,
        longitude=None,
        precision=None,
        start_date=None,
        end_date=None,
        date_text="TBD",
    )
    (feature,) = client.get("/api/events").get_json(force=True)["features"]
    assert feature["geometry"] is None
    assert (feature["properties"]["start"], feature["properties"]["end"]) == (None, None)


def test_parts_are_listed_when_an_event_has_them(client, make_thailand):
    make_thailand()
    (feature,) = client.get("/api/events").get_json(force=True)["features"]
    assert feature["properties"]["parts"] == [
        {"label": "tutorials", "start": "2016-07-27", "end": "2016-07-28"},
        {"label": "launch party", "start": "2016-07-29", "end": "2016-07-29"},
    ]
    assert feature["properties"]["precision"] == "country"


def test_campaign_filter(client, make_event, make_campaign):
    other = make_campaign(slug="openstack7bday", name="OpenStack turns 7")
    make_event(slug="six")
    make_event(slug="seven", campaign=other)

    def slugs(query: str) -> list[str]:
        features = client.get(f"/api/events{query}").get_json(force=True)["features"]
        return sorted(f["properties"]["url"].rsplit("/", 1)[1] for f in features)

    assert slugs("") == ["seven", "six"]
    assert slugs("?campaign=openstack7bday") == ["seven"]
    assert slugs("?campaign=openstack6bday") == ["six"]
    missing = client.get("/api/events?campaign=nope")
    assert missing.status_code == 404
    assert missing.get_json() == {"error": "no campaign called 'nope'", "parameter": "campaign"}


def test_html_in_titles_is_plain_json_text(client, make_event):
    make_event(title="</script><img src=x onerror=alert(1)>")
    feature = client.get("/api/events").get_json(force=True)["features"][0]
    assert feature["properties"]["title"] == "</script><img src=x onerror=alert(1)>"


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404
    assert "error" in response.get_json()


def test_the_collection_is_revalidated_by_etag_and_changes_with_the_events(client, make_event):

    event = make_event(title="Before")
    first = client.get("/api/events")
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]

    again = client.get("/api/events", headers={"If-None-Match": etag})
    assert again.status_code == 304

    event.title = "After"
    db.session.commit()
    changed = client.get("/api/events", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.get_json(force=True)["features"][0]["properties"]["title"] == "After"

    make_event(title="Another")
    assert len(client.get("/api/events").get_json(force=True)["features"]) == 2


def test_near_returns_the_nearest_first_with_distances(client, make_event):
    munich = make_event(title="Munich", latitude=48.137, longitude=11.575)
    make_event(title="Paris", latitude=48.857, longitude=2.352)
    brazil = make_event(
        title="Brazil", latitude=-23.55, longitude=-46.63, precision=Precision.COUNTRY
    )

    response = client.get("/api/events?near=48.14,11.58&limit=2")
    assert response.status_code == 200
    assert response.content_type == "application/geo+json"
    document = response.get_json(force=True)
    titles = [f["properties"]["title"] for f in document["features"]]
    assert titles == ["Munich", "Paris"]
    assert document["features"][0]["id"] == munich.id
    assert document["features"][0]["properties"]["distance_km"] < 1
    assert 680 < document["features"][1]["properties"]["distance_km"] < 690
    assert document["search"]["within_radius"] is True

    far = client.get("/api/events?near=-22.9,-43.2&radius_km=500").get_json(force=True)
    (only,) = far["features"]
    assert only["id"] == brazil.id
    assert only["properties"]["approximate"] is True  # somewhere in Brazil, not at a venue


def test_nothing_within_the_radius_says_so_and_still_answers(client, make_event):
    make_event(title="Munich", latitude=48.137, longitude=11.575)
    document = client.get("/api/events?near=52.52,13.40&radius_km=50").get_json(force=True)
    assert document["search"]["within_radius"] is False
    assert [f["properties"]["title"] for f in document["features"]] == ["Munich"]


def test_q_geocodes_the_place_and_reports_it(client, make_event):
    make_event(title="Munich", latitude=48.137, longitude=11.575)
    document = client.get("/api/events?q=Kazan,%20Russia").get_json(force=True)
    assert document["search"]["place"]["display_name"] == "Kazan, Russia (fake)"
    assert document["features"][0]["properties"]["title"] == "Munich"
    missing = client.get("/api/events?q=Atlantis")
    assert missing.status_code == 404
    assert missing.get_json()["parameter"] == "q"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("near=91,0", "near"),
        ("near=0,181", "near"),
        ("near=abc", "near"),
        ("near=1,2,3", "near"),
        ("near=nan,1", "near"),
        ("near=1,2&limit=0", "limit"),
        ("near=1,2&limit=x", "limit"),
        ("near=1,2&limit=100000", "limit"),
        ("near=1,2&radius_km=-5", "radius_km"),
        ("near=1,2&radius_km=inf", "radius_km"),
        ("limit=5", "limit"),
        ("near=1,2&q=Munich", "q"),
        ("q=", "q"),
    ],
)
def test_bad_search_parameters_are_a_400_naming_the_parameter(client, make_event, query, parameter):
    make_event()
    response = client.get(f"/api/events?{query}")
    assert response.status_code == 400
    assert response.get_json()["parameter"] == parameter
