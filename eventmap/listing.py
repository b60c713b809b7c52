"""Arrange a campaign's events the way its page lists them: by day, TBD last."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pycountry
from sqlalchemy import func, select

from .dates import format_part, format_span
from .extensions import db
from .models import Campaign, Event


@dataclass
class DayGroup:
    """Events that start on the same day (`day` is None for dates to be announced)."""

    day: date | None
    events: list[Event] = field(default_factory=list)


def group_by_start(events: Iterable[Event]) -> list[DayGroup]:
    """Group events by start day in date order, with the undated ones as the last group."""
    groups: dict[date | None, DayGroup] = {}
    for event in events:
        groups.setdefault(event.start_date, DayGroup(event.start_date)).events.append(event)
    return sorted(groups.values(), key=lambda g: (g.day is None, g.day or date.min))


def event_when(event: Event) -> str:
    """Return an event's date as a person reads it, parts and labels included."""
    if event.parts:
        return "; ".join(format_part(p.start_date, p.end_date, p.label) for p in event.parts)
    return format_span(event.start_date, event.end_date)


def country_names(codes: Iterable[str | None]) -> list[tuple[str, str]]:
    """Return (code, name) for each distinct country code, sorted by name."""
    names: dict[str, str] = {}
    for code in codes:
        if code and code not in names:
            country = pycountry.countries.get(alpha_2=code)
            names[code] = getattr(country, "common_name", None) or getattr(country, "name", code)
    return sorted(names.items(), key=lambda item: item[1])


def countries_of(events: Iterable[Event]) -> list[tuple[str, str]]:
    """Return the (code, name) of every country with an event, sorted by name."""
    return country_names(event.country_code for event in events)


@dataclass(frozen=True)
class MapSummary:
    """What the map page needs to know before the events arrive: counts, countries, days."""

    count: int
    countries: list[tuple[str, str]]
    first_day: date | None
    last_day: date | None


def map_summary(campaign: Campaign) -> MapSummary:
    """Sum up a campaign's public events with aggregate queries, not by loading them."""
    approved = Event.approved(campaign).order_by(None).subquery()
    count, first, last = db.session.execute(
        select(func.count(), func.min(approved.c.start_date), func.max(approved.c.end_date))
    ).one()
    codes = db.session.scalars(select(approved.c.country_code).distinct())
    return MapSummary(count, country_names(codes), *campaign_window(campaign, first, last))


def campaign_window(
    campaign: Campaign, first: date | None, last: date | None
) -> tuple[date | None, date | None]:
    """Return the days a campaign's map covers: its own window, widened to its events' days."""
    starts = [d for d in (first, campaign.starts_on) if d]
    ends = [d for d in (last, campaign.ends_on) if d]
    return (min(starts) if starts else None, max(ends) if ends else None)
