"""schema.org JSON-LD on event and campaign pages: every field, and no way out of the script."""

from __future__ import annotations

import json
import re
from datetime import date, time

from eventmap.extensions import db
from eventmap.models import EventPart


def jsonld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def test_an_event_page_describes_the_party_as_a_schema_org_event(app, client, make_event):
    party = make_event(
        title="OpenStack Munich turns 6",
        venue="Werksviertel",
        address="Atelierstraße 10",
        start_date=date(2016, 7, 19),
        end_date=date(2016, 7, 19),
        start_time=time(18, 30),
        end_time=time(22, 0),
        timezone="Europe/Berlin",
        country_code="DE",
    )
    public = app.config["PUBLIC_URL"].rstrip("/")
    [data] = jsonld(client.get(f"/openstack6bday/{party.slug}").get_data(as_text=True))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "OpenStack Munich turns 6"
    assert data["startDate"] == "2016-07-19T18:30+02:00"
    assert data["endDate"] == "2016-07-19T22:00+02:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["url"] == f"{public}/openstack6bday/{party.slug}"
    assert data["image"] == [f"{public}/openstack6bday/{party.slug}/card.png"]
    location = data["location"]
    assert location["@type"] == "Place"
    assert location["name"] == "Werksviertel"
    assert location["address"]["streetAddress"] == "Atelierstraße 10"
    assert location["address"]["addressCountry"] == "DE"
    assert location["geo"]["@type"] == "GeoCoordinates"
    assert location["geo"]["latitude"] == round(party.latitude, 5)
    assert data["superEvent"]["@type"] == "EventSeries"
    assert data["superEvent"]["url"] == f"{public}/openstack6bday/"
    assert data["keywords"] == "#OpenStack6Bday"


def test_an_all_day_party_gives_days_and_parts_become_sub_events(client, make_event):
    party = make_event(start_date=date(2016, 7, 20), end_date=date(2016, 7, 21), start_time=None)
    party.parts.extend(
        [
            EventPart(
                position=0,
                label="tutorials",
                start_date=date(2016, 7, 20),
                end_date=date(2016, 7, 20),
            ),
            EventPart(
                position=1, label="party", start_date=date(2016, 7, 21), end_date=date(2016, 7, 21)
            ),
        ]
    )
    db.session.commit()
    [data] = jsonld(client.get(f"/openstack6bday/{party.slug}").get_data(as_text=True))
    assert (data["startDate"], data["endDate"]) == ("2016-07-20", "2016-07-21")
    assert [e["name"].rsplit("(", 1)[1] for e in data["subEvent"]] == ["tutorials)", "party)"]
    assert [e["startDate"] for e in data["subEvent"]] == ["2016-07-20", "2016-07-21"]


def test_a_title_cannot_break_out_of_the_script(client, make_event):
    party = make_event(title="</script><script>alert(1)</script>")
    html = client.get(f"/openstack6bday/{party.slug}").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    [data] = jsonld(html)
    assert data["name"] == "</script><script>alert(1)</script>"


def test_the_campaign_page_is_an_event_series_with_its_parties_listed(app, client, make_event):
    first = make_event(start_date=date(2016, 7, 18), end_date=date(2016, 7, 18))
    second = make_event(start_date=date(2016, 7, 19), end_date=date(2016, 7, 19))
    public = app.config["PUBLIC_URL"].rstrip("/")
    [data] = jsonld(client.get("/openstack6bday/").get_data(as_text=True))
    series, parties = data["@graph"]
    assert series["@type"] == "EventSeries"
    assert series["url"] == f"{public}/openstack6bday/"
    assert series["image"] == [f"{public}/openstack6bday/card.png"]
    assert parties["@type"] == "ItemList"
    # The parties the page lists: here both are past, the latest first.
    assert [item["url"] for item in parties["itemListElement"]] == [
        f"{public}/openstack6bday/{second.slug}",
        f"{public}/openstack6bday/{first.slug}",
    ]
    assert [item["position"] for item in parties["itemListElement"]] == [1, 2]
