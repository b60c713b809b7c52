"""Fixtures: an app on a fresh database per test, a client, a CLI runner and factories."""

from __future__ import annotations

import email.policy
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import make_url, text
from sqlalchemy.engine import URL

from eventmap import create_app
from eventmap.extensions import db
from eventmap.geocoding import Place, Precision
from eventmap.models import Campaign, Event, EventPart
from tests.helpers import TOKEN, add_event, campaign_values

IN_CI = os.environ.get("CI", "").lower() == "true"
# The server for tests that need PostgreSQL whichever database the suite runs on.
POSTGRES_URL = os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> None:
    """Compile each stale message catalogue, as `make test` does, so pytest alone sees them."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (PROJECT_ROOT / "eventmap" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parent.parent.name)
        with mo.open("wb") as target:
            write_mo(target, catalogue)


def _postgres_admin_url() -> URL | None:
    """Return the PostgreSQL server the suite should use, if DATABASE_URL names one."""
    raw = os.environ.get("DATABASE_URL", "")
    if not raw.startswith(("postgres://", "postgresql")):
        return None
    url = make_url(raw.replace("postgres://", "postgresql://", 1))
    return url.set(drivername="postgresql+psycopg")


@contextmanager
def _throwaway_database(
    admin: URL, prefix: str, unreachable: Callable[[str], None]
) -> Iterator[str]:
    """Make a database of its own on the PostgreSQL server; drop it afterwards. Yields its URL.

    `unreachable` is told why when the server cannot be reached (pytest.fail, or a skip).
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except sqlalchemy.exc.OperationalError as exc:
        engine.dispose()
        unreachable(f"cannot reach PostgreSQL at {admin.render_as_string()}: {exc}")
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Give the session its own database: a temp SQLite file, or a new PostgreSQL database."""
    admin = _postgres_admin_url()
    if admin is None:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    # DATABASE_URL asked for PostgreSQL: failing to reach it is a failure, never a skip.
    with _throwaway_database(admin, "eventmap_test", pytest.fail) as url:
        yield url


def _postgres_admin() -> URL:
    """Return the PostgreSQL server of POSTGRES_URL, with the driver the app uses."""
    return make_url(POSTGRES_URL.replace("postgres://", "postgresql://", 1)).set(
        drivername="postgresql+psycopg"
    )


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """Make a throwaway database on the PostgreSQL server; drop it afterwards."""
    with _throwaway_database(
        _postgres_admin(), "eventmap_pg", pytest.fail if IN_CI else pytest.skip
    ) as url:
        yield url


class FakeGeocoder:
    """A geocoder that knows a few places, so most tests need no gazetteer."""

    def __init__(self) -> None:
        """Start with places the tests use; tests may add more."""
        self.calls: list[str] = []
        self.places: dict[str, Place] = {}
        for query, lat, lon, precision, cc, region in (
            ("Munich", 48.137, 11.575, Precision.CITY, "DE", "Bavaria"),
            ("Brazil", -15.78, -47.93, Precision.COUNTRY, "BR", None),
            ("Paris, France", 48.857, 2.352, Precision.CITY, "FR", "Île-de-France"),
            ("Thailand", 13.754, 100.501, Precision.COUNTRY, "TH", None),
            ("Kazan, Russia", 55.796, 49.106, Precision.CITY, "RU", "Tatarstan"),
        ):
            self.add(query, lat, lon, precision, cc, region)

    def add(
        self,
        query: str,
        lat: float,
        lon: float,
        precision: Precision = Precision.CITY,
        country_code: str = "DE",
        region: str | None = None,
    ) -> None:
        """Teach the fake one more place."""
        self.places[query] = Place(
            query=query,
            latitude=lat,
            longitude=lon,
            precision=precision,
            country_code=country_code,
            region=region,
            display_name=f"{query} (fake)",
            confidence=1.0,
            timezone="Europe/Berlin",
        )

    def lookup(self, query: str) -> Place | None:
        """Return the known place or None, recording the question."""
        self.calls.append(query)
        return self.places.get(query)


@pytest.fixture
def geocoder() -> FakeGeocoder:
    """Give each test its own fake geocoder."""
    return FakeGeocoder()


class Inbox:
    """An aiosmtpd handler that keeps what it receives: envelopes, and their messages parsed."""

    def __init__(self) -> None:
        """Start empty."""
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """Accept and keep every message."""
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        """Return the received messages, parsed as a mail client would."""
        return [
            message_from_bytes(envelope.content, policy=email.policy.default)
            for envelope in self.envelopes
        ]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_server(app: Flask) -> Iterator[Inbox]:
    """Run a real SMTP server on 127.0.0.1 (aiosmtpd) and point the app's e-mail at it."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        MAIL_TIMEOUT=5,
        MAIL_SENDER="OpenStack parties <parties@example.org>",
    )
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def _migrated(database_url: str) -> str:
    """Build the schema once per session through the real migrations."""
    from flask_migrate import upgrade

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _empty_tables(app: Flask) -> None:
    """Delete every row, children first, so the next test starts from nothing."""
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def app(_migrated: str, geocoder: FakeGeocoder, tmp_path: Path) -> Iterator[Flask]:
    """Give each test an app on an empty, fully migrated database."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": _migrated,
            "SECRET_KEY": "test",
            "GEOCODER": geocoder,
            "CAMPAIGNS_FILE": str(PROJECT_ROOT / "data" / "campaigns.toml"),
            "MAIL_SERVER": "",  # no e-mail leaves a test unless it starts mail_server
            "PHOTO_DIR": str(tmp_path / "photos"),  # each test's photos in its own folder
            "COLLECTION_SPOOL": str(tmp_path / "collections"),
        }
    )
    _empty_tables(app)
    yield app
    _empty_tables(app)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def empty_database(app: Flask) -> Any:
    """Return a function that empties the test database mid-test (for round trips)."""
    return lambda: _empty_tables(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Give a test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Give a CLI runner for `flask` commands."""
    return app.test_cli_runner()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """Run the test inside an app context."""
    with app.app_context():
        yield


