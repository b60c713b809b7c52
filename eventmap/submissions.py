"""What an organizer submits, where it lands, and the private token that lets them edit it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, time

from slugify import slugify
from sqlalchemy import select

from .dates import DatePart
from .extensions import db
from .geocoding import Place, Precision, timezone_at
from .importer import PointData, point_from_place
from .models import Campaign, Event

TOKEN_BYTES = 32


@dataclass(frozen=True)
class SubmissionData:
    """One validated submission (from the public form or a moderator's edit)."""

    campaign: Campaign
    title: str
    location_text: str
    date_text: str
    parts: tuple[DatePart, ...]
    point: PointData | None
    venue: str | None = None
    address: str | None = None
    start_time: time | None = None
    end_time: time | None = None
    link: str | None = None
    description: str = ""
    organizer_name: str | None = None
    organizer_email: str | None = None

    @property
    def start_date(self) -> date | None:
        """Return the first day of the first part."""
        return min((part.start for part in self.parts), default=None)

    @property
    def end_date(self) -> date | None:
        """Return the last day of the last part (inclusive)."""
        return max((part.end for part in self.parts), default=None)


def new_edit_token() -> tuple[str, str]:
    """Make a private edit token; return it and the hash that is stored instead."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """Hash an edit token for storage and lookup (the token is random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def find_by_token(token: str) -> Event | None:
    """Return the event a private edit link opens, or None."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(Event.by_edit_token_hash(hash_token(token)))


def unique_slug(
    campaign: Campaign, text: str, event: Event | None = None, *, random_suffix: bool = False
) -> str:
    """Make a URL slug from the place (or title) that no other event of the campaign has.

    Another writer may take it before it is stored; `random_suffix` gives the last resort of a
    caller that lost that race too often.
    """
    base = slugify(text, max_length=110) or "party"
    if random_suffix:
        return f"{base}-{secrets.token_hex(3)}"
    taken = set(
        db.session.scalars(
            select(Event.slug).where(
                Event.campaign_id == campaign.id,
                Event.slug.like(f"{base}%"),
                Event.id != (event.id if event is not None else -1),
            )
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def place_options(place: Place | None) -> list[Place]:
    """Return the geocoder's answer first, then its alternatives, for the organizer to choose."""
    if place is None:
        return []
    return [place, *place.candidates]


def pinned_point(latitude: float, longitude: float, venue: str | None) -> PointData:
    """Return a point the organizer placed by hand: venue precision, kept on re-geocoding."""
    from .geocoding.reverse import nearest_city

    city = nearest_city(latitude, longitude)
    return PointData(
        latitude=round(latitude, 6),
        longitude=round(longitude, 6),
        precision=Precision.VENUE,
        country_code=city.country_code if city else None,
        region=city.region if city else None,
        place_name=venue or (f"near {city.name}" if city else None),
        timezone=timezone_at(latitude, longitude),
        source="manual",
    )


def chosen_point(options: list[Place], choice: int) -> PointData | None:
    """Return the point of the option the organizer chose (0 is the geocoder's answer)."""
    if not 0 <= choice < len(options):
        return None
    return point_from_place(options[choice])


@dataclass(frozen=True)
class PointChoice:
    """Where the organizer says the party is, or why that is not settled yet."""

    point: PointData | None
    problem: str | None = None


def resolve_point(
    options: list[Place],
    choice: str,
    pin: tuple[float, float] | None,
    venue: str | None,
    stored: PointData | None = None,
) -> PointChoice:
    """Turn the preview's choice (an option's index, "pin" or "keep") into the point to store."""
    if choice == "keep" and stored is not None:
        return PointChoice(stored)
    if choice == "pin":
        if pin is None:
            return PointChoice(
                None, "Give the pin's latitude (−90 to 90) and longitude (−180 to 180)."
            )
        return PointChoice(pinned_point(pin[0], pin[1], venue))
    if choice.isdigit() and (point := chosen_point(options, int(choice))) is not None:
        return PointChoice(point)
    return PointChoice(None, "Choose where the party is.")
