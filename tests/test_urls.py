"""Absolute links are built on EVENTMAP_PUBLIC_URL, in a request or outside one."""

from __future__ import annotations

import pytest

from eventmap.urls import event_url, public_url


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000/edit/t0ken"),
        ("https://parties.example.org/", "https://parties.example.org/edit/t0ken"),
        ("https://example.org/openstack", "https://example.org/openstack/edit/t0ken"),
        ("https://example.org/openstack/", "https://example.org/openstack/edit/t0ken"),
    ],
)
def test_public_links_keep_the_public_urls_scheme_host_port_and_path(app, base, expected):
    app.config["PUBLIC_URL"] = base
    with app.app_context():
        assert public_url("submit.edit", token="t0ken") == expected
    app.config["TRUSTED_HOSTS"] = None
    with app.test_request_context("/", base_url="http://evil.example/elsewhere"):
        assert public_url("submit.edit", token="t0ken") == expected


def test_an_event_link_is_its_public_permalink(app, make_event):
    app.config["PUBLIC_URL"] = "https://parties.example.org"
    event = make_event(slug="werk1")
    with app.test_request_context("/", base_url="http://mirror.example"):
        assert event_url(event) == "https://parties.example.org/openstack6bday/werk1"
