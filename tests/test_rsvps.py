"""'I'm going': answering, double opt-in by mail with the party attached, counts, capacity and
waitlist, the organizer's list, reminders and what is deleted when."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import vobject
from sqlalchemy import func, select

from eventmap import operations
from eventmap.extensions import db, limiter
from eventmap.models import AuditEntry, Event, Rsvp, RsvpStatus
from eventmap.rsvps import find_by_token, reminder_due_at, signed_link_token
from eventmap.submissions import new_edit_token
from tests.helpers import form_token

LINK = re.compile(r"http://127\.0\.0\.1:5000(/rsvp/[^/\s]+)/confirm")
MANAGE = re.compile(r"^http://127\.0\.0\.1:5000(/rsvp/[^/\s]+)\s*$", re.M)
PAGE = "/openstack6bday/werk1"


@pytest.fixture
def party(make_event):
    """A public timed party in Munich whose organizer left an address and an edit link."""
    token, token_hash = new_edit_token()
    event = make_event(
        slug="werk1",
        title="Werk1 party",
        start_time=time(18, 30),
        end_time=time(22, 0),
        organizer_name="Olga",
        organizer_email="olga@example.org",
        edit_token_hash=token_hash,
    )
    event.edit_token = token
    return event


def answer(client, path=PAGE, **fields):
    """Post the answer form as a browser would, with the page's CSRF token."""
    data = {"email": "ann@example.org", "name": "Ann Attendee", "people": "1"}
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    if "csrf_token" not in data:
        data["csrf_token"] = form_token(client, path)
    return client.post(path + "/rsvp", data=data)


def confirm(client, manage_path):
    """Press the confirm button of a mailed link."""
    token = form_token(client, manage_path + "/confirm")
    return client.post(manage_path + "/confirm", data={"csrf_token": token})


def links(message):
    """Return the confirm path (or None) and the private path of a mailed message."""
    body = message.get_body(("plain",)).get_content()
    found = LINK.search(body)
    return (found.group(1) if found else None), MANAGE.search(body).group(1)


def test_an_answer_is_confirmed_by_mail_with_the_party_attached(app, client, party, mail_server):
    response = answer(client, note="Bringing cake")
    assert response.status_code == 200
    assert "We sent a confirmation link to" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"

    (envelope,) = mail_server.envelopes
    assert envelope.rcpt_tos == ["ann@example.org"]
    (message,) = mail_server.messages
    assert message["To"] == "Ann Attendee <ann@example.org>"
    assert "Please confirm" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = message.get_body(("plain",)).get_content()
    assert "The party's page: http://127.0.0.1:5000/openstack6bday/werk1" in body
    (ics,) = list(message.iter_attachments())
    assert ics.get_content_type() == "text/calendar"
    raw = ics.get_content()
    raw = raw.encode() if isinstance(raw, str) else raw

    calendar = icalendar.Calendar.from_ical(raw)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == "Werk1 party"
    start = vevent.decoded("dtstart")
    assert start == datetime(2016, 7, 19, 18, 30, tzinfo=start.tzinfo)
    assert str(start.tzinfo) == "Europe/Berlin" or start.utcoffset() == timedelta(hours=2)
    assert calendar.walk("VTIMEZONE")  # the zone travels with the party
    parsed = vobject.readOne(raw.decode())
    assert parsed.vevent.summary.value == "Werk1 party"
    assert parsed.vevent.dtstart.value.utcoffset() == timedelta(hours=2)
    assert parsed.vevent.dtend.value.hour == 22

    confirm_path, manage_path = links(message)
    with app.app_context():
        assert db.session.scalar(select(Rsvp.status)) == RsvpStatus.UNCONFIRMED
    assert "0 going" in client.get(PAGE).get_data(as_text=True)

    page = client.get(confirm_path + "/confirm")
    assert page.status_code == 200
    assert "Yes, I’m going" in page.get_data(as_text=True)
    done = confirm(client, confirm_path)
    assert done.status_code == 303
    assert "you are going" in client.get(done.location).get_data(as_text=True)
    assert "1 going" in client.get(PAGE).get_data(as_text=True)
    with app.app_context():
        rsvp = db.session.scalar(select(Rsvp))
        assert rsvp.status == RsvpStatus.GOING
        assert rsvp.note == "Bringing cake"
    assert manage_path == confirm_path


