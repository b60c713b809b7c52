"""Arrange a campaign's events the way its page lists them: by day, TBD last."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from .models import Event


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
