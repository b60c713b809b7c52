"""Flask extensions, created unbound so that every app from the factory binds its own."""

import logging
from typing import Any

import flask_limiter
from flask import Flask
from flask_babel import Babel
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model, so metadata lives in one place."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
# Every POST, PUT, PATCH and DELETE needs the form's token; the read-only API has none.
csrf = CSRFProtect()
login_manager = LoginManager()
# Catalogues in eventmap/translations; the locale selector is the web layer's (web/i18n.py).
babel = Babel()


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


def init_database(app: Flask) -> None:
    """Bind the database to the app, with SQLite made fit for concurrent writers.

    SQLite lets one writer at a time in; the others wait up to SQLITE_TIMEOUT seconds for the
    lock (Python's default of 5 gave "database is locked" to some of 500 concurrent submissions).
    And Python's sqlite3 opens a transaction only before INSERT, UPDATE or DELETE: a SAVEPOINT
    sent before any of those opens a transaction of its own, and releasing it commits, so the
    rest of the work could fail and leave half of it stored. The hook below prevents that.
    """
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "sqlite":
        options["connect_args"] = {
            "timeout": app.config["SQLITE_TIMEOUT"],
            **options.get("connect_args", {}),
        }
    else:  # a server database: the pool's size is the deployment's (docs/deploy.md)
        options.setdefault("pool_size", app.config.get("DB_POOL_SIZE", 5))
        options.setdefault("max_overflow", app.config.get("DB_MAX_OVERFLOW", 10))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                event.listen(engine, "savepoint", _begin_before_savepoint)


def _begin_before_savepoint(connection: Connection, _name: Any) -> None:
    """Open the transaction (deferred: no lock until the first write) before a SAVEPOINT."""
    driver = connection.connection.driver_connection
    if driver is not None and not driver.in_transaction:
        driver.execute("BEGIN")
