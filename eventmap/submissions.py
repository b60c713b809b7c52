"""What an organizer submits, where it lands, and the private token that lets them edit it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from slugify import slugify
from sqlalchemy import select

from .campaigns import RESERVED_EVENT_SLUGS
from .eventdata import PointData, point_from_place, point_of
from .extensions import db
from .geocoding import Geocoder, Place, Precision, timezone_at
from .i18n_messages import N_, Message
from .models import Campaign, Event

TOKEN_BYTES = 32


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
    taken |= RESERVED_EVENT_SLUGS  # /<campaign>/map and the like are the campaign's pages
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


@dataclass(frozen=True)
class Landing:
    """Where a place text lands: the places to choose from, or the stored point kept."""

    options: list[Place]
    # The text is the one stored with a placed event: its point (perhaps set by hand) stands.
    unchanged: bool
    stored: PointData | None

    @property
    def not_found(self) -> bool:
        """Tell whether the text found no place and no stored point stands for it."""
        return not self.options and not self.unchanged


def locate(location: str, event: Event | None, geocoder: Geocoder) -> Landing:
    """Geocode what an organizer typed, unless it is the place text already stored."""
    stored = point_of(event) if event is not None and event.is_placed else None
    unchanged = event is not None and stored is not None and location == event.location_text
    place = None if unchanged else geocoder.lookup(location)
    return Landing(place_options(place), unchanged, stored)


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
    problem: Message | None = None


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
                None, N_("Give the pin's latitude (−90 to 90) and longitude (−180 to 180).")
            )
        return PointChoice(pinned_point(pin[0], pin[1], venue))
    if choice.isdigit() and (point := chosen_point(options, int(choice))) is not None:
        return PointChoice(point)
    return PointChoice(None, N_("Choose where the party is."))
