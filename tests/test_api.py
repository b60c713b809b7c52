"""GET /api/events: GeoJSON of approved events."""

from __future__ import annotations

from eventmap.extensions import db
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
        "country_code": "DE",
        "precision": "city",
        "timezone": "Europe/Berlin",
        "start": "2016-07-19",
        "end": "2016-07-19",
        "date_text": "July 19",
        "when": "Tue 19 July 2016",
        "campaign": "openstack6bday",
        "url": "http://localhost/openstack6bday/munich",
    }


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
