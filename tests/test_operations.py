"""Writes through operations: submissions, edits, moderation, moderators and the audit trail."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from eventmap import operations
from eventmap.auth import authenticate
from eventmap.dates import DatePart
from eventmap.extensions import db
from eventmap.geocoding import Precision
from eventmap.importer import PointData
from eventmap.models import Admin, AuditEntry, Event, EventStatus
from eventmap.submissions import SubmissionData, find_by_token, hash_token

MUNICH = PointData(
    48.137, 11.575, Precision.CITY, "DE", "Bavaria", "Munich", "Europe/Berlin", "geocoder"
)


@pytest.fixture
def submission(make_campaign):
    campaign = make_campaign()

    def make(**overrides):
        values = {
            "campaign": campaign,
            "title": "OpenStack Munich turns 6",
            "location_text": "Munich, Germany",
            "date_text": "July 19",
            "parts": (DatePart(date(2016, 7, 19), date(2016, 7, 19), None),),
            "point": MUNICH,
            "venue": "Werksviertel",
            "start_time": time(18, 30),
            "organizer_name": "Ada",
            "organizer_email": "ada@example.org",
        }
        values.update(overrides)
        return SubmissionData(**values)

    return make


def test_a_submission_is_pending_and_only_its_token_hash_is_stored(submission):
    event, token = operations.submit_event(submission())
    assert event.status == EventStatus.PENDING
    assert event.approved_at is None
    assert event.slug == "munich-germany"
    assert token not in (event.edit_token_hash or "")
    assert event.edit_token_hash == hash_token(token)
    assert len(token) >= 40
    assert find_by_token(token) is event
    assert find_by_token(token + "x") is None
    assert find_by_token("") is None
    assert db.session.scalars(select(Event).where(Event.status == EventStatus.APPROVED)).all() == []
    [entry] = db.session.scalars(AuditEntry.newest()).all()
    assert (entry.actor, entry.action, entry.event_id) == ("organizer", "submitted", event.id)


def test_two_submissions_from_one_place_get_distinct_slugs(submission):
    first, _ = operations.submit_event(submission())
    second, _ = operations.submit_event(submission(title="Another"))
    assert (first.slug, second.slug) == ("munich-germany", "munich-germany-2")


def test_organizer_edit_of_a_public_event_sends_it_back_to_moderation(submission):
    event, _ = operations.submit_event(submission())
    operations.approve_event(event, actor="admin:eve")
    assert event.status == EventStatus.APPROVED
    changed = operations.update_event(event, submission(title="New title"), actor="organizer")
    assert changed == ["title"]
    assert event.status == EventStatus.PENDING
    assert operations.update_event(event, submission(title="New title"), actor="organizer") == []
    actions = [(e.actor, e.action) for e in db.session.scalars(AuditEntry.newest())]
    assert actions == [
        ("organizer", "edited"),
        ("admin:eve", "approved"),
        ("organizer", "submitted"),
    ]


def test_moderator_edit_keeps_the_status(submission):
    event, _ = operations.submit_event(submission())
    operations.approve_event(event, actor="admin:eve")
    operations.update_event(event, submission(venue="Elsewhere"), actor="admin:eve")
    assert event.status == EventStatus.APPROVED


def test_multi_part_dates_are_stored_as_parts(submission):
    parts = (
        DatePart(date(2016, 7, 27), date(2016, 7, 28), "tutorials"),
        DatePart(date(2016, 7, 29), date(2016, 7, 29), "party"),
    )
    event, _ = operations.submit_event(submission(parts=parts, date_text="July 27-29"))
    assert (event.start_date, event.end_date) == (date(2016, 7, 27), date(2016, 7, 29))
    assert [p.label for p in event.parts] == ["tutorials", "party"]


def test_reject_keeps_the_reason_and_withdraw_takes_it_down(submission):
    event, _ = operations.submit_event(submission())
    assert operations.reject_event(event, actor="admin:eve", reason="Not a birthday party")
    assert (event.status, event.status_reason) == (EventStatus.REJECTED, "Not a birthday party")
    assert operations.withdraw_event(event)
    assert event.status == EventStatus.WITHDRAWN
    entry = db.session.scalars(AuditEntry.newest(event)).first()
    assert entry.details == {"previous": "rejected", "reason": "withdrawn by the organizer"}


def test_create_admin_hashes_the_password_and_authenticate_checks_it(ctx):
    admin = operations.create_admin("eve", "correct horse battery")
    assert "correct horse" not in admin.password_hash
    assert authenticate("eve", "correct horse battery") is admin
    assert authenticate("eve", "wrong password here") is None
    assert authenticate("mallory", "correct horse battery") is None
    operations.create_admin("eve", "a different long password")
    assert authenticate("eve", "correct horse battery") is None
    assert db.session.scalars(select(Admin)).all() == [admin]
