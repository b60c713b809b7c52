"""The event form's flow, shared by the organizers' and the moderators' pages.

Validate, place (through submissions.locate), preview until the organizer has seen where the
party lands, then hand the submission to operations; or show the form again, as typed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, current_app, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from .. import operations
from ..eventdata import SubmissionData
from ..extensions import db
from ..geocoding import Place
from ..memories import pending_photos, photos_open, report_of
from ..models import Campaign, Event
from ..rsvps import attendees, standings
from ..services import geocoder
from ..submissions import find_by_token, locate, resolve_point
from .errors import FORM_EXPIRED
from .forms import (
    KEEP,
    PIN,
    EventForm,
    PhotoDecisionForm,
    ReportForm,
    RsvpOptionsForm,
    WithdrawForm,
)
from .maps import render_map


def private(response: Response) -> Response:
    """Keep pages that carry a private link out of caches, search engines and referrers."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def campaign_choices() -> list[Campaign]:
    """Return the campaigns an organizer can choose, newest first."""
    return list(
        db.session.scalars(select(Campaign).order_by(Campaign.anniversary.desc(), Campaign.id))
    )


def organizer_event(token: str) -> Event:
    """Return the event an organizer's private link opens, or answer 404."""
    event = find_by_token(token)
    if event is None:
        abort(404, description=_("This edit link is not valid. Check that it was copied whole."))
    return event


def render_private(template: str, status: int = 200, **context: object) -> Response:
    """Render an organizer's page privately."""
    return private(make_response(render_template(template, **context), status))


def _choices(form: EventForm, options: list[Place], stored: Event | None) -> None:
    """Offer the places found (and the stored point, and a pin of one's own) as radio choices."""
    choices = []
    if stored is not None and stored.is_placed and form.location.data == stored.location_text:
        choices.append((KEEP, "Where it is now"))
    choices += [(str(i), place.display_name) for i, place in enumerate(options)]
    choices.append((PIN, "At the pin I placed (or the coordinates I typed)"))
    form.choice.choices = choices
    if form.choice.data not in {value for value, _label in choices}:
        form.choice.data = choices[0][0]


def handle_event_form(
    form: EventForm, event: Event | None, template: str | None = None
) -> Response | SubmissionData:
    """Validate, geocode and, until the place's landing has been seen, show the preview.

    Returns the submission to save, or the page to show instead (errors or the preview).
    """
    if not form.validate():
        if form.csrf_token.errors:
            # Keep what was typed: a form left open for hours needs only sending again.
            form.csrf_token.errors = [FORM_EXPIRED]
            return render_event_form(form, event, template=template, status=400, expired=True)
        return render_event_form(form, event, template=template, status=422)
    if event is not None:
        try:
            operations.check_move(event, form.selected_campaign)
        except operations.SlugTakenError as taken:
            return refuse_move(form, event, taken, template=template)
    location = form.location.data
    landing = locate(location, event, geocoder())
    if landing.not_found and form.choice.data != PIN:
        form.location.errors = [
            f"We could not find “{location}”. Write the city and its country, like"
            " “Kazan, Russia”, or type the pin's coordinates below."
        ]
        form.previewed.data = location
        _choices(form, [], event)
        form.choice.data = PIN
        return render_event_form(
            form, event, template=template, status=422, options=[], not_found=True
        )
    options = landing.options
    _choices(form, options, event)
    seen = form.previewed.data == location or landing.unchanged
    if request.form.get("action") != "save" or not seen:
        form.previewed.data = location
        return render_event_form(form, event, template=template, options=options, preview=True)
    chosen = resolve_point(
        options, form.choice.data or "", form.pin(), form.venue.data, landing.stored
    )
    if chosen.problem:
        form.choice.errors = [chosen.problem]
        return render_event_form(
            form, event, template=template, status=422, options=options, preview=True
        )
    campaign = form.selected_campaign
    assert campaign is not None  # validate() checked it
    return SubmissionData(
        campaign=campaign,
        title=form.title.data,
        location_text=location,
        date_text=form.normalised_date_text or _phrase(form),
        parts=form.parts,
        point=chosen.point,
        venue=form.venue.data or None,
        address=form.address.data or None,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
        link=form.link.data or None,
        description=form.description.data or "",
        language=form.language.data or None,
        organizer_name=form.organizer_name.data or None,
        organizer_email=form.organizer_email.data or None,
    )


def refuse_move(
    form: EventForm, event: Event, taken: operations.SlugTakenError, template: str | None = None
) -> Response:
    """Show the form again, as typed, saying why the party cannot move to that campaign."""
    form.campaign.errors = [str(taken)]
    return render_event_form(form, event, template=template, status=422)


def save_edit(
    form: EventForm, event: Event, data: SubmissionData, *, actor: str, template: str | None = None
) -> Response | list[str]:
    """Save an edit; return the fields changed, or the form if its campaign move was refused.

    The form checked the move already; this catches another party taking the slug since.
    """
    try:
        return operations.update_event(event, data, actor=actor)
    except operations.SlugTakenError as taken:
        return refuse_move(form, event, taken, template=template)


def _phrase(form: EventForm) -> str:
    """Write picked days as the date phrase shown beside them."""
    from ..dates import to_phrase

    return to_phrase(form.parts) if form.parts else "TBD"


def render_event_form(
    form: EventForm,
    event: Event | None,
    *,
    status: int = 200,
    options: list[Place] | None = None,
    preview: bool = False,
    not_found: bool = False,
    expired: bool = False,
    template: str | None = None,
    report_form: ReportForm | None = None,
) -> Response:
    """Show the form, with the preview map when there is something to show."""
    template = template or ("edit.html" if event is not None else "submit.html")
    return render_private(
        template,
        status,
        form=form,
        event=event,
        options=options or [],
        preview=preview,
        not_found=not_found,
        expired=expired,
        map_parts=render_map(current_app.config) if preview or not_found else None,
        withdraw_form=WithdrawForm() if event is not None else None,
        keep_point=(event.latitude, event.longitude)
        if event is not None and event.is_placed and form.location.data == event.location_text
        else None,
        token=request.view_args.get("token") if request.view_args else None,
        attendees=attendees(event) if event is not None else [],
        standings=standings(event) if event is not None else [],
        rsvp_options=RsvpOptionsForm(
            capacity=event.rsvp_capacity, closed=event.rsvp_closed, formdata=None
        )
        if event is not None
        else None,
        **(organizer_memories(event, report_form) if event is not None else {}),
    )


def organizer_memories(event: Event, report_form: ReportForm | None = None) -> dict[str, object]:
    """Give the organizer's page its photos to decide on and, once started, the report form."""
    opened = photos_open(event, datetime.now(UTC).date())
    if report_form is None and opened:
        report = report_of(event)
        report_form = ReportForm(
            formdata=None,
            attendance=report.attendance if report else None,
            words=report.words if report else "",
            links="\n".join(report.links) if report else "",
        )
    return {
        "pending_photos": pending_photos(event),
        "decision_form": PhotoDecisionForm(formdata=None),
        "report_form": report_form if opened else None,
    }


def fill_event_form(form: EventForm, event: Event) -> None:
    """Put an event's stored details into the form."""
    form.campaign.data = event.campaign.slug
    form.location.data = event.location_text
    form.date_text.data = event.date_text
    form.previewed.data = event.location_text
