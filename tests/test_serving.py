"""`make serve`'s gunicorn, for real: health checks, malformed bodies, slow clients."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[int]:
    """Run gunicorn with the project's config on a fresh SQLite database; give its port."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite3'}",
        "EVENTMAP_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "EVENTMAP_THREADS": "8",
        "EVENTMAP_REQUEST_TIMEOUT": "5",
        "SECRET_KEY": "serving-test",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for args in (["db", "upgrade"], ["campaigns"]):
        subprocess.run([*flask, *args], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    server = subprocess.Popen(  # noqa: S603 - the project's own server
        [str(GUNICORN), "--config", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError("gunicorn did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stderr.close()


def get(port: int, path: str) -> tuple[int, dict]:
    """GET a path and return the status and the JSON body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def raw(port: int, request: bytes) -> bytes:
    """Send bytes as they are and return the status line of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        return connection.recv(4096).split(b"\r\n", 1)[0]


def test_health_and_readiness_answer(served):
    assert get(served, "/healthz") == (200, {"status": "ok"})
    assert get(served, "/readyz") == (200, {"status": "ready", "checks": {"database": "ok"}})


@pytest.mark.parametrize(
    "body",
    [
        b"zz\r\nabc\r\n0\r\n\r\n",  # a chunk size that is not hexadecimal
        b"5\r\nabc\r\n0\r\n\r\n",  # a chunk shorter than it says
        b"3\r\nabcXX\r\n0\r\n\r\n",  # no line break after the chunk
    ],
)
@pytest.mark.parametrize("path", ["/submit", "/admin/login"])
def test_a_malformed_chunked_body_is_a_400(served, path, body):
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n"
    ).encode()
    assert raw(served, head + body) == b"HTTP/1.1 400 BAD REQUEST"


def test_slow_clients_sending_half_a_body_do_not_stall_the_others(served):
    slow = []
    for _ in range(4):  # the four slow clients that stalled every sync worker
        connection = socket.create_connection(("127.0.0.1", served), timeout=10)
        connection.sendall(
            b"POST /submit HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\ntitle=half"
        )
        slow.append(connection)
    try:
        began = time.monotonic()
        assert get(served, "/healthz")[0] == 200
        assert time.monotonic() - began < 3
    finally:
        for connection in slow:
            connection.close()
