"""Load test: `make serve`'s gunicorn under wrk, on SQLite and PostgreSQL, at several sizes.

For each database and size: a throwaway database (an SQLite file, or a PostgreSQL database
made and dropped here), migrated, seeded with data/parties.csv through `flask import`, topped
up with generated parties (bench/events.py); then gunicorn started exactly as `make serve`
starts it (gunicorn.conf.py, WEB_CONCURRENCY=2) on a free loopback port, and wrk against
every public page and feed beside the floor (/healthz, a one-line view on the same server)
and beside a static file of the same size as each full collection (written into static/ for
the run, removed after). Then each worker's memory from /proc, the time to the next full
collection after one event changes, 500 concurrent submissions through the server (every
acknowledged one must be stored), and, at the map size, the map page in headless Chromium
(bench.map). Checks against issue 14's targets are printed as a PASS/FAIL table and, unless
--short, written to docs/benchmarks.md ("Load test").

    python -m bench.loadtest                 # full: both databases x 45, 10,000, 100,000
    python -m bench.loadtest --short         # CI: 45 and 10,000, 3 s per endpoint
    python -m bench.loadtest --sizes 45,1000 --databases sqlite --duration 2 --submissions 50

Exit status 1 on any error (a non-2xx/3xx answer, a socket error, a 5xx or a traceback in the
server log, a wrong status in the first request) or a lost submission; without --short also
on any missed target. Everything made is removed on the way out, Ctrl-C included.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import logging
import math
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
LUA = Path(__file__).with_name("loadtest.lua")
SEED = ROOT / "data" / "parties.csv"
CAMPAIGN = "openstack6bday"
GUNICORN = Path(sys.executable).with_name("gunicorn")
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PREFIX = "loadtest"  # of the static files and PostgreSQL databases this run makes
NEAR = "48.137,11.575"  # Munich
MONTH = "2016-07"
# Limits raised for the run through configuration: every submitter here is 127.0.0.1.
RUN_SUBMIT_LIMIT = "1000000 per hour"
SHARED_PLACES = ("Munich", "Paris, France", "Tokyo", "Nairobi", "Buenos Aires")
REBUILD_WAIT_S = 60  # longest wait for the next collection after a change
WARM_SHARE = 0.1  # each endpoint's discarded warm-up run, as a share of its measured run
FIRST_ANSWER_S = 60  # longest wait for an endpoint's first answer (and the warm-up's)
# Longest wait for the server to finish what a run left queued (wrk stops sending, but the
# requests it sent are still answered); beyond it the server is restarted, which is quicker.
SETTLE_S = 15

# Targets of issue 14.
HTML_SHARE = 0.25  # every HTML page and the Atom feed: of the floor's requests/s
P99_MS = 250
NOT_MODIFIED_SHARE = 0.5  # 304 answers: of the floor's requests/s
COLLECTION_SHARE = 0.5  # full collections: of the same-size static file's requests/s
WORKER_MB = 300
REBUILD_S = 2.0
MAP_MS = 1500

log = logging.getLogger("bench.loadtest")


@dataclass(frozen=True)
class Endpoint:
    """One URL under load, what it must answer, and what it is measured against."""

    name: str
    label: str
    path: str  # {c}: the campaign, {event}: an event's slug
    kind: str  # floor, html, api, collection, not-modified, static
    status: int = 200
    compare: str | None = None  # the endpoint whose requests/s it is compared with


ENDPOINTS = (
    Endpoint("floor", "floor: `/healthz` (one-line view)", "/healthz", "floor"),
    Endpoint("campaign", "campaign page", "/{c}/", "html", compare="floor"),
    Endpoint("map", "map page", "/{c}/map", "html", compare="floor"),
    Endpoint("month", "month view", f"/{{c}}/calendar?month={MONTH}", "html", compare="floor"),
    Endpoint("agenda", "agenda", "/{c}/calendar/agenda", "html", compare="floor"),
    Endpoint("event", "event page", "/{c}/{event}", "html", compare="floor"),
    Endpoint("near", "near search (HTML)", f"/{{c}}/near?near={NEAR}", "html", compare="floor"),
    Endpoint("near-api", "near search (API)", f"/api/events?campaign={{c}}&near={NEAR}", "api"),
    Endpoint("atom", "`feed.atom`", "/{c}/feed.atom", "html", compare="floor"),
    Endpoint(
        "events", "`/api/events`", "/api/events?campaign={c}", "collection", compare="events-static"
    ),
    Endpoint("events-static", "static file, size of `/api/events`", "", "static"),
    Endpoint(
        "map-events",
        "`/api/map-events` (200)",
        "/api/map-events?campaign={c}",
        "collection",
        compare="map-events-static",
    ),
    Endpoint("map-events-static", "static file, size of `/api/map-events`", "", "static"),
    Endpoint(
        "map-events-304",
        "`/api/map-events` (304, If-None-Match)",
        "/api/map-events?campaign={c}",
        "not-modified",
        status=304,
        compare="floor",
    ),
    Endpoint("ics", "`calendar.ics`", "/{c}/calendar.ics", "collection", compare="ics-static"),
    Endpoint("ics-static", "static file, size of `calendar.ics`", "", "static"),
)
BY_NAME = {e.name: e for e in ENDPOINTS}
STATIC_OF = {"events-static": "events", "map-events-static": "map-events", "ics-static": "ics"}
COLLECTIONS = ("events", "map-events", "ics")


@dataclass
class Options:
    """What to run, from the command line."""

    databases: list[str]
    sizes: list[int]
    duration: float
    connections: int
    threads: int
    timeout: float
    endpoints: list[str]
    submissions: int
    rebuild_size: int
    map_size: int
    workers: int
    postgres_url: str
    short: bool
    write: bool
    command: str


@dataclass
class Run:
    """What wrk measured for one endpoint."""

    requests: int = 0
    seconds: float = 0.0
    bytes: int = 0
    p50_ms: float = math.nan
    p99_ms: float = math.nan
    errors: dict[str, int] = field(default_factory=dict)
    problem: str = ""  # why it did not run, or what its first answer got wrong

    @property
    def rps(self) -> float:
        """Return requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        """Return answers outside 2xx/3xx plus socket errors."""
        return sum(self.errors.values())