def test_counts_only_reach_the_api_the_map_and_the_campaign(app, client, party):
    with app.app_context():
        event = db.session.get(Event, party.id)
        asked = operations.request_rsvp(event, 0, "Ann", "ann@example.org", 3, None)
        operations.confirm_rsvp(asked.rsvp)
    (feature,) = client.get("/api/events").get_json()["features"]
    assert feature["properties"]["going"] == 3
    feed = client.get("/api/map-events").get_json()
    assert feed["going"] == [3]
    campaign_page = re.sub(r"<[^>]+>", "", client.get("/openstack6bday/").get_data(as_text=True))
    assert "3 going" in " ".join(campaign_page.split())
    assert "3 going" in client.get("/openstack6bday/map").get_data(as_text=True)


def test_asking_again_resends_and_keeps_one_answer(app, client, party, mail_server):
    answer(client)
    _confirm, first = links(mail_server.messages[0])
    confirm(client, first)
    answer(client, email="ANN@example.org ")
    assert len(mail_server.messages) == 2
    again = mail_server.messages[1]
    assert "you are going" in again.get_body(("plain",)).get_content()
    _none, second = links(again)
    assert client.get(first).status_code == 404  # the new link replaces the old one
    assert client.get(second).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Rsvp)) == 1


def test_without_a_mail_server_the_link_is_in_the_log_and_the_page_says_sent(client, party, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="eventmap.mail")
    response = answer(client)
    assert "We sent a confirmation link to" in response.get_data(as_text=True)
    assert LINK.search(caplog.text)
    assert "[attached: werk1.ics, text/calendar" in caplog.text


def test_the_honeypot_stores_nothing_and_a_missing_token_keeps_the_form(app, client, party):
    trapped = answer(client, website="http://spam.example")
    assert trapped.status_code == 200
    expired = answer(client, csrf_token="nope", email="bob@example.org")
    assert expired.status_code == 400
    assert 'value="bob@example.org"' in expired.get_data(as_text=True)
    bad = answer(client, email="not an address", people="9")
    assert bad.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Rsvp)) == 0


def test_answers_are_rate_limited(app, client, party):
    app.config["RSVP_RATE_LIMIT"] = "2 per hour"
    codes = [answer(client, email=f"p{n}@example.org").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_a_full_party_has_a_waitlist_and_a_cancellation_promotes(app, client, party, mail_server):
    with app.app_context():
        event = db.session.get(Event, party.id)
        operations.set_rsvp_options(event, 2, False)
        first = operations.request_rsvp(event, 0, "A", "a@example.org", 2, None)
        second = operations.request_rsvp(event, 0, "B", "b@example.org", 1, None)
        third = operations.request_rsvp(event, 0, "C", "c@example.org", 1, None)
        assert operations.confirm_rsvp(first.rsvp) == RsvpStatus.GOING
        assert operations.confirm_rsvp(second.rsvp) == RsvpStatus.WAITLIST
        assert operations.confirm_rsvp(third.rsvp) == RsvpStatus.WAITLIST
        page = client.get(PAGE).get_data(as_text=True)
        assert "2 going" in page
        assert "2 on the waitlist" in page
        assert "full" in page
        with pytest.raises(operations.RsvpRefusedError, match="no room for 1 more"):
            operations.change_rsvp(db.session.get(Rsvp, first.rsvp.id), "A", 3, None)
        assert operations.change_rsvp(db.session.get(Rsvp, first.rsvp.id), "A", 1, None)
        # one seat freed: B (first in line) goes
        assert db.session.get(Rsvp, second.rsvp.id).status == RsvpStatus.GOING
        operations.cancel_rsvp(db.session.get(Rsvp, first.rsvp.id))
        assert db.session.get(Rsvp, third.rsvp.id).status == RsvpStatus.GOING
        assert db.session.get(Event, party.id).going == 2
    subjects = [m["Subject"] for m in mail_server.messages]
    assert subjects == ["You are going to “Werk1 party”"] * 2
    body = mail_server.messages[-1].get_body(("plain",)).get_content()
    _none, private = links(mail_server.messages[-1])
    assert "Cannot come after all? One click cancels:" in body
    assert client.get(private).status_code == 200  # the signed link opens the answer


def test_one_click_cancel_from_a_mail_program(app, client, party):
    with app.app_context():
        asked = operations.request_rsvp(
            db.session.get(Event, party.id), 0, None, "a@x.org", 1, None
        )
        operations.confirm_rsvp(asked.rsvp)
        signed = signed_link_token(asked.rsvp)
    refused = client.post(f"/rsvp/{signed}/cancel", data={})
    assert refused.status_code == 400
    done = client.post(f"/rsvp/{signed}/cancel", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Rsvp.status)) == RsvpStatus.CANCELLED
    assert "0 going" in client.get(PAGE).get_data(as_text=True)


