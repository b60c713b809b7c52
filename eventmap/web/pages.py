"""Public HTML pages: the campaign list and one page per event."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from ..dayindex import coming_and_past, day_index, undated_summary
from ..extensions import db
from ..listing import campaign_going, campaign_summary
from ..memories import counters
from ..models import Campaign, Event
from .event_page import render_event_page
from .maps import render_map
from .page_cache import cached_page
from .params import FIRST_DAY

bp = Blueprint("views", __name__)

# Parties the campaign page lists before and after today: a screenful each; the agenda and the
# map have them all.
CAMPAIGN_PAGE_PARTIES = 20


def _render_campaign(campaign: Campaign) -> str:
    """Render a campaign's page: its figures, the map, and the parties nearest to today.

    The figures are aggregated once per data version and the lists read from the campaign's
    day index, so the page costs the same for 45 parties or 100,000.
    """
    others = db.session.scalars(
        select(Campaign).where(Campaign.id != campaign.id).order_by(Campaign.anniversary.desc())
    ).all()
    summary = campaign_summary(campaign)
    index = day_index(campaign)
    today = datetime.now(UTC).date()
    coming, past = coming_and_past(index, today, CAMPAIGN_PAGE_PARTIES)
    return render_template(
        "campaign.html",
        campaign=campaign,
        summary=summary,
        coming=coming,
        past=past,
        tbd=undated_summary(index),
        today=today,
        first_listed=index.first_day if index.first_day and index.first_day >= FIRST_DAY else None,
        other_campaigns=others,
        map_parts=render_map(current_app.config),
        countries=summary.countries,
        going=campaign_going(campaign),
        memories=counters(campaign),
        first_day=summary.first_day,
        last_day=summary.last_day,
    )


@bp.get("/")
@cached_page
def home() -> str:
    """Show the default campaign, or the newest one when the default does not exist."""
    campaign = db.session.scalar(Campaign.by_slug(current_app.config["DEFAULT_CAMPAIGN"]))
    if campaign is None:
        campaign = db.session.scalar(
            select(Campaign).order_by(Campaign.anniversary.desc(), Campaign.id.desc()).limit(1)
        )
    if campaign is None:
        return render_template("empty.html")
    return _render_campaign(campaign)


@bp.get("/<campaign_slug>/")
@cached_page
def campaign(campaign_slug: str) -> str:
    """Show one campaign's parties."""
    return _render_campaign(
        db.first_or_404(
            Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
        )
    )


@bp.get("/<campaign_slug>/map")
@cached_page
def campaign_map(campaign_slug: str) -> str:
    """Show one campaign's parties on a full-screen map beside their list.

    Only summary figures come from the database here; the map and the list load the events
    from the GeoJSON API, so the page is the same size for 45 parties or 100,000.
    """
    campaign = db.first_or_404(
        Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
    )
    summary = campaign_summary(campaign)
    return render_template(
        "map.html",
        campaign=campaign,
        map_parts=render_map(current_app.config),
        events_count=summary.count,
        going=campaign_going(campaign),
        countries=summary.countries,
        first_day=summary.first_day,
        last_day=summary.last_day,
    )


@bp.get("/<campaign_slug>/<event_slug>")
@cached_page
def event(campaign_slug: str, event_slug: str) -> Response:
    """Show one public event."""
    campaign = db.first_or_404(
        Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
    )
    found = db.session.scalar(Event.public_by_slug(campaign, event_slug))
    if found is None:
        abort(404, description=_("This party is not (or no longer) on the map."))
    return render_event_page(campaign, found)
