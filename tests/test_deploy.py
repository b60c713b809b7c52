"""deploy/nginx.conf, for real: Debian's nginx in front of two gunicorn instances of the app.

The example is rendered with free ports and temporary paths (nothing else changes) and run
as the current user; every request goes over TLS to `parties.example.org` on 127.0.0.1.
"""

from __future__ import annotations

import ast
import gzip
import http.client
import os
import re
import socket
import ssl
import subprocess
import sysconfig
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from eventmap import create_app
from eventmap.config import Config
from eventmap.web.assets import MAX_AGE, VENDOR
from tests.conftest import IN_CI, free_port
from tests.helpers import (
    PROJECT_ROOT,
    served_env,
    start_gunicorn,
    stop,
    wait_for_app,
    wait_for_port,
)

NGINX = Path(os.environ.get("NGINX", "/usr/sbin/nginx"))
SYSTEMD_ANALYZE = Path("/usr/bin/systemd-analyze")
EXAMPLE = PROJECT_ROOT / "deploy" / "nginx.conf"
DEPLOY_DOC = PROJECT_ROOT / "docs" / "deploy.md"
HOST = "parties.example.org"
SITE_PACKAGES = "/srv/eventmap/.venv/lib/python3.11/site-packages/"


def render(text: str, *, http_port: int, https_port: int, upstreams: list[int], tmp: Path) -> str:
    """Point the example at this checkout, these ports and a temporary folder."""
    replacements = [
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{upstreams[0]} "),
        ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{upstreams[1]} "),
        (SITE_PACKAGES, sysconfig.get_paths()["purelib"] + "/"),
        ("/srv/eventmap/", f"{PROJECT_ROOT}/"),
        ("/etc/ssl/eventmap/", f"{tmp}/"),
        ("/var/log/nginx/", f"{tmp}/"),
    ]
    for old, new in replacements:
        assert old in text, f"deploy/nginx.conf no longer has {old!r}: update this test"
        text = text.replace(old, new)
    return text


def locations(text: str) -> dict[str, str]:
    """Return each `location` of the config with the folder its `alias` names."""
    return dict(re.findall(r"location (/\S*) \{\s*alias (\S+);", text))


def test_the_body_limit_is_the_apps(tmp_path, monkeypatch):
    monkeypatch.delenv("EVENTMAP_MAX_CONTENT_LENGTH", raising=False)
    limit = re.search(r"client_max_body_size (\d+);", EXAMPLE.read_text())
    assert limit is not None
    assert int(limit.group(1)) == Config(tmp_path).MAX_CONTENT_LENGTH


def test_only_the_photo_upload_route_takes_the_uploads_body_limit():
    from eventmap.rules import PHOTO_RULES

    limits = re.findall(r"client_max_body_size (\d+);", EXAMPLE.read_text())
    assert len(limits) == 2
    assert int(limits[1]) == PHOTO_RULES.max_upload_bytes
    assert "location ~ ^/[^/]+/[^/]+/photos$ {" in EXAMPLE.read_text()


def test_nginx_gives_up_on_connections_before_gunicorn_and_on_answers_after_it():
    example = EXAMPLE.read_text()
    upstream = example.split("upstream eventmap {", 1)[1].split("}", 1)[0]
    served = (PROJECT_ROOT / "gunicorn.conf.py").read_text()
    keepalive = re.search(r"^keepalive = (\d+)$", served, re.MULTILINE)
    timeout = re.search(r'"EVENTMAP_REQUEST_TIMEOUT", "(\d+)"', served)
    idle = re.search(r"keepalive_timeout (\d+)s;", upstream)
    read = re.search(r"proxy_read_timeout (\d+)s;", example)
    assert None not in (keepalive, timeout, idle, read)
    # An idle connection nginx reuses must still be open at gunicorn's end ...
    assert int(idle.group(1)) < int(keepalive.group(1))
    # ... and gunicorn ends a request that runs too long before nginx stops waiting for it.
    assert int(read.group(1)) > int(timeout.group(1))


def test_nginx_serves_static_and_vendored_files_from_the_apps_own_folders(tmp_path):
    text = render(EXAMPLE.read_text(), http_port=1, https_port=2, upstreams=[3, 4], tmp=tmp_path)
    served = locations(text)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert Path(served.pop(f"{app.static_url_path}/")) == Path(app.static_folder).resolve()
    assert {path: Path(folder) for path, folder in served.items()} == {
        f"/vendor/{name}/": folder for name, folder in VENDOR.items()
    }
    assert set(re.findall(r"expires (\S+);", text)) == {f"{MAX_AGE // 3600 // 24}d"}


