"""GET /api/events: GeoJSON of approved events; GET /api/map-events: the map's compact feed."""

from __future__ import annotations

import gc
import re
from datetime import date, time

import pytest

from eventmap.extensions import db
from eventmap.geocoding import Precision
from eventmap.listing import MAP_PARTS
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
        "language": None,
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
        "url": "http://127.0.0.1:5000/openstack6bday/munich",
        "going": 0,
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
    assert urls == ["http://127.0.0.1:5000/openstack6bday/ok"]
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


def test_a_repeated_search_is_answered_from_the_page_cache_until_the_data_change(
    app, client, make_event
):
    from eventmap.web.page_cache import app_page_cache

    make_event(title="Munich", latitude=48.137, longitude=11.575)
    path = "/api/events?near=48.14,11.58"
    first = client.get(path)
    with app.app_context():
        cache = app_page_cache()
    renders = cache.renders
    again = client.get(path)
    assert again.data == first.data
    assert again.content_type == "application/geo+json"
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    assert cache.renders == renders  # nothing searched again
    make_event(title="Munich again", latitude=48.138, longitude=11.576)
    changed = client.get(path).get_json(force=True)
    assert {f["properties"]["title"] for f in changed["features"]} == {"Munich", "Munich again"}
    assert client.get("/api/events?near=91,0").status_code == 400  # refusals are not kept


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
        ("near=1,2&limit=²", "limit"),
        ("near=1,2&limit=١٠", "limit"),
        ("near=1,2&limit=" + "9" * 5000, "limit"),
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


def test_hostile_titles_come_back_as_json_strings(client, make_event):
    import json

    title = '</script><script>alert(1)</script>\r\n"quoted"'
    make_event(title=title)
    response = client.get("/api/events")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/geo+json"
    [feature] = json.loads(response.get_data(as_text=True))["features"]
    assert feature["properties"]["title"] == title


MAP_COLUMNS = ["id", "lat", "lon", "precision", "country", "start", "end"]
MAP_COLUMNS += ["title", "location", "when", "url", "going", "photos"]


