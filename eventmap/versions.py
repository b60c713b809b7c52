"""The version of the public data: a counter bumped by every flush that writes events.

Whole collections (the GeoJSON, the map's lists, calendar.ics) are built once per version
and revalidated against it, so a 304 reads one row instead of every event. The counter is
bumped inside the writing transaction (a rolled-back write, or a rolled-back SAVEPOINT,
takes its bump with it), by an ORM hook rather than by each operation, so that no write of
an event, a part or a campaign can forget it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, event, exc, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .models import (
    Campaign,
    DataVersion,
    Event,
    EventPart,
    EventReport,
    Photo,
    PhotoStatus,
    Rsvp,
    utcnow,
)

ROW_ID = 1
# What a visitor can see: a change to any of these is a new version of the public data. An
# answer's confirmation or cancellation changes the public "going" counts; an organizer's
# report shows on the party's page; a photo only when it is, or was, published (an upload
# waiting for approval shows nowhere).
PUBLIC_MODELS = (Event, EventPart, Campaign, Rsvp, EventReport, Photo)
# Before the first write there is no row; its time is the start of the epoch.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Version:
    """A version of the public data and when it was made."""

    value: int
    changed_at: datetime

    @property
    def tag(self) -> str:
        """Return the version as text for ETags and cache keys."""
        return str(self.value)


# Read on a connection, not through the ORM, whose execution costs four times the query
# (350 µs against 90); committed() reads it on the driver's connection itself.
_CURRENT = select(DataVersion.__table__.c.value, DataVersion.__table__.c.changed_at).where(
    DataVersion.__table__.c.id == ROW_ID
)
_COMPILED: dict[str, str] = {}  # the statement's text per dialect


def current(session: Any) -> Version:
    """Return the current version of the public data as the session's transaction sees it."""
    row = session.connection().execute(_CURRENT).first()
    return _version(row)


def _version(row: Any) -> Version:
    """Return the version a row of (value, changed_at) holds; none before the first write."""
    if row is None:
        return Version(0, NEVER)
    value, changed = row
    if isinstance(changed, str):  # SQLite's driver, read without the ORM's types
        changed = datetime.fromisoformat(changed)
    if changed.tzinfo is None:  # SQLite keeps no zone; the column is always written in UTC
        changed = changed.replace(tzinfo=UTC)
    return Version(value, changed)


# A server database's engine -> the engine its version is read on (attach_reader).
_READERS: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def attach_reader(engine: Engine, **options: Any) -> None:
    """Read the committed version of a server database in one round trip, not four.

    A connection of the app's pool costs four for one row: the pool's ping, BEGIN, the query
    and the rollback on its return (390 µs against 110 on PostgreSQL over the loopback). The
    reader's connections are in autocommit (no BEGIN, nothing to roll back) and not pinged: a
    lost one is replaced and the read asked once more. It goes when `engine` is disposed.
    `options` are the pool's (size, overflow, connect_args), as for the app's engine.
    """
    if engine.dialect.name == "sqlite":  # in process: nothing to save
        return
    version_engine = create_engine(
        engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False, **options
    )
    _READERS[engine] = version_engine
    event.listen(engine, "engine_disposed", lambda _engine: version_engine.dispose())


def reader(engine: Engine) -> Engine:
    """Return the engine the committed version of `engine`'s database is read on."""
    return _READERS.get(engine, engine)


def committed(engine: Engine) -> Version:
    """Return the last committed version, read on a driver connection of its own.

    For the cached pages and the 304s, which read nothing else: a Session's transaction
    bookkeeping costs five times the query (100 µs against 18 on SQLite). It is read before
    the request's own session reads anything, so what the request then reads is never older
    than the version it is kept under. Driver errors come out as SQLAlchemy's, a lost
    connection invalidated, as the ORM would do, so the outage handlers see them alike. On
    a server database it is read on the engine attach_reader made.
    """
    source = reader(engine)
    dialect = source.dialect
    statement = _COMPILED.get(dialect.name)
    if statement is None:
        # The row id is our constant: written into the text, no parameter style to match.
        statement = str(_CURRENT.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        _COMPILED[dialect.name] = statement
    try:
        row = _read(source, statement)
    except exc.DBAPIError as error:
        if source is engine or not error.connection_invalidated:
            raise
        # Unpinged: the others of the lost one's age are likely lost too. Drop them and ask
        # once more, on a new connection (an unreachable server fails again, and says so).
        source.dispose()
        row = _read(source, statement)
    return _version(row)


def _read(source: Engine, statement: str) -> Any:
    """Run the version's statement on a driver connection of `source`; return its row."""
    dialect = source.dialect
    dbapi_error = dialect.loaded_dbapi.Error
    try:
        connection = source.raw_connection()
    except dbapi_error as error:  # no server: the pool does not wrap what the driver raised
        lost = dialect.is_disconnect(error, None, None)
        raise _wrapped(dialect, statement, error, lost) from error
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(statement)
            return cursor.fetchone()
        finally:
            cursor.close()
    except dbapi_error as error:
        lost = dialect.is_disconnect(error, connection.dbapi_connection, None)
        if lost:
            connection.invalidate(error)
        raise _wrapped(dialect, statement, error, lost) from error
    finally:
        connection.close()


def _wrapped(dialect: Any, statement: str, error: Exception, lost: bool) -> exc.DBAPIError:
    """Return the driver's error as SQLAlchemy's (OperationalError and the like)."""
    return exc.DBAPIError.instance(
        statement,
        None,
        error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=lost,
        dialect=dialect,
    )


def _bump_statement(dialect: str) -> Any:
    """Return an upsert that adds one to the counter, creating the row when there is none."""
    module = postgresql if dialect == "postgresql" else sqlite
    now = utcnow()
    statement = module.insert(DataVersion).values(id=ROW_ID, value=1, changed_at=now)
    return statement.on_conflict_do_update(
        index_elements=[DataVersion.id],
        set_={"value": DataVersion.value + 1, "changed_at": now},
    )


def _shown(item: object) -> bool:
    """Tell whether a written row is one a visitor can see (a photo: published, or was)."""
    if not isinstance(item, PUBLIC_MODELS):
        return False
    if not isinstance(item, Photo):
        return True
    history = inspect(item).attrs.status.history
    return item.status == PhotoStatus.PUBLISHED or PhotoStatus.PUBLISHED in (history.deleted or ())


def _touches_public_data(session: Session) -> bool:
    """Tell whether this flush writes anything a visitor can see."""
    return any(
        _shown(item)
        for collection in (session.new, session.dirty, session.deleted)
        for item in collection
    )


def _bump_if_public(session: Session, _context: Any) -> None:
    """Bump the version in the flush's own transaction when it wrote public data.

    After the flush's own statements, so that the counter's row (SQLite's write lock, a row
    lock on PostgreSQL) is held for as short a time as possible; the session still lists what
    the flush wrote.
    """
    if not _touches_public_data(session):
        return
    # dirty holds objects merely touched; bump only when a column or a relationship changed
    changed = (
        any(_shown(o) for o in session.new)
        or any(_shown(o) for o in session.deleted)
        or any(session.is_modified(o) for o in session.dirty if _shown(o))
    )
    if not changed:
        return
    connection = session.connection()
    connection.execute(_bump_statement(connection.dialect.name))


def watch(session_class: type[Session]) -> None:
    """Bump the version on every flush of `session_class` that writes public data (once)."""
    if not event.contains(session_class, "after_flush", _bump_if_public):
        event.listen(session_class, "after_flush", _bump_if_public)
