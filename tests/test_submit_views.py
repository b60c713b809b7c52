"""Organizers submit, preview, save, edit and withdraw; bad input is refused with a message."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, time

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from eventmap.extensions import db
from eventmap.geocoding import Place, Precision
from eventmap.models import AuditEntry, Event, EventStatus
from eventmap.submissions import hash_token
from tests.helpers import TOKEN, event_form_data, saved_form_data


def count_events() -> int:
    return db.session.scalar(select(func.count(Event.id)))


@pytest.fixture
def campaign(make_campaign):
    return make_campaign()


@pytest.fixture
def post(client, csrf_token, campaign):
    """Post the submission form with sensible values; override any field."""

    def send(url: str = "/submit", **fields):
        data = event_form_data(**{"csrf_token": csrf_token("/submit"), **fields})
        return client.post(url, data=data)

    return send


def saved_token(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    found = re.search(r"/edit/([^?]+)", response.headers["Location"])
    assert found
    return found.group(1)


def test_the_form_has_a_token_a_hidden_honeypot_and_labelled_fields(client, campaign):
    page = client.get("/submit?campaign=openstack6bday").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    assert '<div class="hp" aria-hidden="true">' in page
    assert 'tabindex="-1"' in page
    for name in ("title", "location", "date_text", "organizer_email"):
        assert f'<label for="{name}">' in page
    assert '<option selected value="openstack6bday">' in page


def test_preview_shows_where_the_place_landed_and_stores_nothing(post, ctx):
    response = post()
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Munich (fake)" in page
    assert "in or near the city" in page
    assert 'value="save"' in page
    assert 'name="previewed" type="hidden" value="Munich"' in page
    assert "data-options='[{" in page
    assert count_events() == 0


def test_saving_after_the_preview_stores_a_pending_event_with_a_private_link(post, client, ctx):
    response = post(action="save", previewed="Munich", choice="0")
    token = saved_token(response)
    event = db.session.scalar(select(Event))
    assert event.status == EventStatus.PENDING
    assert (event.title, event.venue, event.location_text) == (
        "OpenStack Munich turns 6",
        "Werksviertel",
        "Munich",
    )
    assert (event.start_date, event.end_date) == (date(2016, 7, 19), date(2016, 7, 19))
    assert (event.start_time, event.end_time) == (time(18, 30), time(22, 0))
    assert (event.latitude, event.longitude, event.precision) == (48.137, 11.575, Precision.CITY)
    assert event.geocode_source == "geocoder"
    assert event.geocode_confidence == 1.0  # the queue shows how sure the geocoder was
    assert event.edit_token_hash == hash_token(token)
    assert event.organizer_email == "ada@example.org"
    page = client.get(f"/edit/{token}?new=1")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "waiting for a moderator" in text
    assert f"/edit/{token}" in text
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    # Not public until a moderator approves it.
    assert client.get(f"/openstack6bday/{event.slug}").status_code == 404
    assert client.get("/api/events").get_json()["features"] == []


def test_save_without_seeing_the_preview_shows_it_first(post, ctx):
    response = post(action="save")
    assert response.status_code == 200
    assert "Is this where it is?" in response.get_data(as_text=True)
    assert count_events() == 0


def test_changing_the_place_after_the_preview_asks_again(post, geocoder, ctx):
    response = post(action="save", previewed="Munich", location="Paris, France", choice="0")
    assert response.status_code == 200
    assert "Paris, France (fake)" in response.get_data(as_text=True)
    assert count_events() == 0


def test_an_ambiguous_place_offers_its_candidates_and_the_choice_is_stored(post, geocoder, ctx):
    portland_or = Place(
        "Portland",
        45.52,
        -122.68,
        Precision.CITY,
        "US",
        "Oregon",
        "Portland, Oregon",
        0.5,
        "America/Los_Angeles",
    )
    portland_me = Place(
        "Portland",
        43.66,
        -70.26,
        Precision.CITY,
        "US",
        "Maine",
        "Portland, Maine",
        0.5,
        "America/New_York",
    )
    geocoder.places["Portland"] = Place(
        **{**portland_or.__dict__, "ambiguous": True, "candidates": (portland_me,)}
    )
    page = post(location="Portland").get_data(as_text=True)
    assert "Portland, Oregon" in page
    assert "Portland, Maine" in page
    assert 'name="choice" type="radio" value="1"' in page
    saved_token(post(location="Portland", previewed="Portland", choice="1", action="save"))
    event = db.session.scalar(select(Event))
    assert (event.latitude, event.longitude, event.region) == (43.66, -70.26, "Maine")
    assert event.timezone == "America/New_York"


def test_a_pin_of_ones_own_is_stored_as_a_manual_venue_point(post, ctx):
    response = post(
        action="save",
        previewed="Munich",
        choice="pin",
        pin_latitude="48.1351",
        pin_longitude="11.582",
    )
    saved_token(response)
    event = db.session.scalar(select(Event))
    assert (event.latitude, event.longitude) == (48.1351, 11.582)
    assert (event.precision, event.geocode_source) == (Precision.VENUE, "manual")
    assert event.country_code == "DE"
    assert event.timezone == "Europe/Berlin"


def test_an_unknown_place_says_so_and_offers_the_pin(post, ctx):
    response = post(location="Nowhere at all")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "We could not find “Nowhere at all”" in page
    assert count_events() == 0
    saved_token(
        post(
            location="Nowhere at all",
            previewed="Nowhere at all",
            choice="pin",
            pin_latitude="-33.87",
            pin_longitude="151.21",
            action="save",
        )
    )
    assert db.session.scalar(select(Event.country_code)) == "AU"


def test_a_pin_choice_without_coordinates_is_refused(post, ctx):
    response = post(action="save", previewed="Munich", choice="pin", pin_latitude="91")
    assert response.status_code == 422
    assert "latitude (−90 to 90)" in response.get_data(as_text=True)
    assert count_events() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Give your party a name."),
        ({"title": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"title": "Party\r\nBcc: victim@example.org"}, "Please keep this on one line."),
        ({"location": "Munich\x00"}, "invisible control character"),
        ({"date_text": "February 30"}, "February 30"),
        (
            {"date_text": "", "start_date": "2016-07-20", "end_date": "2016-07-19"},
            "The last day is before the first day.",
        ),
        ({"date_text": "", "start_date": "2016-02-30"}, "Not a real day"),
        ({"date_text": ""}, "write “TBD”"),
        ({"start_time": "25:00"}, "Write the time as HH:MM"),
        ({"start_time": "20:00", "end_time": "19:00"}, "Ends before it starts."),
        ({"start_time": "", "end_time": "19:00"}, "Give the start time too."),
        ({"date_text": "TBD"}, "Times need a date"),
        ({"link": "javascript:alert(1)"}, "starting with https://"),
        ({"link": "data:text/html,<script>alert(1)</script>"}, "starting with https://"),
        ({"organizer_email": "not-an-address"}, "does not look like an e-mail address"),
        ({"organizer_email": ""}, "We need an address to reach you."),
        ({"campaign": "nope"}, "Not a valid choice"),
        ({"description": "x" * 10_001}, "Field cannot be longer than 10000 characters."),
    ],
)
def test_bad_fields_are_refused_beside_the_field_keeping_what_was_typed(post, fields, message, ctx):
    response = post(action="save", previewed="Munich", choice="0", **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:500]
    assert message in page
    assert 'aria-invalid="true"' in page
    assert 'value="OpenStack Munich turns 6"' in page or "title" in fields
    assert count_events() == 0


@pytest.mark.parametrize(
    ("fields", "label", "message"),
    [
        ({"date_text": "9999-12-31"}, "Date", "more than 5 years after the campaign (2016)"),
        ({"date_text": "December 31, 9999"}, "Date", "the last day possible is 2021-12-31"),
        ({"date_text": "December 30 9999 - January 2"}, "Date", "after the last day of year"),
        ({"date_text": "July 1 1899"}, "Date", "1899-07-01 is before 1900"),
        ({"date_text": "July 1 - August 15"}, "Date", "a party lasts at most 31 days"),
        ({"date_text": "July 1; August 1"}, "Date", "at most 31 days, parts included"),
        (
            {"date_text": "", "start_date": "0001-01-01", "end_date": "0001-01-01"},
            "First day",
            "0001-01-01 is before 1900",
        ),
        (
            {"date_text": "", "start_date": "9999-12-31", "end_date": ""},
            "Last day",
            "more than 5 years after the campaign",
        ),
        (
            {"date_text": "", "start_date": "2016-07-01", "end_date": "2016-09-01"},
            "Last day",
            "this one runs 63 days",
        ),
    ],
)
def test_days_outside_the_window_are_refused_naming_the_field(post, fields, label, message, ctx):
    response = post(action="save", previewed="Munich", choice="0", **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:500]
    assert message in page
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)
    assert f"{label}: " in summary
    assert message in summary
    assert count_events() == 0


def test_a_date_phrase_and_picked_days_that_disagree_are_refused(post, ctx):
    response = post(date_text="July 19", start_date="2016-07-20")
    assert response.status_code == 422
    assert "Does not match the date written above" in response.get_data(as_text=True)


def test_picked_days_alone_are_written_as_a_phrase(post, ctx):
    saved_token(
        post(
            action="save",
            previewed="Munich",
            choice="0",
            date_text="",
            start_date="2016-07-27",
            end_date="2016-07-29",
            start_time="",
            end_time="",
        )
    )
    event = db.session.scalar(select(Event))
    assert (event.start_date, event.end_date) == (date(2016, 7, 27), date(2016, 7, 29))
    assert event.date_text


@pytest.mark.parametrize(
    ("phrase", "parts"),
    [
        ("del 6 al 7 de julio", [(None, date(2016, 7, 6), date(2016, 7, 7))]),
        (
            "7月6日(水)～7日(木); 7月8日(ワークショップ)",
            [
                (None, date(2016, 7, 6), date(2016, 7, 7)),
                ("ワークショップ", date(2016, 7, 8), date(2016, 7, 8)),
            ],
        ),
    ],
)
def test_a_date_phrase_in_spanish_or_japanese_is_saved_as_written_and_shown_again(
    post, client, phrase, parts, ctx
):
    token = saved_token(post(action="save", previewed="Munich", choice="0", date_text=phrase))
    event = db.session.scalar(select(Event))
    assert event.date_text == phrase
    assert (event.start_date, event.end_date) == (parts[0][1], parts[-1][2])
    stored = [(p.label, p.start_date, p.end_date) for p in event.parts]
    assert stored == (parts if len(parts) > 1 else [])
    page = client.get(f"/edit/{token}").get_data(as_text=True)
    assert f'value="{escape(phrase)}"' in page


@pytest.mark.parametrize("phrase", ["31 de junio", "7月32日", "28 julio - 2 August"])
def test_an_unreadable_phrase_in_another_language_is_refused_quoting_it(post, phrase, ctx):
    response = post(action="save", previewed="Munich", choice="0", date_text=phrase)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert str(escape(f'could not read the date "{phrase}"')) in page
    assert count_events() == 0


def test_missing_or_wrong_csrf_token_is_a_400_and_stores_nothing(client, post, ctx):
    assert post(csrf_token=None, action="save", previewed="Munich").status_code == 400
    response = post(csrf_token="forged", action="save", previewed="Munich")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "nothing was saved yet" in page
    assert 'value="OpenStack Munich turns 6"' in page  # what was typed is kept
    assert 'name="csrf_token" type="hidden" value="' in page  # with a fresh token
    assert count_events() == 0


def test_a_filled_honeypot_stores_nothing(post, ctx):
    response = post(website="http://spam.example", action="save", previewed="Munich", choice="0")
    assert response.status_code == 200
    assert "Thank you" in response.get_data(as_text=True)
    assert count_events() == 0


def test_submissions_over_the_rate_limit_get_429(app, post, ctx):
    app.config["SUBMIT_RATE_LIMIT"] = "2 per minute"
    assert post().status_code == 200
    assert post().status_code == 200
    response = post()
    assert response.status_code == 429
    assert count_events() == 0


def test_a_huge_body_is_refused_with_413(client, csrf_token, campaign):
    response = client.post(
        "/submit",
        data={"csrf_token": csrf_token("/submit"), "description": "x" * 1_100_000},
    )
    assert response.status_code == 413


def test_invalid_utf8_is_never_a_500(client, csrf_token, campaign, ctx):
    token = csrf_token("/submit")
    body = b"csrf_token=" + token.encode() + b"&title=%FF%FE%C3%28&location=Munich&action=preview"
    response = client.post("/submit", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (200, 422)
    assert count_events() == 0


HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "</script><script>alert(1)</script>",
    "{{ 7*7 }}",
    '=HYPERLINK("http://evil.example")',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_in_every_field_is_stored_as_text_or_refused(post, client, text, ctx):
    fields = ("title", "venue", "address", "description", "organizer_name")
    response = post(action="save", previewed="Munich", choice="0", **dict.fromkeys(fields, text))
    assert response.status_code in (303, 422), response.status_code
    if response.status_code == 303:
        event = db.session.scalar(select(Event))
        assert event.title == text
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "<script>alert(1)" not in page
        assert "<img src=x" not in page
        assert str(escape(text)) in page  # shown, as text
    for field in ("link", "organizer_email", "date_text"):
        refused = post(action="save", previewed="Munich", choice="0", **{field: text})
        assert refused.status_code == 422
        assert "<script>alert(1)" not in refused.get_data(as_text=True)


def test_the_organizer_edits_by_link_and_a_public_event_goes_back_to_review(
    post, client, csrf_token, ctx
):
    token = saved_token(post(action="save", previewed="Munich", choice="0"))
    event = db.session.scalar(select(Event))
    from eventmap import operations

    operations.approve_event(event, actor="admin:eve")
    page = client.get(f"/edit/{token}").get_data(as_text=True)
    assert "on the map" in page
    assert 'value="OpenStack Munich turns 6"' in page
    assert 'name="previewed" type="hidden" value="Munich"' in page
    response = client.post(
        f"/edit/{token}",
        data=saved_form_data(
            csrf_token=csrf_token(f"/edit/{token}"),
            title="OpenStack Munich turns 6 (new venue)",
            choice="keep",
        ),
    )
    assert response.status_code == 303
    db.session.refresh(event)
    assert event.title == "OpenStack Munich turns 6 (new venue)"
    assert event.status == EventStatus.PENDING
    assert (event.latitude, event.longitude) == (48.137, 11.575)
    assert "A moderator will check your changes" in client.get(f"/edit/{token}").get_data(
        as_text=True
    )
    actions = [e.action for e in db.session.scalars(AuditEntry.newest(event))]
    assert actions == ["edited", "approved", "submitted"]


def test_the_organizer_withdraws_only_when_confirming(post, client, csrf_token, ctx):
    token = saved_token(post(action="save", previewed="Munich", choice="0"))
    event = db.session.scalar(select(Event))
    url = f"/edit/{token}/withdraw"
    client.post(url, data={"csrf_token": csrf_token(f"/edit/{token}")})
    db.session.refresh(event)
    assert event.status == EventStatus.PENDING
    client.post(url, data={"csrf_token": csrf_token(f"/edit/{token}"), "confirm": "yes"})
    db.session.refresh(event)
    assert event.status == EventStatus.WITHDRAWN
    page = client.get(f"/edit/{token}").get_data(as_text=True)
    assert "You took it off the map." in page
    assert 'name="title"' not in page


def test_a_wrong_edit_link_is_a_404(client, campaign):
    assert client.get("/edit/not-a-real-token").status_code == 404
    assert client.get("/edit/" + "x" * 300).status_code == 404


def test_edit_and_withdraw_without_a_token_change_nothing(post, client, ctx):
    token = saved_token(post(action="save", previewed="Munich", choice="0"))
    event = db.session.scalar(select(Event))
    edit = client.post(f"/edit/{token}", data={"title": "Defaced", "action": "save"})
    assert edit.status_code == 400
    withdraw = client.post(f"/edit/{token}/withdraw", data={"confirm": "yes"})
    assert withdraw.status_code == 400
    db.session.refresh(event)
    assert (event.title, event.status) == ("OpenStack Munich turns 6", EventStatus.PENDING)


def test_an_edit_that_keeps_the_place_saves_in_one_step(post, client, csrf_token, ctx):
    token = saved_token(post(action="save", previewed="Munich", choice="0"))
    page = client.get(f"/edit/{token}").get_data(as_text=True)
    assert 'name="action" value="save" class="primary">Save changes' in page
    response = client.post(
        f"/edit/{token}",
        data=saved_form_data(csrf_token=csrf_token(f"/edit/{token}"), title="Renamed"),
    )
    assert response.status_code == 303
    assert db.session.scalar(select(Event.title)) == "Renamed"


def test_the_private_link_is_mailed_when_a_mail_server_is_configured(
    post, client, mail_server, ctx
):
    token = saved_token(post(action="save", previewed="Munich", choice="0"))
    (message,) = mail_server.messages
    assert message["To"] == "Ada <ada@example.org>"
    assert f"http://127.0.0.1:5000/edit/{token}" in message.get_content().splitlines()
    page = client.get(f"/edit/{token}").get_data(as_text=True)
    assert "We sent this page&#39;s private link to ada@example.org" in page


def test_moving_a_party_into_a_campaign_that_has_its_slug_is_a_form_error(
    post, client, csrf_token, make_campaign, make_event, ctx
):
    token = saved_token(post(action="save", previewed="Munich", choice="0"))
    event = db.session.scalar(select(Event))
    assert event.slug == "munich"
    other = make_campaign(slug="openstack7bday", name="OpenStack turns 7", hashtag="x")
    make_event(campaign=other, slug="munich", title="The other Munich party")
    response = client.post(
        f"/edit/{token}",
        data=saved_form_data(
            csrf_token=csrf_token(f"/edit/{token}"),
            campaign="openstack7bday",
            title="Typed before the move",
            choice="keep",
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:2000]
    error = re.search(r'<p class="error" id="campaign-error">([^<]*)</p>', page)
    assert error, page[:3000]
    assert "OpenStack turns 7" in error.group(1)
    assert 'value="Typed before the move"' in page
    assert '<option selected value="openstack7bday">' in page
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.campaign.slug, event.slug, event.title) == (
        "openstack6bday",
        "munich",
        "OpenStack Munich turns 6",
    )
    assert [e.action for e in db.session.scalars(AuditEntry.newest(event))] == ["submitted"]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Let a 303 come back as it is, so that a test sees that the submission was saved."""

    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def live_server(app):
    """Serve the app on a random port of 127.0.0.1 from a threaded werkzeug server."""
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