def test_a_person_deletes_their_answer_and_its_data(app, client, party):
    with app.app_context():
        asked = operations.request_rsvp(
            db.session.get(Event, party.id), 0, "Ann", "a@x.org", 2, "hi"
        )
        operations.confirm_rsvp(asked.rsvp)
    path = f"/rsvp/{asked.token}"
    response = client.post(path + "/delete", data={"csrf_token": form_token(client, path)})
    assert response.status_code == 200
    assert "Deleted" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Rsvp)) == 0
        assert db.session.get(Event, party.id).going == 0
        details = [e.details for e in db.session.scalars(select(AuditEntry))]
    assert "a@x.org" not in repr(details)
    assert "Ann" not in repr(details)
    assert client.get(path).status_code == 404


def test_an_unconfirmed_answer_expires_after_48_hours(app, runner, party):
    with app.app_context():
        asked = operations.request_rsvp(
            db.session.get(Event, party.id), 0, None, "a@x.org", 1, None
        )
        later = datetime.now(UTC) + timedelta(hours=49)
        with pytest.raises(operations.RsvpRefusedError, match="expired"):
            operations.confirm_rsvp(asked.rsvp, later)
    result = runner.invoke(args=["purge-attendees", "--now", later.isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 unconfirmed answer(s) expired" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Rsvp)) == 0


def test_attendees_data_is_deleted_30_days_after_the_party_and_the_count_stays(app, runner, party):
    with app.app_context():
        event = db.session.get(Event, party.id)
        kept = operations.request_rsvp(event, 0, "Ann", "a@x.org", 2, "note")
        operations.confirm_rsvp(kept.rsvp)
        gone = operations.request_rsvp(event, 0, "Bob", "b@x.org", 1, None)
        operations.confirm_rsvp(gone.rsvp)
        operations.cancel_rsvp(gone.rsvp)
    early = runner.invoke(args=["purge-attendees", "--now", "2016-08-18T00:00:00"])
    assert "0 answer(s) emptied" in early.output
    result = runner.invoke(args=["purge-attendees", "--now", "2016-08-19T12:00:00"])
    assert result.exit_code == 0, result.output
    assert "1 answer(s) emptied" in result.output
    assert "1 cancelled or unconfirmed" in result.output
    with app.app_context():
        (row,) = db.session.scalars(select(Rsvp)).all()
        assert (row.name, row.email, row.note, row.people) == (None, None, None, 2)
        assert db.session.get(Event, party.id).going == 2


def test_the_organizer_sees_the_list_downloads_it_and_closes_answers(app, client, party):
    with app.app_context():
        event = db.session.get(Event, party.id)
        asked = operations.request_rsvp(event, 0, "Ann", "ann@x.org", 2, "=HYPERLINK(1)")
        operations.confirm_rsvp(asked.rsvp)
        operations.request_rsvp(event, 0, "Never Confirmed", "nc@x.org", 1, None)
    edit = f"/edit/{party.edit_token}"
    page = client.get(edit).get_data(as_text=True)
    assert "Ann" in page
    assert "2 going" in page
    assert "Never Confirmed" not in page
    csv_answer = client.get(edit + "/attendees.csv")
    assert csv_answer.headers["Cache-Control"] == "no-store"
    lines = csv_answer.get_data(as_text=True).splitlines()
    assert lines[0] == "part,status,name,email,people,note,confirmed_at"
    assert lines[1].startswith(",going,Ann,ann@x.org,2,'=HYPERLINK(1),")
    assert client.get("/edit/wrong/attendees.csv").status_code == 404

    token = form_token(client, edit)
    closed = client.post(
        edit + "/rsvp", data={"csrf_token": token, "capacity": "40", "closed": "y"}
    )
    assert closed.status_code == 303
    assert "closed the answers" in client.get(PAGE).get_data(as_text=True)
    assert answer(client, email="late@x.org", csrf_token=token).status_code == 409
    with app.app_context():
        assert db.session.get(Event, party.id).rsvp_capacity == 40


def test_each_part_of_a_multi_part_party_has_its_own_answers(app, client, make_thailand):
    event = make_thailand(slug="thai")
    page = client.get("/openstack6bday/thai").get_data(as_text=True)
    assert "launch party" in page
    response = answer(client, "/openstack6bday/thai", position="1")
    assert response.status_code == 200
    assert answer(client, "/openstack6bday/thai", position="7").status_code == 422
    with app.app_context():
        assert db.session.scalar(select(Rsvp.position)) == 1
        assert db.session.get(Event, event.id).id == event.id


# Reminders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "at", "due_utc"),
    [
        # Los Angeles leaves daylight-saving time on 2026-11-01 at 02:00: the party at 18:00
        # PST is announced at 18:00 PDT the day before, 25 hours ahead.
        ("America/Los_Angeles", date(2026, 11, 1), time(18, 0), datetime(2026, 11, 1, 1, 0)),
        # ... and enters it on 2026-03-08: 23 hours ahead.
        ("America/Los_Angeles", date(2026, 3, 8), time(18, 0), datetime(2026, 3, 8, 2, 0)),
        # Tokyo keeps one offset all year.
        ("Asia/Tokyo", date(2026, 11, 1), time(18, 0), datetime(2026, 10, 31, 9, 0)),
    ],
)
def test_reminders_go_once_at_the_local_hour_a_day_before(
    app, runner, make_event, mail_server, zone, day, at, due_utc
):
    event = make_event(
        slug="tz",
        title="Zone party",
        timezone=zone,
        start_date=day,
        end_date=day,
        start_time=at,
        organizer_email="olga@example.org",
    )
    with app.app_context():
        event = db.session.get(Event, event.id)
        asked = operations.request_rsvp(event, 0, "Ann", "ann@x.org", 1, None)
        operations.confirm_rsvp(asked.rsvp)
        from eventmap.rsvps import occurrence_of

        assert reminder_due_at(occurrence_of(event, 0)) == due_utc.replace(tzinfo=UTC)
    before = (due_utc - timedelta(minutes=1)).isoformat()
    result = runner.invoke(args=["send-reminders", "--now", before])
    assert result.exit_code == 0, result.output
    assert mail_server.messages == []
    for minutes in (0, 10, 20):
        moment = (due_utc + timedelta(minutes=minutes)).isoformat()
        result = runner.invoke(args=["send-reminders", "--now", moment])
        assert result.exit_code == 0, result.output
    subjects = sorted(m["Subject"] for m in mail_server.messages)
    assert subjects == ["Tomorrow: “Zone party”", "Who is coming to “Zone party”"]
    reminder = next(m for m in mail_server.messages if m["Subject"].startswith("Tomorrow"))
    assert "One click cancels" in reminder.get_body(("plain",)).get_content()
    assert (
        "1 going"
        in next(m for m in mail_server.messages if m["Subject"].startswith("Who")).get_content()
    )


def test_a_failed_reminder_is_tried_again(app, runner, make_event):
    event = make_event(slug="tz", start_date=date(2026, 11, 1), end_date=date(2026, 11, 1))
    with app.app_context():
        asked = operations.request_rsvp(
            db.session.get(Event, event.id), 0, None, "a@x.org", 1, None
        )
        operations.confirm_rsvp(asked.rsvp)
    from tests.conftest import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=1)
    result = runner.invoke(args=["send-reminders", "--now", "2026-10-31T12:00:00"])
    assert "0 reminder(s) sent, 1 failed" in result.output
    with app.app_context():
        assert db.session.scalar(select(Rsvp.reminded_at)) is None


