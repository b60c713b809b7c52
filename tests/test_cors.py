"""CORS: other sites may read the API and the feeds, and nothing else of the app."""

from __future__ import annotations

import pytest

ORIGIN = "https://elsewhere.example"
# The endpoints other sites may read: the read-only API and the feeds.
OPEN = {"calendar.campaign_ical", "calendar.event_ical", "calendar.campaign_atom"}


def is_open(endpoint: str) -> bool:
    """Tell whether an endpoint is one other sites may read."""
    return endpoint.startswith("api.") or endpoint in OPEN


def sample_paths(app, event):
    """Return (endpoint, path) for every GET route, built with real values where it takes any."""
    values = {
        "campaign_slug": event.campaign.slug,
        "event_slug": event.slug,
        "event_id": event.id,
        "token": "not-a-token",
        "filename": "css/eventmap.css",
        "name": "leaflet",
        "kind": "svg",
        "hashtag": "OpenStack6Bday",
        "key": "0" * 64 + ".webp",
        "lang": "es",
    }
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" in (rule.methods or ()):
                yield (
                    rule.endpoint,
                    url_for(rule.endpoint, **{name: values[name] for name in rule.arguments}),
                )


def cors_headers(response) -> dict[str, str]:
    """Return the response's Access-Control-* headers."""
    return {
        name: value
        for name, value in response.headers.items()
        if name.lower().startswith("access-control-")
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/events",
        "/api/events?near=48.1,11.5",
        "/api/map-events",
        "/api/openapi.json",
        "/openstack6bday/calendar.ics",
        "/openstack6bday/munich.ics",
        "/openstack6bday/feed.atom",
    ],
)
def test_the_api_and_the_feeds_are_open_to_every_site_without_credentials(client, make_event, path):
    make_event(slug="munich")

    response = client.get(path, headers={"Origin": ORIGIN})

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {
        h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")
    }
    assert {"etag", "last-modified"} <= exposed
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Origin" not in response.headers.get("Vary", "")  # one answer, whoever asks


def test_a_site_can_read_the_etag_to_revalidate(client, make_event):
    make_event()

    first = client.get("/api/events", headers={"Origin": ORIGIN})
    again = client.get(
        "/api/events", headers={"Origin": ORIGIN, "If-None-Match": first.headers["ETag"]}
    )

    assert "etag" in first.headers["Access-Control-Expose-Headers"].lower()
    assert again.status_code == 304
    assert again.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/events?limit=5", 400),
        ("/api/events?campaign=nowhere", 404),
        ("/api/nothing-here", 404),
        ("/nowhere/calendar.ics", 404),
    ],
)
def test_error_answers_of_the_open_paths_are_readable_too(client, make_event, path, status):
    make_event()

    response = client.get(path, headers={"Origin": ORIGIN})

    assert response.status_code == status
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/api/events", "/openstack6bday/calendar.ics"])
def test_a_preflight_for_reading_is_answered(client, make_event, path):
    make_event()

    response = client.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert methods == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in response.headers["Access-Control-Allow-Headers"].lower()
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_a_preflight_for_writing_is_not_allowed(client):
    response = client.options(
        "/api/events", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    )

    assert "Access-Control-Allow-Methods" not in response.headers  # the browser refuses


def test_exactly_the_api_and_the_feeds_send_cors_headers(app, client, make_event):
    event = make_event(slug="munich")

    paths = list(sample_paths(app, event))

    assert {endpoint for endpoint, _ in paths if is_open(endpoint)} == {
        "api.docs",
        "api.events",
        "api.map_events",
        "api.openapi",
        *OPEN,
    }
    for endpoint, path in paths:
        with client.get(path, headers={"Origin": ORIGIN}) as response:  # closes static files
            assert response.status_code < 500, path
            if is_open(endpoint):
                assert response.headers.get("Access-Control-Allow-Origin") == "*", path
            else:
                assert cors_headers(response) == {}, path


@pytest.mark.parametrize(
    ("path", "method"),
    [("/submit", "POST"), ("/admin/login", "POST"), ("/edit/not-a-token", "POST"), ("/", "GET")],
)
def test_forms_and_pages_answer_no_preflight(client, path, method):
    response = client.options(
        path, headers={"Origin": ORIGIN, "Access-Control-Request-Method": method}
    )

    assert cors_headers(response) == {}


def test_a_cross_site_post_to_the_forms_gets_no_cors_headers(client):
    response = client.post("/submit", headers={"Origin": ORIGIN}, data={"title": "x"})

    assert cors_headers(response) == {}
