"""Deciding on photos, shared by the organizer's private page and the moderators' queue."""

from __future__ import annotations

from flask import flash, request
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import ColumnElement, select

from .. import operations
from ..extensions import db
from ..models import Photo, PhotoStatus
from .errors import FORM_EXPIRED
from .forms import PhotoDecisionForm
from .localized import thousands

# Photos one decision may cover: more than a page of the queue shows.
MAX_CHOSEN = 500


def chosen_photos(query_filter: ColumnElement[bool]) -> list[Photo]:
    """Return the photos ticked in the form (photo=<id>, repeated) that the filter allows."""
    ids = []
    for value in request.form.getlist("photo")[:MAX_CHOSEN]:
        if value.isascii() and value.isdigit() and len(value) < 10:
            ids.append(int(value))
    if not ids:
        return []
    return list(db.session.scalars(select(Photo).where(Photo.id.in_(ids), query_filter)))


def decide(photos: list[Photo], form: PhotoDecisionForm, actor: str) -> None:
    """Publish or reject the photos ticked, as the button pressed says; flash the outcome."""
    action = request.form.get("action")
    if not photos:
        flash(_("Tick at least one photo first."), "error")
        return
    if not form.validate():
        problems = " ".join(str(e) for e in form.reason.errors or [FORM_EXPIRED])
        flash(_("Reason: %(problems)s", problems=problems), "error")
        return
    if action == "publish":
        done = operations.decide_photos(photos, PhotoStatus.PUBLISHED, actor=actor)
        flash(
            ngettext(
                "Published %(count)s photo.",
                "Published %(count)s photos.",
                done,
                count=thousands(done),
            ),
            "success",
        )
    elif action == "reject":
        if not form.reason.data:
            flash(_("Say why the photos are rejected: the reason is kept in the trail."), "error")
            return
        done = operations.decide_photos(
            photos, PhotoStatus.REJECTED, actor=actor, reason=form.reason.data
        )
        flash(
            ngettext(
                "Rejected %(count)s photo.",
                "Rejected %(count)s photos.",
                done,
                count=thousands(done),
            ),
            "success",
        )
    else:
        flash(_("Choose Publish or Reject."), "error")