def test_links_that_are_not_ours_open_nothing(app, ctx, party):
    assert find_by_token("") is None
    assert find_by_token("x" * 500) is None
    assert find_by_token("1.abc") is None
    assert find_by_token("WzEsICJhYmMiXQ.forged") is None


# Concurrency -------------------------------------------------------------------------------

ANSWERS, CAPACITY = 200, 50


def test_200_answers_at_once_for_50_places_seat_exactly_50(app):
    """Everyone answers at once, then everyone confirms at once: 50 going, 150 waiting.

    The app here waits for a database connection (and SQLite for its write lock) as long as
    it takes, as a server whose threads queue requests would: what is checked is that the
    seats are counted right under real concurrency, not how small the pool is.
    """
    import http.cookiejar
    import threading
    import urllib.error
    import urllib.parse
    import urllib.request

    from eventmap import create_app
    from tests.helpers import TOKEN, store_event

    crowded = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 10, "max_overflow": 30, "pool_timeout": 600},
            "SQLITE_TIMEOUT": 600,
            "SECRET_KEY": "test",
            "MAIL_SERVER": "",
        }
    )
    store_event(crowded, slug="werk1", title="Werk1 party", rsvp_capacity=CAPACITY)
    limiter.enabled = False
    start = threading.Barrier(ANSWERS)

    def read(opener, url, fields=None):
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        try:
            with opener.open(url, data=data, timeout=600) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as answer_:
            with answer_:
                return answer_.code, ""

    def one(base: str, n: int) -> tuple[int, int]:
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects()
        )
        _code, page = read(opener, f"{base}{PAGE}")
        fields = {"csrf_token": TOKEN.search(page).group(1), "email": f"p{n}@example.org"}
        start.wait(timeout=120)
        asked, _page = read(opener, f"{base}{PAGE}/rsvp", fields)
        with crowded.app_context():
            rsvp = db.session.scalar(select(Rsvp).where(Rsvp.email == f"p{n}@example.org"))
            link = signed_link_token(rsvp) if rsvp is not None else "missing"
        _code, confirm_page = read(opener, f"{base}/rsvp/{link}/confirm")
        found = TOKEN.search(confirm_page)
        token = {"csrf_token": found.group(1) if found else ""}
        confirmed, _page = read(opener, f"{base}/rsvp/{link}/confirm", token)
        return asked, confirmed

    try:
        with _serving(crowded) as base, ThreadPoolExecutor(ANSWERS) as pool:
            codes = list(pool.map(lambda n: one(base, n), range(ANSWERS)))
    finally:
        limiter.enabled = True
    assert Counter(codes) == {(200, 303): ANSWERS}
    with crowded.app_context():
        statuses = Counter(db.session.scalars(select(Rsvp.status)))
        assert statuses == {RsvpStatus.GOING: CAPACITY, RsvpStatus.WAITLIST: ANSWERS - CAPACITY}
        assert db.session.scalar(select(Event)).going == CAPACITY
        db.session.remove()
        db.engine.dispose()


class _NoRedirects(__import__("urllib.request").request.HTTPRedirectHandler):
    """Let a 303 come back as it is."""

    def redirect_request(self, *args, **kwargs):
        return None


@contextmanager
def _serving(app):
    """Serve an app on a random port of 127.0.0.1 from a threaded werkzeug server."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def test_a_campaign_s_going_count_adds_the_busiest_part_of_each_public_party(app, make_event):
    from eventmap.listing import campaign_going
    from eventmap.models import EventStatus, RsvpTally

    one = make_event(title="One")
    two = make_event(title="Two", slug="two")
    hidden = make_event(title="Hidden", slug="hidden", status=EventStatus.PENDING)
    db.session.add_all(
        [
            RsvpTally(event_id=one.id, position=0, going=3),
            RsvpTally(event_id=two.id, position=1, going=4),
            RsvpTally(event_id=two.id, position=2, going=7),  # the busiest part counts
            RsvpTally(event_id=hidden.id, position=0, going=50),  # not public
        ]
    )
    db.session.commit()
    assert campaign_going(one.campaign) == 10