@dataclass
class Check:
    """One line of the PASS/FAIL table."""

    database: str
    size: int
    what: str
    measured: str
    target: str
    passed: bool | None  # None: reported, no target
    kind: str  # "error" (fails every run) or "target" (fails the full run only)


@dataclass
class Results:
    """Everything one invocation measured."""

    runs: dict[tuple[str, int, str], Run] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- processes, ports, databases -----------------------------------------------------------


def free_port() -> int:
    """Return a loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _alive(pid: int) -> bool:
    """Tell whether a process with this id still runs (a zombie has finished)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _interrupt(signum: int, _frame: Any) -> None:
    """Turn SIGTERM and SIGHUP into KeyboardInterrupt, so that every cleanup runs."""
    raise KeyboardInterrupt(f"signal {signum}")


class Server:
    """gunicorn as `make serve` runs it, in a session of its own, on a free loopback port."""

    def __init__(self, env: dict[str, str], folder: Path, workers: int) -> None:
        """Keep the database's environment; the log goes into the run's folder."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / f"gunicorn-{self.port}.log"
        self.env = {
            **env,
            "EVENTMAP_BIND": f"127.0.0.1:{self.port}",
            "EVENTMAP_PUBLIC_URL": self.base,
            "WEB_CONCURRENCY": str(workers),
            "EVENTMAP_WORKERS": str(workers),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.peaks: dict[int, float] = {}  # every worker's peak memory, restarts included

    def start(self) -> None:
        """Start gunicorn (the command of `make serve`) and wait until /readyz answers 200."""
        with self.log_path.open("ab") as log_file:
            self.process = subprocess.Popen(
                [str(GUNICORN), "--config", "gunicorn.conf.py", "wsgi:app"],
                cwd=ROOT,
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: Ctrl-C reaches us, we stop it
            )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.log_tail()}")
            try:
                if fetch(self.base + "/readyz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn not ready after 60 s:\n{self.log_tail()}")
            time.sleep(0.2)
        # Both workers must be up before the load starts.
        while len(self.workers()) < int(self.env["WEB_CONCURRENCY"]):
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn workers did not start")
            time.sleep(0.2)

    def workers(self) -> list[int]:
        """Return the ids of gunicorn's worker processes (the master's children)."""
        if self.process is None:
            return []
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def memory(self) -> dict[int, tuple[float, float]]:
        """Return each worker's resident and peak resident memory, in MB (from /proc)."""
        found = {}
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
            found[pid] = (int(values["VmRSS"]) / 1024, int(values["VmHWM"]) / 1024)
            self.peaks[pid] = max(self.peaks.get(pid, 0.0), found[pid][1])
        return found

    def open_connections(self) -> int:
        """Count the server's client connections still open (from /proc/net/tcp).

        wrk closes its connections when its time is up, but the requests it had sent stay
        queued until a thread answers them; each holds its socket (CLOSE_WAIT) until then.
        """
        port = f"{self.port:04X}"
        count = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                rows = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for row in rows:
                fields = row.split()
                # ESTABLISHED or CLOSE_WAIT on the server's side of the port
                if fields[1].endswith(f":{port}") and fields[3] in ("01", "08"):
                    count += 1
        return count

    def settle(self, limit: float = SETTLE_S) -> bool:
        """Wait until the server has answered everything a run left queued, which the next
        measurement must not pay for. False if it has not within `limit` seconds."""
        deadline = time.monotonic() + limit
        while self.open_connections():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def restart(self) -> None:
        """Kill the server with whatever it still has queued and start it again."""
        self.memory()  # keep the workers' peaks
        self.stop(graceful=False)
        self.start()

    def log_tail(self, lines: int = 30) -> str:
        """Return the end of the server's log."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_problems(self) -> tuple[int, int]:
        """Count 5xx answers in the access log and tracebacks in the error log."""
        answers = re.compile(rb'" (5\d\d) ')
        server_errors = tracebacks = 0
        with self.log_path.open("rb") as handle:
            for line in handle:
                if line.startswith(b"Traceback"):
                    tracebacks += 1
                elif b'HTTP/1.1" 5' in line and answers.search(line):
                    server_errors += 1
        return server_errors, tracebacks

    def stop(self, *, graceful: bool = True) -> None:
        """Stop gunicorn: SIGTERM to the master, then SIGKILL to its group if it lingers."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            # SIGTERM lets requests finish (graceful_timeout); SIGQUIT is gunicorn's quick stop.
            process.send_signal(signal.SIGTERM if graceful else signal.SIGQUIT)
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=35 if graceful else 10)
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # workers left behind, if any
        process.wait(timeout=10)


