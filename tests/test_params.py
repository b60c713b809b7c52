"""Parameters read strictly, and no route of the app answers 5xx whatever it is sent."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import Rule

from eventmap import create_app, operations
from eventmap.extensions import db
from eventmap.geocoding import Precision
from eventmap.models import Campaign, Event, EventPart, EventStatus
from eventmap.submissions import hash_token
from eventmap.web.params import (
    MAX_ID,
    ParameterError,
    parse_day,
    parse_id,
    parse_int,
    parse_month,
)
from tests.helpers import PASSWORD
from tests.helpers import TOKEN as FORM_TOKEN

TOKEN = "a-private-edit-token-of-the-stored-pending-party"


@pytest.mark.parametrize("text", ["", "²", "١٢", "１０", " 5", "5 ", "+5", "-5", "5_0", "0", "101"])
def test_whole_numbers_are_ascii_digits_within_bounds(text):
    with pytest.raises(ParameterError, match="limit must be a whole number from 1 to 100"):
        parse_int(text, "limit", 1, 100)


def test_a_whole_number_within_bounds_is_read():
    assert parse_int("42", "limit", 1, 100) == 42
    assert parse_int("0042", "limit", 1, 100) == 42


def test_ids_beyond_the_database_integer_name_no_row():
    assert parse_id(str(MAX_ID), "event") == MAX_ID
    for text in (str(MAX_ID + 1), str(10**20), "9" * 5000):
        with pytest.raises(ParameterError) as caught:
            parse_id(text, "event")
        assert caught.value.status == 404
    with pytest.raises(ParameterError) as caught:
        parse_id("²", "event")
    assert caught.value.status == 400


def test_months_and_days_stay_within_the_calendar():
    assert parse_month("1900-01", "month") == date(1900, 1, 1)
    assert parse_month("9999-12", "month") == date(9999, 12, 1)
    assert parse_day("9999-12-31", "day") == date.max
    for text in ("0001-01", "1899-12", "0000-01", "2016-13", "2016-7", "２０１６-07"):
        with pytest.raises(ParameterError, match="is not a month like 2016-07"):
            parse_month(text, "month")
    for text in ("0001-01-01", "1899-12-31", "2016-02-30", "20160719", "2016-W29-2"):
        with pytest.raises(ParameterError, match="is not a date like 2016-07-19"):
            parse_day(text, "day")


def test_a_nul_in_the_address_is_a_400_not_a_database_error(client, make_event):
    make_event()
    for url in ("/openstack6bday%00/", "/openstack6bday/near?q=%00", "/api/events?campaign=%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "NUL" in response.get_data(as_text=True)


# Every route, hypothesis-made segments and values, anonymous and signed in: never a 5xx.

EXTREMES = [
    "",
    "0",
    "-1",
    "²",
    "١٢",
    "１０",
    str(2**31),
    str(2**63),
    str(10**20),
    "9" * 40,
    "0001-01",
    "9999-12",
    "0000-00",
    "0001-01-01",
    "9999-12-31",
    "1899-12-31",
    "December 30 9999 - January 2",
    "July 1 - August 15",
    "nan",
    "inf",
    "-inf",
    "1e400",
    "90,180",
    "-91,0",
    "\x00",
    "\u202e",
    "Munich",
    "openstack6bday",
    "undated",
    "party-1",
    "pin",
    "keep",
    "save",
    "yes",
    "approved",
    TOKEN,
    "x" * 1000,
]
# Percent-escapes that decode to something odd: NUL, bytes that are not UTF-8, an overlong "/".
RAW_ESCAPES = ["%00", "%FF", "%C0%AF", "%E2%80%AE", "%2F", "%25"]
# Every query parameter a view reads, with a value it accepts (the known ids are set later).
GOOD_QUERY = {
    "month": "2016-07",
    "day": "2016-07-19",
    "from": "2016-07-19",
    "page": "1",
    "event": "1",
    "limit": "10",
    "near": "48.1,11.5",
    "q": "Munich",
    "radius_km": "100",
    "campaign": "openstack6bday",
    "status": "approved",
    "label": "Munich",
    "next": "/admin/",
    "new": "1",
}
FORM_NAMES = [
    "campaign",
    "title",
    "location",
    "venue",
    "address",
    "date_text",
    "start_date",
    "end_date",
    "start_time",
    "end_time",
    "link",
    "description",
    "organizer_name",
    "organizer_email",
    "website",
    "choice",
    "pin_latitude",
    "pin_longitude",
    "previewed",
    "action",
    "reason",
    "username",
    "password",
    "confirm",
    "next",
]
# A form that passes every check, so that the one odd field is what the view meets.
GOOD_FORM = {
    "campaign": "openstack6bday",
    "title": "Party",
    "location": "Munich",
    "previewed": "Munich",
    "date_text": "July 19",
    "organizer_name": "Ada",
    "organizer_email": "ada@example.org",
    "choice": "0",
    "action": "save",
    "reason": "A reason",
    "username": "eve",
    "password": PASSWORD,
    "confirm": "yes",
}
text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30)
# Numbers and days at and past the ends, each its own branch so that every example is likely
# to carry some: huge ids and pages, digits that are not ASCII, the calendar's first and last.
ODD_NUMBERS = ["0", "-1", "²", "١٢", "１０", str(2**31), str(2**63), str(10**20)]
ODD_DAYS = ["0001-01", "9999-12", "0001-01-01", "9999-12-31", "0000-01-01"]
ODD_VALUES = ODD_NUMBERS + ODD_DAYS
values = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.sampled_from(EXTREMES),
    text,
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.dates().map(date.isoformat),
)
# A path segment: written out with its escapes, or one of the raw escapes.
segments = st.one_of(values.map(lambda v: quote(v, safe="")), st.sampled_from(RAW_ESCAPES))


def _routes() -> list[Rule]:
    """Return every rule of the app, in a stable order."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)


