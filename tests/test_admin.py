"""The moderators' pages: sign-in and its limits, the queue, decisions and the audit log.

Requests run outside any test-held app context: Flask-Login keeps the signed-in user in `g`,
which a shared app context would carry from one request to the next.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

from eventmap import operations
from eventmap.extensions import db
from eventmap.geocoding import Precision
from eventmap.models import Admin, AuditEntry, Event, EventStatus
from eventmap.services import use_geocoder
from eventmap.web import admin as admin_views
from eventmap.web.admin import safe_next
from tests.helpers import PASSWORD, TOKEN, form_values, saved_form_data, sign_in, store_event

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def store(app) -> Any:
    """Return a function that stores an event (pending, with its organizer) and gives its id."""

    def add(**overrides: Any) -> int:
        values: dict[str, Any] = {
            "organizer_name": "Ada",
            "organizer_email": "ada@example.org",
            "status": EventStatus.PENDING,
            "timezone": None,
            **overrides,
        }
        return store_event(app, values.pop("campaign_slug", "openstack6bday"), **values)

    return add


def fetch(app, event_id: int) -> Event:
    """Read an event afresh, as the database has it now."""
    with app.app_context():
        event = db.session.get(Event, event_id)
        db.session.expunge(event)
        return event


def audit(app) -> list[tuple[str, str, int | None, dict]]:
    with app.app_context():
        return [
            (e.actor, e.action, e.event_id, e.details)
            for e in db.session.scalars(AuditEntry.newest())
        ]


@pytest.fixture
def admin(app) -> str:
    """Create the moderator eve."""
    with app.app_context():
        operations.create_admin("eve", PASSWORD)
    return "eve"


@pytest.fixture
def signed_in(client, admin, csrf_token):
    """Give the client signed in as eve."""
    response = sign_in(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def page_token(client, url: str = "/admin/") -> str:
    html = client.get(url).get_data(as_text=True)
    return TOKEN.search(html).group(1)


# Signing in.


def test_every_admin_url_sends_strangers_to_the_sign_in_page(app, client, store, csrf_token):
    event_id = store()
    token = csrf_token("/admin/login")
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]
    assert {r.endpoint for r in rules} >= {
        "admin.queue",
        "admin.event",
        "admin.events",
        "admin.audit",
        "admin.approve",
        "admin.reject",
        "admin.logout",
    }
    for rule in rules:
        if rule.endpoint == "admin.login":
            continue
        path = rule.build({"event_id": event_id, "photo_id": 1}, append_unknown=False)[1]
        if "GET" in rule.methods:
            response = client.get(path)
            assert response.status_code == 302, path
            assert response.location.startswith("/admin/login?next="), path
            assert response.headers["Cache-Control"] == "no-store"
        else:
            response = client.post(path, data={"csrf_token": token, "reason": "spam"})
            assert response.status_code == 302, path
            assert response.location == "/admin/login", path
    assert fetch(app, event_id).status == EventStatus.PENDING
    assert [a for _, a, _, _ in audit(app)] == []


def test_the_sign_in_page_is_private_and_its_form_is_labelled(client):
    response = client.get("/admin/login")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert '<label for="username">User name</label>' in html
    assert '<label for="password">Password</label>' in html
    assert 'autocomplete="current-password"' in html
    assert ' style="' not in html


def test_a_wrong_password_or_name_gets_a_generic_answer_and_no_access(
    app, client, admin, csrf_token
):
    wrong_password = sign_in(client, password=PASSWORD + "x")
    unknown_user = sign_in(client, username="mallory")

    for response in (wrong_password, unknown_user):
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Wrong user name or password." in html
        assert PASSWORD not in html
    assert client.get("/admin/").status_code == 302
    with app.app_context():
        assert db.session.scalar(Admin.by_username("eve")).last_login_at is None
    assert audit(app) == [("cli", "admin-created", None, {"username": "eve"})]


def test_sign_in_attempts_over_the_limit_get_429_even_with_the_right_password(
    app, client, admin, csrf_token
):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert sign_in(client, password="guess guess guess").status_code == 200

    limited = sign_in(client)

    assert limited.status_code == 429
    assert limited.headers["Cache-Control"] == "no-store"
    assert "Retry-After" in limited.headers
    assert client.get("/admin/").status_code == 302  # still not signed in
    assert client.get("/admin/login").status_code == 200  # reading the form is not limited


def test_sign_in_records_it_and_sign_out_ends_the_session(app, client, admin, csrf_token):
    response = sign_in(client)

    assert response.status_code == 302
    assert response.location == "/admin/"
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        assert db.session.scalar(Admin.by_username("eve")).last_login_at is not None
    assert audit(app)[0][:2] == ("admin:eve", "signed-in")

    out = client.post("/admin/logout", data={"csrf_token": page_token(client)})
    assert out.status_code == 302
    assert out.location == "/admin/login"
    assert "You are signed out." in client.get("/admin/login").get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_sign_in_returns_to_the_page_asked_for(client, admin, csrf_token):
    response = sign_in(client, query="?next=/admin/events%3Fstatus%3Drejected")

    assert response.location == "/admin/events?status=rejected"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/admin/",
        "//evil.example/admin/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "admin/",
        "",
    ],
)
def test_sign_in_refuses_to_send_anyone_to_another_host(client, admin, csrf_token, target):
    from urllib.parse import quote

    response = sign_in(client, query="?next=" + quote(target, safe=""))

    assert response.status_code == 302
    assert response.location == "/admin/"


def test_safe_next_keeps_only_paths_on_this_site():
    assert safe_next("/admin/events?q=a", "/d") == "/admin/events?q=a"
    assert safe_next("/openstack6bday/", "/d") == "/openstack6bday/"
    for bad in ("http://x.example", "//x.example", "/\\x.example", "x", None, "/a\nb", "/\x7f"):
        assert safe_next(bad, "/d") == "/d", bad


def test_posts_without_the_csrf_token_are_refused_and_change_nothing(
    app, client, admin, csrf_token, store
):
    event_id = store()
    assert (
        client.post("/admin/login", data={"username": "eve", "password": PASSWORD}).status_code
        == 400
    )
    assert client.get("/admin/").status_code == 302  # the refused sign-in did nothing
    sign_in(client)

    approve = client.post(f"/admin/events/{event_id}/approve")
    reject = client.post(f"/admin/events/{event_id}/reject", data={"reason": "spam"})
    forged = client.post(f"/admin/events/{event_id}/approve", data={"csrf_token": "forged"})
    logout = client.post("/admin/logout")

    assert [r.status_code for r in (approve, reject, forged, logout)] == [400, 400, 400, 400]
    assert fetch(app, event_id).status == EventStatus.PENDING
    assert [a for _, a, _, _ in audit(app)] == ["signed-in", "admin-created"]
    assert client.get("/admin/").status_code == 200  # still signed in


# The queue.


def test_the_queue_lists_pending_events_oldest_first_with_what_to_check(app, signed_in, store):
    first = store(title="First in", organizer_email="first@example.org")
    public = store(title="Already public", status=EventStatus.APPROVED)
    store(title="Turned down", status=EventStatus.REJECTED)
    second = store(
        title="Far away in time",
        start_date=date(2017, 3, 1),
        end_date=date(2017, 3, 1),
        precision=Precision.COUNTRY,
        location_text="Germany",
        place_name="Germany",
        description="Line one\n\nLine two",
        link="https://example.org/party",
        venue="Werksviertel",
        address="Atelierstraße 10",
    )
    twin = store(title="Munich again")  # same place and day as the first
    unplaced = store(
        title="Nowhere", location_text="Atlantis", latitude=None, longitude=None, precision=None
    )

    response = signed_in.get("/admin/")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    titles = re.findall(r'class="admin-item-title"><a href="[^"]+"[^>]*>([^<]+)</a>', html)
    assert titles == ["First in", "Far away in time", "Munich again", "Nowhere"]
    assert "4 events pending" in html
    assert "first@example.org" in html  # moderators see the organizer
    assert "Werksviertel" in html
    assert "Atelierstraße 10" in html
    assert "Dated 2017, but the campaign is in 2016." in html
    assert "Approximate: somewhere in the country (Germany)." in html
    assert "Not on the map: the place was not found." in html
    # Same place, same day: each of the pending pair, and the public one (the rejected is over).
    duplicates = re.findall(r'Possible duplicate of\s*<a href="/admin/events/(\d+)">', html)
    assert [int(d) for d in duplicates] == [public, twin, first, public]
    assert '<a href="https://example.org/party" rel="nofollow noopener noreferrer">' in html
    assert "Line one\n\nLine two" in html
    for event_id in (first, second, twin, unplaced):
        assert f'action="/admin/events/{event_id}/approve"' in html
        assert f'<label for="reason-{event_id}">' in html
    # The map preview: one Leaflet map, its points as JSON, the unplaced event left out.
    assert html.count('class="map-frame admin-map-frame"') == 1
    block = re.search(
        r'<script type="application/json" id="admin-points"[^>]*>(.*?)</script>', html
    )
    points = json.loads(block.group(1))
    assert [p["id"] for p in points] == [first, second, twin]
    assert points[1]["precision"] == "country"
    assert "js/eventmap-admin.js" in html
    assert ' style="' not in html


def test_the_queue_shows_how_the_geocoder_placed_each_event(signed_in, store):
    store(title="Sure", geocode_confidence=1.0)
    store(
        title="Unsure",
        location_text="Gothenberg",
        place_name="Gothenburg, Västra Götaland, Sweden",
        geocode_confidence=0.6,
    )
    store(
        title="Fallback",
        location_text="Somewhere, Germany",
        place_name="Germany",
        precision=Precision.COUNTRY,
        geocode_confidence=0.5,
    )

    html = signed_in.get("/admin/").get_data(as_text=True)

    placed = re.findall(r'<span class="admin-placed-as([^"]*)">(.*?)</span>', html, re.S)
    assert [(marked, " ".join(re.sub("<[^>]+>", "", text).split())) for marked, text in placed] == [
        ("", "placed as: city, confidence 1.00"),
        (" admin-to-check", "placed as: city, confidence 0.60 to check"),
        (" admin-to-check", "placed as: country, confidence 0.50, approximate to check"),
    ]
    assert "To check: the geocoder is not sure it read “Gothenberg” right" in html


def test_the_queue_filters_by_campaign(signed_in, store):
    store(title="In the sixth")
    store(title="In another", campaign_slug="other")

    html = signed_in.get("/admin/?campaign=other").get_data(as_text=True)

    assert "In another" in html
    assert "In the sixth" not in html
    assert "1 event pending in Campaign other" in html
    assert signed_in.get("/admin/?campaign=nope").status_code == 404


def test_an_empty_queue_says_so_and_draws_no_map(signed_in, store):
    store(status=EventStatus.APPROVED)

    html = signed_in.get("/admin/").get_data(as_text=True)

    assert "Nothing to moderate." in html
    assert "admin-map-frame" not in html


def test_hostile_text_is_shown_as_text_everywhere_a_moderator_looks(app, signed_in, store):
    event_id = store(
        title=HOSTILE,
        description=HOSTILE + "<img src=x onerror=alert(1)>",
        organizer_name=HOSTILE,
        organizer_email='"><script>alert(2)</script>@example.org',
        location_text=HOSTILE,
        venue=HOSTILE,
        date_text=HOSTILE,
        link="javascript:alert(3)",
    )
    token = page_token(signed_in)
    signed_in.post(
        f"/admin/events/{event_id}/reject", data={"csrf_token": token, "reason": HOSTILE}
    )

    for url in (
        "/admin/?campaign=openstack6bday",
        f"/admin/events/{event_id}",
        "/admin/events",
        "/admin/audit",
    ):
        if url.startswith("/admin/?"):
            with app.app_context():  # back in the queue for this page
                db.session.get(Event, event_id).status = EventStatus.PENDING
                db.session.commit()
        html = signed_in.get(url).get_data(as_text=True)
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html, url
        assert 'href="javascript:' not in html, url
    queue = signed_in.get("/admin/").get_data(as_text=True)
    assert "javascript:alert(3) <span" in queue  # shown, never linked
    block = re.search(r'id="admin-points"[^>]*>(.*?)</script>', queue, re.S).group(1)
    assert json.loads(block)[0]["title"] == HOSTILE
    assert "</script" not in block


# Decisions.


def test_approving_makes_it_public_and_records_who(app, signed_in, store):
    event_id = store(title="Ready")

    response = signed_in.post(
        f"/admin/events/{event_id}/approve", data={"csrf_token": page_token(signed_in)}
    )

    assert response.status_code == 302
    assert response.location == "/admin/"
    event = fetch(app, event_id)
    assert event.status == EventStatus.APPROVED
    assert event.approved_at is not None
    assert audit(app)[0] == ("admin:eve", "approved", event_id, {"previous": "pending"})
    html = signed_in.get("/admin/").get_data(as_text=True)
    assert "Approved “Ready”: it is on the map now." in html
    assert "Nothing to moderate." in html


def test_a_decision_returns_to_the_page_it_was_made_on_but_never_off_site(signed_in, store):
    event_id = store()
    token = page_token(signed_in)

    back = signed_in.post(
        f"/admin/events/{event_id}/reject",
        data={"csrf_token": token, "reason": "dup", "next": "/admin/?campaign=openstack6bday"},
    )
    away = signed_in.post(
        f"/admin/events/{event_id}/approve",
        data={"csrf_token": token, "next": "https://evil.example/"},
    )

    assert back.location == "/admin/?campaign=openstack6bday"
    assert away.location == "/admin/"


def test_rejecting_needs_a_reason_which_is_kept_for_the_organizer(app, signed_in, store):
    event_id = store(title="Spam")
    token = page_token(signed_in)

    blank = signed_in.post(
        f"/admin/events/{event_id}/reject", data={"csrf_token": token, "reason": "   "}
    )
    too_long = signed_in.post(
        f"/admin/events/{event_id}/reject", data={"csrf_token": token, "reason": "x" * 501}
    )

    assert blank.status_code == too_long.status_code == 400
    blank_html = blank.get_data(as_text=True)
    assert "Say why, so the organizer can fix it or understand." in blank_html
    assert f'aria-describedby="reason-{event_id}-error"' in blank_html
    assert "Keep the reason under 500 characters." in too_long.get_data(as_text=True)
    assert "x" * 501 in too_long.get_data(as_text=True)  # what was typed is kept
    assert fetch(app, event_id).status == EventStatus.PENDING
    assert [a for _, a, _, _ in audit(app)] == ["signed-in", "admin-created"]

    done = signed_in.post(
        f"/admin/events/{event_id}/reject",
        data={"csrf_token": token, "reason": "  Not an OpenStack party.  "},
    )

    assert done.status_code == 302
    event = fetch(app, event_id)
    assert event.status == EventStatus.REJECTED
    assert event.status_reason == "Not an OpenStack party."
    assert audit(app)[0] == (
        "admin:eve",
        "rejected",
        event_id,
        {"previous": "pending", "reason": "Not an OpenStack party."},
    )


def test_a_public_event_can_be_taken_down_and_a_rejected_one_approved(app, signed_in, store):
    public = store(status=EventStatus.APPROVED)
    rejected = store(status=EventStatus.REJECTED, status_reason="dup")
    token = page_token(signed_in)

    html = signed_in.get(f"/admin/events/{public}").get_data(as_text=True)
    assert "Take off the map" in html
    assert f'action="/admin/events/{public}/approve"' not in html
    signed_in.post(f"/admin/events/{public}/reject", data={"csrf_token": token, "reason": "x"})
    signed_in.post(f"/admin/events/{rejected}/approve", data={"csrf_token": token})

    assert fetch(app, public).status == EventStatus.REJECTED
    assert fetch(app, rejected).status == EventStatus.APPROVED
    assert fetch(app, rejected).status_reason is None


def test_a_withdrawn_event_stays_withdrawn(app, signed_in, store):
    event_id = store(status=EventStatus.WITHDRAWN, status_reason="withdrawn by the organizer")
    token = page_token(signed_in)

    approve = signed_in.post(f"/admin/events/{event_id}/approve", data={"csrf_token": token})
    reject = signed_in.post(
        f"/admin/events/{event_id}/reject", data={"csrf_token": token, "reason": "x"}
    )

    assert approve.status_code == reject.status_code == 302
    assert fetch(app, event_id).status == EventStatus.WITHDRAWN
    html = signed_in.get("/admin/").get_data(as_text=True)
    assert "is withdrawn; it cannot be approved." in html
    assert "is withdrawn; it cannot be rejected." in html
    detail = signed_in.get(f"/admin/events/{event_id}").get_data(as_text=True)
    assert "/approve" not in detail
    assert "/reject" not in detail


def test_unknown_events_are_404(signed_in):
    token = page_token(signed_in)
    assert signed_in.get("/admin/events/999").status_code == 404
    assert (
        signed_in.post("/admin/events/999/approve", data={"csrf_token": token}).status_code == 404
    )
    assert signed_in.get("/admin/audit?event=999").status_code == 404


HUGE = str(10**20)


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", f"/admin/events/{HUGE}", 404),
        ("get", f"/admin/events/{HUGE}/edit", 404),
        ("post", f"/admin/events/{HUGE}/edit", 404),
        ("post", f"/admin/events/{HUGE}/approve", 404),
        ("post", f"/admin/events/{HUGE}/reject", 404),
        ("get", "/admin/events/2147483648", 404),  # one past what PostgreSQL's INTEGER holds
        ("get", f"/admin/audit?event={HUGE}", 404),
        ("get", "/admin/audit?event=²", 400),
        ("get", f"/admin/?page={HUGE}", 400),
        ("get", f"/admin/events?page={HUGE}", 400),
        ("get", f"/admin/audit?page={HUGE}", 400),
        ("get", "/admin/events?page=²", 400),
        ("get", "/admin/events?page=0", 400),
    ],
)
def test_ids_and_page_numbers_out_of_range_are_a_404_or_400_with_a_message(
    signed_in, method, url, status
):
    token = page_token(signed_in)
    response = getattr(signed_in, method)(url, data={"csrf_token": token})
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert ("There is no" if status == 404 else "must be") in page
    assert "/admin/events/١٢" not in page
    assert signed_in.get("/admin/events/١٢").status_code == 404  # digits, but not ASCII ones


def test_a_nul_in_a_reason_or_a_user_name_is_refused_beside_the_field(
    app, client, signed_in, store
):
    event_id = store()
    token = page_token(signed_in)
    response = signed_in.post(
        f"/admin/events/{event_id}/reject", data={"csrf_token": token, "reason": "Spam\x00"}
    )
    assert response.status_code == 400
    assert "invisible control character" in response.get_data(as_text=True)
    assert fetch(app, event_id).status == EventStatus.PENDING
    stranger = app.test_client()
    token = page_token(stranger, "/admin/login")
    response = stranger.post(
        "/admin/login", data={"username": "eve\x00", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 200
    assert "invisible control character" in response.get_data(as_text=True)


def test_the_event_page_shows_the_event_its_map_and_its_history(app, signed_in, store):
    event_id = store(title="Detailed")
    token = page_token(signed_in)
    signed_in.post(f"/admin/events/{event_id}/reject", data={"csrf_token": token, "reason": "dup"})
    signed_in.post(f"/admin/events/{event_id}/approve", data={"csrf_token": token})

    html = signed_in.get(f"/admin/events/{event_id}").get_data(as_text=True)

    assert '<h1 id="event-title" lang="" dir="auto">Detailed</h1>' in html
    assert "admin-map-frame" in html
    history = re.findall(r"<strong>([^<]+)</strong> (\w+)", html)
    assert history == [("admin:eve", "approved"), ("admin:eve", "rejected")]
    assert "“dup”" in html
    with app.app_context():
        slug = db.session.get(Event, event_id).slug
    assert f'href="/openstack6bday/{slug}">public page</a>' in html


def test_the_queue_links_each_event_to_its_edit_page(signed_in, store):
    event_id = store()
    html = signed_in.get("/admin/").get_data(as_text=True)
    assert f'href="/admin/events/{event_id}/edit"' in html


# Every event, and the audit log.


def test_all_events_filter_by_status_campaign_and_text(signed_in, store):
    store(title="Pending party")
    store(title="Public party", status=EventStatus.APPROVED)
    store(title="Rejected party", status=EventStatus.REJECTED)
    store(title="Withdrawn party", status=EventStatus.WITHDRAWN, location_text="Kazan, Russia")
    store(title="Elsewhere", campaign_slug="other", status=EventStatus.APPROVED)

    def titles(query: str = "") -> list[str]:
        html = signed_in.get("/admin/events" + query).get_data(as_text=True)
        return re.findall(r'<th scope="row"><a href="[^"]+"[^>]*>([^<]+)</a>', html)

    assert titles() == [
        "Elsewhere",
        "Withdrawn party",
        "Rejected party",
        "Public party",
        "Pending party",
    ]
    assert titles("?status=approved") == ["Elsewhere", "Public party"]
    assert titles("?status=withdrawn") == ["Withdrawn party"]
    assert titles("?status=approved&campaign=openstack6bday") == ["Public party"]
    assert titles("?q=KAZAN") == ["Withdrawn party"]
    assert titles("?q=public") == ["Public party"]
    assert signed_in.get("/admin/events?status=bogus").status_code == 400


def test_long_lists_are_paginated(signed_in, store, monkeypatch):
    monkeypatch.setattr(admin_views, "PER_PAGE", 2)
    for n in range(5):
        store(title=f"Event {n}", location_text=f"Town {n}", latitude=n, longitude=n)

    first = signed_in.get("/admin/events?status=pending").get_data(as_text=True)
    last = signed_in.get("/admin/events?status=pending&page=3").get_data(as_text=True)
    beyond = signed_in.get("/admin/events?page=99")

    assert "Page 1 of 3" in first
    assert 'href="/admin/events?status=pending&amp;page=2"' in first
    assert "Event 4" in first
    assert "Event 2" not in first
    assert "Event 0" in last
    assert 'rel="next"' not in last
    assert beyond.status_code == 200
    assert "No events match." in beyond.get_data(as_text=True)
    queue = signed_in.get("/admin/?page=2").get_data(as_text=True)
    assert "Event 2" in queue
    assert "Event 1" not in queue


def test_the_audit_log_lists_who_did_what_newest_first_and_per_event(app, signed_in, store):
    approved = store(title="One")
    rejected = store(title="Two")
    token = page_token(signed_in)
    signed_in.post(f"/admin/events/{approved}/approve", data={"csrf_token": token})
    signed_in.post(f"/admin/events/{rejected}/reject", data={"csrf_token": token, "reason": "dup"})

    html = signed_in.get("/admin/audit").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>.*?</td>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>", html, re.S)
    assert rows == [
        ("admin:eve", "rejected"),
        ("admin:eve", "approved"),
        ("admin:eve", "signed-in"),
        ("cli", "admin-created"),
    ]
    assert "<dt>reason</dt><dd>dup</dd>" in html

    one = signed_in.get(f"/admin/audit?event={approved}").get_data(as_text=True)
    assert re.findall(r"<td>(approved|rejected|signed-in)</td>", one) == ["approved"]
    assert 'Audit log: <span lang="" dir="auto">One</span>' in one


# Only approved events are public.


def public_views(client, slug: str) -> dict[str, tuple[int, str]]:
    """Fetch every public view of the campaign and of one event: status and body."""
    paths = [
        "/",
        "/openstack6bday/",
        "/openstack6bday/calendar/agenda",
        "/openstack6bday/near?q=Munich",
        "/openstack6bday/calendar.ics",
        "/openstack6bday/feed.atom",
        "/api/events",
        "/api/events?campaign=openstack6bday",
        "/api/events?near=48.1,11.5",
        f"/openstack6bday/{slug}",
        f"/openstack6bday/{slug}.ics",
    ]
    views = {}
    for path in paths:
        response = client.get(path)
        views[path] = (response.status_code, response.get_data(as_text=True))
    return views


@pytest.mark.parametrize(
    "status", [EventStatus.PENDING, EventStatus.REJECTED, EventStatus.WITHDRAWN]
)
def test_only_approved_events_appear_anywhere_public(app, client, admin, csrf_token, store, status):
    store(
        title="Visible birthday",
        status=EventStatus.APPROVED,
        start_date=date(2016, 7, 20),
        end_date=date(2016, 7, 20),
    )
    event_id = store(title="Secret birthday zq", status=status)
    slug = fetch(app, event_id).slug

    before = public_views(client, slug)

    for path, (code, body) in before.items():
        assert "Secret birthday zq" not in body, path
        if path.endswith((slug, f"{slug}.ics")):
            assert code == 404, path
        else:
            assert code == 200, path
            assert "Visible birthday" in body, path

    sign_in(client)
    token = page_token(client)
    response = client.post(f"/admin/events/{event_id}/approve", data={"csrf_token": token})
    assert response.status_code == 302
    client.post("/admin/logout", data={"csrf_token": token})

    after = public_views(client, slug)

    if status == EventStatus.WITHDRAWN:  # only its organizer may bring it back
        assert {path: code for path, (code, _) in after.items()} == {
            path: code for path, (code, _) in before.items()
        }
        assert all("Secret birthday zq" not in body for _, body in after.values())
        return
    for path, (code, body) in after.items():
        assert code == 200, path
        assert "Secret birthday zq" in body, path


def test_a_moderator_edits_any_event_and_the_audit_log_names_them(app, signed_in, store):
    event_id = store(
        title="Party with a typo", status=EventStatus.APPROVED, geocode_source="geocoder"
    )
    url = f"/admin/events/{event_id}/edit"
    page = signed_in.get(url)
    assert page.status_code == 200
    assert 'value="Party with a typo"' in page.get_data(as_text=True)
    response = signed_in.post(
        url,
        data=saved_form_data(csrf_token=page_token(signed_in, url), title="Party without a typo"),
    )
    assert response.status_code == 303
    event = fetch(app, event_id)
    assert event.title == "Party without a typo"
    assert event.status == EventStatus.APPROVED  # a moderator's edit keeps the status
    actor, action, entry_event, details = audit(app)[0]
    assert (actor, action, entry_event) == ("admin:eve", "edited", event_id)
    assert details["fields"] == ["title"]
    assert "Edit" in signed_in.get(f"/admin/events/{event_id}").get_data(as_text=True)


def test_a_moderator_cannot_move_a_party_out_of_the_date_window(app, signed_in, store):
    event_id = store(status=EventStatus.APPROVED)
    url = f"/admin/events/{event_id}/edit"
    response = signed_in.post(
        url,
        data=saved_form_data(
            csrf_token=page_token(signed_in, url), title="Party", date_text="9999-12-31"
        ),
    )
    assert response.status_code == 422
    assert "Date: 9999-12-31 is more than 5 years after" in response.get_data(as_text=True)
    assert fetch(app, event_id).end_date == date(2016, 7, 19)


def test_editing_needs_a_moderator(client, store):
    event_id = store()
    assert client.get(f"/admin/events/{event_id}/edit").status_code == 302
    response = client.post(f"/admin/events/{event_id}/edit", data={"title": "x"})
    assert response.status_code in (302, 400)


def test_a_moderator_can_save_every_imported_seed_party_unchanged(app, runner, signed_in):
    from tests.helpers import form_values
    from tests.test_seed import PARTIES, OfflineGeocoder

    use_geocoder(app, OfflineGeocoder())
    assert runner.invoke(args=["import", str(PARTIES)]).exit_code == 0
    with app.app_context():
        ids = db.session.scalars(db.select(Event.id).order_by(Event.id)).all()
    assert len(ids) == 45
    for event_id in ids:
        url = f"/admin/events/{event_id}/edit"
        data = form_values(signed_in.get(url).get_data(as_text=True))
        assert "organizer_name" in data  # the form offers the fields, empty for imported rows
        response = signed_in.post(url, data={**data, "action": "save"})
        assert response.status_code == 303, (event_id, response.get_data(as_text=True)[-3000:])
    edits = [entry for entry in audit(app) if entry[1] == "edited"]
    assert edits == []  # saved as it was: nothing changed, so nothing was written


def test_a_moderator_can_edit_an_imported_party_with_a_long_description(app, signed_in, store):
    long_text = "A long report. " * 600  # 9,000 characters: the importer allows 10,000
    event_id = store(
        organizer_name=None,
        organizer_email=None,
        description=long_text.strip(),
        status=EventStatus.APPROVED,
        geocode_source="geocoder",
    )
    url = f"/admin/events/{event_id}/edit"
    data = form_values(signed_in.get(url).get_data(as_text=True))
    response = signed_in.post(url, data={**data, "title": "Renamed", "action": "save"})
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    event = fetch(app, event_id)
    assert (event.title, event.description) == ("Renamed", long_text.strip())
    assert (event.organizer_name, event.organizer_email) == (None, None)


def test_moving_an_event_into_a_campaign_that_has_its_slug_is_a_form_error(app, signed_in, store):
    event_id = store(slug="munich", title="Munich party", status=EventStatus.APPROVED)
    store(slug="munich", title="The other Munich party", campaign_slug="openstack7bday")
    url = f"/admin/events/{event_id}/edit"
    response = signed_in.post(
        url,
        data=saved_form_data(
            csrf_token=page_token(signed_in, url),
            campaign="openstack7bday",
            title="Typed by the moderator",
            choice="keep",
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:2000]
    error = re.search(r'<p class="[^"]*error" id="campaign-error">([^<]*)</p>', page)
    assert error, page[:3000]
    assert "Campaign openstack7bday" in error.group(1)
    assert 'value="Typed by the moderator"' in page
    assert '<option selected value="openstack7bday">' in page
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert (event.campaign.slug, event.slug, event.title) == (
            "openstack6bday",
            "munich",
            "Munich party",
        )
    assert "edited" not in [action for _, action, _, _ in audit(app)]


def test_a_moderator_sets_a_partys_language_and_the_queue_marks_its_title(app, signed_in, store):
    event_id = store(title="Fiesta", status=EventStatus.PENDING)
    url = f"/admin/events/{event_id}/edit"
    response = signed_in.post(
        url,
        data=saved_form_data(
            csrf_token=page_token(signed_in, url), title="Fiesta", language="es-mx"
        ),
    )
    assert response.status_code == 303
    assert fetch(app, event_id).language == "es-MX"
    queue = signed_in.get("/admin/").get_data(as_text=True)
    assert f'<a href="/admin/events/{event_id}" lang="es-MX" dir="ltr">Fiesta</a>' in queue
    detail = signed_in.get(f"/admin/events/{event_id}").get_data(as_text=True)
    assert "<dd>Spanish (Mexico)</dd>" in detail
    refused = signed_in.post(
        url, data=saved_form_data(csrf_token=page_token(signed_in, url), title="F", language="zz")
    )
    assert refused.status_code == 422
    assert fetch(app, event_id).language == "es-MX"
