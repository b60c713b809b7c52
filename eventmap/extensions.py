"""Flask extensions, created unbound so that every app from the factory binds its own."""

import logging

import flask_limiter
from flask import Flask
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model, so metadata lives in one place."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
# Every POST, PUT, PATCH and DELETE needs the form's token; the read-only API has none.
csrf = CSRFProtect()
login_manager = LoginManager()


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, forgetting what it learnt about one app's storage when it binds another.

    One limiter serves every app the factory builds (the views' decorators name it), so in a
    process with several apps (the tests) a dead Redis or a key prefix would carry over.
    """

    def init_app(self, app: Flask) -> None:
        """Bind to `app` as a limiter that has seen no storage failure yet."""
        self._storage_dead = False  # Flask-Limiter's own flag (pinned version), set on failure
        self._key_prefix = ""  # read again from RATELIMIT_KEY_PREFIX
        super().init_app(app)


def warn_if_limits_are_per_process(app: Flask) -> None:
    """Say at start when several workers count on their own, letting that many times through."""
    workers = app.config.get("WORKERS", 1)
    storage = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if workers > 1 and storage.startswith("memory://"):
        logging.getLogger(__name__).warning(
            "rate limits: %d workers each count in their own memory, so each lets the full limit"
            " through; set RATELIMIT_STORAGE_URI=redis://... to share one counter",
            workers,
        )


# Limits are declared on the views that take input from strangers (submission and login);
# storage comes from RATELIMIT_STORAGE_URI: memory by default, Redis for several workers, and
# memory again while Redis is unreachable (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED in config.py).
limiter = Limiter(key_func=get_remote_address)