def _settings_read() -> dict[tuple[str, ...], object]:
    """Find every environment variable the app and gunicorn.conf.py read, with its default.

    Keys are the names one setting answers to (`_env` reads EVENTMAP_X, then X); the value is
    the literal default, or None where there is none or it is computed.
    """
    found: dict[tuple[str, ...], object] = {}
    files = [*sorted((PROJECT_ROOT / "eventmap").rglob("*.py")), PROJECT_ROOT / "gunicorn.conf.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            function = ast.unparse(node.func)
            if function in ("os.environ.get", "os.environ.setdefault", "os.getenv"):
                names: tuple[str, ...] = (first.value,)
            elif function == "_env" and path.name == "config.py":
                names = (f"EVENTMAP_{first.value}", first.value)
            else:
                continue
            default = node.args[1] if len(node.args) > 1 else None
            value = default.value if isinstance(default, ast.Constant) else None
            if found.get(names) is None:
                found[names] = value
    return found


def _settings_table() -> list[tuple[list[str], str]]:
    """Return the rows of docs/deploy.md's settings table: the names, and the default cell."""
    text = DEPLOY_DOC.read_text().split("\n## Settings\n", 1)[1]
    rows = []
    for line in text.splitlines():
        if line.startswith("| `"):
            name_cell, default_cell = line.split(" | ")[:2]
            rows.append((re.findall(r"`([A-Z][A-Z0-9_]*)`", name_cell), default_cell))
    return rows


def test_the_settings_table_lists_every_setting_with_its_default():
    read = _settings_read()
    assert ("EVENTMAP_PUBLIC_URL",) in read  # the scan finds what config.py reads
    assert ("EVENTMAP_MAIL_SERVER", "MAIL_SERVER") in read
    assert ("EVENTMAP_THREADS",) in read  # ... and gunicorn.conf.py
    rows = _settings_table()
    for names, default in read.items():
        matching = [cell for listed, cell in rows if set(names) <= set(listed)]
        assert matching, f"docs/deploy.md's settings table lacks {' or '.join(names)}"
        if default not in (None, "") and len(str(default)) <= 50:
            assert any(f"`{default}`" in cell for cell in matching), (
                f"docs/deploy.md gives {names[0]} another default than {default!r}"
            )
    every_name = {name for names in read for name in names}
    listed = {name for names, _cell in rows for name in names}
    assert listed <= every_name, (
        f"docs/deploy.md lists settings nothing reads: {listed - every_name}"
    )


@pytest.mark.skipif(not SYSTEMD_ANALYZE.exists(), reason="systemd-analyze is not installed")
def test_the_systemd_units_are_valid(tmp_path):
    # As installed: one instance on a port, one job and its timer (names as systemd makes them).
    units = {
        "eventmap@8001.service": "eventmap@.service",
        "eventmap-job@backup.service": "eventmap-job@.service",
        "eventmap-job@backup.timer": "eventmap-job@.timer",
    }
    for name, template in units.items():
        text = (PROJECT_ROOT / "deploy" / template).read_text()
        (tmp_path / name).write_text(text.replace("/srv/eventmap", str(PROJECT_ROOT)))
    result = subprocess.run(  # noqa: S603
        [str(SYSTEMD_ANALYZE), "verify", "--man=no", *(str(tmp_path / name) for name in units)],
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stderr) == (0, "")


@dataclass
class Stack:
    """nginx and the two app instances behind it."""

    https_port: int
    http_port: int
    instances: list[int]
    servers: list[subprocess.Popen]
    logs: list[Path]
    context: ssl.SSLContext


def _need_nginx() -> None:
    """Skip without nginx, except under CI, where a test that cannot run must fail."""
    if NGINX.exists():
        return
    message = f"{NGINX} is missing: `make nginx` installs Debian's"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def _certificate(folder: Path) -> None:
    """Make a self-signed certificate for HOST where the example looks for one."""
    subprocess.run(  # noqa: S603
        [  # noqa: S607 - Debian's openssl
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
            "-keyout", str(folder / "privkey.pem"), "-out", str(folder / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip


def _main_config(tmp: Path) -> str:
    """Write what Debian's /etc/nginx/nginx.conf gives the site, with every path in `tmp`."""
    temp = "\n".join(
        f"    {kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    return f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"};
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp / "access.log"};
{temp}
    uwsgi_temp_path {tmp / "uwsgi"};
    scgi_temp_path {tmp / "scgi"};
    gzip on;
    include {tmp / "eventmap.conf"};
}}
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Start two app instances on one fresh database, and the example nginx in front."""
    _need_nginx()
    tmp = tmp_path_factory.mktemp("deploy")
    env = served_env(
        tmp / "eventmap.sqlite3",
        WEB_CONCURRENCY="1",
        EVENTMAP_THREADS="2",
        EVENTMAP_REQUEST_TIMEOUT="5",
        EVENTMAP_PUBLIC_URL=f"https://{HOST}",
        EVENTMAP_HTTPS="1",
        EVENTMAP_PROXY_COUNT="1",
    )
    instances = [free_port(), free_port()]
    logs = [tmp / f"instance-{n}.log" for n in (1, 2)]
    servers = []
    try:
        for port, log in zip(instances, logs, strict=True):
            with log.open("wb") as handle:
                servers.append(start_gunicorn(env, port, handle))
        for port, server in zip(instances, servers, strict=True):
            wait_for_port(port, server, "gunicorn")
            wait_for_app(port, HOST)
        _certificate(tmp)
        https_port, http_port = free_port(), free_port()
        site = render(
            EXAMPLE.read_text(),
            http_port=http_port,
            https_port=https_port,
            upstreams=instances,
            tmp=tmp,
        )
        (tmp / "eventmap.conf").write_text(site)
        (tmp / "nginx.conf").write_text(_main_config(tmp))
        command = [str(NGINX), "-p", str(tmp), "-e", str(tmp / "error.log")]
        command += ["-c", str(tmp / "nginx.conf")]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True)  # noqa: S603
        assert check.returncode == 0, check.stderr
        nginx = subprocess.Popen(  # noqa: S603
            [*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        servers.append(nginx)
        wait_for_port(https_port, nginx, "nginx")
        context = ssl.create_default_context(cafile=str(tmp / "fullchain.pem"))
        yield Stack(https_port, http_port, instances, servers[:2], logs, context)
    finally:
        for server in servers:
            stop(server)


def connect(stack: Stack, timeout: float = 10) -> ssl.SSLSocket:
    """Open a TLS connection to nginx, checking its certificate for HOST."""
    raw = socket.create_connection(("127.0.0.1", stack.https_port), timeout=timeout)
    return stack.context.wrap_socket(raw, server_hostname=HOST)


def request(
    stack: Stack, method: str, path: str, headers: dict[str, str] | None = None, timeout=10
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """Send one request through nginx and return the status, the headers and the raw body."""
    connection = http.client.HTTPConnection("127.0.0.1", stack.https_port, timeout=timeout)
    connection.sock = connect(stack, timeout)
    try:
        connection.request(method, path, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def hits(stack: Stack, path: str) -> list[int]:
    """Count the requests for `path` in each instance's access log."""
    time.sleep(0.3)  # gunicorn logs a request just after answering it
    needle = f'"GET {path} HTTP/1.'
    return [log.read_text().count(needle) for log in stack.logs]


@pytest.mark.parametrize(
    "path",
    ["/", "/openstack6bday/", "/openstack6bday/map", "/openstack6bday/calendar", "/submit"],
)
def test_pages_are_served_through_nginx(stack, path):
    status, headers, body = request(stack, "GET", path, {"Accept-Encoding": "gzip"})
    assert status == 200
    if headers["Content-Encoding"] == "gzip":  # the app's own compression, passed through once
        body = gzip.decompress(body)
    assert headers["Content-Encoding"] in (None, "gzip")
    assert body.lstrip().lower().startswith(b"<!doctype html>")
    assert headers["Strict-Transport-Security"] == "max-age=31536000"


def test_requests_are_spread_over_both_instances(stack):
    for _ in range(10):
        assert request(stack, "GET", "/api/events?spread=1")[0] == 200
    first, second = hits(stack, "/api/events?spread=1")
    assert first + second == 10
    assert first >= 3
    assert second >= 3


def test_plain_http_is_sent_to_https(stack):
    connection = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=10)
    try:
        connection.request("GET", "/openstack6bday/?x=1", headers={"Host": HOST})
        response = connection.getresponse()
        assert response.status == 301
        assert response.headers["Location"] == f"https://{HOST}/openstack6bday/?x=1"
    finally:
        connection.close()


