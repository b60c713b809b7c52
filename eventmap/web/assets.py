"""Front-end libraries served by the app itself, so no page needs a CDN.

Leaflet comes from the XStatic-Leaflet pip package; the Leaflet plugins, supercluster and the
Natural Earth country outlines come from npm packages that `make assets` installs into
assets/node_modules from the committed package-lock.json.
"""

from __future__ import annotations

from pathlib import Path

import xstatic.pkg.leaflet
from flask import Blueprint, Response, abort, send_from_directory

NODE_MODULES = Path(__file__).resolve().parents[2] / "assets" / "node_modules"

# name in the URL -> folder the files are served from
VENDOR: dict[str, Path] = {
    "leaflet": Path(xstatic.pkg.leaflet.BASE_DIR),
    "supercluster": NODE_MODULES / "supercluster" / "dist",
    "fullscreen": NODE_MODULES / "leaflet.fullscreen" / "dist",
    "topojson": NODE_MODULES / "topojson-client" / "dist",
    "world-atlas": NODE_MODULES / "world-atlas",
}
# Served files are versioned by their package; a day of caching is safe and saves requests.
MAX_AGE = 24 * 3600

bp = Blueprint("assets", __name__, url_prefix="/vendor")


@bp.get("/<name>/<path:filename>")
def vendor(name: str, filename: str) -> Response:
    """Serve one file of a vendored package."""
    folder = VENDOR.get(name)
    if folder is None:
        abort(404)
    if not folder.is_dir():
        abort(404, description=f"{name} is not installed: run `make assets`.")
    return send_from_directory(folder, filename, max_age=MAX_AGE)
