"""Cross-origin reads of the public data: the API and the feeds, and nothing else.

Other sites may fetch `/api/*`, the campaign's `calendar.ics`, each party's `.ics` and
`feed.atom` with `Access-Control-Allow-Origin: *`. No credentials are allowed, so no page
elsewhere can act as a signed-in moderator; forms, admin pages and submissions get no CORS
headers at all, so browsers keep other sites out of them. ETag and Last-Modified are exposed
so that those clients can revalidate. flask-cors matches the paths (error answers under them
included) and answers preflight requests.
"""

from __future__ import annotations

import re

from flask import Flask
from flask_cors import CORS

# The paths other sites may read: the API, and the feeds of calendar.py's URL rules
# (/<campaign>/calendar.ics and /<campaign>/<event>.ics alike, /<campaign>/feed.atom).
CORS_PATHS = (
    re.compile(r"^/api/"),
    re.compile(r"^/[^/]+/[^/]+\.ics$"),
    re.compile(r"^/[^/]+/feed\.atom$"),
)
READ_METHODS = ("GET", "HEAD", "OPTIONS")
EXPOSED_HEADERS = ("ETag", "Last-Modified")
PREFLIGHT_MAX_AGE = 86_400  # seconds a browser may keep a preflight answer (it may cap it)


def init_cors(app: Flask) -> None:
    """Open the API and the feeds to every origin, read-only and without credentials."""
    options = {
        "origins": "*",
        "send_wildcard": True,  # "*" itself, not the Origin echoed: one answer for every cache
        "supports_credentials": False,
        "methods": list(READ_METHODS),
        "expose_headers": list(EXPOSED_HEADERS),
        "max_age": PREFLIGHT_MAX_AGE,
        "vary_header": False,
    }
    CORS(app, resources=dict.fromkeys(CORS_PATHS, options))
