"""`make serve`'s gunicorn, for real: health checks, malformed bodies, slow clients."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.helpers import served_env, start_gunicorn, stop, wait_for_app, wait_for_port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[int]:
    """Run gunicorn with the project's config on a fresh SQLite database; give its port."""
    port = free_port()
    env = served_env(
        tmp_path / "served.sqlite3",
        WEB_CONCURRENCY="1",
        EVENTMAP_THREADS="8",
        EVENTMAP_REQUEST_TIMEOUT="5",
        EVENTMAP_COLLECTION_SPOOL=str(tmp_path / "spool"),
    )
    server = start_gunicorn(env, port, subprocess.DEVNULL)
    try:
        wait_for_port(port, server, "gunicorn")
        wait_for_app(port)
        yield port
    finally:
        stop(server)


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


def fetch(port: int, path: str, encoding: str) -> tuple[int, dict[str, str], bytes]:
    """GET a path asking for one content coding; return status, headers and the raw body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": encoding})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("path", ["/api/events", "/openstack6bday/calendar.ics"])
def test_a_collection_s_plain_body_is_sent_from_the_spool_by_the_server(served, tmp_path, path):
    status, headers, squeezed = fetch(served, path, "gzip")
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    for _ in range(2):  # the second one comes from the file the first one wrote
        status, headers, plain = fetch(served, path, "identity")
        assert status == 200
        assert "Content-Encoding" not in headers
        assert int(headers["Content-Length"]) == len(plain)
        assert plain == gzip.decompress(squeezed)
    spooled = [p.read_bytes() for p in (tmp_path / "spool").iterdir()]
    assert plain in spooled


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


def listening_sockets(port: int) -> int:
    """Count the sockets listening on 127.0.0.1:port (the kernel's table, any process)."""
    local = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as table:
        rows = [line.split() for line in table.readlines()[1:]]
    return sum(1 for row in rows if row[1] == local and row[3] == "0A")  # 0A: LISTEN


def test_each_worker_listens_on_a_socket_of_its_own(tmp_path):
    # On one shared socket, whichever worker was in accept() took the new connections: a
    # client that opened 50 at once could find them all on one worker and the other idle.
    port = free_port()
    env = served_env(tmp_path / "served.sqlite3", WEB_CONCURRENCY="2")
    server = start_gunicorn(env, port, subprocess.DEVNULL)
    try:
        wait_for_port(port, server, "gunicorn")
        wait_for_app(port)
        deadline = time.monotonic() + 30
        while listening_sockets(port) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # the second worker binds when it has booted
        assert listening_sockets(port) == 2
    finally:
        stop(server)


def test_a_port_another_server_listens_on_is_refused(tmp_path):
    # A socket per worker (SO_REUSEPORT) would otherwise share the port with it, silently.
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        env = served_env(tmp_path / "served.sqlite3")
        server = start_gunicorn(env, port, subprocess.PIPE)
        try:
            output, errors = server.communicate(timeout=60)
        finally:
            if server.poll() is None:
                server.kill()
        assert server.returncode == 1
        assert f"127.0.0.1:{port} is in use by another server" in (output + errors).decode()
        assert listening_sockets(port) == 1  # the other server's, alone
    finally:
        holder.close()
