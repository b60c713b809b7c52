"""Backup benchmark: `flask backup` and `flask restore` of 10,000 events, time, size and memory.

Run with `make bench` (or `.venv/bin/python -m bench.backup`). SQLite in temporary files, and
PostgreSQL in throwaway databases on `BENCH_POSTGRES_URL` (default the local server) when it
answers. Each event has a description of a few hundred characters, organizer details and an
audit entry, as a submitted party would.
"""

from __future__ import annotations

import gzip
import io
import os
import random
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import insert, make_url, select, text

from bench.map import seed
from bench.report import command_line, write_section
from eventmap import backup, create_app
from eventmap.extensions import db
from eventmap.models import AuditEntry, Event

EVENTS = int(os.environ.get("BENCH_BACKUP_EVENTS", "10000"))
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
WORDS = [
    "cake",
    "talks",
    "OpenStack",
    "birthday",
    "meetup",
    "Nova",
    "Neutron",
    "Swift",
    "Keystone",
    "cloud",
    "friends",
    "laptop",
    "pizza",
    "venue",
    "upstairs",
    "party",
    "sponsors",
    "welcome",
    "everyone",
    "demo",
    "lightning",
    "community",
    "حفلة",
    "عيد",
    "ميلاد",
    "🎂",
    "🥳",
    "Deutsch",
    "English",
    "日本語",
    "release",
    "summit",
    "contributors",
    "operators",
]
DESCRIPTION_WORDS = 60


class Discard(io.RawIOBase):
    """A file that forgets what is written: memory is measured without the output's bytes."""

    def writable(self) -> bool:
        """Accept writes."""
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        """Drop the bytes."""
        return len(data)


def make_app(url: str) -> Flask:
    """Build an app on a migrated database."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "MAIL_SERVER": ""})
    with app.app_context():
        upgrade()
    return app


def fill(app: Flask, count: int) -> int:
    """Store `count` events with descriptions and organizers, and one audit entry each."""
    rng = random.Random(14)
    with app.app_context():
        seed(count)
        ids = db.session.scalars(select(Event.id)).all()
        start = datetime(2016, 6, 1, tzinfo=UTC)
        db.session.execute(
            sqlalchemy.update(Event),
            [
                {
                    "id": event_id,
                    "description": " ".join(rng.choices(WORDS, k=DESCRIPTION_WORDS)),
                    "organizer_name": f"Organizer {event_id}",
                    "organizer_email": f"organizer{event_id}@example.org",
                    "venue": "Werksviertel, Halle 3",
                }
                for event_id in ids
            ],
        )
        db.session.execute(
            insert(AuditEntry.__table__),
            [
                {
                    "at": start + timedelta(seconds=rng.randrange(3_000_000)),
                    "actor": "organizer",
                    "action": "submitted",
                    "event_id": event_id,
                    "event_label": f"bench/party-{event_id}",
                    "details": {"title": f"Party {event_id}", "place": f"Place {event_id}"},
                }
                for event_id in ids
            ],
        )
        db.session.commit()
        return len(ids) * 2 + 2


@contextmanager
def databases(kind: str) -> Iterator[tuple[str, str]]:
    """Yield two empty databases of one kind: the source and the restore's target."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield (f"sqlite:///{folder}/source.sqlite3", f"sqlite:///{folder}/target.sqlite3")
        return
    admin = make_url(POSTGRES).set(drivername="postgresql+psycopg")
    names = [f"eventmap_bench_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    engine = sqlalchemy.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield tuple(admin.set(database=n).render_as_string(hide_password=False) for n in names)  # type: ignore[misc]
    finally:
        with engine.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def postgres_answers() -> bool:
    """Tell whether the benchmark's PostgreSQL server is there."""
    engine = sqlalchemy.create_engine(make_url(POSTGRES).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect():
            return True
    except sqlalchemy.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def measure(kind: str) -> dict[str, float]:
    """Back up a filled database with the CLI, restore it into an empty one; time both."""
    with databases(kind) as (source_url, target_url), tempfile.TemporaryDirectory() as folder:
        source, target = make_app(source_url), make_app(target_url)
        rows = fill(source, EVENTS)
        path = Path(folder) / "eventmap.backup.gz"
        with source.app_context():
            began = time.perf_counter()
            result = source.test_cli_runner().invoke(args=["backup", str(path)])
            backup_s = time.perf_counter() - began
            assert result.exit_code == 0, result.output
            tracemalloc.start()
            backup.write_backup(Discard())
            backup_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        with target.app_context():
            began = time.perf_counter()
            result = target.test_cli_runner().invoke(args=["restore", str(path)])
            restore_s = time.perf_counter() - began
            assert result.exit_code == 0, result.output
            tracemalloc.start()
            result = target.test_cli_runner().invoke(args=["restore", "--replace", str(path)])
            restore_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert result.exit_code == 0, result.output
        raw = len(gzip.decompress(path.read_bytes()))
        for app in (source, target):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        return {
            "rows": rows,
            "backup_s": backup_s,
            "restore_s": restore_s,
            "size": path.stat().st_size,
            "raw": raw,
            "backup_peak": backup_peak,
            "restore_peak": restore_peak,
        }


def main() -> None:
    """Measure on SQLite, and on PostgreSQL when it answers; write docs/benchmarks.md."""
    kinds = ["sqlite"] + (["postgresql"] if postgres_answers() else [])
    lines = [
        f"{EVENTS:,} events (each with a {DESCRIPTION_WORDS}-word description, organizer"
        f" and one audit entry), `flask backup FILE` then `flask restore FILE` into an empty"
        f" migrated database, through the CLI (`.venv/bin/python -m bench.backup`).",
        "",
        "| database | rows | backup | restore | file (gzip) | uncompressed | peak Python memory"
        " backup / restore |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in kinds:
        m = measure(kind)
        lines.append(
            f"| {kind} | {m['rows']:,} | {m['backup_s']:.2f} s | {m['restore_s']:.2f} s"
            f" | {m['size'] / 1e6:.2f} MB | {m['raw'] / 1e6:.1f} MB"
            f" | {m['backup_peak'] / 1e6:.1f} MB / {m['restore_peak'] / 1e6:.1f} MB |"
        )
        print(lines[-1], flush=True)
    if "postgresql" not in kinds:
        lines.append("")
        lines.append(f"(PostgreSQL at {POSTGRES} did not answer: not measured.)")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines += [
        "",
        f"Load average at the end: {load} (times on a busy machine are longer than alone)."
        " Peak memory is tracemalloc's, in a second run of each: the rows stream through in"
        f" batches of {backup.BATCH_ROWS}, so it does not grow with the number of events.",
    ]
    write_section("Backup and restore", "\n".join(lines))


if __name__ == "__main__":
    command_line(__doc__)
    main()
