"""The moderators' pages under /admin: sign-in, the queue, every event and the audit log."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

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
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse

from .. import moderation, operations
from ..extensions import db, limiter
from ..models import AuditEntry, Campaign, Event, EventStatus, Photo, PhotoStatus
from ..rules import is_web_link
from ..services import photo_storage
from .admin_forms import LoginForm, RejectForm
from .auth import authenticate, sign_in, sign_out
from .event_form import fill_event_form, handle_event_form, render_event_form, save_edit
from .forms import ModeratorEventForm, PhotoDecisionForm
from .maps import render_map
from .params import id_arg, page_arg
from .photo_decisions import chosen_photos, decide
from .templating import status_label

logger = logging.getLogger(__name__)

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 50


@bp.before_request
def _signed_in_only() -> BaseResponse | None:
    """Send visitors who are not signed in to the sign-in page, whatever the admin URL.

    One check for the whole blueprint, so that a new view cannot forget it.
    """
    if request.endpoint in ("admin.login", None) or current_user.is_authenticated:
        return None
    if request.method == "GET":
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    # After signing in, a form would be sent again as a GET: go to the queue instead.
    flash(_(current_app.login_manager.login_message), "info")  # type: ignore[attr-defined]
    return redirect(url_for(".login"))


@bp.after_request
def _private(response: Response) -> Response:
    """Keep moderators' pages out of caches and search engines."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.context_processor
def _helpers() -> dict[str, Any]:
    """Give admin templates what they need beyond the public helpers."""
    return {
        "pending_total": lambda: db.session.scalar(
            select(func.count()).select_from(Event.pending().order_by(None).subquery())
        ),
        "pending_photos_total": lambda: db.session.scalar(
            select(func.count()).where(Photo.status == PhotoStatus.PENDING)
        ),
        "statuses": list(EventStatus),
        "can_approve": moderation.can_approve,
        "can_reject": moderation.can_reject,
        "web_link": is_web_link,
    }


def safe_next(target: str | None, default: str) -> str:
    """Return `target` when it is a path on this site, else `default` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default  # browsers read "/\\host" and "/\t/host" as another host
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def _actor() -> str:
    """Name the signed-in moderator in the audit trail."""
    return f"admin:{current_user.username}"


def _campaigns() -> list[Campaign]:
    """Return every campaign, for the filters."""
    return list(db.session.scalars(select(Campaign).order_by(Campaign.name)))


def _campaign_filter() -> Campaign | None:
    """Return the campaign named by ?campaign=, if any."""
    slug = request.args.get("campaign", "").strip()
    if not slug:
        return None
    return db.first_or_404(Campaign.by_slug(slug), description=Campaign.not_found(slug))


def _event_or_404(event_id: int) -> Event:
    """Return the event with this id, or answer 404."""
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404, description=_("There is no event with this number."))
    return event


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login() -> str | tuple[str, int] | BaseResponse:
    """Sign a moderator in; a wrong name or password says no more than that."""
    back = safe_next(request.args.get("next"), url_for(".queue"))
    if current_user.is_authenticated:
        return redirect(back)
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        admin = authenticate(form.username.data or "", form.password.data or "")
        if admin is not None:
            sign_in(admin)
            return redirect(back)
        logger.warning(
            "failed moderator sign-in as %r from %s", form.username.data, request.remote_addr
        )
        failed = True
    return render_template("admin/login.html", form=form, failed=failed)


@bp.post("/logout")
def logout() -> BaseResponse:
    """Sign the moderator out: the session ends on the server, wherever its cookie was copied."""
    sign_out(current_user._get_current_object())
    flash(_("You are signed out."), "info")
    return redirect(url_for(".login"))


@bp.get("/")
def queue() -> str:
    """List the events waiting for a moderator, oldest first, with what to check on each."""
    campaign = _campaign_filter()
    page = db.paginate(Event.pending(campaign), page=page_arg(), per_page=PER_PAGE, error_out=False)
    reviews = [moderation.review(event) for event in page.items]
    points = moderation.map_points([review.event for review in reviews])
    return render_template(
        "admin/queue.html",
        reviews=reviews,
        page=page,
        campaign=campaign,
        campaigns=_campaigns(),
        points=points,
        map_parts=render_map(current_app.config) if points else None,
    )


def _render_event(event: Event, form: RejectForm) -> str:
    """Render one event's moderation page with the given reject form."""
    points = moderation.map_points([event])
    history = db.session.scalars(AuditEntry.newest(event).limit(PER_PAGE)).all()
    return render_template(
        "admin/event.html",
        review=moderation.review(event),
        reject_form=form,
        history=history,
        points=points,
        map_parts=render_map(current_app.config) if points else None,
    )


@bp.get("/events/<id:event_id>")
def event(event_id: int) -> str:
    """Show one event as its organizer gave it, where it landed, and what happened to it."""
    return _render_event(_event_or_404(event_id), RejectForm(formdata=None))