def test_the_app_checks_the_host_nginx_passes_and_nobody_can_claim_another(stack):
    assert request(stack, "GET", "/", {"Host": "evil.example"})[0] == 400
    assert request(stack, "GET", "/", {"X-Forwarded-Host": "evil.example"})[0] == 200


def test_health_checks_reach_the_app(stack):
    assert request(stack, "GET", "/healthz")[:1] == (200,)
    status, headers, body = request(stack, "GET", "/readyz")
    assert (status, headers["Cache-Control"]) == (200, "no-store")
    assert b'"ready"' in body


@pytest.mark.parametrize(
    ("path", "file"),
    [
        ("/static/css/eventmap.css", PROJECT_ROOT / "static" / "css" / "eventmap.css"),
        ("/static/favicon.svg", PROJECT_ROOT / "static" / "favicon.svg"),
        *((f"/vendor/{name}/", folder) for name, folder in VENDOR.items()),
    ],
)
def test_static_files_come_from_nginx_with_cache_headers(stack, path, file):
    if file.is_dir():  # a vendored package: one of its files
        file = next(f for f in sorted(file.iterdir()) if f.suffix in (".js", ".json", ".css"))
        path += file.name
    status, headers, body = request(stack, "GET", path, {"Accept-Encoding": "gzip"})
    assert status == 200
    if headers["Content-Encoding"] == "gzip":
        body = gzip.decompress(body)
    assert body == file.read_bytes()
    assert headers["Cache-Control"] == f"max-age={MAX_AGE}"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert hits(stack, path) == [0, 0]


