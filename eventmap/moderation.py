"""What a moderator should look at before approving: duplicates, odd dates, vague places."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .extensions import db
from .geocoding import fold, great_circle_km, unsure
from .models import Campaign, Event, EventStatus

# Two points closer than this, on overlapping days, look like the same party.
DUPLICATE_KM = 2.0
# Days before a campaign starts, or after it ends, that still count as part of it.
WINDOW_SLACK = timedelta(days=14)
# Which states a moderator may move an event from. A withdrawn event stays withdrawn: only its
# organizer took it down, and only they may bring it back.
CAN_APPROVE = (EventStatus.PENDING, EventStatus.REJECTED)
CAN_REJECT = (EventStatus.PENDING, EventStatus.APPROVED)


@dataclass(frozen=True)
class Flag:
    """Something about an event worth a second look: `kind` is "date" or "place"."""

    kind: str
    message: str


@dataclass
class Review:
    """An event as the moderation queue shows it: its flags and its likely duplicates."""

    event: Event
    flags: list[Flag] = field(default_factory=list)
    duplicates: list[Event] = field(default_factory=list)


def _exact(event: Event) -> bool:
    """Tell whether an event's point can be compared: a venue's or a city's, not an area's."""
    return event.is_placed and event.precision is not None and not event.precision.approximate


def _close(a: Event, b: Event) -> bool:
    """Tell whether two events' points are exact enough and near enough to be one place."""
    if not (_exact(a) and _exact(b)):
        return False
    return great_circle_km(a.latitude, a.longitude, b.latitude, b.longitude) <= DUPLICATE_KM  # type: ignore[arg-type]


def same_place(a: Event, b: Event) -> bool:
    """Tell whether two events name the same place, or sit within DUPLICATE_KM of each other."""
    folded = fold(a.location_text)
    return (bool(folded) and folded == fold(b.location_text)) or _close(a, b)


def duplicates_of(event: Event) -> list[Event]:
    """Return the campaign's other pending or public events at the same place on the same days."""
    return [
        other for other in db.session.scalars(Event.same_days(event)) if same_place(event, other)
    ]


def _campaign_years(campaign: Campaign) -> range:
    """Return the years a campaign covers."""
    if campaign.starts_on and campaign.ends_on:
        return range(campaign.starts_on.year, campaign.ends_on.year + 1)
    return range(campaign.year, campaign.year + 1)


def _days(n: int) -> str:
    """Write a number of days."""
    return f"{n} day" if n == 1 else f"{n} days"


def _day(day: date) -> str:
    """Write a day as moderators read it in messages: 2016-07-19."""
    return day.isoformat()


def date_warnings(event: Event) -> list[str]:
    """Say what is odd about an event's dates for its campaign, if anything."""
    if event.start_date is None or event.end_date is None:
        return ["The date is still to be announced."]
    campaign = event.campaign
    warnings = []
    years = _campaign_years(campaign)
    odd = [year for year in (event.start_date.year, event.end_date.year) if year not in years]
    if odd:
        span = str(years.start) if len(years) == 1 else f"{years.start}–{years[-1]}"
        warnings.append(f"Dated {odd[0]}, but the campaign is in {span}.")
    if campaign.starts_on and event.start_date < campaign.starts_on - WINDOW_SLACK:
        early = (campaign.starts_on - event.start_date).days
        warnings.append(
            f"Starts {_days(early)} before the campaign begins ({_day(campaign.starts_on)})."
        )
    if campaign.ends_on and event.end_date > campaign.ends_on + WINDOW_SLACK:
        late = (event.end_date - campaign.ends_on).days
        warnings.append(f"Ends {_days(late)} after the campaign ends ({_day(campaign.ends_on)}).")
    return warnings


def place_warnings(event: Event) -> list[str]:
    """Say what is uncertain about where an event landed on the map, if anything."""
    if not event.is_placed:
        return ["Not on the map: the place was not found."]
    warnings = []
    if event.precision is not None and event.precision.approximate:
        note = event.precision.note
        warnings.append(
            note[:1].upper() + note[1:] + (f" ({event.place_name})." if event.place_name else ".")
        )
    if unsure(event.geocode_confidence):
        warnings.append(
            f"To check: the geocoder is not sure it read “{event.location_text}” right"
            f" (confidence {event.geocode_confidence:.2f})."
        )
    if event.geocode_source == "manual":
        warnings.append("The point was set by hand, not found by the geocoder.")
    return warnings


def flags(event: Event) -> list[Flag]:
    """Return every date and place warning for an event."""
    return [Flag("date", message) for message in date_warnings(event)] + [
        Flag("place", message) for message in place_warnings(event)
    ]


def review(event: Event) -> Review:
    """Gather what a moderator needs to decide on an event."""
    return Review(event, flags(event), duplicates_of(event))


def can_approve(event: Event) -> bool:
    """Tell whether a moderator may make this event public."""
    return event.status in CAN_APPROVE


def can_reject(event: Event) -> bool:
    """Tell whether a moderator may turn this event down (or take it off the map)."""
    return event.status in CAN_REJECT


def map_points(events: list[Event]) -> list[dict[str, Any]]:
    """Return the placed events as plain data for the queue's preview map."""
    return [
        {
            "id": event.id,
            "title": event.title,
            "place": event.location_text,
            "lat": event.latitude,
            "lon": event.longitude,
            "precision": event.precision.value if event.precision else None,
        }
        for event in events
        if event.is_placed
    ]
