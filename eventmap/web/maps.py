"""The campaign map: a folium (Leaflet) map whose markers come from the API's map feed.

folium writes the map, its base layers and the Leaflet and plugin links, all pointing at
files this app serves; static/js/eventmap-map.js then loads /api/map-events, clusters the
points with supercluster and adds the country outlines, filters, time slider and list links.
The page therefore stays the same size whatever the number of events.

folium takes milliseconds to write the shell, far more than the rest of a page, and the shell
depends only on the configuration: each process writes it once per configuration and keeps
it. The inline script gets its per-request CSP nonce from the page template (`csp_nonce()`
on its <script> tag), so nothing of a request is kept in the shell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request, url_for
from markupsafe import Markup

_SHELLS = "eventmap.map_shells"


@dataclass(frozen=True)
class MapParts:
    """The pieces of a rendered map that a page template places: links, div, script."""

    name: str  # the JavaScript variable folium gives the map
    scripts: tuple[str, ...]
    stylesheets: tuple[str, ...]
    html: Markup
    script: Markup


def render_map(config: dict[str, Any], *, center: tuple[float, float] = (20.0, 10.0)) -> MapParts:
    """Return the map's shell, written by folium once per process for each configuration."""
    key = (
        config.get("MAP_TILES_URL"),
        config.get("MAP_TILES_ATTRIBUTION"),
        config.get("MAP_TILES_NAME"),
        tuple(center),
        request.script_root,  # the vendored files' addresses start with it
    )
    shells: dict[tuple[Any, ...], MapParts] = current_app.extensions.setdefault(_SHELLS, {})
    parts = shells.get(key)
    if parts is None:  # two threads may both write it at first; either copy will do
        parts = shells.setdefault(key, _write_map(config, center))
    return parts


def _write_map(config: dict[str, Any], center: tuple[float, float]) -> MapParts:
    """Write the map's shell with folium: Leaflet with its plugins, the tile layer if any."""
    # Imported here, once per process: folium brings numpy (and pandas where it is
    # installed), tens of MB that a worker which never serves the map page does without.
    import folium

    leaflet_map = folium.Map(
        location=list(center),
        zoom_start=2,
        min_zoom=1,
        max_zoom=16,
        tiles=None,
        world_copy_jump=True,
        control_scale=True,
        prefer_canvas=False,
        fullscreenControl=True,
        fullscreenControlOptions={"position": "topleft"},
    )
    # Every asset from this app: no CDN (folium's defaults point at several).
    leaflet_map.default_js = [
        ("leaflet", vendor_url("leaflet", "leaflet.js")),
        ("supercluster", vendor_url("supercluster", "supercluster.min.js")),
        ("fullscreen", vendor_url("fullscreen", "Control.FullScreen.umd.js")),
        ("topojson", vendor_url("topojson", "topojson-client.min.js")),
    ]
    leaflet_map.default_css = [
        ("leaflet_css", vendor_url("leaflet", "leaflet.css")),
        ("fullscreen_css", vendor_url("fullscreen", "Control.FullScreen.css")),
    ]
    tile_url = config.get("MAP_TILES_URL")
    if tile_url:
        folium.TileLayer(
            tiles=tile_url,
            attr=config.get("MAP_TILES_ATTRIBUTION") or "",
            name=config.get("MAP_TILES_NAME") or "Map tiles",
            max_zoom=16,
            control=True,
        ).add_to(leaflet_map)
    root = leaflet_map.get_root()
    root.render()
    # folium's own header sets page-wide styles and a viewport that blocks zooming; the page
    # template links the same files itself and styles the map box.
    return MapParts(
        name=leaflet_map.get_name(),
        scripts=tuple(url for _name, url in leaflet_map.default_js),
        stylesheets=tuple(url for _name, url in leaflet_map.default_css),
        html=Markup(root.html.render()),  # noqa: S704 - folium writes it from config only
        script=Markup(root.script.render()),  # noqa: S704 - values JSON-escaped by folium
    )


def vendor_url(name: str, filename: str) -> str:
    """Return the app's address of a vendored file (served by the assets blueprint)."""
    return url_for("assets.vendor", name=name, filename=filename)