@contextmanager
def serving(env: dict[str, str], folder: Path, workers: int) -> Iterator[Server]:
    """Run a server for the block; stop it however the block ends."""
    server = Server(env, folder, workers)
    try:
        server.start()
        yield server
    except BaseException:
        server.stop(graceful=False)  # interrupted or failed: what it still has queued can go
        raise
    finally:
        server.stop()


def _psycopg(url: str) -> str:
    """Return a PostgreSQL URL with the driver the app uses (psycopg 3)."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", url)


def sweep_leftovers(postgres_url: str | None) -> None:
    """Remove static files and databases of earlier runs whose process is gone (kill -9)."""
    for path in STATIC.glob(f"{PREFIX}-*"):
        pid = path.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)
    if postgres_url is None:
        return
    import sqlalchemy

    engine = sqlalchemy.create_engine(_psycopg(postgres_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            names = connection.scalars(
                sqlalchemy.text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                {"p": f"eventmap_{PREFIX}_%"},
            ).all()
            for name in names:
                pid = name.split("_")[2]
                if pid.isdigit() and not _alive(int(pid)):
                    connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        engine.dispose()


@contextmanager
def database(kind: str, size: int, folder: Path, postgres_url: str) -> Iterator[str]:
    """Make an empty database for one size; drop it afterwards. Yields its SQLAlchemy URL."""
    if kind == "sqlite":
        path = folder / f"loadtest-{size}.sqlite3"
        try:
            yield f"sqlite:///{path}"
        finally:
            for leftover in folder.glob(path.name + "*"):
                leftover.unlink(missing_ok=True)
        return
    import sqlalchemy

    name = f"eventmap_{PREFIX}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sqlalchemy.make_url(_psycopg(postgres_url))
    engine = sqlalchemy.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@contextmanager
def app_for(url: str) -> Iterator[Any]:
    """Give an app context on the database, for seeding and for writing as the app does."""
    from eventmap import create_app
    from eventmap.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def seed(url: str, size: int, env: dict[str, str]) -> tuple[str, float]:
    """Migrate, import the real seed with `flask import`, add generated parties up to `size`.

    Returns the slug of an event to load the event page of, and the seconds it took.
    """
    from sqlalchemy import func, select

    from bench.events import insert_events
    from eventmap.extensions import db
    from eventmap.models import Campaign, Event

    started = time.perf_counter()
    for args in (["db", "upgrade"], ["import", str(SEED)]):
        done = subprocess.run(
            [*FLASK, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        if done.returncode:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    with app_for(url):
        campaign = db.session.scalar(Campaign.by_slug(CAMPAIGN))
        have = db.session.scalar(select(func.count(Event.id)))
        if size > have:
            insert_events(db.session, campaign, size - have)
        elif size < have:
            raise SystemExit(f"--sizes: the seed alone has {have} events; ask for {have} or more")
        # An event page with parts if there is one (the generated ones), else the first.
        slug = db.session.scalar(
            select(Event.slug).where(Event.campaign_id == campaign.id).order_by(Event.id.desc())
        )
    return slug, time.perf_counter() - started


# --- HTTP -------------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Let a 3xx come back as it is."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        """Follow nothing."""
        return


_plain = urllib.request.build_opener(_NoRedirects())


def fetch(
    url: str,
    headers: dict[str, str] | None = None,
    timeout: float = 120,
    opener: urllib.request.OpenerDirector = _plain,
    data: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """GET (or POST) a URL; return the status, headers and body, whatever the status."""
    request = urllib.request.Request(url, headers=headers or {}, data=data)  # noqa: S310
    try:
        with opener.open(request, timeout=timeout) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as answer:
        with answer:
            return answer.code, dict(answer.headers), answer.read()


def wrk(
    url: str, options: Options, headers: dict[str, str] | None = None, seconds: float | None = None
) -> Run:
    """Run wrk against one URL for the set duration (or `seconds`); return its counters."""
    seconds = options.duration if seconds is None else seconds
    command = [
        wrk_path(),
        f"-t{options.threads}",
        f"-c{options.connections}",
        f"-d{seconds:g}s",
        f"--timeout={options.timeout:g}s",
        "--latency",
        "-s",
        str(LUA),
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        timeout=seconds + options.timeout + 60,
        check=False,
    )
    if done.returncode:
        return Run(problem=f"wrk failed ({done.returncode}): {done.stderr.strip()[:300]}")
    return read_wrk(done.stdout)


def read_wrk(output: str) -> Run:
    """Read the line bench/loadtest.lua prints at the end of a wrk run."""
    found = re.search(r"^LOADTEST (\{.*\})$", output, re.M)
    if not found:
        return Run(problem=f"no counters in wrk's output: {output.strip()[-300:]}")
    counters = json.loads(found.group(1))
    return Run(
        requests=counters["requests"],
        seconds=counters["duration_us"] / 1e6,
        bytes=counters["bytes"],
        p50_ms=counters["p50_us"] / 1000 if counters["requests"] else math.nan,
        p99_ms=counters["p99_us"] / 1000 if counters["requests"] else math.nan,
        errors={
            name: counters[name]
            for name in ("status", "connect", "read", "write", "timeout")
            if counters[name]
        },
    )


# --- the steps of one database and size --------------------------------------------------------


def first_answer(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes] | str:
    """Return an endpoint's answer, or what went wrong when none came in FIRST_ANSWER_S."""
    try:
        return fetch(url, headers, timeout=FIRST_ANSWER_S)
    except (OSError, http.client.HTTPException) as error:
        return f"no answer in {FIRST_ANSWER_S} s ({type(error).__name__})"


