"""Canonical addresses of campaigns and events."""

from __future__ import annotations

from flask import url_for

from .models import Campaign, Event


def event_path(event: Event) -> str:
    """Return the permalink path of an event: /<campaign>/<event-slug>."""
    return url_for("views.event", campaign_slug=event.campaign.slug, event_slug=event.slug)


def event_url(event: Event) -> str:
    """Return the absolute permalink of an event (needs a request context)."""
    return url_for(
        "views.event", campaign_slug=event.campaign.slug, event_slug=event.slug, _external=True
    )


def campaign_url(campaign: Campaign, *, external: bool = False) -> str:
    """Return the address of a campaign's page."""
    return url_for("views.campaign", campaign_slug=campaign.slug, _external=external)