ROUTES = _routes()


def _store_parties(app: Any) -> dict[str, list[str]]:
    """Store parties worth hitting, stored dates at the calendar's ends included.

    Outside the `ctx` fixture: requests must not share one app context (and its `g`).
    """
    with app.app_context():
        campaign = Campaign(
            slug="openstack6bday",
            name="OpenStack turns 6",
            starts_on=date(2016, 7, 1),
            ends_on=date(2016, 8, 31),
            anniversary=date(2016, 7, 19),
        )
        undated = Campaign(slug="undated", name="Undated")
        place = {
            "location_text": "Munich",
            "latitude": 48.137,
            "longitude": 11.575,
            "precision": Precision.CITY,
            "country_code": "DE",
            "timezone": "Europe/Berlin",
            "status": EventStatus.APPROVED,
            "approved_at": datetime.now(UTC),
        }
        events = {
            slug: Event(campaign=campaign, slug=slug, title=slug, **place, **dates)
            for slug, dates in {
                "party-1": {"start_date": date(2016, 7, 19), "start_time": time(18, 30)},
                "last-day": {"start_date": date.max, "start_time": time(23, 0)},
                "first-day": {"start_date": date.min},
                "years": {"start_date": date.min, "end_date": date.max},
                "pending": {"start_date": date(2016, 7, 20)},
            }.items()
        }
        for event in events.values():
            event.end_date = event.end_date or event.start_date
        events["undated"] = Event(campaign=undated, slug="first", title="First", **place)
        events["undated"].start_date = events["undated"].end_date = date.min
        events["years"].parts.extend(
            [
                EventPart(position=0, label="first", start_date=date.min, end_date=date.min),
                EventPart(position=1, label="last", start_date=date.max, end_date=date.max),
            ]
        )
        events["pending"].status, events["pending"].approved_at = EventStatus.PENDING, None
        events["pending"].organizer_email = "ada@example.org"
        events["pending"].edit_token_hash = hash_token(TOKEN)
        db.session.add_all(events.values())
        db.session.commit()
        operations.create_admin("eve", PASSWORD)
        return {
            "campaign_slug": ["openstack6bday", "undated"],
            "event_slug": list(events),
            "event_id": [str(event.id) for event in events.values()],
            "token": [TOKEN],
            "name": ["leaflet", "world-atlas"],
            "filename": ["leaflet.js", "leaflet.css", "../../../etc/passwd"],
        }


def _path(rule: Rule, known: dict[str, list[str]], draw: Any) -> str:
    """Fill the rule's variables with stored values or hypothesis-made ones."""
    path = rule.rule
    for converter, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
        choices = [quote(value, safe="") for value in known.get(name, [])]
        made = segments
        if converter == "id":
            made = st.one_of(
                st.integers(min_value=0, max_value=10**30).map(str), st.sampled_from(EXTREMES)
            ).map(lambda v: quote(v, safe=""))
        elif converter == "path":
            made = st.lists(segments, min_size=1, max_size=3).map("/".join)
        value = draw(st.sampled_from(choices) | made if choices else made)
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?" + name + ">", lambda _m, v=value: v, path)
    return path


class _RecordingArgs(ImmutableMultiDict):
    """Query arguments that note which names the views ask for."""

    asked: ClassVar[set[str]] = set()

    def get(self, key: str, default: Any = None, type: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default, type)

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return super().__contains__(key)

    def __getitem__(self, key: str) -> Any:
        self.asked.add(key)
        return super().__getitem__(key)


