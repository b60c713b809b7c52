"""Whole collections: build time, rebuild after a change, 304 time, sizes and peak memory.

For each size (BENCH_COLLECTION_EVENTS, default "10000,100000") a SQLite database is filled
once with bench.generate; then each collection is measured in a process of its own, so that
its peak RSS is its own: the first build, the build after one party changes (what the next
client waits for), the median 304, the bytes of each encoding.
Run with `.venv/bin/python -m bench.collections` (writes the Collections section of
docs/benchmarks.md).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import write_section

SIZES = [int(n) for n in os.environ.get("BENCH_COLLECTION_EVENTS", "10000,100000").split(",")]
PATHS = os.environ.get(
    "BENCH_COLLECTION_PATHS",
    "/api/events?campaign=bench,/api/map-events?campaign=bench,/bench/calendar.ics",
).split(",")
REVALIDATIONS = 50


def rss_mb() -> float:
    """Return this process's peak resident memory so far, in MB.

    VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent through exec.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> bool:
    """Start this process's peak resident memory again from what it holds now (Linux)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def measure(url: str, path: str) -> dict:
    """Measure one collection in this process (the child's side)."""
    from sqlalchemy import select

    from eventmap import create_app
    from eventmap.extensions import db
    from eventmap.models import Event
    from eventmap.web.collection_cache import cache_of

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    client.get("/healthz")
    ready_mb = rss_mb()
    asked = {"Accept-Encoding": "gzip, deflate, br"}

    started, cpu = time.perf_counter(), time.process_time()
    first = client.get(path, headers=asked)
    first_s, first_cpu = time.perf_counter() - started, time.process_time() - cpu
    assert first.status_code == 200, first.status_code
    (built,) = cache_of(app)._entries.values()
    first_peak_mb = rss_mb()

    floor = []
    for _ in range(REVALIDATIONS):
        started = time.perf_counter()
        client.get("/healthz")
        floor.append(time.perf_counter() - started)

    times = []
    for _ in range(REVALIDATIONS):
        started = time.perf_counter()
        again = client.get(path, headers={**asked, "If-None-Match": first.headers["ETag"]})
        times.append(time.perf_counter() - started)
        assert again.status_code == 304

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "party-7"))
        event.title = f"Changed at {time.time()}"
        db.session.commit()
    peak_was_reset = reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    changed = client.get(path, headers={**asked, "If-None-Match": first.headers["ETag"]})
    rebuild_s, rebuild_cpu = time.perf_counter() - started, time.process_time() - cpu
    assert changed.status_code == 200
    rebuild_peak_mb = rss_mb() if peak_was_reset else None
    started = time.perf_counter()
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    plain_s = time.perf_counter() - started
    (rebuilt,) = cache_of(app)._entries.values()
    assert len(plain.data) == rebuilt.length
    return {
        "first_s": first_s,
        "rebuild_s": rebuild_s,
        "first_cpu": first_cpu,
        "rebuild_cpu": rebuild_cpu,
        "revalidate_ms": statistics.median(times) * 1000,
        "floor_ms": statistics.median(floor) * 1000,
        "plain_ms": plain_s * 1000,
        "plain_mb": built.length / 1e6,
        "gzip_mb": Path(built.files["gzip"]).stat().st_size / 1e6,
        "br_mb": Path(built.files["br"]).stat().st_size / 1e6,
        "ready_mb": ready_mb,
        "first_peak_mb": first_peak_mb,
        "rebuild_peak_mb": rebuild_peak_mb,
        "peak_mb": max(first_peak_mb, rss_mb()),
    }


def seed(url: str, count: int) -> float:
    """Fill a database with a generated campaign; return the seconds it took."""
    from bench.generate import seed as generate
    from eventmap import create_app
    from eventmap.extensions import db

    started = time.perf_counter()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        generate(count)
        db.engine.dispose()
    return time.perf_counter() - started


def main() -> None:
    """Measure every collection at every size and write the Collections section."""
    lines = [
        "`.venv/bin/python -m bench.collections` (SQLite; gzip level 4, brotli quality 4;"
        " one process per row; peak RSS of that process; the test client, no server:"
        " wall times count the machine's load, CPU seconds are this process's own):",
        "",
        "| events | collection | first build s (CPU s) | build after a change s (CPU s)"
        " | 304 ms (/healthz ms) | plain MB | gzip MB | br MB | RSS before MB | peak RSS MB |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for count in SIZES:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            seeded = subprocess.run(
                [sys.executable, "-m", "bench.collections", "--seed", url, str(count)],
                capture_output=True,
                text=True,
                check=False,
            )
            if seeded.returncode:
                sys.exit(f"seeding {count} events failed:\n{seeded.stderr[-3000:]}")
            print(f"seeded {count} events: {seeded.stdout.strip()}", flush=True)
            for path in PATHS:
                result = subprocess.run(
                    [sys.executable, "-m", "bench.collections", "--measure", url, path],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if result.returncode:
                    sys.exit(f"{path} at {count} events failed:\n{result.stderr[-3000:]}")
                row = json.loads(result.stdout.strip().splitlines()[-1])
                print(count, path, row, flush=True)
                lines.append(
                    f"| {count:,} | `{path}` | {row['first_s']:.2f} ({row['first_cpu']:.2f})"
                    f" | {row['rebuild_s']:.2f} ({row['rebuild_cpu']:.2f})"
                    f" | {row['revalidate_ms']:.2f} ({row['floor_ms']:.2f})"
                    f" | {row['plain_mb']:.1f} | {row['gzip_mb']:.2f}"
                    f" | {row['br_mb']:.2f} | {row['ready_mb']:.0f} | {row['peak_mb']:.0f} |"
                )
    if os.environ.get("BENCH_WRITE", "1") == "1":
        write_section("Collections", "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3])))
    elif len(sys.argv) == 4 and sys.argv[1] == "--seed":
        print(f"{seed(sys.argv[2], int(sys.argv[3])):.1f} s")
    else:
        main()
