"""Moderator sessions live on the server: sign-out, a new password and time end them for good.

Each test signs in, copies the session cookie into a second client (a thief's browser), ends
the session one way, and replays the copy. Requests run outside any test-held app context, as
in test_admin.py: Flask-Login keeps the signed-in user in `g`.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from eventmap import operations
from eventmap.extensions import db
from eventmap.models import AuditEntry, Campaign, Event, EventStatus
from tests import helpers
from tests.helpers import PASSWORD, form_token


def sign_in(client: FlaskClient, username: str = "eve", password: str = PASSWORD) -> None:
    """Sign this client in and check that it worked."""
    response = helpers.sign_in(client, username, password)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 200


def copy_of(app, client: FlaskClient) -> FlaskClient:
    """Return another browser holding the same session cookie as `client`."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


@pytest.fixture
def eve(app) -> str:
    """Create the moderator eve."""
    with app.app_context():
        operations.create_admin("eve", PASSWORD)
    return "eve"


@pytest.fixture
def pending(app) -> Any:
    """Return a function that stores a pending event and gives its id."""
    serial = iter(range(1, 1000))

    def add() -> int:
        with app.app_context():
            campaign = db.session.scalar(Campaign.by_slug("openstack6bday")) or Campaign(
                slug="openstack6bday",
                name="OpenStack turns 6",
                starts_on=date(2016, 7, 1),
                ends_on=date(2016, 8, 31),
                anniversary=date(2016, 7, 19),
            )
            n = next(serial)
            event = Event(
                campaign=campaign,
                slug=f"party-{n}",
                title=f"Party {n}",
                location_text="Munich",
                status=EventStatus.PENDING,
            )
            db.session.add(event)
            db.session.commit()
            return event.id

    return add


def status_of(app, event_id: int) -> EventStatus:
    with app.app_context():
        return db.session.get(Event, event_id).status


def assert_refused(app, browser: FlaskClient, token: str, pending: Any) -> None:
    """Check that this browser is anonymous: no pages, no approving, no rejecting."""
    first, second = pending(), pending()
    page = browser.get("/admin/")
    assert page.status_code == 302
    assert page.location.startswith("/admin/login?next=")
    approve = browser.post(f"/admin/events/{first}/approve", data={"csrf_token": token})
    reject = browser.post(
        f"/admin/events/{second}/reject", data={"csrf_token": token, "reason": "spam"}
    )
    assert (approve.status_code, approve.location) == (302, "/admin/login")
    assert (reject.status_code, reject.location) == (302, "/admin/login")
    assert status_of(app, first) == status_of(app, second) == EventStatus.PENDING


def assert_allowed(app, browser: FlaskClient, token: str, pending: Any) -> None:
    """Check that this browser is still signed in and may decide."""
    event_id = pending()
    assert browser.get("/admin/").status_code == 200
    browser.post(f"/admin/events/{event_id}/approve", data={"csrf_token": token})
    assert status_of(app, event_id) == EventStatus.APPROVED


def move_clock(app, *, idle: timedelta, age: timedelta) -> None:
    """Make every session look `age` old and last used `idle` ago."""
    from eventmap.models import ModeratorSession

    now = datetime.now(UTC)
    with app.app_context():
        db.session.execute(
            update(ModeratorSession).values(created_at=now - age, last_seen_at=now - idle)
        )
        db.session.commit()


def session_count(app) -> int:
    from eventmap.models import ModeratorSession

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ModeratorSession))


# Sign-out.


def test_sign_out_ends_the_session_in_every_browser_that_holds_a_copy(app, eve, pending):
    browser = app.test_client()
    sign_in(browser)
    token = form_token(browser, "/admin/")
    thief = copy_of(app, browser)
    assert_allowed(app, thief, token, pending)  # a copy works while the session lives

    browser.post("/admin/logout", data={"csrf_token": token})

    assert_refused(app, thief, token, pending)
    assert_refused(app, browser, token, pending)
    assert session_count(app) == 0
    with app.app_context():
        actions = [(e.actor, e.action) for e in db.session.scalars(AuditEntry.newest())]
    assert actions[0] == ("admin:eve", "signed-out")


