"""The data version: every write of public data bumps it, in the writing transaction."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from eventmap import operations, versions
from eventmap.extensions import db
from eventmap.models import Campaign, EventPart, EventStatus, utcnow
from tests.conftest import make_app
from tests.helpers import PASSWORD, campaign_values


def version() -> int:
    return versions.current(db.session).value


def committed_now() -> versions.Version:
    """Return the committed version as the session reads it, leaving no transaction open."""
    read = versions.current(db.session)
    db.session.rollback()
    return read


def test_each_write_of_an_event_a_part_or_a_campaign_bumps_the_version(make_event):
    before = version()
    event = make_event()
    after_create = version()
    assert after_create > before

    event.title = "Renamed"
    db.session.commit()
    after_edit = version()
    assert after_edit > after_create

    event.parts.append(
        EventPart(position=len(event.parts), start_date=event.start_date, end_date=event.end_date)
    )
    db.session.commit()
    assert version() > after_edit

    current = version()
    event.campaign.name = "Another name"
    db.session.commit()
    assert version() > current


def test_operations_bump_the_version_and_its_time(make_event):
    event = make_event(status=EventStatus.PENDING)
    first = versions.current(db.session)
    assert operations.approve_event(event)
    second = versions.current(db.session)
    assert second.value > first.value
    assert second.changed_at >= first.changed_at
    assert second.changed_at.tzinfo is not None


def test_a_write_that_changes_nothing_or_nothing_public_leaves_the_version(make_event):
    event = make_event()
    before = version()
    event.title = event.title  # set to the same value: nothing changed
    db.session.commit()
    assert version() == before

    admin = operations.create_admin("moderator", PASSWORD)
    token = operations.start_session(admin)
    operations.end_expired_sessions(utcnow(), timedelta(hours=1), timedelta(hours=2))
    assert operations.end_session(token)
    assert version() == before


def test_a_rolled_back_write_takes_its_bump_with_it(make_event):
    event = make_event()
    before = version()
    event.title = "Never stored"
    db.session.flush()
    assert version() == before + 1  # bumped inside the open transaction
    db.session.rollback()
    assert version() == before

    nested = db.session.begin_nested()
    event.title = "Rolled back to the savepoint"
    db.session.flush()
    nested.rollback()
    db.session.commit()
    assert version() == before


def test_the_counter_row_is_made_again_when_it_is_missing(make_event):
    db.session.execute(db.delete(versions.DataVersion))
    db.session.commit()
    assert versions.current(db.session) == versions.Version(0, versions.NEVER)
    make_event()
    assert version() >= 1  # the campaign and the event: one bump or more


@pytest.mark.parametrize("status", [EventStatus.REJECTED, EventStatus.WITHDRAWN])
def test_moderation_decisions_bump_the_version(make_event, status):
    event = make_event()
    before = version()
    assert operations.set_status(event, status)
    assert version() > before


def test_the_committed_version_is_the_one_the_session_reads_after_a_commit(make_event):
    assert versions.committed(db.engine) == versions.current(db.session)
    make_event()
    after = versions.committed(db.engine)
    assert after == versions.current(db.session)
    assert after.changed_at.tzinfo is not None


def test_the_committed_version_leaves_out_a_write_not_yet_committed(make_event):
    event = make_event()
    before = versions.committed(db.engine)
    event.title = "Not committed yet"
    db.session.flush()
    assert versions.current(db.session).value == before.value + 1  # the session's own view
    assert versions.committed(db.engine) == before
    db.session.commit()
    assert versions.committed(db.engine).value == before.value + 1


def test_the_committed_version_is_zero_before_the_first_write(make_event):
    db.session.execute(db.delete(versions.DataVersion))
    db.session.commit()
    assert versions.committed(db.engine) == versions.Version(0, versions.NEVER)


def test_a_failed_read_of_the_committed_version_is_sqlalchemys_error(tmp_path):
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    engine = create_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")  # no table at all
    with pytest.raises(OperationalError, match="no such table"):
        versions.committed(engine)
    engine.dispose()


@pytest.fixture
def on_postgres(postgres_database: str) -> Iterator[Flask]:
    """An app on a throwaway PostgreSQL database (whichever database the suite runs on)."""
    app = make_app(postgres_database)
    with app.app_context():
        upgrade()
        db.session.add(Campaign(**campaign_values()))
        db.session.commit()  # a write: a version to read
        yield app
        db.session.remove()
        db.engine.dispose()


def idle_driver_connection(engine: Any) -> Any:
    """Return the driver connection of `engine`'s pool that the next checkout gets."""
    pooled = engine.raw_connection()
    driver = pooled.dbapi_connection
    pooled.close()  # back in the pool, the only one there
    return driver


def server_round_trips(driver: Any, action: Callable[[], object]) -> int:
    """Count the answers PostgreSQL gives on a driver connection while `action` runs."""
    pgconn = driver.pgconn
    with tempfile.TemporaryFile("w+") as trace:
        pgconn.trace(trace.fileno())  # libpq's protocol trace: one line per message
        try:
            action()
        finally:
            pgconn.untrace()
        trace.seek(0)
        return sum(1 for line in trace if "\tB\t" in line and "ReadyForQuery" in line)


def test_on_postgresql_the_committed_version_is_one_round_trip(on_postgres):
    # The app's pool pings, begins and rolls back around the query: four for one row.
    reader = versions.reader(db.engine)
    assert reader is not db.engine
    assert versions.committed(db.engine) == committed_now()  # the reader's connection, made
    read = idle_driver_connection(reader)
    assert server_round_trips(read, lambda: versions.committed(db.engine)) == 1
    # The app's own pool, for comparison: ping, BEGIN, the query, and the rollback.
    db.session.remove()
    pooled = idle_driver_connection(db.engine)
    assert server_round_trips(pooled, lambda: committed_now()) == 4


def test_a_version_read_on_connections_the_server_dropped_is_read_again(on_postgres):
    before = versions.committed(db.engine)
    assert before == committed_now()
    with db.engine.connect() as connection:  # every other connection to the database goes
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    assert versions.committed(db.engine) == before  # no error: a new connection asked


def test_the_version_reader_goes_with_the_app_s_engine(on_postgres):
    reader = versions.reader(db.engine)
    versions.committed(db.engine)
    assert reader.pool.checkedin() == 1
    db.engine.dispose()
    assert reader.pool.checkedin() == 0
