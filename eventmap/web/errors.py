"""The app-wide error pages: a readable page for every HTTP error, JSON under /api."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .hosts import describe_refusal, host_refused

FORM_EXPIRED = (
    "This form expired (or did not come from this site), so nothing was saved yet."
    " Check the details below and send it again."
)
CSRF_MESSAGE = (
    "This form has expired or did not come from this site, so nothing was saved."
    " Go back, reload the page and send it again."
)


def http_error(error: HTTPException) -> tuple[str, int] | tuple[Response, int]:
    """Answer errors with a readable page, or JSON under /api."""
    code = error.code or 500
    if isinstance(error, CSRFError):
        error.description = CSRF_MESSAGE
    refused = describe_refusal(error) if host_refused(error) else None
    if request.path.startswith("/api/"):
        return jsonify({"error": error.description}), code
    if refused is not None:
        return render_template("host_refused.html", name=error.name, **refused), code
    page = render_template("error.html", code=code, name=error.name, description=error.description)
    return page, code


def init_errors(app: Flask) -> None:
    """Answer every HTTP error of the app with http_error."""
    app.register_error_handler(HTTPException, http_error)
