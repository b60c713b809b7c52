"""Organizers' pages: submit a party, check where it lands, then edit or withdraw it by link."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from .. import mail, operations
from ..extensions import csrf, db, limiter
from ..geocoding import Place
from ..importer import point_of
from ..models import Campaign, Event, EventStatus
from ..services import geocoder
from ..submissions import (
    SubmissionData,
    find_by_token,
    place_options,
    resolve_point,
)
from ..urls import public_url
from .forms import KEEP, PIN, EventForm, WithdrawForm
from .maps import render_map

bp = Blueprint("submit", __name__)
logger = logging.getLogger(__name__)

FORM_EXPIRED = (
    "This form expired (or did not come from this site), so nothing was saved yet."
    " Check the details below and send it again."
)
CSRF_MESSAGE = (
    "This form has expired or did not come from this site, so nothing was saved."
    " Go back, reload the page and send it again."
)


def _submit_limit() -> str:
    """Read the submission rate limit from the config of the app serving the request."""
    return current_app.config["SUBMIT_RATE_LIMIT"]


def _campaigns() -> list[Campaign]:
    """Return the campaigns an organizer can choose, newest first."""
    return list(
        db.session.scalars(select(Campaign).order_by(Campaign.anniversary.desc(), Campaign.id))
    )


def _private(response: Response) -> Response:
    """Keep pages that carry a private link out of caches, search engines and referrers."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _render(template: str, status: int = 200, **context: object) -> Response:
    """Render an organizer's page privately."""
    return _private(make_response(render_template(template, **context), status))


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
    stored = point_of(event) if event is not None and event.is_placed else None
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
    unchanged_place = event is not None and stored is not None and location == event.location_text
    place = None if unchanged_place else geocoder().lookup(location)
    if place is None and not unchanged_place and form.choice.data != PIN:
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
    options = place_options(place)
    _choices(form, options, event)
    seen = form.previewed.data == location or unchanged_place
    if request.form.get("action") != "save" or not seen:
        form.previewed.data = location
        return render_event_form(form, event, template=template, options=options, preview=True)
    chosen = resolve_point(options, form.choice.data or "", form.pin(), form.venue.data, stored)
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
) -> Response:
    """Show the form, with the preview map when there is something to show."""
    template = template or ("edit.html" if event is not None else "submit.html")
    return _render(
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
    )


# The form's own token check (in EventForm.validate) replaces the app-wide one here, so that an
# expired token shows the form again with everything typed still in it.
@bp.route("/submit", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_submit_limit, methods=["POST"])
def submit() -> Response:
    """Take a new party from an organizer: fill in, check the pin, then send for review."""
    campaigns = _campaigns()
    if not campaigns:
        abort(404, description="There is no celebration to add a party to yet.")
    form = EventForm(campaigns=campaigns)
    if request.method == "GET":
        wanted = request.args.get("campaign") or current_app.config["DEFAULT_CAMPAIGN"]
        form.campaign.data = wanted if wanted in form.campaigns else campaigns[0].slug
        return render_event_form(form, None)
    if form.website.data:
        # A bot filled in the hidden field: say thanks, store nothing.
        logger.info("submission refused: honeypot filled from %s", request.remote_addr)
        return _render("submit_received.html")
    outcome = handle_event_form(form, None)
    if isinstance(outcome, Response):
        return outcome
    event, token = operations.submit_event(outcome)
    edit_url = public_url("submit.edit", token=token)
    if mail.send_edit_link(event, edit_url):
        flash(
            f"Thank you! Your party is waiting for a moderator. We sent this page's private"
            f" link to {event.organizer_email}.",
            "success",
        )
    else:
        flash("Thank you! Your party is waiting for a moderator.", "success")
    return _private(redirect(url_for("submit.edit", token=token, new=1), 303))


def _event_for(token: str) -> Event:
    """Return the event a private link opens, or answer 404 without saying more."""
    event = find_by_token(token)
    if event is None:
        abort(404, description="This edit link is not valid. Check that it was copied whole.")
    return event


@bp.route("/edit/<token>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_submit_limit, methods=["POST"])
def edit(token: str) -> Response:
    """Let an organizer see the status of their party and change it."""
    event = _event_for(token)
    form = EventForm(campaigns=_campaigns(), obj=None if request.method == "POST" else event)
    if request.method == "GET" or event.status == EventStatus.WITHDRAWN:
        if request.method == "GET":
            fill_event_form(form, event)
        return render_event_form(form, event)
    outcome = handle_event_form(form, event)
    if isinstance(outcome, Response):
        return outcome
    changed = save_edit(form, event, outcome, actor="organizer")
    if isinstance(changed, Response):
        return changed
    if not changed:
        flash("Nothing changed.", "info")
    elif event.status == EventStatus.PENDING:
        flash("Saved. A moderator will check your changes before they show.", "success")
    else:
        flash("Saved.", "success")
    return _private(redirect(url_for("submit.edit", token=token), 303))


def fill_event_form(form: EventForm, event: Event) -> None:
    """Put an event's stored details into the form."""
    form.campaign.data = event.campaign.slug
    form.location.data = event.location_text
    form.date_text.data = event.date_text
    form.previewed.data = event.location_text


@bp.post("/edit/<token>/withdraw")
@limiter.limit(_submit_limit)
def withdraw(token: str) -> Response:
    """Take a party off the map at its organizer's request."""
    event = _event_for(token)  # the app-wide CSRF check has already passed
    if request.form.get("confirm") != "yes":
        flash("Tick the box to confirm that the party should come off the map.", "error")
    elif operations.withdraw_event(event):
        flash("Your party is off the map. Thank you for letting us know.", "success")
    return _private(redirect(url_for("submit.edit", token=token), 303))
