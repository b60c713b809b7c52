"""Nearby benchmark: nearest 10 of 100,000 events through the index, against the naive way.

Run with `make bench` (or `.venv/bin/python -m bench.nearby`). SQLite in a temporary file;
`BENCH_DATABASE_URL` points it at PostgreSQL instead.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bench.map import seed
from bench.report import command_line, write_section
from eventmap import create_app
from eventmap.extensions import db
from eventmap.nearby import naive_nearest, nearest

EVENTS = int(os.environ.get("BENCH_NEARBY_EVENTS", "100000"))
POINTS = 300
NAIVE_POINTS = 5
LIMIT = 10


def query_points(rng: random.Random) -> list[tuple[float, float]]:
    """Random points, plus the hard places: both poles and both sides of the antimeridian."""
    hard = [(90.0, 0.0), (-90.0, 0.0), (89.9, 179.9), (0.0, 180.0), (0.0, -179.99), (-45.0, 179.5)]
    return hard + [
        (rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(POINTS - len(hard))
    ]


def main() -> None:
    """Seed, time both ways on the same data, check they agree, write the Nearby section."""
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(folder) / 'n.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.create_all()
            seed(EVENTS)
            plan = (
                db.session.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT id FROM events WHERE latitude BETWEEN 1 AND 2"
                        " AND longitude BETWEEN 3 AND 4"
                    )
                ).all()
                if url.startswith("sqlite")
                else []
            )
            rng = random.Random(7)
            points = query_points(rng)
            nearest(0, 0, limit=LIMIT)  # warm the connection
            timings = []
            for latitude, longitude in points:
                started = time.perf_counter()
                nearest(latitude, longitude, limit=LIMIT)
                timings.append((time.perf_counter() - started) * 1000)
            naive_timings = []
            agree = 0
            for latitude, longitude in points[:NAIVE_POINTS]:
                started = time.perf_counter()
                slow = naive_nearest(latitude, longitude, LIMIT)
                naive_timings.append((time.perf_counter() - started) * 1000)
                fast = nearest(latitude, longitude, limit=LIMIT).items
                agree += [(n.event.id, n.distance_km) for n in slow] == [
                    (n.event.id, n.distance_km) for n in fast
                ]
            db.drop_all()
    ours = statistics.median(timings)
    naive = statistics.median(naive_timings)
    body = f"""
Reproduce: `make bench` (runs `.venv/bin/python -m bench.nearby`). {EVENTS:,} generated events
(the map benchmark's generator), SQLite file, nearest {LIMIT} to {POINTS} points: both poles,
both sides of the antimeridian, the rest uniformly random. Distances by geopy's geodesic.

| way | median | 95th percentile | target |
| --- | --- | --- | --- |
| indexed: growing search circle through the (latitude, longitude) index | {ours:.2f} ms | {statistics.quantiles(timings, n=20)[-1]:.2f} ms | ≤ 10 ms |
| naive: geodesic to every event, then sort ({NAIVE_POINTS} points) | {naive:,.0f} ms | | |

Speed-up: **{naive / ours:,.0f}×** (target ≥ 100×). The two gave identical answers (ids and
distances, in order) at {agree} of {NAIVE_POINTS} points measured both ways; the property test
`tests/test_nearby.py` checks the same over random event sets, poles and antimeridian included.
SQLite's plan for the box query: `{"; ".join(str(row[-1]) for row in plan) or "n/a"}`.
"""
    print(body)
    write_section("Nearby", body)


if __name__ == "__main__":
    command_line(__doc__)
    main()
