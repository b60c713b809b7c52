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


def error_headers(error: HTTPException) -> list[tuple[str, str]]:
    """Return the headers an error calls for (Allow on a 405), less its own body's type."""
    return [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]


def json_error(error: HTTPException) -> Response:
    """Answer an HTTP error as a JSON object saying what was wrong, with its headers."""
    response = jsonify({"error": error.description})
    response.status_code = error.code or 500
    response.headers.extend(error_headers(error))
    return response


def http_error(error: HTTPException) -> Response | tuple[str, int, list[tuple[str, str]]]:
    """Answer errors with a readable page, or JSON under /api."""
    code = error.code or 500
    if isinstance(error, CSRFError):
        error.description = CSRF_MESSAGE
    refused = describe_refusal(error) if host_refused(error) else None
    if request.path.startswith("/api/"):
        return json_error(error)
    headers = error_headers(error)
    if refused is not None:
        return render_template("host_refused.html", name=error.name, **refused), code, headers
    page = render_template("error.html", code=code, name=error.name, description=error.description)
    return page, code, headers


def init_errors(app: Flask) -> None:
    """Answer every HTTP error of the app with http_error."""
    app.register_error_handler(HTTPException, http_error)
