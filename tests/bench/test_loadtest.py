"""The load test's harness: options, checks, exit status, and that it leaves nothing behind."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from bench import loadtest
from bench.loadtest import (
    PREFIX,
    STATIC,
    Check,
    Results,
    Run,
    check_runs,
    database,
    failures,
    parse,
    read_wrk,
    report,
    serving,
    sweep_leftovers,
)

ROOT = Path(__file__).resolve().parents[2]
WRK_LINE = (
    'LOADTEST {"requests": 5000, "duration_us": 2000000, "bytes": 1500000, "connect": 0,'
    ' "read": 0, "write": 0, "status": 3, "timeout": 2, "p50_us": 8000, "p90_us": 20000,'
    ' "p99_us": 120000, "max_us": 300000, "mean_us": 9000.5}'
)


def test_the_short_form_is_the_ci_one_and_writes_no_docs():
    options = parse(["--short"])
    assert options.sizes == [45, 10_000]
    assert options.duration == 3
    assert options.databases == ["sqlite", "postgresql"]
    assert options.submissions == 500
    assert options.map_size == 0
    assert options.rebuild_size == 10_000
    assert options.write is False
    assert "ics" in options.endpoints
    assert "ics-static" not in options.endpoints  # only for a target the short form reports
    full = parse([])
    assert (full.sizes, full.duration, full.map_size, full.write) == (
        [45, 10_000, 100_000],
        20,
        100_000,
        True,
    )
    assert full.connections == 50
    assert full.endpoints == list(loadtest.BY_NAME)


def test_chosen_endpoints_bring_what_they_are_compared_with():
    options = parse(["--endpoints", "ics,campaign", "--sizes", "1000,45"])
    assert options.endpoints == ["floor", "campaign", "ics", "ics-static"]
    assert options.sizes == [45, 1000]
    assert options.command == "python -m bench.loadtest --endpoints ics,campaign --sizes 1000,45"
    with pytest.raises(SystemExit):
        parse(["--endpoints", "nope"])
    with pytest.raises(SystemExit):
        parse(["--databases", "mysql"])


def test_wrk_counters_are_read_from_the_scripts_line():
    run = read_wrk("Running 2s test\n" + WRK_LINE + "\nRequests/sec: 2500\n")
    assert (run.requests, run.rps, run.p50_ms, run.p99_ms) == (5000, 2500, 8, 120)
    assert run.errors == {"status": 3, "timeout": 2}
    assert run.error_count == 5
    assert read_wrk("wrk: connection refused").problem


def runs(**overrides: Run) -> dict[str, Run]:
    good = {
        "floor": Run(requests=2000, seconds=1, p50_ms=5, p99_ms=20),
        "campaign": Run(requests=1000, seconds=1, p50_ms=20, p99_ms=100),
        "events": Run(requests=100, seconds=1, p50_ms=200, p99_ms=400),
        "events-static": Run(requests=150, seconds=1, p50_ms=100, p99_ms=300),
    }
    return {**good, **overrides}


def checked(**overrides: Run) -> list[Check]:
    results = Results()
    check_runs(results, "sqlite", 45, runs(**overrides))
    return results.checks


def verdicts(checks: list[Check]) -> dict[str, bool | None]:
    return {c.what: c.passed for c in checks}


def test_targets_are_the_issues():
    checks = verdicts(checked())
    assert checks["campaign: req/s vs floor"] is True  # 50% of the floor
    assert checks["campaign: p99"] is True
    assert checks["events: req/s vs events-static"] is True  # 67% of the static file
    slow = verdicts(
        checked(
            campaign=Run(requests=400, seconds=1, p50_ms=20, p99_ms=251),
            events=Run(requests=70, seconds=1, p50_ms=20, p99_ms=100),
        )
    )
    assert slow["campaign: req/s vs floor"] is False  # 20% < 25%
    assert slow["campaign: p99"] is False
    assert slow["events: req/s vs events-static"] is False  # 47% < 50%
    # No answer within the run: no p99 to meet the target with.
    none = verdicts(checked(campaign=Run(requests=0, seconds=1, p99_ms=math.nan)))
    assert none["campaign: p99"] is False


def test_errors_fail_every_run_and_missed_targets_only_the_full_one():
    slow = checked(campaign=Run(requests=10, seconds=1, p50_ms=900, p99_ms=2000))
    assert failures(slow, short=True) == []
    assert {c.what for c in failures(slow, short=False)} == {
        "campaign: req/s vs floor",
        "campaign: p99",
    }
    broken = checked(campaign=Run(requests=1000, seconds=1, p99_ms=10, errors={"status": 1}))
    assert [c.what for c in failures(broken, short=True)] == ["campaign: errors"]
    refused = checked(campaign=Run(problem="first answer 500, not 200"))
    assert [c.what for c in failures(refused, short=True)] == ["campaign: errors"]


def test_the_report_says_how_it_was_made_and_marks_each_check():
    results = Results()
    check_runs(results, "postgresql", 10_000, runs(campaign=Run(requests=10, seconds=1)))
    short = report(results, parse(["--short"]), loadtest.datetime.now(loadtest.UTC), 90)
    assert "`python -m bench.loadtest --short`" in short
    assert "| postgresql | 10,000 | campaign page | 10 |" in short
    assert "FAIL (reported)" in short
    assert "| PASS |" in short
    assert "fails only on errors and lost submissions" in short
    assert "FAIL (reported)" not in report(
        results, parse([]), loadtest.datetime.now(loadtest.UTC), 90
    )


def test_submissions_share_some_places_and_spread_the_others():
    places = loadtest._places(500)
    assert len(places) == 500
    assert set(places[::2]) == set(loadtest.SHARED_PLACES)
    assert len(set(places[1::2])) == 250


def test_leftovers_of_a_killed_run_are_swept_and_a_running_ones_kept():
    dead = STATIC / f"{PREFIX}-99999999-x-events.json"  # no process has such an id
    alive = STATIC / f"{PREFIX}-{os.getpid()}-x-events.json"
    try:
        dead.write_text("{}")
        alive.write_text("{}")
        sweep_leftovers(None)
        assert not dead.exists()
        assert alive.exists()
    finally:
        dead.unlink(missing_ok=True)
        alive.unlink(missing_ok=True)


def test_a_throwaway_database_is_gone_afterwards(database_url, tmp_path):
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with database("sqlite", 45, tmp_path, "") as made:
            Path(make_url(made).database).write_bytes(b"")
        assert list(tmp_path.iterdir()) == []
        return
    admin = url.set(database="postgres").render_as_string(hide_password=False)
    with database("postgresql", 45, tmp_path, admin) as made:
        name = make_url(made).database
        engine = create_engine(made)
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT current_database()")) == name
        engine.dispose()
    engine = create_engine(admin)
    with engine.connect() as connection:
        assert (
            connection.scalar(
                text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": name}
            )
            == 0
        )
    engine.dispose()


def test_the_server_and_its_workers_are_gone_after_a_failure(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite3'}",
        "SECRET_KEY": "loadtest-test",
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    processes: list[int] = []
    ports: list[int] = []

    def fail_while_serving() -> None:
        with serving(env, tmp_path, 2) as server:
            processes.extend([server.process.pid, *server.workers()])
            ports.append(server.port)
            assert len(processes) == 3
            assert all(rss > 10 for rss, _peak in server.memory().values())
            assert server.settle(30)
            with socket.create_connection(("127.0.0.1", server.port)):
                assert server.open_connections() == 1
                assert not server.settle(0.3)
            raise RuntimeError("a failing step")

    with pytest.raises(RuntimeError, match="a failing step"):
        fail_while_serving()
    assert not any(loadtest._alive(pid) for pid in processes)
    with socket.socket() as probe:  # nothing listens on the port any more
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind
        probe.bind(("127.0.0.1", ports[0]))
        probe.listen()
