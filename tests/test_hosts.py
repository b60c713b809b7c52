"""Requests for a host other than the public URL's are refused with a readable 400."""

from __future__ import annotations

import pytest

from eventmap import create_app
from eventmap.extensions import db


def test_a_page_for_another_host_is_a_readable_400(client, make_event):
    make_event()

    response = client.get("/openstack6bday/", base_url="http://evil.example")

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "does not answer to the address evil.example" in page
    assert '<a href="http://127.0.0.1:5000/">http://127.0.0.1:5000/</a>' in page
    assert "Party 1" not in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_the_api_for_another_host_answers_a_json_400(client, make_event):
    make_event()

    response = client.get("/api/events", headers={"Host": "evil.example:8080"})

    assert response.status_code == 400
    assert "does not answer to the address evil.example:8080" in response.get_json()["error"]


def test_hostile_host_headers_are_refused_not_echoed(client, make_event):
    make_event()

    response = client.get("/", headers={"Host": "<script>.example"})

    assert response.status_code == 400
    assert "<script>" not in response.get_data(as_text=True)


def test_the_public_host_and_this_machine_are_served(client, make_event):
    make_event()
    for base_url in ("http://localhost", "http://127.0.0.1:5000", "http://LOCALHOST:8080"):
        assert client.get("/openstack6bday/", base_url=base_url).status_code == 200


@pytest.fixture
def proxied(app):
    """Give a client of an app built behind one proxy, on the test database."""
    behind = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "test",
            "PROXY_COUNT": 1,
        }
    )
    yield behind.test_client()
    with behind.app_context():
        db.engine.dispose()  # its own pool: left open, PostgreSQL connections would leak


def test_behind_a_proxy_the_forwarded_host_is_checked(proxied, make_event):
    make_event()

    refused = proxied.get("/openstack6bday/", headers={"X-Forwarded-Host": "evil.example"})
    served = proxied.get("/openstack6bday/", headers={"X-Forwarded-Host": "127.0.0.1:5000"})

    assert (refused.status_code, served.status_code) == (400, 200)