def _names_read(app: Any, clients: list[Any], paths: list[str], methods: list[str]) -> list[str]:
    """Return the query parameters the route's view reads, seen by asking it once each way."""
    app.request_class = type("RecordingRequest", (app.request_class,), {})
    app.request_class.parameter_storage_class = _RecordingArgs
    _RecordingArgs.asked = set()
    for client in clients:
        for path in paths:
            for method in methods:
                client.open(path, method=method, query_string=GOOD_QUERY).close()
    return sorted(_RecordingArgs.asked & set(GOOD_QUERY)) or sorted(GOOD_QUERY)


def _first_path(rule: Rule, known: dict[str, list[str]]) -> str:
    """Fill the rule's variables with the first stored value of each."""
    path = rule.rule
    for name in re.findall(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", rule.rule):
        value = quote(known.get(name, ["x"])[0], safe="")
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?" + name + ">", lambda _m, v=value: v, path)
    return path


def _token(client: Any, url: str) -> str:
    """Return the CSRF token of the form a page carries, for this client's session."""
    page = client.get(url).get_data(as_text=True)
    return FORM_TOKEN.search(page).group(1)


def _sign_in(client: Any) -> str:
    """Sign the moderator's client in (unless it still is); return a CSRF token for it."""
    if client.get("/admin/login").status_code == 200:
        token = _token(client, "/admin/login")
        response = client.post(
            "/admin/login", data={"username": "eve", "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    return _token(client, "/admin/")


# CSRF stays on: half the posts carry the session's valid token and so reach the view. (The
# forms of /submit and /edit check the token themselves, and need it switched on to exist.)
@pytest.mark.parametrize("rule", ROUTES, ids=lambda rule: rule.rule)
def test_no_route_answers_5xx_whatever_it_is_sent(app, rule):
    app.config.update(LOGIN_RATE_LIMIT="100000 per second", SUBMIT_RATE_LIMIT="100000 per second")
    known = _store_parties(app)
    anonymous, moderator = app.test_client(), app.test_client()
    tokens = {False: _token(anonymous, "/submit"), True: _sign_in(moderator)}
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    good = {**GOOD_QUERY, "event": known["event_id"][0]}
    names = _names_read(app, [anonymous, moderator], [_first_path(rule, known)], methods)

    # Every parameter the view reads, at each odd number and day, signed in: a sweep, not luck.
    for name in names:
        for value in ODD_VALUES:
            for method in methods:
                response = moderator.open(
                    _first_path(rule, known), method=method, query_string={name: value}
                )
                response.close()
                assert response.status_code < 500, (method, rule.rule, name, value)
        if rule.endpoint == "admin.logout":
            tokens[True] = _sign_in(moderator)
    # Every form field with a NUL in it, which PostgreSQL refuses to store or compare.
    if "POST" in methods:
        for name, signed_in in itertools.product(FORM_NAMES, (False, True)):
            with app.app_context():  # pending again, so that approve and reject both act
                db.session.get(Event, int(known["event_id"][0])).status = EventStatus.PENDING
                db.session.commit()
            client = moderator if signed_in else app.test_client()  # a stranger each time
            token = tokens[True] if signed_in else _token(client, "/submit")
            fields = {**GOOD_FORM, name: "a\x00b", "csrf_token": token}
            response = client.post(_first_path(rule, known), data=fields)
            assert response.status_code < 500, (rule.rule, name, signed_in)
            tokens[True] = _sign_in(moderator)

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        data=st.data(),
        signed_in=st.booleans(),
        method=st.sampled_from(methods),
        form=st.dictionaries(st.sampled_from(FORM_NAMES), values, max_size=8),
        with_token=st.booleans(),
    )
    def check(data, signed_in, method, form, with_token):
        client = moderator if signed_in else anonymous
        path = _path(rule, known, data.draw)
        assume(not path.startswith("//"))  # the test client would read it as a host name
        # One parameter the view reads gets a made-up value; a few others, good or made up.
        others = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=3))
        query = {name: data.draw(st.just(good[name]) | values) for name in others}
        query[data.draw(st.sampled_from(names))] = data.draw(values)
        if with_token:
            form = {**form, "csrf_token": tokens[signed_in]}
        response = client.open(
            path,
            method=method,
            query_string=query,
            data=form if method == "POST" else None,
        )
        response.close()  # a served file stays open until then
        assert response.status_code < 500, (method, path, query, form, response.status_code)
        if signed_in and rule.endpoint == "admin.logout":
            tokens[True] = _sign_in(moderator)

    check()