def settle(server: Server, notes: list[str], where: str) -> None:
    """Let the server finish what a run left queued, or restart it when that takes too long."""
    if not server.settle():
        log.info("  (still busy %s s after the run: restarting the server)", SETTLE_S)
        notes.append(f"{where}: still busy {SETTLE_S} s after its run; server restarted.")
        server.restart()


def load(
    server: Server,
    slug: str,
    options: Options,
    run_id: str,
    stack: ExitStack,
    notes: list[str],
    where: str,
) -> dict[str, Run]:
    """Check each endpoint's first answer, warm it, then put it under wrk's load."""
    runs: dict[str, Run] = {}
    bodies: dict[str, bytes] = {}
    etags: dict[str, str] = {}
    for endpoint in (BY_NAME[name] for name in options.endpoints):
        headers: dict[str, str] = {}
        if endpoint.kind == "static":
            source = STATIC_OF[endpoint.name]
            if source not in bodies:
                answer = first_answer(
                    server.base + BY_NAME[source].path.format(c=CAMPAIGN, event=slug), {}
                )
                if isinstance(answer, str):
                    runs[endpoint.name] = Run(problem=f"its collection: {answer}")
                    continue
                bodies[source] = answer[2]
            suffix = {"events": "json", "map-events": "json", "ics": "ics"}[source]
            path = STATIC / f"{PREFIX}-{os.getpid()}-{run_id}-{source}.{suffix}"
            stack.callback(path.unlink, missing_ok=True)
            path.write_bytes(bodies[source])  # the same bytes: the same size, served by Flask
            url = f"{server.base}/static/{path.name}"
        else:
            url = server.base + endpoint.path.format(c=CAMPAIGN, event=slug)
        if endpoint.kind == "not-modified" and "map-events" not in etags:
            answer = first_answer(url, {})
            etags["map-events"] = "" if isinstance(answer, str) else answer[1].get("ETag", "")
        if endpoint.kind == "not-modified":
            headers = {"If-None-Match": etags["map-events"]}
        answer = first_answer(url, headers)
        if isinstance(answer, str) or answer[0] != endpoint.status:
            problem = answer if isinstance(answer, str) else f"first answer {answer[0]}"
            runs[endpoint.name] = Run(problem=f"{problem}, not {endpoint.status}")
            log.warning("  %-18s %s", endpoint.name, runs[endpoint.name].problem)
            settle(server, notes, f"{where}, {endpoint.name}")
            continue
        if endpoint.name in COLLECTIONS:
            bodies[endpoint.name] = answer[2]
        if endpoint.name == "map-events":
            etags["map-events"] = answer[1].get("ETag", "")
        # Warm every worker and thread (each worker builds what it caches on its first
        # request, and the first requests meet cold code paths) under the same load, for a
        # share of the run that is then discarded: a measured run starts warm.
        with ThreadPoolExecutor(options.workers) as pool:
            list(pool.map(first_answer, [url] * options.workers, [headers] * options.workers))
        warm = wrk(url, options, headers, seconds=max(1.0, options.duration * WARM_SHARE))
        if warm.problem:
            log.warning("  %-18s warm-up: %s", endpoint.name, warm.problem)
        run = wrk(url, options, headers)
        runs[endpoint.name] = run
        log.info(
            "  %-18s %9.1f req/s  p50 %8.1f ms  p99 %8.1f ms  %s errors  %s B/answer",
            endpoint.name,
            run.rps,
            run.p50_ms,
            run.p99_ms,
            run.error_count if not run.problem else run.problem,
            f"{run.bytes // max(run.requests, 1):,}",
        )
        settle(server, notes, f"{where}, {endpoint.name}")
    return runs


