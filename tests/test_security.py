"""Security headers: a strict CSP with a fresh nonce per request on every page."""

from __future__ import annotations

import re

from eventmap.web.security import content_security_policy


def test_every_page_has_the_headers_and_inline_scripts_carry_the_nonce(client, make_event):
    make_event()
    nonces = set()
    for path in ("/", "/openstack6bday/map", "/openstack6bday/calendar", "/openstack6bday/near"):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy
        assert "img-src 'self' data: https://tile.openstreetmap.org" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        nonces.add(nonce)
        html = response.get_data(as_text=True)
        for tag in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html):
            assert f'nonce="{nonce}"' in tag, tag
    assert len(nonces) == 4  # a new one each request


def test_json_and_files_get_nosniff_but_no_page_policy(client, make_event):
    make_event()
    response = client.get("/api/events")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response.headers


def test_the_tile_server_with_subdomains_is_allowed_as_a_wildcard():
    policy = content_security_policy("n", "https://{s}.tile.example.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://*.tile.example.org;" in policy
    assert "img-src 'self' data:;" in content_security_policy("n", "")


FRAMEABLE = {"share.embed"}


def test_every_html_route_sends_the_policy(app, client, make_event):
    """Walk the URL map so a new page cannot forget the headers."""
    from eventmap import operations
    from eventmap.eventdata import SubmissionData
    from eventmap.extensions import db
    from eventmap.models import Event

    event = make_event()
    pending = make_event(status=operations.EventStatus.PENDING)
    _, token = operations.submit_event(
        SubmissionData(
            campaign=event.campaign,
            title="t",
            location_text="Munich",
            date_text="",
            parts=(),
            point=None,
        )
    )
    assert db.session.get(Event, pending.id) is not None
    values = {
        "campaign_slug": "openstack6bday",
        "event_slug": event.slug,
        "token": token,
        "name": "leaflet",
        "filename": "leaflet.js",
    }
    checked = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.arguments <= values.keys():
            continue
        if rule.endpoint in ("static", "assets.vendor"):
            continue  # files, not pages
        path = rule.build(values, append_unknown=False)[1]
        response = client.get(path)
        if response.mimetype != "text/html":
            continue
        checked.append(rule.endpoint)
        policy = response.headers.get("Content-Security-Policy", "")
        assert "script-src 'self' 'nonce-" in policy, path
        assert "'unsafe-inline'" not in policy, path
        # Only the embed may be framed, by any site; every other page by none.
        framing = "frame-ancestors *" if rule.endpoint in FRAMEABLE else "frame-ancestors 'none'"
        assert framing in policy, path
    assert set(checked) >= FRAMEABLE
    assert {"views.home", "views.event", "submit.submit", "submit.edit"} <= set(checked)
    assert client.get("/no/such/page/here").headers["Content-Security-Policy"]


def test_session_cookies_are_httponly_and_samesite(client, make_campaign):
    make_campaign()
    [cookie] = client.get("/submit").headers.getlist("Set-Cookie")
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookies_are_secure_when_configured_for_https(monkeypatch, tmp_path):
    from eventmap import create_app
    from eventmap.config import Config

    monkeypatch.setenv("EVENTMAP_HTTPS", "1")
    assert Config(tmp_path).SESSION_COOKIE_SECURE is True
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SESSION_COOKIE_SECURE": True})
    response = app.test_client().get("/api/events/no-such")
    with app.test_request_context():
        from flask import session

        session["x"] = 1
        app.session_interface.save_session(app, session, response)
    assert "Secure" in response.headers.getlist("Set-Cookie")[-1]
