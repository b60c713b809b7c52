"""Security headers: a strict CSP with a fresh nonce per request on every page."""

from __future__ import annotations

import re

from eventmap.security import content_security_policy


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
