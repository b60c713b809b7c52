"""Memories: uploading a party's photos, serving their files, reporting and deleting them, the
organizer's decisions and report on their private page, and the campaign's memories wall."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from .. import feeds, languages, operations
from ..extensions import csrf, db, limiter
from ..listing import country_names
from ..memories import counters, newest_photos, photos_open, wall_page
from ..models import Campaign, Event, EventStatus, Photo, PhotoStatus
from ..photo_storage import CACHE_CONTROL, KEY_RE
from ..rules import PHOTO_RULES
from ..services import photo_storage
from ..submissions import hash_token
from ..urls import event_path, event_url, public_url
from .errors import FORM_EXPIRED
from .event_form import (
    campaign_choices,
    fill_event_form,
    organizer_event,
    private,
    render_event_form,
    render_private,
)
from .event_page import public_event, render_event_page
from .forms import EventForm, PhotoDecisionForm, PhotoUploadForm, ReportForm, RsvpForm
from .i18n import current_language
from .messages import translate
from .page_cache import cached_page
from .params import page_arg
from .photo_decisions import chosen_photos, decide

bp = Blueprint("photos", __name__)
logger = logging.getLogger(__name__)

COUNTRY = re.compile(r"[A-Z]{2}")
# Each rendition's content type by its name's suffix, as the rules write them.
CONTENT_TYPES = {suffix: kind for _, suffix, kind in PHOTO_RULES.rendition_formats}
TOO_BIG = _l(
    "That upload is too large: send at most %(most)s photos of %(megabytes)s MB each at a time.",
    most=PHOTO_RULES.max_files,
    megabytes=PHOTO_RULES.max_megabytes,
)


def upload_limit() -> int:
    """Return the largest body an upload may send: every file at its limit, and the fields."""
    return PHOTO_RULES.max_upload_bytes


def _photo_limit() -> str:
    """Read the photo posts' rate limit from the config of the app serving the request."""
    return current_app.config["PHOTO_RATE_LIMIT"]


def _today() -> date:
    """Return today's date in UTC: the day the party pages take too."""
    return datetime.now(UTC).date()


# Uploading ---------------------------------------------------------------------------------


def _party_page(campaign: Campaign, event: Event, status: int, form: PhotoUploadForm) -> Response:
    """Show the party's page again with the upload form's messages (its RSVP form empty)."""
    return render_event_page(
        campaign, event, RsvpForm(formdata=None), status=status, photo_form=form
    )


# The form's own token check replaces the app-wide one (which would read the body before the
# larger limit below is set), so that an expired token shows the form again.
@bp.post("/<campaign_slug>/<event_slug>/photos")
@csrf.exempt
@limiter.limit(_photo_limit)
def upload(campaign_slug: str, event_slug: str) -> Response:
    """Take up to PHOTO_RULES.max_files photos of a party that has started, to wait for approval."""
    campaign, event = public_event(campaign_slug, event_slug)
    if not photos_open(event, _today()):
        abort(409, description=_("Photos can be added once the party has started."))
    # This route alone takes large bodies; every other keeps the app's MAX_CONTENT_LENGTH.
    request.max_content_length = upload_limit()
    try:
        request.form  # noqa: B018 (parse the body now, under the limit just set)
    except RequestEntityTooLarge:
        form = PhotoUploadForm(formdata=None)
        form.photos.errors = [TOO_BIG]
        return _party_page(campaign, event, 413, form)
    form = PhotoUploadForm()
    if form.website.data:
        # A bot filled in the hidden field: answer as for a person, store nothing.
        logger.info("photos refused: honeypot filled from %s", request.remote_addr)
        return render_private("photos_sent.html", event=event, added=[], refused=[], token=None)
    if not form.validate():
        if form.csrf_token.errors:
            form.csrf_token.errors = [FORM_EXPIRED]
            return _party_page(campaign, event, 400, form)
        return _party_page(campaign, event, 422, form)
    uploads = [
        operations.Upload(f.filename or "photo", f.read())
        for f in form.photos.data
        if getattr(f, "filename", "")
    ]
    done = operations.add_photos(
        event, uploads, form.caption.data, consent=True, storage=photo_storage()
    )
    if not done.photos:
        form.photos.errors = [translate(message) for _name, message in done.refused]
        return _party_page(campaign, event, 422, form)
    return render_private(
        "photos_sent.html",
        event=event,
        added=done.photos,
        refused=[(name, translate(message)) for name, message in done.refused],
        token=done.token,
    )


# Files -------------------------------------------------------------------------------------


@bp.get("/photos/<key>")
def file(key: str) -> Response:
    """Serve a stored rendition by its content-addressed name."""
    if KEY_RE.fullmatch(key) is None:  # a stored file's name: its SHA-256 and its suffix
        abort(404, description=_("There is no photo file of this name."))
    data = photo_storage().get(key)
    if data is None:
        abort(404, description=_("This photo is not (or no longer) here."))
    response = current_app.response_class(data, mimetype=CONTENT_TYPES[key.rsplit(".", 1)[1]])
    response.headers["Cache-Control"] = CACHE_CONTROL  # never changes under its name
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response


