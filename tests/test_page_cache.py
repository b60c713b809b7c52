"""Rendered public pages kept per data version: rendered once, each response its own nonce and
token, fresh after a write or a new day, never shared with a moderator or a waiting message."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from flask import template_rendered

from eventmap.extensions import db
from eventmap.web import page_cache
from eventmap.web.page_cache import CSRF_PLACEHOLDER, NONCE_PLACEHOLDER, PageCache, app_page_cache
from tests.helpers import TOKEN, add_event, sign_in, statements, store_event

PAGES = [
    "/",
    "/openstack6bday/",
    "/openstack6bday/map",
    "/openstack6bday/calendar",
    "/openstack6bday/calendar/week",
    "/openstack6bday/calendar/agenda",
    "/openstack6bday/calendar/undated",
    "/openstack6bday/werk1",
    "/openstack6bday/embed",
    "/openstack6bday/stats",
    "/openstack6bday/near?q=Munich",
    "/openstack6bday/feed.atom",
]
NONCE_ATTRIBUTE = re.compile(r'nonce="([^"]+)"')
POLICY_NONCE = re.compile(r"'nonce-([^']+)'")


@pytest.fixture
def parties(make_event):
    """Two public parties in Munich, a few kilometres apart."""
    make_event(slug="werk1", title="Werk1 party")
    return make_event(slug="werk2", title="Werk2 party", latitude=48.2, longitude=11.6)


@contextmanager
def renders(app):
    """Record the names of the templates rendered meanwhile."""
    seen: list[str] = []

    def record(_sender, template, context, **_extra):
        seen.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield seen
    finally:
        template_rendered.disconnect(record, app)


@pytest.mark.parametrize("path", PAGES)
def test_a_second_look_renders_nothing_and_reads_only_the_version(app, client, parties, path):
    first = client.get(path)
    assert first.status_code == 200, first.get_data(as_text=True)[:500]
    with renders(app) as rendered, statements(app) as seen:
        second = client.get(path)
    assert second.status_code == 200
    assert rendered == []
    assert len(seen) == 1, seen
    assert "data_version" in seen[0].lower()
    assert second.mimetype == first.mimetype
    body = second.get_data(as_text=True)
    assert NONCE_PLACEHOLDER not in body
    assert CSRF_PLACEHOLDER not in body
    # The same page but for the nonces (and the token) it carries.
    strip = re.compile(r'nonce="[^"]+"|value="[^"]{40,}"')
    assert strip.sub("", body) == strip.sub("", first.get_data(as_text=True))


def test_each_response_has_its_own_nonce_matching_its_policy(client, parties):
    nonces = []
    for _ in range(3):
        response = client.get("/openstack6bday/")
        policy = response.headers["Content-Security-Policy"]
        (nonce,) = POLICY_NONCE.findall(policy)
        in_page = set(NONCE_ATTRIBUTE.findall(response.get_data(as_text=True)))
        assert in_page == {nonce}
        nonces.append(nonce)
    assert len(set(nonces)) == 3
    assert NONCE_PLACEHOLDER not in "".join(nonces)


def test_the_embed_keeps_its_own_policy_with_the_nonce_of_the_response(client, parties):
    for _ in range(2):
        response = client.get("/openstack6bday/embed")
        policy = response.headers["Content-Security-Policy"]
        assert "frame-ancestors *" in policy
        (nonce,) = POLICY_NONCE.findall(policy)
        assert set(NONCE_ATTRIBUTE.findall(response.get_data(as_text=True))) == {nonce}


def test_a_write_bumps_the_version_and_the_next_look_shows_it(app, client, parties):
    assert "Werk2 party" in client.get("/openstack6bday/werk2").get_data(as_text=True)
    assert "Werk2 party" in client.get("/openstack6bday/").get_data(as_text=True)
    parties.title = "Renamed party"
    db.session.commit()
    assert "Renamed party" in client.get("/openstack6bday/werk2").get_data(as_text=True)
    assert "Renamed party" in client.get("/openstack6bday/").get_data(as_text=True)
    add_event(slug="werk3", title="Third party")
    db.session.commit()
    assert "Third party" in client.get("/openstack6bday/feed.atom").get_data(as_text=True)


def test_a_new_day_renders_a_fresh_page(app, client, parties, monkeypatch):
    client.get("/openstack6bday/")
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    monkeypatch.setattr(page_cache, "_today", lambda: tomorrow)
    with renders(app) as rendered:
        client.get("/openstack6bday/")
    assert "campaign.html" in rendered


def test_miles_and_kilometres_are_kept_apart(client, parties):
    miles = {"Accept-Language": "en-US,en;q=0.8"}
    km = {"Accept-Language": "de-DE,de;q=0.8"}
    for _ in range(2):
        in_miles = client.get("/openstack6bday/werk1", headers=miles).get_data(as_text=True)
        in_km = client.get("/openstack6bday/werk1", headers=km).get_data(as_text=True)
        assert " mi (" in in_miles
        assert " mi (" not in in_km
        assert " km" in in_km


def test_the_query_string_is_part_of_the_key(client, parties):
    may = client.get("/openstack6bday/calendar?month=2016-05").get_data(as_text=True)
    june = client.get("/openstack6bday/calendar?month=2016-06").get_data(as_text=True)
    assert may != june
    assert client.get("/openstack6bday/calendar?month=2016-05").get_data(as_text=True) != june


def test_the_answer_form_of_a_kept_page_carries_each_visitors_own_working_token(app, mail_server):
    # No app context spans the requests here, as in a server: each has its own `g`.
    store_event(app, slug="werk1", title="Werk1 party")
    first, second = app.test_client(), app.test_client()
    first.get("/openstack6bday/werk1")  # renders and keeps the page
    tokens = []
    for visitor in (first, second):
        with renders(app) as rendered:
            page = visitor.get("/openstack6bday/werk1").get_data(as_text=True)
        assert "event.html" not in rendered
        found = TOKEN.search(page)
        assert found
        assert found.group(1) != CSRF_PLACEHOLDER
        tokens.append(found.group(1))
    assert tokens[0] != tokens[1]
    for n, (visitor, token) in enumerate(zip((first, second), tokens, strict=True)):
        response = visitor.post(
            "/openstack6bday/werk1/rsvp",
            data={"csrf_token": token, "email": f"p{n}@example.org", "name": "P", "people": "1"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:800]
        assert "Check your e-mail" in response.get_data(as_text=True)
    # The one token does not work for the other visitor.
    stolen = second.post(
        "/openstack6bday/werk1/rsvp",
        data={"csrf_token": tokens[0], "email": "x@example.org", "name": "X", "people": "1"},
    )
    assert stolen.status_code == 400


def test_a_waiting_message_is_shown_not_kept(app, client, parties):
    client.get("/openstack6bday/werk1")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Confirmed: you are going.")]
    kept = len(app_page_cache())
    with renders(app) as rendered:
        client.get("/openstack6bday/werk1")
    assert "event.html" in rendered  # not served from the cache
    assert len(app_page_cache()) == kept


def test_a_signed_in_moderator_is_neither_served_nor_stored(app, client, parties):
    from eventmap import operations

    operations.create_admin("eve", "correct horse battery staple")
    assert sign_in(client, password="correct horse battery staple").status_code == 302
    for _ in range(2):
        with renders(app) as rendered:
            client.get("/openstack6bday/")
        assert "campaign.html" in rendered
    assert len(app_page_cache()) == 0


def test_a_render_that_sets_a_cookie_or_fails_is_not_kept(app, client, parties, monkeypatch):
    assert client.get("/openstack6bday/nowhere").status_code == 404
    assert client.get("/nowhere/").status_code == 404
    assert len(app_page_cache()) == 0
    assert client.post("/openstack6bday/").status_code == 405

    from eventmap.web import pages

    original = pages.render_event_page

    def with_cookie(*args, **kwargs):
        response = original(*args, **kwargs)
        response.set_cookie("seen", "1")
        return response

    monkeypatch.setattr(pages, "render_event_page", with_cookie)
    for _ in range(2):
        with renders(app) as rendered:
            response = client.get("/openstack6bday/werk1")
        assert "event.html" in rendered
        assert "seen=1" in response.headers["Set-Cookie"]
        body = response.get_data(as_text=True)
        assert NONCE_PLACEHOLDER not in body
        assert CSRF_PLACEHOLDER not in body
        (nonce,) = POLICY_NONCE.findall(response.headers["Content-Security-Policy"])
        assert set(NONCE_ATTRIBUTE.findall(body)) == {nonce}
    assert len(app_page_cache()) == 0


def test_private_pages_are_not_cached(app, client, parties):
    client.get("/submit")
    client.get("/admin/login")
    assert len(app_page_cache()) == 0


def test_kept_pages_compress_after_the_substitution(client, parties):
    client.get("/openstack6bday/")
    response = client.get("/openstack6bday/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    import gzip

    body = gzip.decompress(response.data).decode()
    (nonce,) = POLICY_NONCE.findall(response.headers["Content-Security-Policy"])
    assert set(NONCE_ATTRIBUTE.findall(body)) == {nonce}


def test_the_cache_is_bounded_by_entries_and_bytes():
    from eventmap.web.page_cache import Page

    cache = PageCache(max_entries=3, max_bytes=10_000)
    for n in range(5):
        cache.keep(n, 1, Page(b"x" * 100, ()))
    assert len(cache) == 3
    assert cache.lookup(0, 1) is None
    assert cache.lookup(4, 1) is not None
    for n in range(5, 8):
        cache.keep(n, 1, Page(b"x" * 1_200, ()))  # the last three cannot all stay
    assert len(cache) == 3
    cache.keep("big", 1, Page(b"x" * 5_000, ()))  # half the budget: served, never kept
    assert cache.lookup("big", 1) is None
    assert cache.lookup(7, 2) is None  # another version is a miss


def test_the_setting_turns_it_off(app, client, parties):
    app.config["PAGE_CACHE"] = False
    for _ in range(2):
        with renders(app) as rendered:
            client.get("/openstack6bday/")
        assert "campaign.html" in rendered
    assert len(app_page_cache()) == 0


def test_a_visitor_without_a_session_is_served_without_touching_one(app, parties):
    visitor = app.test_client(use_cookies=False)
    for _ in range(2):
        response = visitor.get("/openstack6bday/")
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
    assert len(app_page_cache()) == 1
