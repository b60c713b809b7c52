"""The public page of one event, with its "I'm going" form: shown by pages and by rsvp."""

from __future__ import annotations

from flask import Response, make_response, render_template
from wtforms.fields.choices import SelectChoice

from ..calendars import occurrences
from ..models import Campaign, Event
from ..rsvps import standings
from .forms import RsvpForm


def rsvp_form(event: Event, form: RsvpForm | None = None) -> RsvpForm:
    """Return the answer form, offering each part of a multi-part party."""
    form = form or RsvpForm()
    parts = [SelectChoice(o.position or 0, o.title) for o in occurrences([event])]  # type: ignore[arg-type]
    form.position.choices = parts or [SelectChoice(0, event.title)]  # type: ignore[arg-type]
    return form


def render_event_page(
    campaign: Campaign, event: Event, form: RsvpForm | None = None, status: int = 200
) -> Response:
    """Render an event's page: its facts, its counts ("23 going") and the answer form."""
    return make_response(
        render_template(
            "event.html",
            campaign=campaign,
            event=event,
            rsvp_form=rsvp_form(event, form),
            standings=standings(event),
        ),
        status,
    )
