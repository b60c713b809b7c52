"""A moderator in Chromium: sign in, find the pending party on the map, approve it."""

from __future__ import annotations

import json

from eventmap import operations
from eventmap.geocoding import Precision
from eventmap.models import EventStatus
from tests.browser.conftest import wait_until

PASSWORD = "a long enough secret"
TITLE = "Kazan birthday <img src=x onerror=alert(1)>"


def test_sign_in_see_the_pending_party_on_the_map_and_approve_it(
    app, make_event, page, live_server, artifacts
):
    make_event(title="Already public")
    make_event(
        title=TITLE,
        status=EventStatus.PENDING,
        location_text="Kazan, Russia",
        latitude=55.796,
        longitude=49.106,
        precision=Precision.CITY,
        country_code="RU",
        start_date=None,
        end_date=None,
        organizer_email="org@example.org",
    )
    operations.create_admin("eve", PASSWORD)

    page.goto(live_server + "/admin/")
    page.wait_for_url("**/admin/login?next=*")
    page.get_by_label("User name").fill("eve")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")  # the keyboard is enough
    page.wait_for_url(live_server + "/admin/")

    item = page.locator(".admin-item", has_text="Kazan birthday")
    assert item.locator(".admin-item-title").inner_text() == TITLE  # text, not markup
    assert "The date is still to be announced." in item.inner_text()
    assert "org@example.org" in item.inner_text()
    page.wait_for_selector(".admin-map-frame.markers-ready.outlines-ready", state="attached")
    assert page.locator(".admin-map-frame").get_attribute("data-markers") == "1"
    assert page.locator(".leaflet-outlines-pane path").count() > 100
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits a phone

    item.get_by_role("button", name="Show on the map: Kazan birthday").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert TITLE in popup.inner_text()
    assert "Kazan, Russia (in or near the city)" in popup.inner_text()
    wait_until(page, "window.eventmapAdminMap.map.getZoom() >= 10")
    # Zoomed in on Kazan (the popup may pan the map a little to fit).
    bounds = page.evaluate("window.eventmapAdminMap.map.getBounds().toBBoxString()")
    west, south, east, north = map(float, bounds.split(","))
    assert west < 49.106 < east
    assert south < 55.796 < north
    assert east - west < 1
    page.screenshot(path=str(artifacts / "admin-queue.png"), full_page=True)

    item.get_by_role("button", name="Approve").click()
    page.wait_for_url(live_server + "/admin/")
    assert "it is on the map now" in page.locator(".admin-flashes").inner_text()
    assert page.locator(".admin-empty").inner_text().startswith("Nothing to moderate.")

    answer = page.request.get(live_server + "/api/events")
    titles = [f["properties"]["title"] for f in json.loads(answer.text())["features"]]
    assert sorted(titles) == sorted(["Already public", TITLE])


def test_a_moderator_edits_an_imported_seed_party_in_the_browser(
    app, ctx, seeded, page, live_server
):
    from eventmap.extensions import db
    from eventmap.models import Event

    operations.create_admin("eve", PASSWORD)
    kazan = db.session.scalar(db.select(Event).where(Event.location_text == "Kazan, Russia"))
    assert kazan.organizer_email is None  # imported rows have no organizer

    page.goto(live_server + "/admin/login")
    page.get_by_label("User name").fill("eve")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(live_server + "/admin/")
    page.goto(f"{live_server}/admin/events/{kazan.id}/edit")
    page.get_by_label("Name of the party or user group").fill("OpenStack 6th Birthday in Kazan")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"{live_server}/admin/events/{kazan.id}")
    assert "title changed" in page.locator(".admin-flashes").inner_text()
    db.session.expire_all()
    stored = db.session.get(Event, kazan.id)
    assert stored.title == "OpenStack 6th Birthday in Kazan"
    assert stored.status == EventStatus.APPROVED
