"""The language menu's route: keep the visitor's choice in a cookie and go back to the page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, redirect, request

from .. import languages
from ..extensions import csrf
from .i18n import COOKIE, PARAM

COOKIE_MAX_AGE = 365 * 24 * 3600
bp = Blueprint("i18n", __name__)


def safe_next(target: str | None) -> str:
    """Return `target` when it is a path on this site, else the home page."""
    home = request.script_root + "/"
    if not target or len(target) > 2000 or "\\" in target or any(ord(c) < 32 for c in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return home
    return target


def _same_site() -> bool:
    """Tell whether the post comes from this site's own pages (Fetch metadata, then Origin).

    The menu is on every page, cached pages included, so it carries no per-visitor token
    (a token would give every visitor a session): the browser's own headers say where it comes
    from instead, the defence OWASP lists for forms without one.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in {"same-origin", "none"}
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == request.host_url.rstrip("/")
    return True  # an old browser sends neither; the cookie is only a language


@bp.post("/language")
@csrf.exempt
def choose() -> Response:
    """Keep the language chosen in the menu in a cookie and go back to the page."""
    target = safe_next(request.form.get("next"))
    if not _same_site():
        return Response(
            "This form only works from this site's own pages.\n", 403, mimetype="text/plain"
        )
    code = languages.supported(request.form.get(PARAM))
    response = redirect(target, 303)
    if code is None:
        return response  # nothing chosen: the page as it was
    response.set_cookie(
        COOKIE,
        code,
        max_age=COOKIE_MAX_AGE,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
        path=request.script_root or "/",
    )
    return response
