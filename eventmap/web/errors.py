"""The app-wide error pages: a readable page for every HTTP error, JSON under /api."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .hosts import describe_refusal, host_refused
from .messages import translate

FORM_EXPIRED = _l(
    "This form expired (or did not come from this site), so nothing was saved yet."
    " Check the details below and send it again."
)
CSRF_MESSAGE = _l(
    "This form has expired or did not come from this site, so nothing was saved."
    " Go back, reload the page and send it again."
)
# The names of the errors a visitor may meet, in their language (werkzeug's are English).
ERROR_NAMES = {
    400: _l("Bad request"),
    403: _l("Forbidden"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Too large"),
    422: _l("Cannot be processed"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    501: _l("Not offered"),
    503: _l("Try again in a minute"),
}
# What werkzeug says when the app gave no description of its own, reworded to be translated.
DEFAULT_DESCRIPTIONS = {
    404: _l("There is no page at this address. Check it, or start from the home page."),
    405: _l("This address does not take this kind of request."),
    413: _l("What was sent is larger than this site accepts."),
    429: _l("Too many requests from your address; wait a little and try again."),
    500: _l("Something went wrong on our side; nothing you did. Try again in a minute."),
}


def _words(error: HTTPException, code: int) -> tuple[str, str]:
    """Return the error's name and description in the visitor's language."""
    name = str(ERROR_NAMES.get(code, error.name))
    description = error.description
    if description == type(error).description and code in DEFAULT_DESCRIPTIONS:
        description = DEFAULT_DESCRIPTIONS[code]
    return name, translate(description)


def error_headers(error: HTTPException) -> list[tuple[str, str]]:
    """Return the headers an error calls for (Allow on a 405), less its own body's type."""
    return [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]


def json_error(error: HTTPException) -> Response:
    """Answer an HTTP error as a JSON object saying what was wrong, with its headers."""
    description = error.description
    response = jsonify({"error": None if description is None else translate(description)})
    response.status_code = error.code or 500
    response.headers.extend(error_headers(error))
    return response


def http_error(error: HTTPException) -> Response | tuple[str, int, list[tuple[str, str]]]:
    """Answer errors with a readable page, or JSON under /api."""
    code = error.code or 500
    if isinstance(error, CSRFError):
        error.description = CSRF_MESSAGE
    refused = describe_refusal(error) if host_refused(error) else None
    if error.description is not None:  # a domain Message or a lazy string: now in words
        error.description = translate(error.description)
    if request.path.startswith("/api/"):
        return json_error(error)
    headers = error_headers(error)
    name, description = _words(error, code)
    if refused is not None:
        return render_template("host_refused.html", name=name, **refused), code, headers
    page = render_template("error.html", code=code, name=name, description=description)
    return page, code, headers


def init_errors(app: Flask) -> None:
    """Answer every HTTP error of the app with http_error."""
    app.register_error_handler(HTTPException, http_error)
