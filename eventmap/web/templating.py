"""Template filters and globals: dates and places as people read them."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from ..calendars import add_to_calendar_links
from ..dates import format_part, format_span, format_times
from ..geocoding import Place, Precision, unsure
from ..listing import event_time, event_when
from ..markup import render_markdown
from ..models import Event, EventStatus
from ..urls import campaign_url, event_path, public_url
from .maps import vendor_url


def precision_note(event: Event) -> str:
    """Say how exact an event's point is, so nobody walks to a country's centre."""
    return event.precision.note if event.precision is not None else "not on the map"


def placed_as(event: Event) -> str:
    """Say how the geocoder placed an event: "city, confidence 0.60, approximate"."""
    if not event.is_placed:
        return "not on the map"
    pieces = [event.precision.value if event.precision is not None else "unknown precision"]
    if event.geocode_confidence is not None:
        pieces.append(f"confidence {event.geocode_confidence:.2f}")
    if event.geocode_source == "manual":
        pieces.append("set by hand")
    if event.precision is not None and event.precision.approximate:
        pieces.append("approximate")
    return ", ".join(pieces)


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


def thousands(number: int) -> str:
    """Write a count with thousands separated, as people read big numbers: 12,345."""
    return f"{number:,}"


def register_templating(app: Flask) -> None:
    """Make the helpers available in every template."""
    app.add_template_filter(event_when, "when")
    app.add_template_filter(event_time, "time_of_day")
    app.add_template_filter(format_span, "span")
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_global(format_part)
    app.add_template_global(format_times)
    app.add_template_global(vendor_url)
    app.add_template_global(timedelta)
    app.add_template_global(add_to_calendar_links)
    app.add_template_filter(precision_note, "precision_note")
    app.add_template_filter(placed_as, "placed_as")
    app.add_template_global(unsure)
    app.add_template_filter(thousands, "thousands")
    app.add_template_global(event_path)
    app.add_template_global(campaign_url)
    app.add_template_global(precision_words)
    app.add_template_global(Precision, "Precision")
    app.add_template_global(public_url)
    app.add_template_global(status_label)
    app.add_template_global(options_data)
