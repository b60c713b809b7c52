"""The map shell: written by folium once per process and configuration, nonce added per page."""

from __future__ import annotations

import re

import folium

SCRIPT = re.compile(r'<script nonce="([^"]+)">(.*?)</script>', re.DOTALL)


def counted_maps(monkeypatch) -> list[int]:
    """Count the folium maps made from now on."""
    made: list[int] = []
    real = folium.Map

    def counting(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(folium, "Map", counting)
    return made


def map_script(html: str) -> tuple[str, str]:
    """Return the nonce and the text of the page's map script (the one folium wrote)."""
    found = [(nonce, text) for nonce, text in SCRIPT.findall(html) if "L.map(" in text]
    assert len(found) == 1, found
    return found[0]


def test_the_shell_is_written_once_and_each_page_has_its_own_nonce(client, make_event, monkeypatch):
    made = counted_maps(monkeypatch)
    make_event()
    pages = [client.get(path) for path in ("/openstack6bday/map", "/openstack6bday/map", "/")]
    assert len(made) == 1
    scripts = [map_script(page.get_data(as_text=True)) for page in pages]
    nonces = [nonce for nonce, _ in scripts]
    assert len(set(nonces)) == 3
    assert len({text for _, text in scripts}) == 1  # the same shell otherwise
    for page, nonce in zip(pages, nonces, strict=True):
        assert f"'nonce-{nonce}'" in page.headers["Content-Security-Policy"]
    names = {re.search(r'data-map-name="([^"]+)"', p.get_data(as_text=True))[1] for p in pages}
    assert len(names) == 1


def test_another_tile_server_is_another_shell(app, client, make_event, monkeypatch):
    made = counted_maps(monkeypatch)
    app.config["PAGE_CACHE"] = False  # the shells are counted here, not the pages
    make_event()
    first = map_script(client.get("/openstack6bday/map").get_data(as_text=True))[1]
    app.config["MAP_TILES_URL"] = "https://tiles.example.org/{z}/{x}/{y}.png"
    second = map_script(client.get("/openstack6bday/map").get_data(as_text=True))[1]
    app.config["MAP_TILES_URL"] = ""
    third = map_script(client.get("/openstack6bday/map").get_data(as_text=True))[1]
    assert len(made) == 3
    assert "tiles.example.org" in second
    assert "tiles.example.org" not in first
    assert "tile.openstreetmap.org" not in third
