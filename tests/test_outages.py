"""Database outages: 503 with Retry-After, the typed form kept, one log line, recovery by itself.

The SQLite cases use a database file of their own (whatever DATABASE_URL says): opened
read-only, or capped with `PRAGMA max_page_count` so that writes fail as on a full disk. The
PostgreSQL case starts a throwaway server in a temporary folder (never the machine's own), stops
it under the running app and starts it again. Requests run outside any test-held app context.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from markupsafe import escape
from sqlalchemy import event as sa_event
from sqlalchemy import func, select, text

from eventmap import operations
from eventmap.extensions import db
from eventmap.models import Campaign, Event
from tests.helpers import PASSWORD, TOKEN

from .conftest import IN_CI, free_port, make_app

TITLE = "Kazan Stackers' 6th birthday"
DESCRIPTION = "Cake at seven, then *lightning talks*.\n\nBring a friend & a laptop."


def prepare(app: Flask) -> None:
    """Create the schema through the migrations, one campaign and the moderator eve."""
    with app.app_context():
        upgrade()
        db.session.add(
            Campaign(
                slug="openstack6bday",
                name="OpenStack turns 6",
                hashtag="OpenStack6Bday",
                description="Birthday parties",
                starts_on=date(2016, 7, 1),
                ends_on=date(2016, 8, 31),
                anniversary=date(2016, 7, 19),
            )
        )
        db.session.commit()
        operations.create_admin("eve", PASSWORD)


def csrf(client: FlaskClient, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    found = TOKEN.search(html)
    assert found, html[:1000]
    return found.group(1)


def typed(client: FlaskClient, url: str = "/submit", **fields: str) -> dict[str, str]:
    """What an organizer sends after checking the preview: every field filled in."""
    data = {
        "csrf_token": csrf(client, url),
        "campaign": "openstack6bday",
        "title": TITLE,
        "location": "Kazan, Russia",
        "venue": "Technopark",
        "address": "Peterburgskaya 52",
        "date_text": "July 21",
        "start_time": "19:00",
        "end_time": "22:30",
        "link": "https://meetup.example/kazan",
        "description": DESCRIPTION,
        "organizer_name": "Rustem",
        "organizer_email": "rustem@example.org",
        "previewed": "Kazan, Russia",
        "choice": "0",
        "action": "save",
    }
    data.update(fields)
    return data


def assert_kept(response: Any, data: dict[str, str]) -> str:
    """Check a 503 that shows the form again with everything typed in it."""
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[:2000]
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Cache-Control"] == "no-store"
    assert "nothing was saved yet" in html.lower()
    for name in (
        "title",
        "location",
        "venue",
        "address",
        "date_text",
        "start_time",
        "end_time",
        "link",
        "organizer_name",
        "organizer_email",
    ):
        tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', html)
        assert tag, name
        assert f'value="{escape(data[name])}"' in tag.group(0), name
    assert f"{escape(data['description'])}</textarea>" in html
    assert '<option selected value="openstack6bday">' in html
    for name in ("choice", "pin_latitude", "pin_longitude", "previewed"):
        if data.get(name):
            assert re.search(rf'name="{name}"[^>]*value="{re.escape(data[name])}"', html), name
    return html


def failure_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """Return what the log got at warning level or above."""
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def assert_one_line(caplog: pytest.LogCaptureFixture, count: int, words: str) -> None:
    lines = failure_lines(caplog)
    assert len(lines) == count, [r.getMessage() for r in lines]
    for record in lines:
        assert record.levelno == logging.ERROR
        assert record.exc_info is None  # one line, no traceback
        assert "\n" not in record.getMessage()
        assert words in record.getMessage()


def count_events(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Event.id)))


# SQLite: a read-only database.


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "outage.sqlite3"
    app = make_app(f"sqlite:///{path}")
    prepare(app)
    with app.app_context():
        db.engine.dispose()
    return path


@pytest.fixture
def read_only(sqlite_file: Path) -> Iterator[Flask]:
    """An app on the same file opened read-only, as after the disk is remounted read-only."""
    app = make_app(f"sqlite:///file:{sqlite_file}?mode=ro&uri=true")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_read_only_database_answers_503_and_keeps_the_submission(read_only, caplog):
    client = read_only.test_client()
    assert client.get("/").status_code == 200  # reading still works
    data = typed(client)
    caplog.set_level(logging.INFO)

    response = client.post("/submit", data=data)

    assert_kept(response, data)
    assert_one_line(caplog, 1, "readonly database")
    assert client.get("/openstack6bday/").status_code == 200  # the next request is fine
    assert count_events(read_only) == 0


def test_a_read_only_database_keeps_the_organizers_and_the_moderators_edits(
    sqlite_file, read_only, caplog
):
    writable = make_app(f"sqlite:///{sqlite_file}")
    setup = writable.test_client()
    response = setup.post("/submit", data=typed(setup))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    edit_url = response.headers["Location"].split("?")[0]
    login = {"username": "eve", "password": PASSWORD, "csrf_token": csrf(setup, "/admin/login")}
    assert setup.post("/admin/login", data=login).status_code == 302
    with writable.app_context():
        event_id = db.session.scalar(select(Event.id))
        db.engine.dispose()
    client = read_only.test_client()
    client.set_cookie("session", setup.get_cookie("session").value)
    caplog.set_level(logging.INFO)

    organizer = typed(client, edit_url, title="Kazan Stackers, renamed", action="save")
    assert_kept(client.post(edit_url, data=organizer), organizer)
    admin_url = f"/admin/events/{event_id}/edit"
    moderator = typed(client, admin_url, title="Kazan Stackers (moderated)")
    assert_kept(client.post(admin_url, data=moderator), moderator)

    assert_one_line(caplog, 2, "readonly database")


def test_a_wrong_query_is_a_bug_not_an_outage_and_keeps_its_traceback(tmp_path):
    from sqlalchemy.exc import OperationalError

    unmigrated = make_app(f"sqlite:///{tmp_path / 'empty.sqlite3'}")  # "no such table"
    with pytest.raises(OperationalError, match="no such table"):
        unmigrated.test_client().get("/")
    with unmigrated.app_context():
        db.engine.dispose()


# SQLite: a full disk.


def test_a_full_disk_answers_503_and_keeps_the_submission(sqlite_file, caplog):
    app = make_app(f"sqlite:///{sqlite_file}")
    with app.app_context():
        db.session.execute(text("VACUUM"))
        pages = db.session.execute(text("PRAGMA page_count")).scalar_one()

        # Every connection the app opens from now on may not grow the file: a full disk.
        @sa_event.listens_for(db.engine, "connect")
        def _cap(connection: Any, _record: Any) -> None:
            connection.execute(f"PRAGMA max_page_count = {pages}")

        db.engine.dispose()
    client = app.test_client()
    data = typed(client, description=DESCRIPTION + " " + "x" * 4500)  # needs new pages
    caplog.set_level(logging.INFO)

    response = client.post("/submit", data=data)

    assert_kept(response, data)
    assert_one_line(caplog, 1, "database or disk is full")
    assert client.get("/").status_code == 200
    assert count_events(app) == 0
    with app.app_context():
        db.engine.dispose()


# PostgreSQL: the server goes away under the running app, then comes back.


class ThrowawayPostgres:
    """A PostgreSQL server of the test's own, in a temporary folder, on a free port."""

    def __init__(self, bindir: Path, folder: Path) -> None:
        """Create the cluster (initdb); as root, everything runs as the postgres user."""
        self.bindir = bindir
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(folder, "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
            "--locale=C", "--no-sync", "--no-instructions",
        )  # fmt: skip

    def _run(self, tool: str, *args: str, check: bool = True) -> None:
        subprocess.run(  # noqa: S603  (PostgreSQL's own tools, arguments made here)
            [*self.as_postgres, str(self.bindir / tool), *args],
            check=check,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (fast: connections are told "terminating connection")."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=mode == "fast")


def postgres_bindir() -> Path | None:
    """Find PostgreSQL's initdb and pg_ctl (Debian keeps them out of PATH)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return versions[-1].parent if versions else None


@pytest.fixture
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    bindir = postgres_bindir()
    if bindir is None:
        message = "PostgreSQL's initdb is not installed (apt-get install postgresql)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    folder = Path(tempfile.mkdtemp(prefix="eventmap-pg-"))
    try:
        server = ThrowawayPostgres(bindir, folder)
        server.start()
        yield server
        server.stop("immediate")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def on_postgres(throwaway_postgres: ThrowawayPostgres) -> Iterator[Flask]:
    """An app on the throwaway server, its schema made by the migrations."""
    app = make_app(throwaway_postgres.url)
    prepare(app)  # in a fixture: Alembic's logging setup would drop caplog's handler mid-test
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.throwaway_postgres
def test_a_database_outage_answers_503_keeps_the_form_and_recovers_by_itself(
    throwaway_postgres, on_postgres, caplog
):
    server, app = throwaway_postgres, on_postgres
    client = app.test_client()
    assert client.get("/").status_code == 200
    data = typed(client)  # the organizer opened the form while all was well

    server.stop()
    caplog.set_level(logging.INFO)
    pages = {url: client.get(url) for url in ("/", "/openstack6bday/", "/submit", "/api/events")}
    sent = client.post("/submit", data=data)

    for url, response in pages.items():
        assert response.status_code == 503, url
        assert int(response.headers["Retry-After"]) > 0, url
    assert pages["/api/events"].is_json
    assert "database" in pages["/api/events"].get_json()["error"]
    assert "try again in a minute" in pages["/"].get_data(as_text=True)
    assert_kept(sent, data)
    assert_one_line(caplog, 5, "psycopg")

    server.start()
    assert client.get("/").status_code == 200  # no restart of the app needed
    saved = client.post("/submit", data=data)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    assert count_events(app) == 1
