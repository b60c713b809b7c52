"""An organizer's name, e-mail and edit token, and attendees' names, addresses, notes and links,
never reach a public page, feed, API or export; only the count of people going does."""

from __future__ import annotations

from datetime import time

import pytest

from eventmap import operations
from eventmap.extensions import db
from eventmap.models import Event, EventStatus
from eventmap.submissions import new_edit_token

NAME = "Zelda Organizerperson"
EMAIL = "zelda.private@example.org"
PENDING_EMAIL = "waiting.private@example.org"
ATTENDEE = "Adelheid Attendeeperson"
ATTENDEE_EMAIL = "adelheid.private@example.org"


@pytest.fixture
def secrets(make_event):
    """Store a public timed party and a pending one, both with organizer details."""
    _token, token_hash = new_edit_token()
    _other, other_hash = new_edit_token()
    make_event(
        slug="werk1",
        title="Werk1 party",
        venue="Werk1 hall",
        address="Atelierstraße 29",
        start_time=time(18, 30),
        end_time=time(22, 0),
        description="Cake *and* talks",
        organizer_name=NAME,
        organizer_email=EMAIL,
        edit_token_hash=token_hash,
        status_reason="looks fine",
    )
    public = db.session.scalar(db.select(Event).where(Event.slug == "werk1"))
    going = operations.request_rsvp(
        public, 0, ATTENDEE, ATTENDEE_EMAIL, 2, "Ring the bell twice, allergic to nuts"
    )
    operations.confirm_rsvp(going.rsvp)
    waiting = operations.request_rsvp(
        public, 0, "Una Unconfirmed", "una.private@example.org", 1, None
    )
    make_event(
        slug="waiting",
        title="Waiting party",
        organizer_name="Wanda Waiting",
        organizer_email=PENDING_EMAIL,
        edit_token_hash=other_hash,
        status=EventStatus.PENDING,
    )
    return [
        NAME,
        EMAIL,
        token_hash,
        "Wanda Waiting",
        PENDING_EMAIL,
        other_hash,
        ATTENDEE,
        ATTENDEE_EMAIL,
        "allergic to nuts",
        going.token,
        going.rsvp.token_hash,
        waiting.token,
        "Una Unconfirmed",
        "una.private@example.org",
    ]


PUBLIC_PATHS = [
    "/",
    "/openstack6bday/",
    "/openstack6bday/map",
    "/openstack6bday/werk1",
    "/openstack6bday/calendar?month=2016-07",
    "/openstack6bday/calendar/week?day=2016-07-19",
    "/openstack6bday/calendar/agenda",
    "/openstack6bday/near?q=Munich",
    "/openstack6bday/near?near=48.1,11.5",
    "/openstack6bday/calendar.ics",
    "/openstack6bday/werk1.ics",
    "/openstack6bday/feed.atom",
    "/api/events",
    "/api/events?campaign=openstack6bday",
    "/api/events?near=48.1,11.5",
    "/api/events?q=Munich",
    "/api/map-events",
    "/api/map-events?campaign=openstack6bday",
]


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_no_public_output_names_or_reaches_the_organizer(client, secrets, path):
    response = client.get(path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    if path != "/openstack6bday/map":  # the map page loads its events from the API
        assert "Werk1 party" in body  # the public event is really there
    if path == "/openstack6bday/werk1":
        assert "2 going" in body  # the count is public
    for secret in secrets:
        assert secret.casefold() not in body.casefold(), f"{path} shows {secret!r}"


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_exports_carry_no_organizer_contact_or_token(runner, secrets, fmt):
    result = runner.invoke(args=["export", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "Werk1 hall" in result.output  # the public details are exported
    assert "Waiting party" in result.output  # exports hold every status
    for secret in secrets:
        assert secret.casefold() not in result.output.casefold(), f"{fmt} export shows {secret!r}"


def test_the_api_gives_the_count_of_people_going_and_nothing_else(client, secrets):
    (feature,) = [
        f for f in client.get("/api/events").get_json()["features"] if f["properties"]["going"]
    ]
    assert feature["properties"]["going"] == 2
    assert not {"attendees", "rsvps", "names"} & set(feature["properties"])
