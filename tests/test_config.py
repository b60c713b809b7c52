"""Configuration read from the environment."""

from __future__ import annotations

import pytest

from eventmap.config import Config


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_is_normalised_for_psycopg3(monkeypatch, tmp_path, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert expected == Config(tmp_path).SQLALCHEMY_DATABASE_URI


def test_defaults_are_sqlite_in_the_instance_folder_and_a_kept_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = Config(tmp_path)
    assert f"sqlite:///{tmp_path / 'eventmap.sqlite3'}" == first.SQLALCHEMY_DATABASE_URI
    assert len(first.SECRET_KEY) == 64
    assert Config(tmp_path).SECRET_KEY == first.SECRET_KEY  # same secret after a restart
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only


def test_geocoder_settings_read_prefixed_or_plain_names(tmp_path, monkeypatch):
    monkeypatch.delenv("EVENTMAP_GEOCODER", raising=False)
    assert Config(tmp_path).GEOCODER == "offline"
    monkeypatch.setenv("GEOCODER", "nominatim")
    monkeypatch.setenv("NOMINATIM_URL", "http://127.0.0.1:8080")
    config = Config(tmp_path)
    assert (config.GEOCODER, config.NOMINATIM_URL) == ("nominatim", "http://127.0.0.1:8080")
    monkeypatch.setenv("EVENTMAP_GEOCODER", "offline")
    assert Config(tmp_path).GEOCODER == "offline"


def test_moderator_sessions_last_hours_unless_told_otherwise(tmp_path, monkeypatch):
    monkeypatch.delenv("EVENTMAP_SESSION_IDLE_MINUTES", raising=False)
    monkeypatch.delenv("EVENTMAP_SESSION_LIFETIME_HOURS", raising=False)
    config = Config(tmp_path)
    assert (config.SESSION_IDLE_MINUTES, config.SESSION_LIFETIME_HOURS) == (240, 12)
    monkeypatch.setenv("EVENTMAP_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("EVENTMAP_SESSION_LIFETIME_HOURS", "8")
    config = Config(tmp_path)
    assert (config.SESSION_IDLE_MINUTES, config.SESSION_LIFETIME_HOURS) == (30, 8)


@pytest.mark.parametrize(("setting", "expected_ms"), [(None, 30_000), ("2.5", 2_500)])
def test_sqlite_writers_wait_for_the_lock_long_enough(monkeypatch, tmp_path, setting, expected_ms):
    from sqlalchemy import text

    from eventmap import create_app
    from eventmap.extensions import db

    if setting is None:
        monkeypatch.delenv("EVENTMAP_SQLITE_TIMEOUT", raising=False)
    else:
        monkeypatch.setenv("EVENTMAP_SQLITE_TIMEOUT", setting)
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    )
    with app.app_context():
        assert db.session.scalar(text("PRAGMA busy_timeout")) == expected_ms
        db.session.remove()
        db.engine.dispose()


def test_trusted_hosts_follow_the_public_url(monkeypatch, tmp_path):
    monkeypatch.delenv("EVENTMAP_TRUSTED_HOSTS", raising=False)
    monkeypatch.delenv("EVENTMAP_PUBLIC_URL", raising=False)
    # The default http://127.0.0.1:5000 is this machine: its other names are trusted too,
    # among them "localhost", which Flask's test client sends.
    assert Config(tmp_path).TRUSTED_HOSTS == ["127.0.0.1", "localhost"]
    monkeypatch.setenv("EVENTMAP_PUBLIC_URL", "http://localhost:8000")
    assert Config(tmp_path).TRUSTED_HOSTS == ["localhost", "127.0.0.1"]
    monkeypatch.setenv("EVENTMAP_PUBLIC_URL", "https://Parties.Example.org/openstack/")
    assert Config(tmp_path).TRUSTED_HOSTS == ["parties.example.org"]


def test_trusted_hosts_can_be_listed_or_left_open(monkeypatch, tmp_path):
    monkeypatch.setenv("EVENTMAP_PUBLIC_URL", "https://parties.example.org")
    monkeypatch.setenv("EVENTMAP_TRUSTED_HOSTS", " parties.example.org, .example.net ,,")
    assert Config(tmp_path).TRUSTED_HOSTS == ["parties.example.org", ".example.net"]
    monkeypatch.setenv("EVENTMAP_TRUSTED_HOSTS", "*")
    assert Config(tmp_path).TRUSTED_HOSTS is None  # any host; links still use the public URL


@pytest.mark.parametrize("url", ["parties.example.org", "ftp://parties.example.org", "https://"])
def test_a_public_url_without_a_web_address_is_refused_at_start(monkeypatch, tmp_path, url):
    monkeypatch.setenv("EVENTMAP_PUBLIC_URL", url)
    with pytest.raises(ValueError, match="EVENTMAP_PUBLIC_URL must be"):
        Config(tmp_path)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, (5, 10)),
        ({"EVENTMAP_THREADS": "8"}, (8, 10)),
        (
            {
                "EVENTMAP_THREADS": "8",
                "EVENTMAP_DB_POOL_SIZE": "3",
                "EVENTMAP_DB_MAX_OVERFLOW": "0",
            },
            (3, 0),
        ),
    ],
)
def test_a_server_database_pool_holds_one_connection_per_thread_unless_told(
    monkeypatch, tmp_path, settings, expected
):
    from eventmap import create_app
    from eventmap.extensions import db

    for name in ("EVENTMAP_THREADS", "EVENTMAP_DB_POOL_SIZE", "EVENTMAP_DB_MAX_OVERFLOW"):
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    # The engine is made without connecting: no server needs to run at this address.
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:9/x"}
    )
    with app.app_context():
        assert (db.engine.pool.size(), db.engine.pool._max_overflow) == expected
        db.engine.dispose()
