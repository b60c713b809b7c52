"""Page benchmark: bytes and time of one request for each public page of a generated campaign.

Seeds a campaign of BENCH_PAGES_EVENTS (default 10,000) approved events spread over July 2016
(a fifth of them over two or three days, one in fifty with two labelled parts, one in a
hundred still to be dated), then asks the Flask test client for each page: the first answer
(nothing cached yet) and the median of the next few. Run with
`.venv/bin/python -m bench.pages` (BENCH_PAGES_DATABASE=postgresql://... for PostgreSQL;
BENCH_PAGES_WRITE=1 writes the section of docs/benchmarks.md).
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

from bench.report import command_line, write_section
from eventmap import create_app
from eventmap.extensions import db
from eventmap.models import Campaign, Event, EventPart, EventStatus

EVENTS = int(os.environ.get("BENCH_PAGES_EVENTS", "10000"))
RUNS = int(os.environ.get("BENCH_PAGES_RUNS", "3"))  # warm requests after the first
PAGES = (
    ("campaign page", "/bench/"),
    ("map page", "/bench/map"),
    ("month", "/bench/calendar?month=2016-07"),
    ("week", "/bench/calendar/week?day=2016-07-18"),
    ("agenda", "/bench/calendar/agenda"),
    ("agenda, a busy day, page 20", "/bench/calendar/agenda?from=2016-07-19&page=20"),
    ("feed.atom", "/bench/feed.atom"),
    ("event page", "/bench/party-7"),
    ("campaign share card (PNG)", "/bench/card.png"),
    ("event share card (PNG)", "/bench/party-7/card.png"),
    ("embed", "/bench/embed"),
    ("numbers", "/bench/stats"),
)


def seed(count: int, seed_value: int = 42) -> None:
    """Insert the campaign `bench` and `count` generated approved events (in an app context)."""
    campaign = Campaign(
        slug="bench",
        name="Benchmark campaign",
        hashtag="Bench",
        starts_on=date(2016, 7, 1),
        ends_on=date(2016, 7, 31),
        anniversary=date(2016, 7, 19),
    )
    db.session.add(campaign)
    db.session.flush()
    rng = random.Random(seed_value)
    approved = datetime(2016, 6, 1, tzinfo=UTC)
    rows, parts = [], []
    for n in range(count):
        start: date | None = date(2016, 7, 1) + timedelta(days=rng.randrange(31))
        end = start + timedelta(days=rng.choice([0, 0, 0, 0, 1, 2]))
        if n % 100 == 99:
            start = end = None
        rows.append(
            {
                "id": n + 1,
                "campaign_id": campaign.id,
                "slug": f"party-{n}",
                "title": f"Party {n}",
                "location_text": f"Place {n}",
                "latitude": rng.uniform(-55, 70),
                "longitude": rng.uniform(-180, 180),
                "precision": rng.choice(["city", "city", "city", "region", "country"]),
                "country_code": rng.choice(["DE", "FR", "BR", "JP", "US", "IN", "KE"]),
                "timezone": "UTC",
                "start_date": start,
                "end_date": end,
                "date_text": "July" if start else "TBD",
                "status": EventStatus.APPROVED.value,
                "approved_at": approved + timedelta(seconds=n),
                "geocode_source": "manual",
                "link": "",
                "description": "",
                "contact": "",
            }
        )
        if start is not None and n % 50 == 7:
            end = start + timedelta(days=1)
            rows[-1]["end_date"] = end
            parts.append(
                {"event_id": n + 1, "position": 0, "label": "talks", "start_date": start}
                | {"end_date": start}
            )
            parts.append(
                {"event_id": n + 1, "position": 1, "label": "party", "start_date": end}
                | {"end_date": end}
            )
    for first in range(0, len(rows), 5000):  # PostgreSQL takes at most 65,535 parameters
        db.session.execute(insert(Event.__table__), rows[first : first + 5000])
    if parts:
        db.session.execute(insert(EventPart.__table__), parts)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('events_id_seq', (SELECT max(id) FROM events))"))
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(Event)) == count


def measure(app, url: str) -> tuple[int, int, tuple[float, float], tuple[float, float]]:
    """Ask for `url` 1 + RUNS times; return status, bytes, and (wall, CPU) seconds of the first
    request and the medians of the warm ones. CPU time is this process's (SQLite runs in it),
    a fairer figure than the wall clock on a shared machine."""
    walls, cpus, size, status = [], [], 0, 0
    with app.test_client() as client:
        for _ in range(1 + RUNS):
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            size, status = len(response.data), response.status_code
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
    if not RUNS:
        return status, size, (walls[0], cpus[0]), (walls[0], cpus[0])
    warm = (statistics.median(walls[1:]), statistics.median(cpus[1:]))
    return status, size, (walls[0], cpus[0]), warm


def main() -> None:
    """Seed a campaign, measure each page, print a Markdown table (and write it, if asked)."""
    database = os.environ.get("BENCH_PAGES_DATABASE", "")
    with tempfile.TemporaryDirectory() as folder:
        uri = database or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "TRUSTED_HOSTS": ["localhost"]})
        with app.app_context():
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            seed(EVENTS)
            seeded = time.perf_counter() - started
        lines = [
            f"{EVENTS:,} events on {'PostgreSQL' if database else 'SQLite'} "
            f"(seeded in {seeded:.1f} s), Flask test client, one request at a time.",
            "",
            "| page | URL | status | bytes | first request: wall / CPU |"
            f" warm (median of {RUNS}): wall / CPU |",
            "| --- | --- | --- | ---: | ---: | ---: |",
        ]
        for name, url in PAGES:
            status, size, first, warm = measure(app, url)
            lines.append(
                f"| {name} | `{url}` | {status} | {size:,} | {first[0] * 1000:,.0f} /"
                f" {first[1] * 1000:,.0f} ms | {warm[0] * 1000:,.0f} / {warm[1] * 1000:,.0f} ms |"
            )
            print(lines[-1], flush=True)
        if database:
            with app.app_context():
                db.drop_all()
    body = "\n".join(lines)
    print(body)
    if os.environ.get("BENCH_PAGES_WRITE"):
        write_section(f"Pages at {EVENTS:,} events", body)


if __name__ == "__main__":
    command_line(__doc__)
    main()