def rebuild_times(server: Server, url_of_db: str, slug: str) -> dict[str, float]:
    """Change one event (through operations.py), then time each full collection's next answer.

    Each collection is timed after a change of its own: from the commit to the end of the
    first 200 answer with a new ETag (or, without ETags, to the end of the next answer).
    """
    from sqlalchemy import select

    from eventmap import operations
    from eventmap.extensions import db
    from eventmap.models import Event, EventStatus

    times: dict[str, float] = {}
    with app_for(url_of_db):
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        for name in COLLECTIONS:
            url = server.base + BY_NAME[name].path.format(c=CAMPAIGN, event=slug)
            _, headers, _ = fetch(url)
            before = headers.get("ETag")
            if event.status == EventStatus.APPROVED:
                operations.reject_event(event, actor="loadtest", reason="load test: a change")
            else:
                operations.approve_event(event, actor="loadtest")
            started = time.perf_counter()
            times[name] = math.inf  # unless a new collection comes within REBUILD_WAIT_S
            while time.perf_counter() < started + REBUILD_WAIT_S:
                answer = first_answer(url, {})
                if isinstance(answer, str):
                    break
                status, headers, _ = answer
                if status == 200 and (before is None or headers.get("ETag") != before):
                    times[name] = time.perf_counter() - started
                    break
                time.sleep(0.01)
        if event.status != EventStatus.APPROVED:
            operations.approve_event(event, actor="loadtest")
    return times


@dataclass
class Submissions:
    """What 500 concurrent submissions got."""

    sent: int
    codes: Counter[int]
    acknowledged: int
    stored: int
    lost: list[str]
    distinct_slugs: bool
    seconds: float


def _places(count: int) -> list[str]:
    """Return one place per submission: every other one shared by many, the rest distinct."""
    from bench.events import cities

    distinct = [f"{c.name}, {c.country}" for c in cities()[:count]]
    return [
        SHARED_PLACES[n % len(SHARED_PLACES)] if n % 2 == 0 else distinct[n // 2]
        for n in range(count)
    ]


def submit_many(server: Server, url_of_db: str, count: int, run_id: str) -> Submissions:
    """Send `count` valid submissions at the same moment, then look for each saved one."""
    from sqlalchemy import select

    from eventmap.extensions import db
    from eventmap.models import Event
    from eventmap.submissions import hash_token

    places = _places(count)
    start = threading.Barrier(count, timeout=300)
    tokens: dict[int, str] = {}

    def submit(n: int) -> int:
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), _NoRedirects()
        )
        status, _, form = fetch(f"{server.base}/submit", opener=browser)
        found = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', form)
        body = urllib.parse.urlencode(
            {
                "csrf_token": found.group(1).decode() if found else "",
                "campaign": CAMPAIGN,
                "title": f"Load test {run_id} #{n}",
                "location": places[n],
                "previewed": places[n],
                "choice": "0",
                "date_text": "July 19",
                "organizer_name": "Load Test",
                "organizer_email": f"organizer{n}@example.org",
                "action": "save",
            }
        ).encode()
        try:
            start.wait()
        except threading.BrokenBarrierError:
            return -1
        status, headers, _ = fetch(f"{server.base}/submit", opener=browser, data=body)
        saved = re.search(r"/edit/([^?/]+)", headers.get("Location", ""))
        if status == 303 and saved:
            tokens[n] = urllib.parse.unquote(saved.group(1))
        return status

    started = time.perf_counter()
    pool = ThreadPoolExecutor(count)
    try:
        codes = Counter(pool.map(submit, range(count)))
    except BaseException:
        start.abort()  # let the waiting submitters go; the server is stopped next
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    seconds = time.perf_counter() - started
    with app_for(url_of_db):
        rows = db.session.execute(
            select(Event.title, Event.slug, Event.edit_token_hash).where(
                Event.title.like(f"Load test {run_id} #%")
            )
        ).all()
    stored = {row.edit_token_hash: row.title for row in rows}
    lost = [
        f"#{n}"
        for n, token in sorted(tokens.items())
        if stored.get(hash_token(token)) != f"Load test {run_id} #{n}"
    ]
    return Submissions(
        sent=count,
        codes=codes,
        acknowledged=len(tokens),
        stored=len(rows),
        lost=lost,
        distinct_slugs=len({row.slug for row in rows}) == len(rows),
        seconds=seconds,
    )


