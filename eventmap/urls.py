"""Canonical addresses of campaigns and events."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import url_for

from .models import Campaign, Event

if TYPE_CHECKING:
    from .listing import PublicEvent


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


def event_link_pattern(*, external: bool) -> str:
    """Return an event's permalink as a str.format pattern with {campaign} and {event}.

    url_for costs tens of microseconds a call; slugs are URL-safe by construction
    (lower-case letters, digits, hyphens), so one built pattern serves many events.
    """
    return (
        url_for("views.event", campaign_slug="CAMPAIGN", event_slug="EVENT", _external=external)
        .replace("CAMPAIGN", "{campaign}", 1)
        .replace("EVENT", "{event}", 1)
    )


def event_url_builder() -> Callable[[Event | PublicEvent], str]:
    """Return a fast maker of absolute permalinks for many events in one request."""
    pattern = event_link_pattern(external=True)
    return lambda event: pattern.format(campaign=event.campaign.slug, event=event.slug)
