"""The public page of one event, with its "I'm going" form: shown by pages and by rsvp."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, make_response, render_template
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from ..calendars import occurrences
from ..extensions import db
from ..memories import gallery, photos_open, report_of
from ..models import Campaign, Event
from ..rsvps import standings
from ..rules import PHOTO_RULES
from .forms import PhotoUploadForm, RsvpForm


def public_event(campaign_slug: str, event_slug: str) -> tuple[Campaign, Event]:
    """Return a public event of a campaign, or answer 404."""
    campaign = db.first_or_404(
        Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
    )
    event = db.session.scalar(Event.public_by_slug(campaign, event_slug))
    if event is None:
        abort(404, description=_("This party is not (or no longer) on the map."))
    return campaign, event


def rsvp_form(event: Event, form: RsvpForm | None = None) -> RsvpForm:
    """Return the answer form, offering each part of a multi-part party."""
    form = form or RsvpForm()
    parts = [SelectChoice(o.position or 0, o.title) for o in occurrences([event])]  # type: ignore[arg-type]
    form.position.choices = parts or [SelectChoice(0, event.title)]  # type: ignore[arg-type]
    return form


def render_event_page(
    campaign: Campaign,
    event: Event,
    form: RsvpForm | None = None,
    status: int = 200,
    photo_form: PhotoUploadForm | None = None,
) -> Response:
    """Render an event's page: its facts, its counts ("23 going"), the answer form, and once
    it has started its photos, its report and the upload form."""
    today = datetime.now(UTC).date()
    return make_response(
        render_template(
            "event.html",
            campaign=campaign,
            event=event,
            rsvp_form=rsvp_form(event, form),
            standings=standings(event),
            photos=gallery(event),
            report=report_of(event),
            photo_rules=PHOTO_RULES,
            photo_form=(photo_form or PhotoUploadForm()) if photos_open(event, today) else None,
        ),
        status,
    )
