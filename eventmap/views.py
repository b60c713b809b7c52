"""Public HTML pages: the campaign list and one page per event."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from .extensions import db
from .listing import group_by_start
from .models import Campaign, Event, EventStatus

bp = Blueprint("views", __name__)


def _campaign_or_404(slug: str) -> Campaign:
    """Return the campaign with this slug or answer 404."""
    campaign = db.session.scalar(Campaign.by_slug(slug))
    if campaign is None:
        abort(404, description=f"There is no campaign called “{slug}”.")
    return campaign


def _render_campaign(campaign: Campaign) -> str:
    """Render a campaign's page listing its public events by day."""
    events = db.session.scalars(Event.approved(campaign)).all()
    others = db.session.scalars(
        select(Campaign).where(Campaign.id != campaign.id).order_by(Campaign.anniversary.desc())
    ).all()
    return render_template(
        "campaign.html",
        campaign=campaign,
        events=events,
        groups=group_by_start(events),
        other_campaigns=others,
    )


@bp.get("/")
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
def campaign(campaign_slug: str) -> str:
    """Show one campaign's parties."""
    return _render_campaign(_campaign_or_404(campaign_slug))


@bp.get("/<campaign_slug>/<event_slug>")
def event(campaign_slug: str, event_slug: str) -> str:
    """Show one public event."""
    campaign = _campaign_or_404(campaign_slug)
    found = db.session.scalar(
        select(Event).where(
            Event.campaign_id == campaign.id,
            Event.slug == event_slug,
            Event.status == EventStatus.APPROVED,
        )
    )
    if found is None:
        abort(404, description="This party is not (or no longer) on the map.")
    return render_template("event.html", campaign=campaign, event=found)


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[str, int] | tuple[Response, int]:
    """Answer errors with a readable page, or JSON under /api."""
    code = error.code or 500
    if request.path.startswith("/api/"):
        return jsonify({"error": error.description}), code
    page = render_template("error.html", code=code, name=error.name, description=error.description)
    return page, code
