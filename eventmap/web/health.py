"""Health checks for a process manager or load balancer: alive, and ready to serve.

`/healthz` answers as long as the process can run a view; `/readyz` also asks the database
(and Redis, when rate limits are kept there), so a balancer sends no visitors to an instance
that would answer them 503. Neither touches the events, so both stay cheap at any size.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db, limiter

bp = Blueprint("health", __name__)
logger = logging.getLogger(__name__)


def _no_store(response: Response) -> Response:
    """Keep health answers out of every cache: each probe must reach the process."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    """Say that the process is alive."""
    return _no_store(jsonify({"status": "ok"}))


def _database_ready() -> bool:
    """Tell whether the database answers a trivial query."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        db.session.rollback()
        logger.warning("readiness: database unreachable: %s", str(error).splitlines()[0][:200])
        return False
    return True


def _rate_limit_storage_ready() -> bool | None:
    """Tell whether shared rate-limit storage answers; None when limits are kept in memory."""
    if current_app.config.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
        return None
    return bool(limiter.storage.check())


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Say whether this instance can serve: the database, and Redis when configured."""
    checks: dict[str, str] = {"database": "ok" if _database_ready() else "unreachable"}
    storage = _rate_limit_storage_ready()
    if storage is not None:
        checks["rate_limit_storage"] = "ok" if storage else "unreachable"
    ready = all(value == "ok" for value in checks.values())
    body = jsonify({"status": "ready" if ready else "not ready", "checks": checks})
    response = _no_store(body)
    if not ready:
        response.headers["Retry-After"] = "10"
    return response, 200 if ready else 503
