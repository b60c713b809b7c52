"""Subscribe to my area: the iCalendar and Atom feeds of the parties around a point or place."""

from __future__ import annotations

import icalendar
import pytest


@pytest.fixture
def parties(make_event):
    return {
        "munich": make_event(title="Munich party", latitude=48.137, longitude=11.575),
        "augsburg": make_event(title="Augsburg party", latitude=48.371, longitude=10.898),
        "tokyo": make_event(title="Tokyo party", latitude=35.68, longitude=139.69),
    }


def summaries(body: bytes) -> list[str]:
    return sorted(str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT"))


def test_the_calendar_of_an_area_holds_only_its_parties(client, parties):
    near = client.get("/openstack6bday/calendar.ics?near=48.14,11.58&radius_km=100")
    assert near.status_code == 200
    assert summaries(near.data) == ["Augsburg party", "Munich party"]
    assert "within 100 km of 48.14000, 11.58000" in near.get_data(as_text=True)
    close = client.get("/openstack6bday/calendar.ics?near=48.14,11.58&radius_km=10")
    assert summaries(close.data) == ["Munich party"]
    nowhere = client.get("/openstack6bday/calendar.ics?near=0,0&radius_km=10")
    assert summaries(nowhere.data) == []
    everything = client.get("/openstack6bday/calendar.ics")
    assert summaries(everything.data) == ["Augsburg party", "Munich party", "Tokyo party"]


def test_an_area_can_be_a_place_name(client, parties, geocoder):
    response = client.get("/openstack6bday/calendar.ics?q=Munich&radius_km=50")
    assert response.status_code == 200
    assert summaries(response.data) == ["Munich party"]
    assert client.get("/openstack6bday/calendar.ics?q=Nowhereville").status_code == 404


def test_the_atom_feed_of_an_area(client, parties):
    feed = client.get("/openstack6bday/feed.atom?near=35.6,139.7").get_data(as_text=True)
    assert "Tokyo party" in feed
    assert "Munich party" not in feed


@pytest.mark.parametrize(
    "query",
    [
        "near=91,0",
        "near=abc",
        "near=48,11&q=Munich",
        "near=48,11&radius_km=0",
        "near=48,11&radius_km=-5",
        "near=48,11&radius_km=nan",
        "near=48,11&radius_km=99999",
        "q=" + "x" * 301,
    ],
)
@pytest.mark.parametrize("feed", ["calendar.ics", "feed.atom"])
def test_bad_areas_are_400s_that_say_what(client, parties, query, feed):
    response = client.get(f"/openstack6bday/{feed}?{query}")
    assert response.status_code == 400, response.status_code
    assert response.get_data(as_text=True)


def test_the_near_page_offers_the_feeds_of_its_area(client, parties):
    html = client.get("/openstack6bday/near?near=48.14,11.58&radius_km=50").get_data(as_text=True)
    assert "Keep up with parties around here" in html
    assert "webcal://" in html
    assert "calendar.ics?near=48.14000,11.58000&amp;radius_km=50" in html
    assert "feed.atom?near=48.14000,11.58000&amp;radius_km=50" in html