def map_in_chromium(server: Server) -> list[float]:
    """Return the map page's time to its first frame with clusters, per run (bench.map)."""
    from playwright.sync_api import sync_playwright

    from bench.map import CHROMIUM, RUNS, time_map_page

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            return [time_map_page(browser, server.base, f"/{CAMPAIGN}/map")[0] for _ in range(RUNS)]
        finally:
            browser.close()


# --- checks and the report ----------------------------------------------------------------------


def _ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def check_runs(results: Results, kind: str, size: int, runs: dict[str, Run]) -> None:
    """Turn one size's wrk runs into checks: no errors, throughput shares, p99."""
    for name, run in runs.items():
        endpoint = BY_NAME[name]
        results.runs[kind, size, name] = run
        errors = run.problem or (
            ", ".join(f"{count} {what}" for what, count in run.errors.items()) or "0"
        )
        ok = not run.problem and run.error_count == 0
        results.checks.append(Check(kind, size, f"{name}: errors", errors, "0", ok, "error"))
        if run.problem:
            continue
        reference = runs.get(endpoint.compare or "")
        share = {"html": HTML_SHARE, "not-modified": NOT_MODIFIED_SHARE}.get(
            endpoint.kind, COLLECTION_SHARE
        )
        if reference and not reference.problem and reference.rps:
            ratio = run.rps / reference.rps
            results.checks.append(
                Check(
                    kind,
                    size,
                    f"{name}: req/s vs {endpoint.compare}",
                    f"{run.rps:,.0f} / {reference.rps:,.0f} = {ratio:.0%}",
                    f"≥ {share:.0%}",
                    ratio >= share,
                    "target",
                )
            )
        if endpoint.kind == "html":
            results.checks.append(
                Check(
                    kind,
                    size,
                    f"{name}: p99",
                    _ms(run.p99_ms),
                    f"≤ {P99_MS} ms",
                    not math.isnan(run.p99_ms) and run.p99_ms <= P99_MS,
                    "target",
                )
            )


