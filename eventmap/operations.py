"""Every write to campaigns and events: each function commits and logs what it did."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .campaigns import CampaignData
from .extensions import db
from .geocoding import Place
from .models import Campaign, Event, EventPart, EventStatus, utcnow

if TYPE_CHECKING:
    from .importer import EventData, Geocoder, ImportReport, PointData

logger = logging.getLogger(__name__)

CAMPAIGN_FIELDS = ("name", "hashtag", "description", "starts_on", "ends_on", "anniversary")


def _assign(target: Any, values: Mapping[str, Any]) -> bool:
    """Set attributes that differ; tell whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed = True
    return changed


def _save_campaign(data: CampaignData) -> tuple[Campaign, bool]:
    """Create or update a campaign from catalogue data without committing."""
    campaign = db.session.scalar(Campaign.by_slug(data.slug))
    values = {name: getattr(data, name) for name in CAMPAIGN_FIELDS}
    if campaign is None:
        campaign = Campaign(slug=data.slug, **values)
        db.session.add(campaign)
        return campaign, True
    return campaign, _assign(campaign, values)


def save_campaigns(catalogue: Iterable[CampaignData]) -> list[str]:
    """Create or update campaigns from the catalogue; return the slugs that changed."""
    changed = []
    for data in catalogue:
        _, did_change = _save_campaign(data)
        if did_change:
            changed.append(data.slug)
    db.session.commit()
    if changed:
        logger.info("campaigns saved: %s", ", ".join(changed))
    return changed


def _event_values(data: EventData) -> dict[str, Any]:
    """Map validated event data to model attributes (parts handled apart)."""
    return {
        "title": data.title,
        "location_text": data.location_text,
        "date_text": data.date_text,
        "start_date": data.start_date,
        "end_date": data.end_date,
        **_point_values(data.point),
        "link": data.link,
        "description": data.description,
        "contact": data.contact,
        "status": data.status,
    }


def _part_tuples(data: EventData) -> list[tuple[int, str | None, Any, Any]]:
    """Return the parts worth storing: several, or one with a label."""
    if len(data.parts) < 2 and not any(part.label for part in data.parts):
        return []
    return [(i, p.label, p.start, p.end) for i, p in enumerate(data.parts)]


def _apply_event(campaign: Campaign, event: Event | None, data: EventData) -> tuple[Event, bool]:
    """Create or update one event and its parts without committing."""
    values = _event_values(data)
    wanted_parts = _part_tuples(data)
    if event is None:
        event = Event(campaign=campaign, slug=data.slug, **values)
        db.session.add(event)
        changed = True
    else:
        changed = _assign(event, values)
    if event.status == EventStatus.APPROVED and event.approved_at is None:
        event.approved_at = utcnow()
    elif event.status != EventStatus.APPROVED:
        event.approved_at = None
    current_parts = [(p.position, p.label, p.start_date, p.end_date) for p in event.parts]
    if current_parts != wanted_parts:
        event.parts.clear()
        db.session.flush()  # delete old positions before reusing them
        event.parts.extend(
            EventPart(position=pos, label=label, start_date=start, end_date=end)
            for pos, label, start, end in wanted_parts
        )
        event.updated_at = utcnow()  # parts live in their own table; mark the event changed
        changed = True
    return event, changed


def apply_import(rows: Iterable[EventData], catalogue: Mapping[str, CampaignData]) -> ImportReport:
    """Write validated rows in one transaction: all of them or, on any error, none."""
    from .importer import ImportReport

    report = ImportReport()
    rows = list(rows)
    campaigns = {c.slug: c for c in db.session.scalars(select(Campaign))}
    events = {(event.campaign_id, event.slug): event for event in db.session.scalars(select(Event))}
    try:
        for slug in dict.fromkeys(row.campaign for row in rows):
            if slug not in campaigns:
                campaigns[slug], _ = _save_campaign(catalogue[slug])
                report.campaigns_created.append(slug)
        db.session.flush()
        for row in rows:
            campaign = campaigns[row.campaign]
            existing = events.get((campaign.id, row.slug))
            _event, changed = _apply_event(campaign, existing, row)
            label = f"{row.campaign}/{row.slug}"
            if existing is None:
                report.created.append(label)
            elif changed:
                report.updated.append(label)
            else:
                report.unchanged.append(label)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info(
        "import: %d created, %d updated, %d unchanged",
        len(report.created),
        len(report.updated),
        len(report.unchanged),
    )
    return report


def set_status(event: Event, status: EventStatus) -> bool:
    """Move an event to a moderation state; tell whether it changed."""
    if event.status == status:
        return False
    event.status = status
    event.approved_at = utcnow() if status == EventStatus.APPROVED else None
    db.session.commit()
    logger.info("event %s/%s is now %s", event.campaign.slug, event.slug, status.value)
    return True


def approve_event(event: Event) -> bool:
    """Make an event public."""
    return set_status(event, EventStatus.APPROVED)


def reject_event(event: Event) -> bool:
    """Take an event off every public page."""
    return set_status(event, EventStatus.REJECTED)


@dataclass
class RegeocodeReport:
    """What re-geocoding stored events did."""

    checked: int = 0
    moved: list[str] = field(default_factory=list)
    unchanged: int = 0
    manual_kept: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)


def regeocode_events(
    geocoder: Geocoder,
    campaign: Campaign | None = None,
    progress: Callable[[int], None] | None = None,
) -> RegeocodeReport:
    """Place stored events again with the current geocoder, keeping manual corrections."""
    from .importer import point_from_place

    report = RegeocodeReport()
    query = select(Event).order_by(Event.id)
    if campaign is not None:
        query = query.where(Event.campaign_id == campaign.id)
    answers: dict[str, Place | None] = {}
    try:
        for event in db.session.scalars(query):
            report.checked += 1
            label = f"{event.campaign.slug}/{event.slug}"
            if event.geocode_source == "manual":
                report.manual_kept.append(label)
            else:
                if event.location_text not in answers:
                    answers[event.location_text] = geocoder.lookup(event.location_text)
                place = answers[event.location_text]
                if place is None:
                    report.not_found.append(label)  # the stored point, if any, stays
                elif _assign(event, _point_values(point_from_place(place))):
                    report.moved.append(label)
                else:
                    report.unchanged += 1
            if progress is not None:
                progress(1)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    logger.info(
        "re-geocoded %d event(s): %d moved, %d unchanged, %d manual kept, %d not found",
        report.checked,
        len(report.moved),
        report.unchanged,
        len(report.manual_kept),
        len(report.not_found),
    )
    return report


def _point_values(point: PointData | None) -> dict[str, Any]:
    """Map a point (or none) to an event's point attributes."""
    return {
        "latitude": point.latitude if point else None,
        "longitude": point.longitude if point else None,
        "precision": point.precision if point else None,
        "country_code": point.country_code if point else None,
        "region": point.region if point else None,
        "place_name": point.place_name if point else None,
        "timezone": point.timezone if point else None,
        "geocode_source": point.source if point else None,
    }