@bp.post("/events/<id:event_id>/approve")
def approve(event_id: int) -> BaseResponse:
    """Make an event public."""
    event = _event_or_404(event_id)
    back = safe_next(request.form.get("next"), url_for(".queue"))
    if not moderation.can_approve(event):
        flash(
            _(
                "“%(title)s” is %(status)s; it cannot be approved.",
                title=event.title,
                status=status_label(event.status),
            ),
            "error",
        )
        return redirect(back)
    operations.approve_event(event, actor=_actor())
    flash(_("Approved “%(title)s”: it is on the map now.", title=event.title), "success")
    return redirect(back)


@bp.post("/events/<id:event_id>/reject")
def reject(event_id: int) -> BaseResponse | tuple[str, int]:
    """Turn an event down, or take a public one off the map, saying why."""
    event = _event_or_404(event_id)
    back = safe_next(request.form.get("next"), url_for(".queue"))
    if not moderation.can_reject(event):
        flash(
            _(
                "“%(title)s” is %(status)s; it cannot be rejected.",
                title=event.title,
                status=status_label(event.status),
            ),
            "error",
        )
        return redirect(back)
    form = RejectForm()
    if not form.validate():
        return _render_event(event, form), 400
    operations.reject_event(event, actor=_actor(), reason=form.reason.data)
    flash(
        _("Rejected “%(title)s”; the organizer will see your reason.", title=event.title),
        "success",
    )
    return redirect(back)


@bp.route("/events/<id:event_id>/edit", methods=["GET", "POST"])
def edit_event(event_id: int) -> BaseResponse:
    """Change any event's details, with the same form, checks and place preview as organizers."""
    event = _event_or_404(event_id)
    form = ModeratorEventForm(
        campaigns=_campaigns(), obj=None if request.method == "POST" else event
    )
    if request.method == "GET":
        fill_event_form(form, event)
        return render_event_form(form, event, template="admin/edit.html")
    outcome = handle_event_form(form, event, template="admin/edit.html")
    if isinstance(outcome, BaseResponse):
        return outcome
    changed = save_edit(form, event, outcome, actor=_actor(), template="admin/edit.html")
    if isinstance(changed, BaseResponse):
        return changed
    flash(
        _(
            "Saved “%(title)s”: %(fields)s changed.",
            title=event.title,
            fields=", ".join(sorted(set(changed))),
        )
        if changed
        else _("Nothing changed."),
        "success" if changed else "info",
    )
    return redirect(url_for(".event", event_id=event.id), 303)


@bp.get("/events")
def events() -> str:
    """List every event, newest first, by status, campaign or words in its title or place."""
    wanted = request.args.get("status", "")
    status = next((s for s in EventStatus if s.value == wanted), None)
    if wanted and status is None:
        abort(400, description=_("There is no status called “%(status)s”.", status=wanted))
    campaign = _campaign_filter()
    text = request.args.get("q", "")[:200]
    page = db.paginate(
        Event.for_moderators(status, campaign, text),
        page=page_arg(),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "admin/events.html",
        page=page,
        status=status,
        campaign=campaign,
        campaigns=_campaigns(),
        text=text.strip(),
    )


@bp.get("/audit")
def audit() -> str:
    """Show who did what and when, newest first, for every event or for one."""
    event_id = id_arg("event")
    event = _event_or_404(event_id) if event_id is not None else None
    page = db.paginate(
        AuditEntry.newest(event), page=page_arg(), per_page=PER_PAGE, error_out=False
    )
    return render_template("admin/audit.html", page=page, event=event)


# Photos ------------------------------------------------------------------------------------


@bp.get("/photos")
def photos() -> str:
    """List the photos waiting for a moderator: reported ones first, then the oldest."""
    campaign = _campaign_filter()
    page = db.paginate(Photo.pending(campaign), page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "admin/photos.html",
        page=page,
        campaign=campaign,
        campaigns=_campaigns(),
        form=PhotoDecisionForm(formdata=None),
    )


@bp.post("/photos/decide")
def decide_photos() -> BaseResponse:
    """Publish or reject the photos ticked, with a reason for a rejection."""
    decide(chosen_photos(Photo.id.is_not(None)), PhotoDecisionForm(), actor=_actor())
    return redirect(safe_next(request.form.get("next"), url_for(".photos")), 303)


@bp.post("/photos/<id:photo_id>/delete")
def delete_photo(photo_id: int) -> BaseResponse:
    """Delete a photo and its files for good."""
    photo = db.session.get(Photo, photo_id)
    if photo is None:
        abort(404, description=_("There is no photo with this number."))
    operations.delete_photo(photo, actor=_actor(), storage=photo_storage())
    flash(_("Deleted photo %(id)s and its files.", id=photo_id), "success")
    return redirect(safe_next(request.form.get("next"), url_for(".photos")), 303)