SUBMITTERS = 40


def test_organizers_submitting_one_place_at_once_all_get_their_party_saved(
    app, campaign, live_server, ctx
):
    app.config["SUBMIT_RATE_LIMIT"] = "1000 per minute"  # every organizer here is 127.0.0.1
    start = threading.Barrier(SUBMITTERS)

    def submit(n: int) -> int:
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects()
        )
        form = browser.open(f"{live_server}/submit", timeout=60).read().decode()
        token = TOKEN.search(form).group(1)
        body = urllib.parse.urlencode(
            {
                "csrf_token": token,
                "campaign": "openstack6bday",
                "title": f"Party {n}",
                "location": "Munich",
                "previewed": "Munich",
                "choice": "0",
                "date_text": "July 19",
                "organizer_name": "Ada",
                "organizer_email": f"ada{n}@example.org",
                "action": "save",
            }
        ).encode()
        start.wait(timeout=60)  # everyone sends at the same moment
        try:
            return browser.open(f"{live_server}/submit", data=body, timeout=120).status
        except urllib.error.HTTPError as answer:
            return answer.code

    with ThreadPoolExecutor(SUBMITTERS) as pool:
        codes = list(pool.map(submit, range(SUBMITTERS)))
    assert Counter(codes) == {303: SUBMITTERS}
    db.session.expire_all()
    rows = db.session.execute(select(Event.title, Event.slug)).all()
    assert sorted(title for title, _ in rows) == sorted(f"Party {n}" for n in range(SUBMITTERS))
    assert len({slug for _, slug in rows}) == SUBMITTERS


