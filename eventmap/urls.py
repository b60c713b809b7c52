"""Canonical addresses of campaigns and events.

Links shown in a page are relative. Links that leave the request (e-mail, exports, feeds,
the API's `url`s, canonical and subscription links, the private link to keep) are built on
EVENTMAP_PUBLIC_URL by `public_url`, never on the Host header a client sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import current_app, url_for

from .models import Campaign, Event

if TYPE_CHECKING:
    from .listing import PublicEvent


# Parameters that say where a visitor came from, not what the page is.
TRACKING = frozenset({"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"})


def public_url(endpoint: str, **values: Any) -> str:
    """Return the absolute address of an endpoint on PUBLIC_URL, whatever host was asked."""
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
    )
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def event_path(event: Event) -> str:
    """Return the permalink path of an event: /<campaign>/<event-slug>."""
    return url_for("views.event", campaign_slug=event.campaign.slug, event_slug=event.slug)


def event_url(event: Event) -> str:
    """Return the absolute permalink of an event, on PUBLIC_URL."""
    return public_url("views.event", campaign_slug=event.campaign.slug, event_slug=event.slug)


def campaign_url(campaign: Campaign, *, external: bool = False) -> str:
    """Return the address of a campaign's page (absolute on PUBLIC_URL when external)."""
    if external:
        return public_url("views.campaign", campaign_slug=campaign.slug)
    return url_for("views.campaign", campaign_slug=campaign.slug)


def event_link_pattern(*, external: bool) -> str:
    """Return an event's permalink as a str.format pattern with {campaign} and {event}.

    url_for costs tens of microseconds a call; slugs are URL-safe by construction
    (lower-case letters, digits, hyphens), so one built pattern serves many events.
    """
    build = public_url if external else url_for
    return (
        build("views.event", campaign_slug="CAMPAIGN", event_slug="EVENT")
        .replace("CAMPAIGN", "{campaign}", 1)
        .replace("EVENT", "{event}", 1)
    )


def event_url_builder() -> Callable[[Event | PublicEvent], str]:
    """Return a fast maker of absolute permalinks for many events (on PUBLIC_URL)."""
    pattern = event_link_pattern(external=True)
    return lambda event: pattern.format(campaign=event.campaign.slug, event=event.slug)
