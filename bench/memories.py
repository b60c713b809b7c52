"""Memories wall benchmark: the campaign's wall at 10,000 published photos, rendered cold.

Run with `make bench` (or `.venv/bin/python -m bench.memories`). A temporary SQLite database
gets 1,000 generated parties (bench.map.seed) in a dozen countries and `BENCH_WALL_PHOTOS`
published photos (rows only: the wall reads no file), then the wall's first page, a deep page
and a country's page are requested through the test client with the page cache off, so that
each request reads and renders. Reported: the median and slowest time of each, the body size
and the SQL statements per request (a page reads only the photos it shows, whatever the total).
"""

from __future__ import annotations

import hashlib
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, update

from bench.map import seed
from bench.report import command_line, write_section
from eventmap import create_app
from eventmap.extensions import db
from eventmap.memories import WALL_PAGE_SIZE
from eventmap.models import PHOTO_FORMATS, PHOTO_SIZES, Event, Photo, PhotoStatus, key_column

PHOTOS = int(os.environ.get("BENCH_WALL_PHOTOS", "10000"))
EVENTS = 1000
RUNS = int(os.environ.get("BENCH_WALL_RUNS", "20"))
COUNTRIES = ("DE", "FR", "JP", "BR", "US", "IN", "AR", "KE", "AU", "CN", "RU", "ES")
# A wall page is a public page: as quick as the campaign page, cache or no cache.
TARGET_MS = 150


def fill(photos: int) -> None:
    """Seed the parties, spread them over COUNTRIES and publish `photos` photos among them."""
    seed(EVENTS)
    ids = list(db.session.scalars(select(Event.id).order_by(Event.id)))
    for n, event_id in enumerate(ids):
        db.session.execute(
            update(Event).where(Event.id == event_id).values(country_code=COUNTRIES[n % 12])
        )
    start = datetime(2016, 7, 20, tzinfo=UTC)
    rows = []
    for n in range(photos):
        digest = hashlib.sha256(str(n).encode()).hexdigest()
        keys = {
            key_column(size, fmt): f"{digest}.{'webp' if fmt == 'webp' else 'jpg'}"
            for size in PHOTO_SIZES
            for fmt in PHOTO_FORMATS
        }
        rows.append(
            {
                "event_id": ids[n % len(ids)],
                "caption": f"Photo {n} of the party",
                "consent": True,
                "delete_token_hash": digest,
                "status": PhotoStatus.PUBLISHED.value,
                "reported_count": 0,
                "width": 2560,
                "height": 1920,
                "sizes": {"thumb": [320, 240], "page": [1280, 960], "full": [2560, 1920]},
                "created_at": start,
                "decided_at": start + timedelta(seconds=n),
                **keys,
            }
        )
    for at in range(0, len(rows), 1000):
        db.session.execute(insert(Photo), rows[at : at + 1000])
    db.session.commit()


def measure(client, app, url: str) -> dict[str, float]:
    """Request `url` RUNS times; return its times, size and statements per request."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    client.get(url)  # warm the templates and the version row
    times = []
    sa_event.listen(engine, "before_cursor_execute", seen)
    try:
        for _ in range(RUNS):
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    finally:
        sa_event.remove(engine, "before_cursor_execute", seen)
    return {
        "median": statistics.median(times),
        "max": max(times),
        "bytes": len(response.data),
        "statements": len(statements) / RUNS,
        "images": response.get_data(as_text=True).count("<img "),
    }


def run(photos: int = PHOTOS) -> list[tuple[str, dict[str, float]]]:
    """Build the database and measure the wall's pages."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "PAGE_CACHE": False,
                "RATELIMIT_ENABLED": False,
                "PHOTO_DIR": str(Path(folder) / "photos"),
            }
        )
        with app.app_context():
            upgrade()
            fill(photos)
        client = app.test_client()
        deep = max(1, photos // WALL_PAGE_SIZE - 1)
        pages = [
            ("first page", "/bench/memories"),
            (f"page {deep} (near the oldest)", f"/bench/memories?page={deep}"),
            ("one country (JP)", "/bench/memories?country=JP"),
        ]
        results = [(label, measure(client, app, path)) for label, path in pages]
        with app.app_context():
            db.engine.dispose()
        return results


def main() -> None:
    """Measure, print and write the section of docs/benchmarks.md."""
    results = run()
    lines = [
        f"The campaign's memories wall (`/<campaign>/memories`, {WALL_PAGE_SIZE} photos a page)"
        f" with {PHOTOS:,} published photos of {EVENTS:,} parties, SQLite, page cache off"
        f" (every request reads and renders), {RUNS} requests each through the test client"
        " (`python -m bench.memories`).",
        "",
        "| page | median ms | slowest ms | body KB | SQL statements | images | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, r in results:
        verdict = "PASS" if r["median"] <= TARGET_MS else "FAIL"
        lines.append(
            f"| {label} | {r['median']:.1f} | {r['max']:.1f} | {r['bytes'] / 1024:.1f}"
            f" | {r['statements']:.0f} | {r['images']:.0f} | {verdict} (≤ {TARGET_MS} ms) |"
        )
    body = "\n".join(lines)
    print(body)
    write_section("Memories wall", body)


if __name__ == "__main__":
    command_line(__doc__)
    main()
