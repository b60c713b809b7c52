"""Database outages: answer 503 with Retry-After, show a typed form again, log one line.

A database that is down, restarting, read-only, full or locked is an outage, not a bug: the
visitor gets a readable page (JSON under /api/) asking to try again shortly, an organizer or
moderator gets their form back with everything typed in it, and the log gets one line naming
the failure instead of a traceback. The session is rolled back, and the pool's pre-ping replaces
dead connections, so the first request after the database is back simply works.
"""

from __future__ import annotations

import logging
from contextlib import suppress

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from ..extensions import db

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30
READ_MESSAGE = _l("The site's database is not available just now. Please try again in a minute.")
WRITE_MESSAGE = _l(
    "The site's database is not available just now, so nothing was saved yet."
    " Please send it again in a minute."
)
# The views whose form comes back with everything typed (one event form, three entry points).
EVENT_FORM_VIEWS = frozenset({"submit.submit", "submit.edit", "admin.edit_event"})
# SQLite result codes (and their extended forms) that mean the file cannot be used right now.
SQLITE_OUTAGES = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_NOMEM",
    "SQLITE_READONLY",
    "SQLITE_IOERR",
    "SQLITE_FULL",
    "SQLITE_CANTOPEN",
    "SQLITE_PROTOCOL",
)
# PostgreSQL SQLSTATEs of the same kind: connection (08), resources such as a full disk (53),
# operator intervention such as a shutdown (57), system errors (58), transaction rollbacks
# (40), a read-only transaction (25006) and a lock not available (55P03).
POSTGRES_OUTAGES = ("08", "53", "57", "58", "40", "25006", "55P03")


def _chain(error: BaseException) -> list[BaseException]:
    """Return the error and the errors it was raised while handling, newest first."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def outage_cause(error: BaseException) -> BaseException | None:
    """Return the outage behind an error, if any: the error itself, or the one it followed.

    A failed write can fail again on its way out (SQLite drops the savepoint when the disk is
    full, so rolling back to it raises "no such savepoint"); the first failure is the outage.
    """
    return next((cause for cause in _chain(error) if _is_outage(cause)), None)


def is_outage(error: BaseException) -> bool:
    """Tell a database that cannot serve now from a query or schema that is wrong."""
    return outage_cause(error) is not None


def _is_outage(error: BaseException) -> bool:
    """Tell whether this one error is the database failing to serve."""
    if isinstance(error, PoolTimeoutError):
        return True  # every pooled connection is busy
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    name = getattr(error.orig, "sqlite_errorname", None)
    if name is not None:
        return name.startswith(SQLITE_OUTAGES)
    state = getattr(error.orig, "sqlstate", None)
    if state:
        return state.startswith(POSTGRES_OUTAGES)
    return isinstance(error, OperationalError | InterfaceError)  # no server to answer at all


def describe(error: BaseException) -> str:
    """Name the failure in one short line: the driver's exception and its first line."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    kind = type(cause)
    return f"{kind.__module__}.{kind.__qualname__}: {lines[0] if lines else ''}"[:300]


def _event_form_page() -> Response:
    """Show the event form again from what was posted, without asking the database anything."""
    from .forms import EventForm, ModeratorEventForm

    # Moderators' edits keep empty organizer fields, which the organizers' form would flag.
    form_class = ModeratorEventForm if request.blueprint == "admin" else EventForm
    form = form_class(campaigns=())
    if form.campaign.data:
        form.campaign.choices = [(form.campaign.data, form.campaign.data)]
    page = render_template("outage_form.html", form=form, message=str(WRITE_MESSAGE))
    return make_response(page, 503)


def outage_response(error: Exception) -> Response:
    """Answer a request the database failed with 503, keeping a typed event form."""
    cause = outage_cause(error)
    if cause is None:
        raise error
    with suppress(DBAPIError):
        db.session.rollback()
    # The endpoint, not the path: edit paths carry private tokens.
    logger.error(
        "database unavailable (%s %s), answered 503: %s",
        request.method,
        request.endpoint,
        describe(cause),
    )
    message = str(READ_MESSAGE if request.method in ("GET", "HEAD") else WRITE_MESSAGE)
    if request.path.startswith("/api/"):
        response = jsonify({"error": message})
        response.status_code = 503
    elif request.method == "POST" and request.endpoint in EVENT_FORM_VIEWS:
        response = _event_form_page()
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers["Referrer-Policy"] = "no-referrer"
    else:
        page = render_template(
            "error.html", code=503, name=_("Try again in a minute"), description=message
        )
        response = make_response(page, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_outages(app: Flask) -> None:
    """Answer database outages anywhere in the app with 503."""
    app.register_error_handler(DBAPIError, outage_response)
    app.register_error_handler(PoolTimeoutError, outage_response)