# Visitors: reporting, and the uploader's private link --------------------------------------


def _published(photo_id: int) -> Photo:
    """Return a published photo of a public party, or answer 404."""
    photo = db.session.get(Photo, photo_id)
    if (
        photo is None
        or photo.status != PhotoStatus.PUBLISHED
        or photo.event.status != EventStatus.APPROVED
    ):
        abort(404, description=_("This photo is not (or no longer) shown."))
    return photo


@bp.post("/photos/<id:photo_id>/report")
@limiter.limit(_photo_limit)
def report(photo_id: int) -> Response:
    """Take a published photo back to the moderators at a visitor's report (CSRF checked)."""
    photo = _published(photo_id)
    operations.report_photo(photo)
    flash(_("Thank you: the photo is hidden until a moderator has looked at it."), "success")
    return redirect(event_path(photo.event) + "#photos", 303)


def _upload_of(token: str) -> list[Photo]:
    """Return the photos an uploader's private link opens (none when the link is unknown)."""
    if not token or len(token) > 100:
        return []
    return list(db.session.scalars(Photo.by_delete_token_hash(hash_token(token))))


@bp.get("/photos/delete/<token>")
def uploaded(token: str) -> Response:
    """Show an uploader their photos, each with a button that deletes it."""
    photos = _upload_of(token)
    return render_private("photos_delete.html", 200 if photos else 404, photos=photos, token=token)


@bp.post("/photos/delete/<token>/<id:photo_id>")
@limiter.limit(_photo_limit)
def delete(token: str, photo_id: int) -> Response:
    """Delete one photo of an upload, files and all (the app-wide CSRF check has passed)."""
    photo = next((p for p in _upload_of(token) if p.id == photo_id), None)
    if photo is None:
        abort(404, description=_("This photo is not (or no longer) part of this link's upload."))
    operations.delete_photo(photo, actor="uploader", storage=photo_storage())
    flash(_("Deleted: the photo and its files are gone."), "success")
    return private(redirect(url_for("photos.uploaded", token=token), 303))


# The organizer's private page --------------------------------------------------------------


@bp.post("/edit/<token>/photos")
@limiter.limit(_photo_limit)
def organizer_photos(token: str) -> Response:
    """Let an organizer publish or reject their party's waiting photos."""
    event = organizer_event(token)
    photos = chosen_photos((Photo.event_id == event.id) & (Photo.status == PhotoStatus.PENDING))
    decide(photos, PhotoDecisionForm(), actor="organizer")
    return private(redirect(url_for("submit.edit", token=token) + "#photos", 303))


@bp.post("/edit/<token>/report")
@limiter.limit(_photo_limit)
def organizer_report(token: str) -> Response:
    """Save the organizer's report: how many came, a few words, links (after the start)."""
    event = organizer_event(token)
    if not photos_open(event, _today()):
        abort(409, description=_("The report can be written once the party has started."))
    form = ReportForm()
    if not form.validate():
        page_form = EventForm(campaigns=campaign_choices(), obj=event)
        fill_event_form(page_form, event)
        return render_event_form(page_form, event, status=422, report_form=form)
    changed = operations.save_report(
        event, form.attendance.data, form.words.data or "", form.link_list
    )
    flash(
        _("Saved your report.") if changed else _("Nothing changed."),
        "success" if changed else "info",
    )
    return private(redirect(url_for("submit.edit", token=token) + "#report", 303))


# The campaign's memories wall --------------------------------------------------------------


@bp.get("/<campaign_slug>/memories")
@cached_page
def wall(campaign_slug: str) -> str:
    """Show a campaign's published photos, newest first, a page at a time, by country."""
    campaign = db.first_or_404(
        Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
    )
    country = request.args.get("country", "").strip().upper() or None
    if country is not None and not COUNTRY.fullmatch(country):
        abort(400, description=_("country must be a two-letter country code like DE."))
    totals = counters(campaign)
    return render_template(
        "memories.html",
        campaign=campaign,
        wall=wall_page(campaign, page_arg(), country),
        country=country,
        counters=totals,
        countries=country_names(totals.countries_with_photos),
    )


@bp.get("/<campaign_slug>/memories.atom")
@cached_page
def memories_feed(campaign_slug: str) -> Response:
    """Serve the Atom feed of a campaign's newly published photos."""
    campaign = db.first_or_404(
        Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
    )
    body = feeds.memories_feed(
        campaign,
        newest_photos(campaign),
        feed_url=public_url("photos.memories_feed", campaign_slug=campaign.slug),
        page_url=public_url("photos.wall", campaign_slug=campaign.slug),
        url_of=lambda photo: event_url(photo.event) + f"#photo-{photo.id}",
        image_of=lambda photo: public_url("photos.file", key=photo.key("page", "jpeg")),
        translate=translate,
        language=languages.tag(current_language()),
    )
    return current_app.response_class(body, content_type="application/atom+xml; charset=utf-8")
