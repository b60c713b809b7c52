"""What a party left behind: its published photos and its organizer's report, read for pages.

Counters over a whole campaign are built once per data version (memo.py); a wall page reads
only the photos it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from .extensions import db
from .memo import memoized
from .models import Campaign, Event, EventReport, EventStatus, Photo, PhotoStatus

# Photos a wall page shows: a few screenfuls of thumbnails, whatever the campaign's size.
WALL_PAGE_SIZE = 24
# Newest memories in the Atom feed.
FEED_PHOTOS = 20


def photos_open(event: Event, today: date) -> bool:
    """Tell whether a party takes photos: once it has started (a dated party only)."""
    return event.start_date is not None and event.start_date <= today


def gallery(event: Event) -> list[Photo]:
    """Return a party's published photos, in the order they were published."""
    return list(db.session.scalars(Photo.published_of(event)))


def pending_photos(event: Event) -> list[Photo]:
    """Return a party's photos waiting for a decision."""
    return list(db.session.scalars(Photo.pending_of(event)))


def report_of(event: Event) -> EventReport | None:
    """Return the organizer's report of a party, if there is one."""
    return db.session.get(EventReport, event.id)


def best_photo(event: Event) -> Photo | None:
    """Return the photo that stands for a party: its largest published one, the first on ties."""
    query = (
        Photo.published_of(event)
        .order_by(None)
        .order_by((Photo.width * Photo.height).desc(), Photo.decided_at, Photo.id)
        .limit(1)
    )
    return db.session.scalar(query)


@dataclass(frozen=True)
class WallPage:
    """One page of a campaign's memories wall."""

    photos: list[Photo]
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        """Tell whether there is a newer page."""
        return self.page > 1


def wall_page(campaign: Campaign, page: int, country: str | None = None) -> WallPage:
    """Return one page of a campaign's published photos, newest first (one bounded read)."""
    query = Photo.wall(campaign, country).offset((page - 1) * WALL_PAGE_SIZE)
    photos = list(db.session.scalars(query.limit(WALL_PAGE_SIZE + 1)).unique())
    return WallPage(photos[:WALL_PAGE_SIZE], page, len(photos) > WALL_PAGE_SIZE)


@dataclass(frozen=True)
class Counters:
    """A campaign's record: how many came to how many reported parties, and its photos."""

    came: int
    reported_parties: int
    photos: int
    countries_with_photos: tuple[str, ...]


def counters(campaign: Campaign) -> Counters:
    """Return a campaign's memories counters (built once per data version)."""

    def build() -> Counters:
        public = (Event.campaign_id == campaign.id, Event.status == EventStatus.APPROVED)
        came, parties = db.session.execute(
            select(func.coalesce(func.sum(EventReport.attendance), 0), func.count())
            .join(Event, Event.id == EventReport.event_id)
            .where(*public, EventReport.attendance.is_not(None))
        ).one()
        published = (
            select(Event.country_code, func.count())
            .select_from(Photo)
            .join(Event, Event.id == Photo.event_id)
            .where(*public, Photo.status == PhotoStatus.PUBLISHED)
            .group_by(Event.country_code)
        )
        by_country = db.session.execute(published).all()
        return Counters(
            came=int(came),
            reported_parties=int(parties),
            photos=sum(int(n) for _code, n in by_country),
            countries_with_photos=tuple(sorted(code for code, _n in by_country if code)),
        )

    return memoized(("memories", campaign.id), build)


def photo_counts(campaign: Campaign | None = None) -> dict[int, int]:
    """Return how many published photos each public party has (only parties with some)."""
    query = (
        select(Photo.event_id, func.count())
        .join(Event, Event.id == Photo.event_id)
        .where(Photo.status == PhotoStatus.PUBLISHED, Event.status == EventStatus.APPROVED)
        .group_by(Photo.event_id)
    )
    if campaign is not None:
        query = query.where(Event.campaign_id == campaign.id)
    return {int(event_id): int(n) for event_id, n in db.session.execute(query)}


def newest_photos(campaign: Campaign, limit: int = FEED_PHOTOS) -> list[Photo]:
    """Return a campaign's most recently published photos, for the feed."""
    return list(db.session.scalars(Photo.wall(campaign).limit(limit)).unique())
