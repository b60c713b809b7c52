"""Issue 7 end to end in Chromium: an organizer submits, a moderator approves, the party shows
everywhere; the organizer edits it by the private link, then withdraws it. The `page` fixture
fails the test on any page error or Content-Security-Policy refusal along the way."""

from __future__ import annotations

import json

from eventmap import operations
from eventmap.geocoding import OfflineGeocoder
from eventmap.services import use_geocoder
from tests.browser.conftest import wait_until

PASSWORD = "a long enough secret"
TITLE = "Stackers of Portland turn 6"


def api_titles(page, live_server: str) -> list[str]:
    answer = page.request.get(live_server + "/api/events?campaign=openstack6bday")
    assert "ada@example.org" not in answer.text()
    return [f["properties"]["title"] for f in json.loads(answer.text())["features"]]


def test_submit_approve_find_everywhere_edit_and_withdraw(
    app, make_campaign, wide_page, live_server, artifacts
):
    page = wide_page
    make_campaign()
    operations.create_admin("eve", PASSWORD)
    use_geocoder(app, OfflineGeocoder())

    # The organizer: fill in, see the preview, pick the right Portland, send.
    page.goto(live_server + "/")
    page.get_by_role("link", name="Add your party", exact=True).click()
    page.get_by_label("Name of the party or user group").fill(TITLE)
    page.get_by_label("City and country").fill("Portland")
    page.get_by_label("Date").fill("July 21")
    page.get_by_label("Starts at").fill("18:30")
    page.get_by_label("About the party").fill("Cake, **lightning talks** and <b>no HTML</b>.")
    page.get_by_label("Your name").fill("Ada")
    page.get_by_label("Your e-mail").fill("ada@example.org")
    page.get_by_role("button", name="Next: check where it lands").click()
    page.get_by_role("heading", name="Is this where it is?").wait_for()
    page.get_by_label("Portland, Maine, United States").check()
    page.get_by_role("button", name="Send for review").click()
    page.get_by_role("heading", name="Status: waiting for a moderator").wait_for()
    private_link = page.get_by_label("Your private edit link").input_value()
    assert TITLE not in api_titles(page, live_server)  # pending: not public yet

    # The moderator: sign in, find it in the queue, approve it.
    page.goto(live_server + "/admin/login")
    page.get_by_label("User name").fill("eve")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/admin/")
    item = page.locator(".admin-item", has_text=TITLE)
    assert "Portland" in item.inner_text()
    item.get_by_role("button", name="Approve").click()
    assert "it is on the map now" in page.locator(".admin-flashes").inner_text()

    # Public everywhere: map, calendar, feed and API.
    assert api_titles(page, live_server) == [TITLE]
    page.goto(live_server + "/openstack6bday/map")
    wait_until(page, "!!(window.eventmapMap && window.eventmapMap.shown() === 1)")
    page.wait_for_selector(".map-frame.list-ready", state="attached")  # titles come with labels
    assert TITLE in page.locator("main").inner_text()
    page.goto(live_server + "/openstack6bday/calendar?month=2016-07")
    assert page.get_by_role("link", name=TITLE).count() >= 1
    feed = page.request.get(live_server + "/openstack6bday/feed.atom").text()
    assert TITLE in feed
    ical = page.request.get(live_server + "/openstack6bday/calendar.ics").text()
    assert "DTSTART;TZID=America/New_York:20160721T183000" in ical
    page.goto(live_server + "/openstack6bday/")
    page.get_by_role("link", name=TITLE).click()
    description = page.locator(".description")
    assert description.locator("strong").inner_text() == "lightning talks"
    assert "<b>no HTML</b>" in description.inner_text()  # shown as text
    page.screenshot(path=str(artifacts / "end-to-end-event.png"), full_page=True)

    # The organizer edits it by the private link: it goes back for review.
    page.goto(private_link)
    page.get_by_label("Name of the party or user group").fill(TITLE + " (new venue)")
    page.get_by_label("Venue").fill("The Old Church")
    page.get_by_role("button", name="Save changes").click()
    assert "A moderator will check your changes" in page.locator(".flashes").inner_text()
    page.get_by_role("heading", name="Status: waiting for a moderator").wait_for()
    assert api_titles(page, live_server) == []

    # And withdraws it.
    page.get_by_label("Yes, take my party off the map").check()
    page.get_by_role("button", name="Withdraw").click()
    assert "Your party is off the map" in page.locator(".flashes").inner_text()
    assert page.get_by_role("heading", name="Status: withdrawn").is_visible()
    page.goto(live_server + "/admin/events?status=withdrawn")
    assert TITLE + " (new venue)" in page.locator("main").inner_text()