def submit_through(client, base_url: str):
    """Load the form and send a whole submission as a browser would on another address."""
    page = client.get("/submit", base_url=base_url).get_data(as_text=True)
    found = TOKEN.search(page)
    data = {
        "csrf_token": found.group(1) if found else "",
        "campaign": "openstack6bday",
        "title": "OpenStack Munich turns 6",
        "location": "Munich",
        "previewed": "Munich",
        "choice": "0",
        "date_text": "July 19",
        "organizer_name": "Ada",
        "organizer_email": "ada@example.org",
        "action": "save",
    }
    return client.post("/submit", data=data, base_url=base_url)


def test_a_submission_for_another_host_is_refused_and_mails_nothing(
    client, campaign, mail_server, ctx
):
    response = submit_through(client, "http://evil.example")

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "does not answer to the address evil.example" in page
    assert "http://127.0.0.1:5000/" in page  # where the site really is
    assert count_events() == 0
    assert mail_server.envelopes == []


def test_on_another_trusted_host_the_mailed_link_is_on_the_public_url(
    app, client, campaign, mail_server, ctx
):
    app.config["PUBLIC_URL"] = "https://parties.example.org"
    app.config["TRUSTED_HOSTS"] = ["parties.example.org", "mirror.example"]

    token = saved_token(submit_through(client, "http://mirror.example"))

    (message,) = mail_server.messages
    assert f"https://parties.example.org/edit/{token}" in message.get_content().splitlines()
    assert "mirror.example" not in message.get_content()
    page = client.get(f"/edit/{token}", base_url="http://mirror.example").get_data(as_text=True)
    assert f'value="https://parties.example.org/edit/{token}"' in page  # the link to keep


def test_the_preview_asks_the_organizer_to_check_an_unsure_answer(post, geocoder, ctx):
    geocoder.add("Gothenberg", 57.71, 11.97, Precision.CITY, "SE", "Västra Götaland")
    unsure = geocoder.places["Gothenberg"]
    geocoder.places["Gothenberg"] = Place(**{**unsure.__dict__, "confidence": 0.6})
    page = post(location="Gothenberg").get_data(as_text=True)
    assert "Please check it: we are not sure we read “Gothenberg” right." in page
    sure = post(location="Munich").get_data(as_text=True)
    assert "Please check it" not in sure
