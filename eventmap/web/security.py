"""Security headers on every response: a strict Content-Security-Policy with per-request nonces.

Scripts run only from this app or from an inline block carrying the request's nonce (folium
writes one per map); styles, images, fetches and fonts come from this app, plus the configured
tile server's images. Pages cannot be framed (embeddable pages will opt out explicitly).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

_NONCE = "eventmap.csp_nonce"


def csp_nonce() -> str:
    """Return this request's nonce for inline scripts, made on first use."""
    environ = request.environ  # per request, even when an app context spans several
    if _NONCE not in environ:
        environ[_NONCE] = secrets.token_urlsafe(18)
    return environ[_NONCE]


def _tile_origin(url: str | None) -> str:
    """Return the scheme and host of the tile server ("" when there is none)."""
    if not url:
        return ""
    parts = urlsplit(url.replace("{s}", "a"))
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in url else parts.netloc
    return f"{parts.scheme}://{host}" if parts.scheme and host else ""


def content_security_policy(nonce: str, tiles_url: str | None, **overrides: str) -> str:
    """Write the policy for a page; a page that needs more names it (form_action="...")."""
    tiles = _tile_origin(tiles_url)
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": "'self'",
        "img-src": f"'self' data: {tiles}".strip(),
        "connect-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    directives.update({name.replace("_", "-"): value for name, value in overrides.items()})
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def init_security(app: Flask) -> None:
    """Add the headers to every response of the app."""

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault(
                "Content-Security-Policy",
                content_security_policy(csp_nonce(), app.config.get("MAP_TILES_URL")),
            )
        return response

    app.add_template_global(csp_nonce)


def with_policy(response: Response, **overrides: str) -> Response:
    """Give one response a policy that differs from the default in the directives named."""
    response.headers["Content-Security-Policy"] = content_security_policy(
        csp_nonce(), current_app.config.get("MAP_TILES_URL"), **overrides
    )
    return response
