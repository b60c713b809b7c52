"""Builders and helpers shared by the tests: events, form data, signing in, reading forms.

The geocoder is swapped with eventmap.services.use_geocoder, as the app itself would.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from itertools import count
from pathlib import Path
from typing import IO, Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event as sqlalchemy_event

from eventmap import versions
from eventmap.extensions import db
from eventmap.geocoding import Precision
from eventmap.models import Campaign, Event, EventStatus

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
PASSWORD = "a long enough secret"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_serial = count(1)


def campaign_values(**overrides: Any) -> dict[str, Any]:
    """Return the columns of the OpenStack 6th birthday campaign, with any overridden."""
    return {
        "slug": "openstack6bday",
        "name": "OpenStack turns 6",
        "hashtag": "OpenStack6Bday",
        "description": "Birthday parties",
        "starts_on": date(2016, 7, 1),
        "ends_on": date(2016, 8, 31),
        "anniversary": date(2016, 7, 19),
        **overrides,
    }


def event_values(**overrides: Any) -> dict[str, Any]:
    """Return the columns of an approved party placed in Munich on July 19, with any overridden.

    Each call gets its own slug and title.
    """
    n = next(_serial)
    values: dict[str, Any] = {
        "slug": f"party-{n}",
        "title": f"Party {n}",
        "location_text": "Munich",
        "latitude": 48.137,
        "longitude": 11.575,
        "precision": Precision.CITY,
        "country_code": "DE",
        "timezone": "Europe/Berlin",
        "geocode_source": "geocoder",
        "start_date": date(2016, 7, 19),
        "end_date": date(2016, 7, 19),
        "date_text": "July 19",
        "status": EventStatus.APPROVED,
    }
    values.update(overrides)
    if values["status"] == EventStatus.APPROVED:
        values.setdefault("approved_at", datetime.now(UTC))  # as operations would stamp it
    return values


def add_event(campaign_slug: str = "openstack6bday", **overrides: Any) -> Event:
    """Store an event (see event_values) in a campaign, made when missing (in an app context)."""
    campaign = overrides.pop("campaign", None)
    campaign = campaign or db.session.scalar(Campaign.by_slug(campaign_slug))
    if campaign is None:
        extra = {"name": f"Campaign {campaign_slug}"} if campaign_slug != "openstack6bday" else {}
        campaign = Campaign(**campaign_values(slug=campaign_slug, **extra))
    event = Event(campaign=campaign, **event_values(**overrides))
    db.session.add(event)
    db.session.commit()
    return event


def add_events(count: int, campaign_slug: str = "openstack6bday", **overrides: Any) -> list[Event]:
    """Store `count` events (see event_values) in one commit, for pages with many parties."""
    campaign = db.session.scalar(Campaign.by_slug(campaign_slug))
    if campaign is None:
        campaign = Campaign(**campaign_values(slug=campaign_slug))
    events = [Event(campaign=campaign, **event_values(**overrides)) for _ in range(count)]
    db.session.add_all(events)
    db.session.commit()
    return events


# What SQLAlchemy's pool sends to check a connection before lending it (pool_pre_ping).
_PING = "SELECT 1"


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """Collect the SQL statements the app's database is sent inside the block.

    Those SQLAlchemy runs, and those sent on the driver's connection itself (the committed
    data version, read without a Connection): each driver connection lent inside the block
    records what is executed on it outside SQLAlchemy's own executions.
    """
    seen: list[str] = []
    inside = threading.local()
    hooked: list[Any] = []  # driver connections that record, until the block ends

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)
        inside.on = True

    def after(*_args: Any) -> None:
        inside.on = False

    def direct(statement: str) -> None:
        if not getattr(inside, "on", False) and statement.strip() != _PING:
            seen.append(statement)

    def lent(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        _record_driver_statements(dbapi_connection, direct)
        hooked.append(dbapi_connection)

    def returned(dbapi_connection: Any, _record: Any) -> None:
        _record_driver_statements(dbapi_connection, None)

    with app.app_context():
        engine = db.engine
    listeners = [
        (engine, "before_cursor_execute", before),
        (engine, "after_cursor_execute", after),
        (engine, "handle_error", after),
    ]
    reader = versions.reader(engine)  # on a server database, a pool of its own
    for pool in {id(p): p for p in (engine.pool, reader.pool)}.values():
        listeners += [(pool, "checkout", lent), (pool, "checkin", returned)]
    for target, name, listener in listeners:
        sqlalchemy_event.listen(target, name, listener)
    try:
        yield seen
    finally:
        for target, name, listener in listeners:
            sqlalchemy_event.remove(target, name, listener)
        for dbapi_connection in hooked:  # one still lent records no more either
            _record_driver_statements(dbapi_connection, None)


def _record_driver_statements(dbapi_connection: Any, record: Any) -> None:
    """Have a driver connection hand each statement to `record` (None: stop)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.set_trace_callback(record)
        return
    import psycopg

    if record is None:
        dbapi_connection.cursor_factory = psycopg.Cursor
        return

    class Recording(psycopg.Cursor):
        def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            record(query if isinstance(query, str) else str(query))
            return super().execute(query, *args, **kwargs)

    dbapi_connection.cursor_factory = Recording


