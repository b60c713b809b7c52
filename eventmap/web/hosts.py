"""Refuse requests for hosts other than the trusted ones (TRUSTED_HOSTS), with a readable 400.

Flask checks the Host header (after ProxyFix, the forwarded host) while it sets up the request
and keeps the refusal until the view would run. Raised first, before any other hook, it stops
the request before forms, sessions or rate limits see it; the page says where the site is.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, SecurityError

# Enough of a hostile Host header to recognise it; the page escapes it like any text.
SHOWN_HOST_LENGTH = 100


def host_refused(error: HTTPException) -> bool:
    """Tell whether this error is the refusal of an untrusted host."""
    return isinstance(error, SecurityError) and error is request.routing_exception


def describe_refusal(error: HTTPException) -> dict[str, str]:
    """Say in the error which address was asked for and where the site is instead."""
    asked = request.environ.get("HTTP_HOST", "")[:SHOWN_HOST_LENGTH] or _("(none given)")
    home = current_app.config["PUBLIC_URL"].rstrip("/") + "/"
    error.description = _(
        "This site does not answer to the address %(asked)s. It is at %(home)s",
        asked=asked,
        home=home,
    )
    return {"asked": asked, "home": home}


def init_hosts(app: Flask) -> None:
    """Refuse untrusted hosts before any other before-request hook runs."""

    @app.before_request
    def _refuse_untrusted_host() -> None:
        if isinstance(request.routing_exception, SecurityError):
            raise request.routing_exception
