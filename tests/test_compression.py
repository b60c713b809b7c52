"""gzip and brotli for pages, feeds, JSON and files when asked, breaking nothing they carry."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from eventmap.web.compression import MIN_SIZE

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def nonce_of(response) -> str:
    return re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_go_out_compressed_with_their_nonce_intact(client, make_event, encoding):
    make_event()
    for path in ("/", "/openstack6bday/map", "/openstack6bday/near?q=Munich"):
        response = client.get(path, headers={"Accept-Encoding": encoding})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert int(response.headers["Content-Length"]) == len(response.data)
        html = DECODE[encoding](response.data).decode()
        nonce = nonce_of(response)
        scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert scripts
        assert all(f'nonce="{nonce}"' in tag for tag in scripts)


def test_without_accept_encoding_nothing_is_compressed(client, make_event):
    make_event()
    response = client.get("/openstack6bday/map")
    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True).startswith("<!doctype html>")


@pytest.mark.parametrize(
    "path",
    [
        "/openstack6bday/feed.atom",
        "/openstack6bday/calendar/agenda",
        "/api/events?near=48.1,11.5",
        "/static/js/eventmap-map.js",
        "/static/css/eventmap.css",
        "/vendor/leaflet/leaflet.js",
    ],
)
def test_feeds_json_scripts_and_styles_are_compressed_too(client, make_event, path):
    for n in range(5):
        make_event(slug=f"party-{n}", title=f"Party number {n}")
    # Closed at once: a file's answer keeps it open until then.
    with client.get(path) as plain, client.get(path, headers={"Accept-Encoding": "gzip"}) as packed:
        assert packed.status_code == plain.status_code == 200
        assert packed.headers["Content-Encoding"] == "gzip"
        assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data)
        body = gzip.decompress(packed.data)
        if path.startswith(("/static", "/vendor")):  # no nonce or date in them: the same bytes
            assert body == plain.data


@pytest.mark.parametrize("path", ["/static/js/eventmap-map.js", "/vendor/leaflet/leaflet.js"])
def test_a_compressed_file_revalidates_with_its_own_tag(client, path):
    first = client.get(path, headers={"Accept-Encoding": "br"})
    tag = first.headers["ETag"]
    assert tag.endswith(':br"')
    again = client.get(path, headers={"Accept-Encoding": "br", "If-None-Match": tag})
    assert again.status_code == 304
    assert again.data == b""
    with client.get(path, headers={"If-None-Match": tag}) as plain:  # another representation
        assert plain.status_code == 200
        assert "Content-Encoding" not in plain.headers


def test_small_answers_are_left_alone(client):
    response = client.get("/healthz", headers={"Accept-Encoding": "br"})
    assert len(response.data) < MIN_SIZE
    assert "Content-Encoding" not in response.headers
    missing = client.get("/api/nothing", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404
    assert "Content-Encoding" not in missing.headers


def test_private_no_store_pages_are_not_compressed(client):
    """A page with a secret in it is never compressed: its size must not give the secret away."""
    page = client.get("/admin/login", headers={"Accept-Encoding": "gzip, br"})
    assert page.status_code == 200
    assert len(page.data) > MIN_SIZE
    assert page.headers["Cache-Control"] == "no-store"
    assert "Content-Encoding" not in page.headers
    assert 'name="csrf_token"' in page.get_data(as_text=True)


def test_a_big_file_goes_as_it_is_even_to_a_client_that_takes_gzip(client):
    from eventmap.web.assets import VENDOR
    from eventmap.web.compression import MAX_FILE_SIZE

    big = VENDOR["world-atlas"] / "countries-10m.json"
    assert big.stat().st_size > MAX_FILE_SIZE  # the outlines no page loads
    with client.get(
        "/vendor/world-atlas/countries-10m.json", headers={"Accept-Encoding": "gzip"}
    ) as r:
        assert r.status_code == 200
        assert "Content-Encoding" not in r.headers
        assert int(r.headers["Content-Length"]) == big.stat().st_size
        assert r.data == big.read_bytes()


def test_a_client_that_asks_for_identity_gets_the_file_as_it_is(client):
    from eventmap.web.assets import VENDOR

    with client.get("/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": "identity"}) as r:
        assert r.status_code == 200
        assert "Content-Encoding" not in r.headers
        assert r.data == (VENDOR["leaflet"] / "leaflet.js").read_bytes()