def test_the_cookie_holds_only_a_random_id_whose_hash_the_server_keeps(app, eve):
    from eventmap.models import Admin, ModeratorSession

    first, second = app.test_client(), app.test_client()
    sign_in(first)
    sign_in(second)

    ids = []
    for browser in (first, second):
        serializer = app.session_interface.get_signing_serializer(app)
        ids.append(serializer.loads(browser.get_cookie("session").value)["_user_id"])
    with app.app_context():
        admin_id = db.session.scalar(Admin.by_username("eve")).id
        stored = set(db.session.scalars(select(ModeratorSession.token_hash)))
    assert str(admin_id) not in ids
    assert ids[0] != ids[1]
    assert all(len(value) >= 32 for value in ids)
    assert stored == {hashlib.sha256(value.encode()).hexdigest() for value in ids}


# A new password.


def test_a_new_password_ends_every_session_of_that_moderator_only(app, runner, eve, pending):
    with app.app_context():
        operations.create_admin("ada", PASSWORD)
    laptop, phone, colleague = app.test_client(), app.test_client(), app.test_client()
    sign_in(laptop)
    sign_in(phone)
    sign_in(colleague, "ada")
    tokens = {b: form_token(b, "/admin/") for b in (laptop, phone, colleague)}
    thief = copy_of(app, laptop)

    result = runner.invoke(
        args=["create-admin", "eve", "--password-stdin"], input="a brand new secret\n"
    )

    assert result.exit_code == 0, result.output
    for browser in (laptop, phone):
        assert_refused(app, browser, tokens[browser], pending)
    assert_refused(app, thief, tokens[laptop], pending)
    assert_allowed(app, colleague, tokens[colleague], pending)
    assert "signed out everywhere" in result.output
    with app.app_context():
        [entry] = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "admin-password-changed")
        ).all()
    assert entry.details == {"username": "eve", "sessions_ended": 2}
    sign_in(laptop, password="a brand new secret")  # the new password works


# Time.


def test_an_idle_session_expires(app, eve, pending):
    app.config["SESSION_IDLE_MINUTES"] = 30
    browser = app.test_client()
    sign_in(browser)
    token = form_token(browser, "/admin/")
    thief = copy_of(app, browser)

    move_clock(app, idle=timedelta(minutes=29), age=timedelta(minutes=29))
    assert_allowed(app, thief, token, pending)  # using it keeps it alive
    move_clock(app, idle=timedelta(minutes=31), age=timedelta(minutes=31))

    assert_refused(app, thief, token, pending)
    assert_refused(app, browser, token, pending)


def test_a_busy_session_still_ends_after_its_lifetime(app, eve, pending):
    app.config["SESSION_LIFETIME_HOURS"] = 2
    browser = app.test_client()
    sign_in(browser)
    token = form_token(browser, "/admin/")
    thief = copy_of(app, browser)

    move_clock(app, idle=timedelta(seconds=5), age=timedelta(hours=1, minutes=59))
    assert_allowed(app, thief, token, pending)
    move_clock(app, idle=timedelta(seconds=5), age=timedelta(hours=2, minutes=1))

    assert_refused(app, thief, token, pending)
    assert_refused(app, browser, token, pending)


def test_last_use_is_written_at_most_once_a_minute(app, eve):
    from eventmap.models import ModeratorSession

    browser = app.test_client()
    sign_in(browser)

    def last_seen() -> datetime:
        with app.app_context():
            stamp = db.session.scalar(select(ModeratorSession.last_seen_at))
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)

    move_clock(app, idle=timedelta(seconds=30), age=timedelta(seconds=30))
    before = last_seen()
    for _ in range(3):
        assert browser.get("/admin/").status_code == 200
    assert last_seen() == before  # recent enough: no write

    move_clock(app, idle=timedelta(minutes=2), age=timedelta(minutes=2))
    assert browser.get("/admin/").status_code == 200
    assert datetime.now(UTC) - last_seen() < timedelta(seconds=10)


def test_signing_in_clears_away_sessions_that_have_expired(app, eve):
    for _ in range(3):
        sign_in(app.test_client())
    move_clock(app, idle=timedelta(days=1), age=timedelta(days=1))

    sign_in(app.test_client())

    assert session_count(app) == 1


def test_the_signed_cookie_itself_lasts_no_longer_than_a_session(app):
    assert app.permanent_session_lifetime == timedelta(hours=app.config["SESSION_LIFETIME_HOURS"])
