"""The rate limiter (extensions.py): shared through Redis, kept in memory while Redis is down.

Requests run outside any test-held app context (see tests/test_admin.py). A closed port on
127.0.0.1 stands in for a Redis outage; the machine's Redis is only ever used with a key prefix
of the test's own.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from eventmap import create_app
from eventmap.extensions import db
from eventmap.models import Campaign
from tests.helpers import TOKEN

from .conftest import IN_CI, PROJECT_ROOT, free_port

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def app_with(app: Flask) -> Iterator[Callable[..., Flask]]:
    """Build more apps on the test's database with other settings; close their pools after."""
    made: list[Flask] = []

    def make(**config: Any) -> Flask:
        other = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "SECRET_KEY": "test",
                "GEOCODER": app.config["GEOCODER"],
                "MAIL_SERVER": "",
                **config,
            }
        )
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def token(client: FlaskClient, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    found = TOKEN.search(html)
    assert found, html[:500]
    return found.group(1)


def wrong_sign_in(client: FlaskClient) -> int:
    data = {
        "username": "eve",
        "password": "not the password",
        "csrf_token": token(client, "/admin/login"),
    }
    return client.post("/admin/login", data=data).status_code


def preview_submission(client: FlaskClient) -> int:
    data = {
        "csrf_token": token(client, "/submit"),
        "campaign": "openstack6bday",
        "title": "OpenStack Munich turns 6",
        "location": "Munich",
        "date_text": "July 19",
        "organizer_name": "Ada",
        "organizer_email": "ada@example.org",
        "action": "preview",
    }
    return client.post("/submit", data=data).status_code


@pytest.fixture
def campaign(make_campaign: Any) -> Campaign:
    return make_campaign()


def test_while_redis_is_down_limits_hold_from_memory_and_the_fall_back_is_logged_once(
    app_with, campaign, caplog
):
    caplog.set_level(logging.INFO)
    down = app_with(
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0",
        SUBMIT_RATE_LIMIT="2 per minute",
    )
    client = down.test_client()

    sign_ins = [wrong_sign_in(client) for _ in range(6)]
    submissions = [preview_submission(client) for _ in range(3)]

    assert sign_ins == [200, 200, 200, 200, 200, 429]  # the default: 5 per minute
    assert submissions == [200, 200, 429]
    fallbacks = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(fallbacks) == 1, [r.getMessage() for r in fallbacks]
    assert fallbacks[0].levelno == logging.WARNING
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_a_redis_that_never_answers_costs_a_second_then_memory_takes_over(app_with, campaign):
    with socket.socket() as silent:  # accepts connections (the kernel does) but never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        hung = app_with(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        client = hung.test_client()
        started = time.monotonic()
        statuses = [wrong_sign_in(client) for _ in range(6)]
        elapsed = time.monotonic() - started

    assert statuses == [200, 200, 200, 200, 200, 429]
    assert elapsed < 10, f"{elapsed:.1f} s for six sign-ins"


WORKER = """
import json, sys
from eventmap import create_app
from eventmap.extensions import db
app = create_app(json.loads(sys.argv[1]))
client = app.test_client()
print(json.dumps([
    client.post("/admin/login", data={"username": "eve", "password": "wrong"}).status_code
    for _ in range(int(sys.argv[2]))
]))
"""


def redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"no Redis at {REDIS_URL}: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")


def test_two_workers_on_redis_share_one_counter(app, app_with):
    redis_or_skip()
    prefix = f"eventmap-test-{uuid.uuid4().hex}"
    shared = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    first = app_with(WTF_CSRF_ENABLED=False, **shared).test_client()
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False,
        **shared,
    }
    try:
        here = [
            first.post("/admin/login", data={"username": "eve", "password": "wrong"}).status_code
            for _ in range(3)
        ]
        # The second worker is another process, as under gunicorn: nothing shared but Redis.
        there = subprocess.run(  # noqa: S603  (this file's snippet, in this interpreter)
            [sys.executable, "-c", WORKER, json.dumps(config), "3"],
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONWARNINGS": "error"},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    finally:
        connection = redis.Redis.from_url(REDIS_URL)
        keys = list(connection.scan_iter(match=f"{prefix}*"))
        if keys:
            connection.delete(*keys)

    assert here == [200, 200, 200]
    assert json.loads(there.stdout.splitlines()[-1]) == [200, 200, 429]  # 5 per minute in all


@pytest.mark.parametrize(
    ("environ", "storage", "warned"),
    [
        ({"WEB_CONCURRENCY": "4"}, "memory://", True),
        ({"EVENTMAP_WORKERS": "3", "WEB_CONCURRENCY": "1"}, "memory://", True),
        ({"EVENTMAP_WORKERS": "1", "WEB_CONCURRENCY": "4"}, "memory://", False),
        ({}, "memory://", False),
        ({"WEB_CONCURRENCY": "4"}, REDIS_URL, False),
    ],
)
def test_several_workers_on_memory_storage_get_one_warning_at_start(
    app_with, monkeypatch, caplog, environ, storage, warned
):
    for name in ("EVENTMAP_WORKERS", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.INFO)

    app_with(RATELIMIT_STORAGE_URI=storage)

    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    if warned:
        assert len(warnings) == 1
        message = warnings[0].getMessage()
        assert "workers" in message
        assert "RATELIMIT_STORAGE_URI" in message
    else:
        assert warnings == []


@pytest.mark.parametrize(("proxies", "escaped"), [(0, False), (1, True)])
def test_proxy_count_without_a_proxy_lets_anyone_pick_their_address(app_with, proxies, escaped):
    """What the README warns about: X-Forwarded-For is believed only when PROXY_COUNT says so."""
    client = app_with(PROXY_COUNT=proxies, LOGIN_RATE_LIMIT="2 per minute").test_client()
    statuses = [
        client.post(
            "/admin/login",
            data={
                "username": "eve",
                "password": "wrong",
                "csrf_token": token(client, "/admin/login"),
            },
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        ).status_code
        for n in range(4)
    ]
    assert statuses == ([200] * 4 if escaped else [200, 200, 429, 429])


def test_an_app_with_limits_off_leaves_them_on_for_the_next_app():
    from eventmap.extensions import limiter

    create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_ENABLED": False}
    )
    assert limiter.enabled is False

    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert limiter.enabled is True