@pytest.fixture
def make_campaign(ctx: None) -> Any:
    """Return a factory that stores a campaign with sensible defaults."""

    def make(**overrides: Any) -> Campaign:
        campaign = Campaign(**campaign_values(**overrides))
        db.session.add(campaign)
        db.session.commit()
        return campaign

    return make


@pytest.fixture
def make_event(make_campaign: Any) -> Any:
    """Return a factory that stores an approved, placed, dated event (override anything)."""

    def make(**overrides: Any) -> Event:
        if (
            overrides.get("campaign") is None
            and db.session.scalar(Campaign.by_slug("openstack6bday")) is None
        ):
            overrides["campaign"] = make_campaign()
        return add_event(**overrides)

    return make


@pytest.fixture
def make_thailand(make_event: Any) -> Any:
    """Return a factory for the seed's two-part event: tutorials July 27-28, party July 29."""

    def make(**overrides: Any) -> Event:
        values: dict[str, Any] = {
            "start_date": date(2016, 7, 27),
            "end_date": date(2016, 7, 29),
            "precision": Precision.COUNTRY,
        }
        values.update(overrides)
        event = make_event(**values)
        event.parts.extend(
            [
                EventPart(
                    position=0,
                    label="tutorials",
                    start_date=date(2016, 7, 27),
                    end_date=date(2016, 7, 28),
                ),
                EventPart(
                    position=1,
                    label="launch party",
                    start_date=date(2016, 7, 29),
                    end_date=date(2016, 7, 29),
                ),
            ]
        )
        db.session.commit()
        return event

    return make


@pytest.fixture
def csrf_token(client: FlaskClient) -> Any:
    """Return a function that loads a page and gives the CSRF token its form carries."""

    def token(url: str) -> str:
        page = client.get(url).get_data(as_text=True)
        found = TOKEN.search(page)
        assert found, f"no CSRF token in the form at {url}"
        return found.group(1)

    return token


def make_app(url: str, **config: Any) -> Flask:
    """Build an app on a database of its own (not the suite's), as the `app` fixture does."""
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test",
            "GEOCODER": FakeGeocoder(),
            "CAMPAIGNS_FILE": str(PROJECT_ROOT / "data" / "campaigns.toml"),
            "MAIL_SERVER": "",
            **config,
        }
    )
