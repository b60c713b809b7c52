"""'I'm going': answering on an event's page, confirming by mail, changing or cancelling by a
private link; and the organizer's attendee list, its CSV and the answers' settings."""

from __future__ import annotations

import csv
import io
import logging

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from .. import operations
from ..extensions import csrf, limiter
from ..models import Rsvp, RsvpStatus
from ..rsvp_mail import send_confirmation
from ..rsvps import ATTENDEE_CSV_COLUMNS, attendee_rows, find_by_token, occurrence_of, positions
from ..rsvps import standings as standings_of
from ..urls import event_path
from .errors import FORM_EXPIRED
from .event_form import organizer_event, private, render_private
from .event_page import public_event, render_event_page, rsvp_form
from .forms import ConfirmForm, RsvpChangeForm, RsvpForm, RsvpOptionsForm
from .i18n import current_language
from .messages import translate

bp = Blueprint("rsvp", __name__)
logger = logging.getLogger(__name__)
ONE_CLICK = "One-Click"


def _rsvp_limit() -> str:
    """Read the answers' rate limit from the config of the app serving the request."""
    return current_app.config["RSVP_RATE_LIMIT"]


# The form's own token check replaces the app-wide one, so that an expired token shows the
# form again with what was typed.
@bp.post("/<campaign_slug>/<event_slug>/rsvp")
@csrf.exempt
@limiter.limit(_rsvp_limit)
def answer(campaign_slug: str, event_slug: str) -> Response:
    """Take an "I'm going": store it unconfirmed and mail the link that confirms it."""
    campaign, event = public_event(campaign_slug, event_slug)
    form = rsvp_form(event, RsvpForm())
    if form.website.data:
        # A bot filled in the hidden field: answer as for a person, store and send nothing.
        logger.info("rsvp refused: honeypot filled from %s", request.remote_addr)
        return render_private("rsvp_sent.html", event=event, email=form.email.data or "")
    if not form.validate():
        if form.csrf_token.errors:
            form.csrf_token.errors = [FORM_EXPIRED]
            return render_event_page(campaign, event, form, 400)
        return render_event_page(campaign, event, form, 422)
    if form.position.data not in positions(event):
        form.position.errors = [_("Choose one of the parts.")]
        return render_event_page(campaign, event, form, 422)
    try:
        asked = operations.request_rsvp(
            event,
            form.position.data,
            form.name.data or None,
            form.email.data,
            form.people.data,
            form.note.data or None,
            locale=current_language(),
        )
    except operations.RsvpRefusedError as refused:
        form.email.errors = [translate(refused.message)]
        return render_event_page(campaign, event, form, 409)
    sent = send_confirmation(asked.rsvp, asked.token)
    # The same page whether the address had answered before: it tells nobody who is coming.
    return render_private("rsvp_sent.html", event=event, email=form.email.data, sent=sent)


def _rsvp_for(token: str) -> Rsvp:
    """Return the answer a private link opens, or answer 404 without saying more."""
    rsvp = find_by_token(token)
    if rsvp is None:
        abort(
            404,
            description=_(
                "This link is not valid (any more). Check that it was copied whole;"
                " answering again on the party's page sends a new one."
            ),
        )
    return rsvp


def _render_manage(rsvp: Rsvp, token: str, form: RsvpChangeForm | None = None, status: int = 200):
    """Show an attendee their answer: where it stands, the change form, cancel and delete."""
    if form is None:
        form = RsvpChangeForm(obj=rsvp)
    occurrence = occurrence_of(rsvp.event, rsvp.position)
    return render_private(
        "rsvp_manage.html",
        status,
        rsvp=rsvp,
        event=rsvp.event,
        title=occurrence.title if occurrence else rsvp.event.title,
        token=token,
        form=form,
        button=ConfirmForm(),
        standings=standings_of(rsvp.event),
    )


