"""Generate a campaign of many plausible parties, for benchmarks and load tests.

Every party is approved and placed; like the real ones, a few have local times with a zone,
a venue and address, a description, a link, or several dated parts, so that the GeoJSON,
the map feed and calendar.ics are about as big per party as the real campaign's.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python -m bench.generate 100000

makes the schema when the database has none (or use `flask db upgrade` first), then adds the
campaign `bench` (or --slug) with that many parties; the same seed gives the same parties.
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select

from eventmap.extensions import db
from eventmap.models import Campaign, Event, EventPart, EventStatus

FIRST_DAY = date(2016, 7, 1)
DAYS = 31
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "America/Sao_Paulo", "UTC")
BATCH = 5000


def campaign_row(slug: str) -> Campaign:
    """Return the generated campaign (not stored yet)."""
    return Campaign(
        slug=slug,
        name="Benchmark campaign",
        hashtag="Bench",
        description="Generated parties for benchmarks.",
        starts_on=FIRST_DAY,
        ends_on=FIRST_DAY + timedelta(days=DAYS - 1),
        anniversary=date(2016, 7, 19),
    )


def event_rows(campaign_id: int, count: int, seed: int = 42) -> list[dict[str, Any]]:
    """Return `count` generated parties of a campaign as rows of the events table."""
    rng = random.Random(seed)
    now = datetime(2016, 6, 1, tzinfo=UTC)
    rows = []
    for n in range(count):
        start = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        timed = rng.random() < 0.3
        rows.append(
            {
                "campaign_id": campaign_id,
                "slug": f"party-{n}",
                "title": f"Community party number {n}",
                "location_text": f"Place {n}, Region {n % 97}",
                "venue": f"Venue {n}" if n % 3 == 0 else None,
                "address": f"{n % 400} Main Street" if n % 4 == 0 else None,
                "latitude": round(rng.uniform(-55, 70), 5),
                "longitude": round(rng.uniform(-180, 180), 5),
                "precision": rng.choice(["city", "city", "city", "venue", "region", "country"]),
                "country_code": rng.choice(["DE", "US", "JP", "BR", "IN", "FR", "GB"]),
                "timezone": rng.choice(ZONES),
                "start_date": start,
                "end_date": start + timedelta(days=rng.choice([0, 0, 0, 1, 2])),
                "start_time": time(18, 30) if timed else None,
                "end_time": time(22, 0) if timed and n % 2 else None,
                "date_text": f"July {start.day}",
                "status": EventStatus.APPROVED.value,
                "geocode_source": "manual",
                "link": f"https://meetup.example.org/group-{n}" if n % 2 else "",
                "description": (
                    f"Join us for cake and talks at party {n}. **Everyone** is welcome."
                    if n % 5 == 0
                    else ""
                ),
                "contact": "",
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def seed(count: int, slug: str = "bench", seed: int = 42, parts_every: int = 100) -> int:
    """Store a campaign with `count` generated parties (each `parts_every`th in two parts).

    Returns the campaign's id. Runs in an app context; commits.
    """
    campaign = campaign_row(slug)
    db.session.add(campaign)
    db.session.flush()
    rows = event_rows(campaign.id, count, seed)
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(Event.__table__), rows[start : start + BATCH])
    if parts_every:
        ids = db.session.execute(
            select(Event.id, Event.start_date).where(Event.campaign_id == campaign.id)
        ).all()
        parts = []
        for event_id, start in ids[::parts_every]:
            parts.append(
                {
                    "event_id": event_id,
                    "position": 0,
                    "label": "talks",
                    "start_date": start,
                    "end_date": start,
                }
            )
            parts.append(
                {
                    "event_id": event_id,
                    "position": 1,
                    "label": "party",
                    "start_date": start + timedelta(days=1),
                    "end_date": start + timedelta(days=1),
                }
            )
        for start in range(0, len(parts), BATCH):
            db.session.execute(insert(EventPart.__table__), parts[start : start + BATCH])
    db.session.commit()
    return campaign.id


def main() -> None:
    """Add a generated campaign to the database DATABASE_URL names."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="how many parties")
    parser.add_argument("--slug", default="bench", help="the campaign's slug (default bench)")
    parser.add_argument("--seed", type=int, default=42)
    arguments = parser.parse_args()
    from eventmap import create_app

    app = create_app()
    with app.app_context():
        db.create_all()  # no-op for the tables a migrated database has
        seed(arguments.count, arguments.slug, arguments.seed)
        print(f"campaign {arguments.slug}: {arguments.count} parties")


if __name__ == "__main__":
    main()
