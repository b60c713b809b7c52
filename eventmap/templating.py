"""Template filters and globals: dates and places as people read them."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from .assets import vendor_url
from .calendar_views import add_to_calendar_links
from .dates import format_part, format_span, format_times
from .geocoding import Precision
from .listing import event_time, event_when
from .markup import render_markdown
from .models import Event
from .urls import campaign_url, event_path

PRECISION_NOTES = {
    Precision.VENUE: "exact place",
    Precision.CITY: "in or near the city",
    Precision.REGION: "somewhere in the region",
    Precision.COUNTRY: "somewhere in the country",
}


def precision_note(event: Event) -> str:
    """Say how exact an event's point is, so nobody walks to a country's centre."""
    if event.precision is None:
        return "not on the map"
    return PRECISION_NOTES[event.precision]


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
    app.add_template_global(event_path)
    app.add_template_global(campaign_url)
