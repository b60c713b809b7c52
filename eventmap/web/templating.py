"""Template filters and globals: dates and places as people read them."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from ..calendars import add_to_calendar_links
from ..geocoding import Place, Precision
from ..markup import render_markdown
from ..models import Event, EventStatus
from ..urls import campaign_url, event_path, public_url
from . import localized
from .maps import vendor_url


def precision_note(event: Event) -> str:
    """Say how exact an event's point is, so nobody walks to a country's centre."""
    return event.precision.note if event.precision is not None else "not on the map"


def precision_words() -> dict[str, dict[str, object]]:
    """Give the map scripts each precision's note and whether it is approximate."""
    return {p.value: {"note": p.note, "approximate": p.approximate} for p in Precision}


STATUS_LABELS = {
    EventStatus.PENDING: "waiting for a moderator",
    EventStatus.APPROVED: "on the map",
    EventStatus.REJECTED: "not accepted",
    EventStatus.WITHDRAWN: "withdrawn",
}


def status_label(status: EventStatus) -> str:
    """Say what a moderation state means for the organizer."""
    return STATUS_LABELS[status]


def options_data(options: list[Place]) -> list[dict[str, object]]:
    """Give the preview map the places found, for its data- attribute."""
    return [
        {
            "lat": place.latitude,
            "lon": place.longitude,
            "label": place.display_name,
            "precision": place.precision.value,
        }
        for place in options
    ]


def register_templating(app: Flask) -> None:
    """Make the helpers available in every template."""
    # Dates, times, numbers and states in the visitor's language (web/localized.py).
    app.add_template_filter(localized.when, "when")
    app.add_template_filter(localized.time_of_day, "time_of_day")
    app.add_template_filter(localized.span, "span")
    app.add_template_global(localized.part, "format_part")
    app.add_template_global(localized.times, "format_times")
    for name in (
        "clock",
        "month_year",
        "month_name",
        "weekday_name",
        "day_number",
        "day_month_short",
        "utc_moment",
        "distance_km",
    ):
        app.add_template_filter(getattr(localized, name), name)
    app.add_template_global(localized.stage_word)
    app.add_template_global(localized.status_word)
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_global(vendor_url)
    app.add_template_global(timedelta)
    app.add_template_global(add_to_calendar_links)
    app.add_template_filter(precision_note, "precision_note")
    app.add_template_filter(localized.thousands, "thousands")
    app.add_template_global(event_path)
    app.add_template_global(campaign_url)
    app.add_template_global(precision_words)
    app.add_template_global(Precision, "Precision")
    app.add_template_global(public_url)
    app.add_template_global(status_label)
    app.add_template_global(options_data)