def report(results: Results, options: Options, started: datetime, seconds: float) -> str:
    """Write the results as Markdown: how they were made, the measurements, the checks."""
    lines = [
        f"Reproduce: `{options.command}` (`make loadtest`; `make loadtest-short` is the CI form)."
        f" Run {started:%Y-%m-%d %H:%M} UTC, {seconds / 60:.1f} min, on {machine_details()}.",
        "",
        f"gunicorn as `make serve` runs it (`gunicorn.conf.py`: gthread, {options.workers}"
        f" workers × {os.environ.get('EVENTMAP_THREADS', '8')} threads) on a free port of"
        f" 127.0.0.1; wrk {wrk_version()}: {options.threads} threads, {options.connections}"
        f" connections, {options.duration:g} s per endpoint, {options.timeout:g} s timeout, after"
        f" a discarded warm-up run of {max(1.0, options.duration * WARM_SHARE):g} s under the"
        " same load. Errors are answers outside 2xx/3xx and socket"
        " errors (wrk's counters), plus any 5xx or traceback in the server's log. The seed is"
        " `data/parties.csv` through `flask import`; larger sizes add parties from"
        " `bench/events.py` (around real cities, days around the anniversary, some multi-part,"
        " some TBD). The floor is `/healthz`; each full collection is compared with a static"
        " file of its size served by the same server (`static/`, written for the run). wrk"
        " runs on the same 2 cores as the server, so the floor is wrk-bound too.",
        "",
        "| database | events | endpoint | req/s | p50 | p99 | errors | bytes/answer |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for (kind, size, name), run in results.runs.items():
        errors = run.problem or str(run.error_count)
        per = f"{run.bytes // run.requests:,}" if run.requests else ""
        lines.append(
            f"| {kind} | {size:,} | {BY_NAME[name].label} | {run.rps:,.0f} | {_ms(run.p50_ms)}"
            f" | {_ms(run.p99_ms)} | {errors} | {per} |"
        )
    lines += [
        "",
        "| database | events | check | measured | target | result |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for check in results.checks:
        verdict = "—" if check.passed is None else "PASS" if check.passed else "FAIL"
        if check.passed is False and check.kind == "target" and options.short:
            verdict = "FAIL (reported)"
        lines.append(
            f"| {check.database} | {check.size:,} | {check.what} | {check.measured} |"
            f" {check.target} | {verdict} |"
        )
    lines += ["", *results.notes] if results.notes else []
    lines += [
        "",
        "`--short` (`make loadtest-short`, run by `.ci/run`) fails only on errors and lost"
        " submissions: CI machines differ too much for throughput targets, which it reports.",
    ]
    return "\n".join(lines) + "\n"


def machine_details() -> str:
    """Describe the machine: CPU model and count, memory, load when the run started."""
    cpu = "?"
    info = Path("/proc/cpuinfo")
    if info.exists():
        text = info.read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
        cpu = f"{text.count('processor' + chr(9) + ':')} × {found.group(1) if found else '?'}"
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"MemTotal:\s+(\d+)", meminfo.read_text())
        memory = f", {int(found.group(1)) / 1024 / 1024:.0f} GB RAM" if found else ""
    load = (
        ", load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    )
    return f"{cpu}{memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}{load} at start"


def wrk_path() -> str:
    """Return where wrk is installed (Debian's package `wrk`; `make loadtest-tools`)."""
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("bench.loadtest needs wrk: apt-get install wrk (make loadtest-tools)")
    return found


def wrk_version() -> str:
    """Return wrk's version line."""
    done = subprocess.run([wrk_path(), "--version"], capture_output=True, text=True, check=False)
    found = re.search(r"wrk (\S+)", done.stdout + done.stderr)
    return found.group(1) if found else "?"


# --- the whole run ----------------------------------------------------------------------------


def one_size(
    results: Results, kind: str, size: int, url: str, options: Options, folder: Path, run_id: str
) -> None:
    """Seed one database to `size`, serve it, load it, and run the extra steps due at this size."""
    where = f"{kind} {size:,}"
    env = {**os.environ, "DATABASE_URL": url.replace("+psycopg", "")}
    for name in ("MAIL_SERVER", "EVENTMAP_MAIL_SERVER"):
        env.pop(name, None)  # no e-mail from the run
    env["EVENTMAP_SUBMIT_RATE_LIMIT"] = RUN_SUBMIT_LIMIT
    slug, seconds = seed(url, size, env)
    log.info("[%s] seeded in %.1f s", where, seconds)

    def add(what: str, measured: str, target: str, passed: bool | None, kind_: str) -> None:
        results.checks.append(Check(kind, size, what, measured, target, passed, kind_))

    def step(what: str, action: Callable[[], None]) -> None:
        """Run one step; a failure of it is a failed check, and the other steps still run."""
        log.info("[%s] %s", where, what)
        try:
            action()
        except Exception as error:  # any failure of a step is reported as one
            log.exception("[%s] %s failed", where, what)
            add(what, f"{type(error).__name__}: {str(error)[:150]}", "completes", False, "error")

    with ExitStack() as stack, serving(env, folder, options.workers) as server:
        log.info("[%s] serving on %s (workers %s)", where, server.base, server.workers())
        runs = load(server, slug, options, f"{run_id}-{kind}-{size}", stack, results.notes, where)
        check_runs(results, kind, size, runs)
        memory = server.memory()
        if memory:
            rss = max(current for current, _ in memory.values())
            peak = max(server.peaks.values())
            add(
                "worker memory (largest worker: now, peak)",
                f"{rss:,.0f} MB, peak {peak:,.0f} MB",
                f"< {WORKER_MB} MB",
                peak < WORKER_MB,
                "target",
            )

        def rebuild() -> None:
            for name, took in rebuild_times(server, url, slug).items():
                measured = f"{took:.2f} s" if math.isfinite(took) else f"> {REBUILD_WAIT_S} s"
                add(
                    f"{name}: next collection after a change",
                    measured,
                    f"≤ {REBUILD_S:g} s",
                    took <= REBUILD_S,
                    "target",
                )

        def browser() -> None:
            times = map_in_chromium(server)
            warm = statistics.median(times[1:])
            add(
                "map page: clusters drawn, warm (Chromium, bench.map)",
                f"{warm:,.0f} ms (first {times[0]:,.0f} ms)",
                f"≤ {MAP_MS:,} ms",
                warm <= MAP_MS,
                "target",
            )

        def submissions() -> None:
            sent = submit_many(server, url, options.submissions, run_id)
            fives = sum(n for code, n in sent.codes.items() if code >= 500)
            codes = ", ".join(f"{n}× {code}" for code, n in sorted(sent.codes.items()))
            add(
                f"{sent.sent} concurrent submissions",
                f"{codes}; {sent.stored} stored, {len(sent.lost)} lost; {sent.seconds:.1f} s",
                "all 303 and stored, no 5xx",
                sent.acknowledged == sent.sent
                and not sent.lost
                and not fives
                and sent.distinct_slugs,
                "error",
            )

        if size == options.rebuild_size:
            step("the next collection after a change", rebuild)
        if options.map_size and size == options.map_size:
            step("the map page in headless Chromium", browser)
        if options.submissions and size == max(options.sizes):
            step(f"{options.submissions} concurrent submissions", submissions)
        time.sleep(0.5)  # let the access log catch up
        server_errors, tracebacks = server.log_problems()
        add(
            "server log",
            f"{server_errors} 5xx, {tracebacks} tracebacks",
            "none",
            server_errors == 0 and tracebacks == 0,
            "error",
        )
        if tracebacks:
            log.warning("server log:\n%s", server.log_tail(60))


def parse(argv: list[str]) -> Options:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.loadtest", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--short",
        action="store_true",
        help="CI form: 45 and 10,000 events, 3 s per endpoint; fails only on errors",
    )
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite,postgresql")
    parser.add_argument("--sizes", help="events per run (default 45,10000,100000; short 45,10000)")
    parser.add_argument("--duration", type=float, help="seconds per endpoint (20; short 3)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--timeout", type=float, default=10, help="wrk's per-request timeout, s")
    parser.add_argument(
        "--endpoints",
        help=f"comma-separated, from {','.join(BY_NAME)} (default: all; short: all but the"
        " static files, whose comparisons are the throughput targets it does not enforce)",
    )
    parser.add_argument(
        "--submissions",
        type=int,
        default=500,
        help="concurrent submissions at the largest size (0: none)",
    )
    parser.add_argument(
        "--rebuild-size",
        type=int,
        help="size at which to time the next collection after a change (default: the largest)",
    )
    parser.add_argument(
        "--map-size",
        type=int,
        help="size at which to time the map in Chromium (100000; short: none; 0: never)",
    )
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY")
    parser.add_argument("--postgres-url", default=os.environ.get("POSTGRES_URL", POSTGRES_URL))
    parser.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        help="write docs/benchmarks.md (default: unless --short)",
    )
    args = parser.parse_args(argv)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if args.endpoints:
        endpoints = [e.strip() for e in args.endpoints.split(",") if e.strip()]
        unknown |= set(endpoints) - set(BY_NAME)
        # A comparison needs its reference: the floor, the static copies.
        for name in list(endpoints):
            reference = BY_NAME.get(name, ENDPOINTS[0]).compare
            if reference and reference not in endpoints:
                endpoints.append(reference)
    else:
        endpoints = [e.name for e in ENDPOINTS if not (args.short and e.kind == "static")]
    if unknown:
        parser.error(f"unknown: {', '.join(sorted(unknown))}")
    endpoints = [e.name for e in ENDPOINTS if e.name in endpoints]
    sizes = sorted(
        {
            int(s)
            for s in (args.sizes or ("45,10000" if args.short else "45,10000,100000")).split(",")
        }
    )
    return Options(
        databases=databases,
        sizes=sizes,
        duration=args.duration or (3 if args.short else 20),
        connections=args.connections,
        threads=args.threads,
        timeout=args.timeout,
        endpoints=endpoints,
        submissions=args.submissions,
        rebuild_size=args.rebuild_size or max(sizes),
        map_size=(0 if args.short else 100_000) if args.map_size is None else args.map_size,
        workers=args.workers,
        postgres_url=args.postgres_url,
        short=args.short,
        write=not args.short if args.write is None else args.write,
        command="python -m bench.loadtest " + shlex.join(argv)
        if argv
        else "python -m bench.loadtest",
    )


