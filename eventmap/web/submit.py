"""Organizers' pages: submit a party, check where it lands, then edit or withdraw it by link."""

from __future__ import annotations

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

from .. import mail, operations
from ..extensions import csrf, limiter
from ..models import Event, EventStatus
from ..submissions import find_by_token
from ..urls import public_url
from .event_form import (
    campaign_choices,
    fill_event_form,
    handle_event_form,
    private,
    render_event_form,
    render_private,
    save_edit,
)
from .forms import EventForm
from .i18n import current_language

bp = Blueprint("submit", __name__)
logger = logging.getLogger(__name__)


def _submit_limit() -> str:
    """Read the submission rate limit from the config of the app serving the request."""
    return current_app.config["SUBMIT_RATE_LIMIT"]


# The form's own token check (in EventForm.validate) replaces the app-wide one here, so that an
# expired token shows the form again with everything typed still in it.
@bp.route("/submit", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_submit_limit, methods=["POST"])
def submit() -> Response:
    """Take a new party from an organizer: fill in, check the pin, then send for review."""
    campaigns = campaign_choices()
    if not campaigns:
        abort(404, description=_("There is no celebration to add a party to yet."))
    form = EventForm(campaigns=campaigns)
    if request.method == "GET":
        wanted = request.args.get("campaign") or current_app.config["DEFAULT_CAMPAIGN"]
        form.campaign.data = wanted if wanted in form.campaigns else campaigns[0].slug
        return render_event_form(form, None)
    if form.website.data:
        # A bot filled in the hidden field: say thanks, store nothing.
        logger.info("submission refused: honeypot filled from %s", request.remote_addr)
        return render_private("submit_received.html")
    outcome = handle_event_form(form, None)
    if isinstance(outcome, Response):
        return outcome
    event, token = operations.submit_event(outcome, locale=current_language())
    edit_url = public_url("submit.edit", token=token)
    if mail.send_edit_link(event, edit_url):
        flash(
            _(
                "Thank you! Your party is waiting for a moderator. We sent this page's private"
                " link to %(email)s.",
                email=event.organizer_email,
            ),
            "success",
        )
    else:
        flash(_("Thank you! Your party is waiting for a moderator."), "success")
    return private(redirect(url_for("submit.edit", token=token, new=1), 303))


def _event_for(token: str) -> Event:
    """Return the event a private link opens, or answer 404 without saying more."""
    event = find_by_token(token)
    if event is None:
        abort(404, description=_("This edit link is not valid. Check that it was copied whole."))
    return event


@bp.route("/edit/<token>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_submit_limit, methods=["POST"])
def edit(token: str) -> Response:
    """Let an organizer see the status of their party and change it."""
    event = _event_for(token)
    form = EventForm(campaigns=campaign_choices(), obj=None if request.method == "POST" else event)
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
        flash(_("Nothing changed."), "info")
    elif event.status == EventStatus.PENDING:
        flash(_("Saved. A moderator will check your changes before they show."), "success")
    else:
        flash(_("Saved."), "success")
    return private(redirect(url_for("submit.edit", token=token), 303))


@bp.post("/edit/<token>/withdraw")
@limiter.limit(_submit_limit)
def withdraw(token: str) -> Response:
    """Take a party off the map at its organizer's request."""
    event = _event_for(token)  # the app-wide CSRF check has already passed
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm that the party should come off the map."), "error")
    elif operations.withdraw_event(event):
        flash(_("Your party is off the map. Thank you for letting us know."), "success")
    return private(redirect(url_for("submit.edit", token=token), 303))