def store_event(app: Flask, campaign_slug: str = "openstack6bday", **overrides: Any) -> int:
    """Store an event in an app context of its own and return its id (for request-only tests)."""
    with app.app_context():
        return add_event(campaign_slug, **overrides).id


def event_form_data(**overrides: Any) -> dict[str, Any]:
    """Return what an organizer types into the submission form, with any field overridden.

    A value of None leaves the field out.
    """
    data = {
        "campaign": "openstack6bday",
        "title": "OpenStack Munich turns 6",
        "location": "Munich",
        "venue": "Werksviertel",
        "date_text": "July 19",
        "start_time": "18:30",
        "end_time": "22:00",
        "link": "https://meetup.example/munich",
        "description": "Cake and *talks*.",
        "organizer_name": "Ada",
        "organizer_email": "ada@example.org",
        "action": "preview",
        **overrides,
    }
    return {key: value for key, value in data.items() if value is not None}


def saved_form_data(**overrides: Any) -> dict[str, Any]:
    """Return the fewest fields that save a party in Munich on July 19 once its place was seen.

    Give the title and the csrf_token; override anything else.
    """
    return {
        "campaign": "openstack6bday",
        "location": "Munich",
        "previewed": "Munich",
        "date_text": "July 19",
        "organizer_name": "Ada",
        "organizer_email": "ada@example.org",
        "action": "save",
        **overrides,
    }


def form_token(client: FlaskClient, url: str) -> str:
    """Return the CSRF token of the form at `url`, as this client's session sees it."""
    found = TOKEN.search(client.get(url).get_data(as_text=True))
    assert found, f"no CSRF token in the form at {url}"
    return found.group(1)


def sign_in(
    client: FlaskClient, username: str = "eve", password: str = PASSWORD, query: str = ""
) -> Any:
    """Post the moderators' sign-in form as a browser would; return the response."""
    return client.post(
        "/admin/login" + query,
        data={
            "username": username,
            "password": password,
            "csrf_token": form_token(client, "/admin/login"),
        },
    )


class _FormReader(HTMLParser):
    """Collect the values a browser would send for the fields of a page's forms."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.textareas: set[str] = set()
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        name = found.get("name")
        if tag == "input" and name:
            kind = found.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("radio", "checkbox") and "checked" not in found:
                return
            self.values[name] = found.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.textareas.add(name)
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and ("selected" in found):
            self.values[self._select] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.values[self._textarea] += data


def form_values(html: str) -> dict[str, str]:
    """Return the fields of the page's forms with the values a browser would send.

    A browser drops the one line break that directly follows `<textarea>`; so does this.
    """
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return {
        name: value[1:] if name in reader.textareas and value.startswith("\n") else value
        for name, value in reader.values.items()
    }


def served_env(database: Path, **settings: str) -> dict[str, str]:
    """Return the environment of a served app on a fresh SQLite file, migrated and catalogued."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "serving-test",
        **settings,
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for args in (["db", "upgrade"], ["campaigns"]):
        subprocess.run(  # noqa: S603 - the project's own commands
            [*flask, *args], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True
        )
    return env


def start_gunicorn(env: dict[str, str], port: int, log: IO[bytes] | int) -> subprocess.Popen:
    """Start `make serve`'s gunicorn on 127.0.0.1:port; its access log goes to `log`."""
    return subprocess.Popen(  # noqa: S603 - the project's own server
        [str(GUNICORN), "--config", "gunicorn.conf.py", "wsgi:app"],
        cwd=PROJECT_ROOT,
        env={**env, "EVENTMAP_BIND": f"127.0.0.1:{port}"},
        stdout=log,
        stderr=subprocess.PIPE,
    )


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 30) -> None:
    """Wait until something listens on 127.0.0.1:port, failing if `process` ends first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                error = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise AssertionError(f"{what} did not start:\n{error[-2000:]}") from None
            time.sleep(0.1)


def wait_for_app(port: int, host: str = "127.0.0.1", timeout: float = 90) -> None:
    """Wait until gunicorn's worker has loaded the app: gunicorn listens before it has.

    On a loaded machine a worker can miss its boot deadline and be replaced, resetting the
    connection that waited for it; the next worker is asked again until the time is up.
    """
    deadline = time.monotonic() + timeout
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            connection.request("GET", "/healthz", headers={"Host": host})
            assert connection.getresponse().status == 200
            return
        except (ConnectionResetError, http.client.RemoteDisconnected):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            connection.close()


def stop(process: subprocess.Popen) -> None:
    """Stop a server started by a test (TERM: gunicorn and nginx finish what is in flight)."""
    if process.poll() is None:
        process.terminate()
    process.wait(timeout=30)
    if process.stderr:
        process.stderr.close()


@contextmanager
def recorded_statements() -> Iterator[list[str]]:
    """Record the SQL statements sent to the app's database while the block runs (app context)."""
    from flask import current_app

    with statements(current_app._get_current_object()) as seen:  # type: ignore[attr-defined]
        yield seen