def run(options: Options) -> Results:
    """Run every database and size; always leave nothing behind."""
    results = Results()
    run_id = uuid.uuid4().hex[:6]
    sweep_leftovers(options.postgres_url if "postgresql" in options.databases else None)
    with tempfile.TemporaryDirectory(prefix="eventmap-loadtest-") as folder:
        for kind in options.databases:
            for size in options.sizes:
                log.info("[%s %s] start", kind, f"{size:,}")
                try:
                    with database(kind, size, Path(folder), options.postgres_url) as url:
                        one_size(results, kind, size, url, options, Path(folder), run_id)
                except Exception as error:  # reported; the next size still runs
                    log.exception("[%s %s] failed", kind, size)
                    results.checks.append(
                        Check(
                            kind,
                            size,
                            "run",
                            str(error).splitlines()[0][:200],
                            "completes",
                            False,
                            "error",
                        )
                    )
    return results


def failures(checks: list[Check], *, short: bool) -> list[Check]:
    """Return the checks that fail the run: errors always, missed targets unless short."""
    return [c for c in checks if c.passed is False and (c.kind == "error" or not short)]


def main(argv: list[str] | None = None) -> int:
    """Run the load test, print the table, write the docs section; exit 1 on any failure."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    for name in ("alembic", "eventmap"):  # the seeding app's own chatter
        logging.getLogger(name).setLevel(logging.WARNING)
    options = parse(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("SECRET_KEY", uuid.uuid4().hex)  # for the seeding app and the server
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    started = datetime.now(UTC)
    clock = time.perf_counter()
    try:
        results = run(options)
    except KeyboardInterrupt:
        log.error("interrupted: everything this run made has been removed")
        return 130
    body = report(results, options, started, time.perf_counter() - clock)
    print(body)
    if options.write:
        from bench.report import write_section

        write_section("Load test", body)
    failed = failures(results.checks, short=options.short)
    for check in failed:
        log.error(
            "FAIL %s %s: %s: %s (target %s)",
            check.database,
            check.size,
            check.what,
            check.measured,
            check.target,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
