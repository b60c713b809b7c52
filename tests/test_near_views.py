"""The near page: a place or a position in, the nearest parties out, in km or miles."""

from __future__ import annotations

import re

import pytest

from eventmap.geocoding import Precision
from eventmap.web.units import distance_text, prefers_miles


def titles(html: str) -> list[str]:
    return re.findall(r'class="event-title" href="[^"]+"[^>]*>([^<]+)</a>', html)


def test_a_place_gives_the_nearest_parties_with_distance_and_date(client, make_event):
    make_event(title="Munich party", latitude=48.137, longitude=11.575)
    make_event(title="Paris party", latitude=48.857, longitude=2.352)
    make_event(title="Brazil party", latitude=-23.55, longitude=-46.63, precision=Precision.COUNTRY)
    page = client.get("/openstack6bday/near?q=Munich").get_data(as_text=True)
    assert titles(page) == ["Munich party", "Paris party", "Brazil party"]
    assert "0.1 km" in page or "0.0 km" in page
    assert "Tue 19 July 2016" in page
    assert "approximate: somewhere in the country" in page
    assert 'data-focus="' in page  # the map zooms to the answers


def test_miles_for_visitors_who_read_them(client, make_event):
    make_event(title="Paris party", latitude=48.857, longitude=2.352)
    page = client.get(
        "/openstack6bday/near?q=Munich", headers={"Accept-Language": "en-US,en;q=0.8"}
    ).get_data(as_text=True)
    assert re.search(r"42\d mi \(68\d km\)", page)


def test_an_ambiguous_place_offers_its_choices_first(client, make_event, geocoder):
    from dataclasses import replace

    make_event()
    georgia = geocoder.places["Munich"]
    us = replace(georgia, latitude=32.6, longitude=-83.4, display_name="Georgia, United States")
    geocoder.places["Georgia"] = replace(
        georgia, display_name="Georgia", ambiguous=True, candidates=(us,)
    )
    page = client.get("/openstack6bday/near?q=Georgia").get_data(as_text=True)
    assert "Which “Georgia” did you mean?" in page
    assert page.index("Which “Georgia”") < page.index("Nearest parties")
    assert "near=32.60000,-83.40000&amp;label=Georgia,+United+States" in page


def test_nothing_within_the_radius_says_so(client, make_event):
    make_event(title="Munich party", latitude=48.137, longitude=11.575)
    page = client.get("/openstack6bday/near?near=52.52,13.40&radius_km=50").get_data(as_text=True)
    assert "No party within 50 km; the nearest are" in page
    assert titles(page) == ["Munich party"]


def test_show_more_and_an_unknown_place(client, make_event):
    for n in range(12):
        make_event(title=f"Party {n:02}", latitude=48 + n / 10, longitude=11.5)
    page = client.get("/openstack6bday/near?q=Munich").get_data(as_text=True)
    assert len(titles(page)) == 10
    assert "limit=20" in page
    more = client.get("/openstack6bday/near?q=Munich&limit=20").get_data(as_text=True)
    assert len(titles(more)) == 12
    missing = client.get("/openstack6bday/near?q=Atlantis").get_data(as_text=True)
    assert "We could not find “Atlantis”" in missing


@pytest.mark.parametrize(
    "query",
    ["near=95,1", "near=a,b", "radius_km=-1&q=x", "limit=0&q=x", "limit=²&q=x", "limit=１０&q=x"],
)
def test_bad_parameters_are_a_400(client, make_event, query):
    make_event()
    response = client.get(f"/openstack6bday/near?{query}")
    assert response.status_code == 400
    assert "must be" in response.get_data(as_text=True) or query.startswith("near=")


def test_the_campaign_page_has_the_search_box(client, make_event):
    make_event()
    page = client.get("/").get_data(as_text=True)
    assert 'role="search" action="/openstack6bday/near"' in page


@pytest.mark.parametrize(
    ("header", "miles"),
    [("en-US,en;q=0.9", True), ("en-GB", True), ("de-DE,de", False), ("en", False), ("", False)],
)
def test_prefers_miles(header, miles):
    assert prefers_miles(header) is miles


def test_distance_text():
    assert distance_text(1234.4, miles=False) == "1,234 km"
    assert distance_text(5.25, miles=False) == "5.2 km"
    assert distance_text(16.09344, miles=True) == "10 mi (16 km)"