@bp.route("/rsvp/<token>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_rsvp_limit, methods=["POST"])
def manage(token: str) -> Response:
    """Let an attendee see and change their answer."""
    rsvp = _rsvp_for(token)
    if request.method == "GET":
        return _render_manage(rsvp, token)
    form = RsvpChangeForm()
    if not form.validate():
        if form.csrf_token.errors:
            form.csrf_token.errors = [FORM_EXPIRED]
            return _render_manage(rsvp, token, form, 400)
        return _render_manage(rsvp, token, form, 422)
    try:
        changed = operations.change_rsvp(
            rsvp, form.name.data or None, form.people.data, form.note.data or None
        )
    except operations.RsvpRefusedError as refused:
        form.people.errors = [translate(refused.message)]
        return _render_manage(_rsvp_for(token), token, form, 409)
    flash(_("Saved.") if changed else _("Nothing changed."), "success" if changed else "info")
    return private(redirect(url_for("rsvp.manage", token=token), 303))


@bp.route("/rsvp/<token>/confirm", methods=["GET", "POST"])
@limiter.limit(_rsvp_limit, methods=["POST"])
def confirm(token: str) -> Response:
    """Confirm an answer's address with one button (a link alone could be opened by a scanner)."""
    rsvp = _rsvp_for(token)
    if request.method == "GET":
        if rsvp.status in (RsvpStatus.GOING, RsvpStatus.WAITLIST):
            return private(redirect(url_for("rsvp.manage", token=token), 303))
        return render_private(
            "rsvp_confirm.html", rsvp=rsvp, event=rsvp.event, token=token, button=ConfirmForm()
        )
    try:
        status = operations.confirm_rsvp(rsvp)
    except operations.RsvpRefusedError as refused:
        flash(translate(refused.message), "error")
        return private(redirect(url_for("rsvp.manage", token=token), 303))
    if status == RsvpStatus.GOING:
        flash(_("Confirmed: you are going. See you there!"), "success")
    else:
        flash(
            _(
                "Confirmed. The party is full, so you are on the waitlist: we write if a place"
                " frees up."
            ),
            "info",
        )
    return private(redirect(url_for("rsvp.manage", token=token), 303))


@bp.route("/rsvp/<token>/cancel", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_rsvp_limit, methods=["POST"])
def cancel(token: str) -> Response:
    """Cancel an answer: one button on the page, or one click in a mail program (RFC 8058).

    The mail program's POST carries no form token, only the private link: it is accepted with
    the body RFC 8058 prescribes; every other POST needs the form's token.
    """
    rsvp = _rsvp_for(token)
    if request.method == "GET":
        return render_private(
            "rsvp_cancel.html", rsvp=rsvp, event=rsvp.event, token=token, button=ConfirmForm()
        )
    if request.form.get("List-Unsubscribe") != ONE_CLICK:
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as error:
            raise CSRFError(FORM_EXPIRED) from error
    if operations.cancel_rsvp(rsvp):
        flash(_("Cancelled. Thank you for letting the organizer know."), "success")
    return private(redirect(url_for("rsvp.manage", token=token), 303))


@bp.post("/rsvp/<token>/delete")
@limiter.limit(_rsvp_limit)
def delete(token: str) -> Response:
    """Delete an answer and everything it holds (the app-wide CSRF check has passed)."""
    rsvp = _rsvp_for(token)
    event = rsvp.event
    operations.delete_rsvp(rsvp)
    return render_private("rsvp_deleted.html", event=event, event_link=event_path(event))


# The organizer's side, on their private edit link ------------------------------------------


@bp.get("/edit/<token>/attendees.csv")
def attendees_csv(token: str) -> Response:
    """Download the attendee list (names, addresses, counts, notes) as CSV, privately."""
    event = organizer_event(token)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ATTENDEE_CSV_COLUMNS)
    writer.writerows(attendee_rows(event))
    response = current_app.response_class(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}-attendees.csv"'
    return private(response)


@bp.post("/edit/<token>/rsvp")
@limiter.limit(_rsvp_limit)
def options(token: str) -> Response:
    """Set the party's capacity and whether answers are closed."""
    event = organizer_event(token)
    form = RsvpOptionsForm()
    if not form.validate():
        flash(_("How many people: give a whole number from 1, or leave it empty."), "error")
    elif operations.set_rsvp_options(event, form.capacity.data, bool(form.closed.data)):
        flash(_("Saved the settings for answers."), "success")
    else:
        flash(_("Nothing changed."), "info")
    return private(redirect(url_for("submit.edit", token=token) + "#attendees", 303))