def test_unknown_vendor_packages_are_not_found(stack):
    assert request(stack, "GET", "/vendor/nothing/x.js")[0] == 404


def _post_head(length: int) -> bytes:
    """Return the head of a form post to /submit announcing `length` bytes of body."""
    return (
        f"POST /submit HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: {length}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
    ).encode()


def test_a_body_over_the_apps_limit_is_refused_by_nginx(stack):
    limit = Config(PROJECT_ROOT / "instance").MAX_CONTENT_LENGTH
    with connect(stack) as connection:
        connection.sendall(_post_head(limit + 1))
        assert connection.recv(4096).startswith(b"HTTP/1.1 413 ")
    # At the limit the body reaches the app, which refuses the post for its missing CSRF token.
    body = b"title=" + b"x" * (limit - len("title="))
    with connect(stack, timeout=30) as connection:
        connection.sendall(_post_head(len(body)) + body)
        assert connection.recv(4096).startswith(b"HTTP/1.1 400 ")


def test_slow_clients_sending_half_a_body_hold_no_app_thread(stack):
    slow = []
    try:
        # Twice as many as the two instances have threads in all: nginx keeps them waiting.
        for _ in range(8):
            connection = connect(stack)
            connection.sendall(_post_head(1000) + b"title=half")
            slow.append(connection)
        for _ in range(4):  # each answered within the timeout, where a stalled one never is
            assert request(stack, "GET", "/openstack6bday/", timeout=5)[0] == 200
        # Sent straight to an instance, three such clients would hold both its threads.
        for _ in range(3):
            direct = socket.create_connection(("127.0.0.1", stack.instances[0]), timeout=10)
            direct.sendall(_post_head(1000).replace(HOST.encode(), b"127.0.0.1") + b"title=half")
            slow.append(direct)
        probe = http.client.HTTPConnection("127.0.0.1", stack.instances[0], timeout=1.5)
        try:
            probe.request("GET", "/healthz", headers={"Host": HOST})
            with pytest.raises(TimeoutError):
                probe.getresponse()
        finally:
            probe.close()
    finally:
        for connection in slow:
            connection.close()


def test_with_one_instance_down_every_request_is_still_served(stack):
    # Last in this module: it stops the second instance.
    stop(stack.servers[1])
    statuses = [request(stack, "GET", "/api/events?down=1")[0] for _ in range(10)]
    assert statuses == [200] * 10
    assert hits(stack, "/api/events?down=1") == [10, 0]


def test_a_worker_freezes_the_loaded_app_out_of_the_collector_s_sight(monkeypatch):
    import gc
    import runpy

    # The settings export these for the app; set here, the test leaves no trace of them.
    monkeypatch.setenv("EVENTMAP_WORKERS", "1")
    monkeypatch.setenv("EVENTMAP_THREADS", "8")
    settings = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    before = gc.get_freeze_count()
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