def map_rows(client, query: str = "") -> list[dict]:
    """Read /api/map-events back as one dict per event."""
    response = client.get(f"/api/map-events{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    feed = response.get_json()
    assert sorted(feed) == sorted(MAP_COLUMNS)
    assert len({len(feed[name]) for name in MAP_COLUMNS}) == 1  # parallel lists
    return [
        dict(zip(MAP_COLUMNS, row, strict=True))
        for row in zip(*(feed[name] for name in MAP_COLUMNS), strict=True)
    ]


def test_the_map_feed_has_exactly_the_approved_events_with_their_points(
    client, make_event, make_campaign
):
    munich = make_event(slug="munich", title="Munich", start_date=None, end_date=None)
    kazan = make_event(
        slug="kazan",
        title="Kazan",
        location_text="Kazan, Russia",
        latitude=55.796127,
        longitude=49.106405,
        country_code="RU",
        precision=Precision.REGION,
        start_date=date(2016, 7, 28),
        end_date=date(2016, 7, 29),
    )
    make_event(slug="waiting", status=EventStatus.PENDING, contact="secret@example.org")
    make_event(slug="no", status=EventStatus.REJECTED)
    make_event(slug="elsewhere", campaign=make_campaign(slug="other", name="Other"))

    response = client.get("/api/map-events?campaign=openstack6bday")
    rows = map_rows(client, "?campaign=openstack6bday")

    assert "secret@example.org" not in response.get_data(as_text=True)
    assert rows == [  # page order: dated by day, then dates to be announced
        {
            "id": kazan.id,
            "lat": 55.79613,
            "lon": 49.10641,
            "precision": "region",
            "country": "RU",
            "start": "2016-07-28",
            "end": "2016-07-29",
            "title": "Kazan",
            "location": "Kazan, Russia",
            "when": "28–29 July 2016",
            "url": "/openstack6bday/kazan",
            "going": 0,
            "photos": 0,
        },
        {
            "id": munich.id,
            "lat": 48.137,
            "lon": 11.575,
            "precision": "city",
            "country": "DE",
            "start": None,
            "end": None,
            "title": "Munich",
            "location": "Munich",
            "when": "Date to be announced",
            "url": "/openstack6bday/munich",
            "going": 0,
            "photos": 0,
        },
    ]
    assert len(map_rows(client)) == 3  # every campaign without ?campaign=


def test_the_map_feed_agrees_with_the_geojson(client, make_event, make_thailand):
    make_thailand(title="Thailand")
    make_event(latitude=None, longitude=None, precision=None, title="</script><img src=x>")
    make_event(latitude=-33.8688, longitude=151.2093, title="Sydney")

    features = client.get("/api/events").get_json(force=True)["features"]
    rows = map_rows(client)

    assert [row["id"] for row in rows] == [feature["id"] for feature in features]
    for row, feature in zip(rows, features, strict=True):
        p = feature["properties"]
        point = feature["geometry"]["coordinates"] if feature["geometry"] else [None, None]
        assert [row["lon"], row["lat"]] == pytest.approx(point, abs=1e-5)
        assert (row["title"], row["location"], row["when"]) == (
            p["title"],
            p["location"],
            p["when"],
        )
        assert (row["precision"], row["country"]) == (p["precision"], p["country_code"])
        assert (row["start"], row["end"]) == (p["start"], p["end"])
        assert p["url"] == "http://127.0.0.1:5000" + row["url"]
    thailand = next(row for row in rows if row["title"] == "Thailand")
    assert thailand["when"] == "27–28 July 2016 (tutorials); Fri 29 July 2016 (launch party)"


def test_the_map_feed_is_revalidated_by_etag_and_follows_changes(client, make_event):
    event = make_event(title="Before")
    first = client.get("/api/map-events")
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    assert etag != client.get("/api/events").headers["ETag"]  # a different body

    assert client.get("/api/map-events", headers={"If-None-Match": etag}).status_code == 304
    event.title = "After"
    db.session.commit()
    changed = client.get("/api/map-events", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.get_json()["title"] == ["After"]


def test_the_map_feed_of_an_unknown_campaign_is_a_404_naming_it(client):
    missing = client.get("/api/map-events?campaign=nope")
    assert missing.status_code == 404
    assert missing.get_json() == {"error": "no campaign called 'nope'", "parameter": "campaign"}
    empty = client.get("/api/map-events")
    assert empty.get_json() == {name: [] for name in MAP_COLUMNS}


def map_part(client, part: str, query: str = "") -> tuple[dict, str]:
    """Read one part of /api/map-events: its lists and its ETag."""
    response = client.get(f"/api/map-events?part={part}{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json(), response.headers["ETag"]


def test_the_map_feed_in_two_parts_is_the_whole_feed_split_by_columns(client, make_event):
    make_event(slug="munich", title="Munich")
    make_event(slug="kazan", title="Kazan", location_text="Kazan", latitude=55.8, longitude=49.1)
    make_event(slug="later", title="Later", start_date=None, end_date=None, latitude=None)
    whole = client.get("/api/map-events?campaign=openstack6bday").get_json()
    points, points_tag = map_part(client, "points", "&campaign=openstack6bday")
    labels, labels_tag = map_part(client, "labels", "&campaign=openstack6bday")

    assert list(points) == list(MAP_PARTS["points"])
    assert list(labels) == list(MAP_PARTS["labels"])
    assert points["id"] == labels["id"] == whole["id"]
    assert len(whole["id"]) == 3
    assert {**points, **labels} == whole  # together, every column of the same version
    assert {"title", "location", "url"}.isdisjoint(points)
    assert points_tag != labels_tag != client.get("/api/map-events").headers["ETag"]


def test_each_part_of_the_map_feed_is_revalidated_by_its_own_etag(client, make_event):
    event = make_event(title="Before")
    tags = {part: map_part(client, part)[1] for part in MAP_PARTS}
    for part, tag in tags.items():
        url = f"/api/map-events?part={part}"
        assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    event.title = "After"
    db.session.commit()
    for part, tag in tags.items():
        url = f"/api/map-events?part={part}"
        assert client.get(url, headers={"If-None-Match": tag}).status_code == 200
    assert map_part(client, "labels")[0]["title"] == ["After"]


def test_the_map_page_preloads_the_points_part_it_fetches_first(client, make_event):
    make_event()
    html = client.get("/openstack6bday/map").get_data(as_text=True)
    preloaded = re.findall(r'<link rel="preload" href="([^"]+)" as="fetch"', html)
    [points] = re.findall(r'data-api="([^"]+)"', html)
    [labels] = re.findall(r'data-labels="([^"]+)"', html)
    assert points in preloaded
    assert labels not in preloaded  # asked for after the first frame with the clusters
    for url, part in ((points, "points"), (labels, "labels")):
        answer = client.get(url.replace("&amp;", "&")).get_json()
        assert list(answer) == list(MAP_PARTS[part])


@pytest.mark.parametrize("part", ["", "all", "Points", "points,labels"])
def test_an_unknown_part_of_the_map_feed_is_a_400_naming_it(client, part):
    response = client.get(f"/api/map-events?part={part}")
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "part must be one of points, labels",
        "parameter": "part",
    }


def test_writing_a_body_leaves_the_garbage_collector_as_it_was(client, make_event):
    make_event()
    assert gc.isenabled()
    assert client.get("/api/map-events").status_code == 200
    assert gc.isenabled()
    gc.disable()
    try:
        assert client.get("/api/events").status_code == 200
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_event_urls_are_on_the_public_url_whatever_the_request_host(app, client, make_event):
    app.config["PUBLIC_URL"] = "https://parties.example.org"
    app.config["TRUSTED_HOSTS"] = ["parties.example.org", "mirror.example", "localhost"]
    make_event(slug="munich", title="Munich party")
    expected = ["https://parties.example.org/openstack6bday/munich"]

    # The body is written once and kept: the first request's host must not stick to it.
    for base_url in ("http://mirror.example", "http://localhost"):
        document = client.get("/api/events", base_url=base_url).get_json(force=True)
        assert [f["properties"]["url"] for f in document["features"]] == expected
    nearby = client.get("/api/events?near=48.1,11.5", base_url="http://mirror.example")
    assert [f["properties"]["url"] for f in nearby.get_json(force=True)["features"]] == expected


@pytest.mark.parametrize("path", ["/api/events", "/api/map-events", "/api/openapi.json"])
def test_a_method_the_api_does_not_take_is_a_405_naming_the_ones_it_does(client, path):
    response = client.post(path)

    assert response.status_code == 405
    assert response.get_json() == {"error": "The method is not allowed for the requested URL."}
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
