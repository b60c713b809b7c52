"""Writes through operations: submissions, edits, moderation, moderators and the audit trail."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
from sqlalchemy import func, select

from eventmap import operations
from eventmap.dates import DatePart
from eventmap.eventdata import PointData, SubmissionData
from eventmap.extensions import db
from eventmap.geocoding import Precision
from eventmap.models import Admin, AuditEntry, Event, EventStatus
from eventmap.submissions import find_by_token, hash_token
from eventmap.web.auth import authenticate

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


# Slug races: another organizer takes the slug between our choice and our insert.


@pytest.fixture
def steal_slugs(app):
    """Return a function that makes the next `times` inserts of an event lose their slug.

    Just before the insert, another connection commits an event with the same campaign and
    slug, as a second organizer submitting the same place at that moment would. With
    `elsewhere=False` the thief writes in the inserting transaction itself, inside its
    SAVEPOINT, so that a test can lose the slug again and again (on SQLite the first loser
    holds the write lock, so no other connection can write until it is done).
    """
    from contextlib import nullcontext

    from sqlalchemy import event as sa_event

    stolen: list[str] = []

    def steal(times: int, *, elsewhere: bool = True, on: str = "before_insert") -> list[str]:
        def before_write(_mapper, connection, target: Event) -> None:
            if len(stolen) >= times:
                return
            stolen.append(target.slug)
            with db.engine.begin() if elsewhere else nullcontext(connection) as thief:
                thief.execute(
                    Event.__table__.insert().values(
                        campaign_id=target.campaign_id or target.campaign.id,
                        slug=target.slug,
                        title="The other organizer's party",
                        location_text="Munich, Germany",
                        status=EventStatus.PENDING,
                    )
                )

        sa_event.listen(Event, on, before_write)
        listeners.append((on, before_write))
        return stolen

    listeners: list = []
    yield steal
    for on, listener in listeners:
        sa_event.remove(Event, on, listener)


def test_a_slug_taken_between_choice_and_insert_is_chosen_again(submission, steal_slugs):
    first, _ = operations.submit_event(submission())
    stolen = steal_slugs(times=1)
    event, token = operations.submit_event(submission(title="Second"))
    assert stolen == ["munich-germany-2"]
    assert event.slug == "munich-germany-3"
    db.session.expire_all()
    slugs = sorted(db.session.scalars(select(Event.slug)))
    assert slugs == ["munich-germany", "munich-germany-2", "munich-germany-3"]
    assert find_by_token(token).title == "Second"
    # The retry kept the transaction whole: its audit entry and nothing else was added.
    actions = [e.action for e in db.session.scalars(AuditEntry.newest())]
    assert actions == ["submitted", "submitted"]
    assert first.slug == "munich-germany"


def test_a_slug_lost_again_and_again_ends_with_a_random_suffix(submission, steal_slugs):
    stolen = steal_slugs(times=operations.SLUG_ATTEMPTS, elsewhere=False)
    event, _ = operations.submit_event(submission())
    assert stolen == ["munich-germany"] * operations.SLUG_ATTEMPTS
    assert re.fullmatch(r"munich-germany-[0-9a-f]{6}", event.slug)
    db.session.expire_all()
    assert db.session.scalars(select(Event.slug)).all() == [event.slug]  # the thefts undone


def test_a_conflict_that_is_not_the_slug_is_not_retried(submission):
    from sqlalchemy.exc import IntegrityError

    bad_point = PointData(
        91.0, 11.575, Precision.CITY, "DE", "Bavaria", "Munich", "Europe/Berlin", "geocoder"
    )
    with pytest.raises(IntegrityError, match=r"ck_events_point|CHECK"):
        operations.submit_event(submission(point=bad_point))
    db.session.rollback()
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_a_submission_that_fails_after_its_slug_is_stored_leaves_nothing(submission):
    """The SAVEPOINT around the insert is part of the submission's transaction, on SQLite too."""
    from sqlalchemy.exc import IntegrityError

    backwards = (
        DatePart(date(2016, 7, 20), date(2016, 7, 19), "tutorials"),  # refused by the database
        DatePart(date(2016, 7, 21), date(2016, 7, 21), "party"),
    )
    with pytest.raises(IntegrityError, match=r"ck_event_parts_dates|CHECK"):
        operations.submit_event(submission(parts=backwards))
    db.session.rollback()
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_a_move_into_a_campaign_that_has_the_slug_changes_nothing(submission, make_campaign):
    event, _ = operations.submit_event(submission())
    other = make_campaign(slug="openstack7bday", name="OpenStack turns 7", hashtag="x")
    operations.submit_event(submission(campaign=other))
    with pytest.raises(
        operations.SlugTakenError, match=r"OpenStack turns 7.*/openstack7bday/munich"
    ):
        operations.update_event(event, submission(campaign=other, title="Moved"), actor="admin:eve")
    db.session.expire_all()
    assert (event.campaign.slug, event.title) == ("openstack6bday", "OpenStack Munich turns 6")


def test_a_move_whose_slug_is_taken_meanwhile_changes_nothing(
    submission, make_campaign, steal_slugs
):
    event, _ = operations.submit_event(submission())
    other = make_campaign(slug="openstack7bday", name="OpenStack turns 7", hashtag="x")
    stolen = steal_slugs(times=1, on="before_update")
    with pytest.raises(operations.SlugTakenError, match="OpenStack turns 7"):
        operations.update_event(event, submission(campaign=other, title="Moved"), actor="organizer")
    assert stolen == ["munich-germany"]
    db.session.expire_all()
    assert [e.title for e in other.events] == ["The other organizer's party"]
    assert (event.campaign.slug, event.title) == ("openstack6bday", "OpenStack Munich turns 6")
    assert [e.action for e in db.session.scalars(AuditEntry.newest(event))] == ["submitted"]


def test_an_import_that_loses_a_slug_meanwhile_says_which_row_and_writes_nothing(
    app, runner, make_campaign, tmp_path, steal_slugs
):
    make_campaign()
    path = tmp_path / "parties.csv"
    path.write_text(
        "campaign,title,location,date_text\n"
        "openstack6bday,In Brazil,Brazil,TBD\n"
        "openstack6bday,In Munich,Munich,July 19\n"
    )
    stolen = steal_slugs(times=1)
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1, result.output
    assert stolen == ["brazil"]
    assert "row 2, column 'slug': 'brazil' was taken by a party saved during this import" in (
        result.output
    )
    assert "nothing was imported" in result.output
    db.session.expire_all()
    assert db.session.scalars(select(Event.title)).all() == ["The other organizer's party"]
