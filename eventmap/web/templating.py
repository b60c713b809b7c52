"""Template filters and globals: dates and places as people read them."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from ..calendars import add_to_calendar_links
from ..geocoding import Place, Precision, unsure
from ..geocoding.place import PRECISION_NAMES
from ..markup import render_markdown
from ..models import Event, EventStatus
from ..rules import language_direction
from ..urls import campaign_url, event_path, public_url
from . import localized
from .forms import language_name
from .maps import vendor_url


def precision_note(event: Event) -> str:
    """Say how exact an event's point is, so nobody walks to a country's centre."""
    return _(event.precision.note) if event.precision is not None else _("not on the map")


def placed_as(event: Event) -> str:
    """Say how the geocoder placed an event: "city, confidence 0.60, approximate"."""
    if not event.is_placed:
        return _("not on the map")
    pieces = [
        _(PRECISION_NAMES[event.precision])
        if event.precision is not None
        else _("unknown precision")
    ]
    if event.geocode_confidence is not None:
        pieces.append(
            _("confidence %(value)s", value=format_decimal(event.geocode_confidence, "0.00"))
        )
    if event.geocode_source == "manual":
        pieces.append(_("set by hand"))
    if event.precision is not None and event.precision.approximate:
        pieces.append(_("approximate"))
    return ", ".join(pieces)


def precision_words() -> dict[str, dict[str, object]]:
    """Give the map scripts each precision's note and whether it is approximate."""
    return {p.value: {"note": _(p.note), "approximate": p.approximate} for p in Precision}


STATUS_LABELS = {
    EventStatus.PENDING: _l("waiting for a moderator"),
    EventStatus.APPROVED: _l("on the map"),
    EventStatus.REJECTED: _l("not accepted"),
    EventStatus.WITHDRAWN: _l("withdrawn"),
}


def status_label(status: EventStatus) -> str:
    """Say what a moderation state means for the organizer, in the visitor's language."""
    return str(STATUS_LABELS[status])


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


def text_lang(event: object) -> Markup:
    """Write the lang and dir attributes of a party's own text (title, description, place).

    A declared language marks it (dir too, so an English title reads left to right on an Arabic
    page). An undeclared one is lang="" (HTML: "unknown"), never the page's language: the page
    follows the visitor, the text its organizer, and WCAG 3.1.2 wants no false claim; dir="auto"
    lets the browser find the direction from the text itself.
    """
    tag = getattr(event, "language", None)
    if tag:
        return Markup(' lang="{}" dir="{}"').format(tag, language_direction(tag))
    return Markup(' lang="" dir="auto"')


def own_text(event: object, text: str) -> Markup:
    """Wrap a party's words for a sentence of the page's own: "Edit <span lang=es>…</span>"."""
    return Markup("<span{}>{}</span>").format(text_lang(event), text)


def register_templating(app: Flask) -> None:
    """Make the helpers available in every template."""
    # Dates, times, numbers and states in the visitor's language (web/localized.py).
    app.add_template_filter(localized.when, "when")
    app.add_template_filter(localized.countries, "countries")
    app.add_template_global(localized.approximate_kinds, "approximate_kinds")
    app.add_template_filter(localized.country_rows, "country_rows")
    app.add_template_filter(localized.continent_rows, "continent_rows")
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
    app.add_template_filter(text_lang, "text_lang")
    app.add_template_global(own_text)
    app.add_template_global(language_name)
    app.add_template_filter(localized.thousands, "thousands")
    app.add_template_filter(placed_as, "placed_as")
    app.add_template_global(unsure)
    app.add_template_global(event_path)
    app.add_template_global(campaign_url)
    app.add_template_global(precision_words)
    app.add_template_global(Precision, "Precision")
    app.add_template_global(public_url)
    app.add_template_global(status_label)
    app.add_template_global(options_data)
