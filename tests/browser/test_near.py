"""Finding a party near a place or near the browser's position, in Chromium."""

from __future__ import annotations

from tests.browser.conftest import wait_until


def test_typing_munich_shows_the_munich_party_first(seeded, page, live_server):
    page.goto(live_server + "/")
    page.get_by_label("Find a party near").fill("Munich")
    page.get_by_role("button", name="Search").click()

    page.wait_for_url("**/openstack6bday/near?q=Munich*")
    first = page.locator(".near-list .event-item").first
    assert first.locator(".event-title").inner_text() == "OpenStack 6th Birthday: Munich"
    assert "km" in first.locator(".distance").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_my_location_lists_the_nearest_parties(seeded, browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        geolocation={"latitude": 43.6, "longitude": 1.44},  # Toulouse
        permissions=["geolocation"],
        locale="en-GB",
    )
    context.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith(live_server) else r.abort()
    )
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_role("button", name="Use my location").click()
    page.wait_for_url("**/near?near=43.6*")
    names = page.locator(".near-list .event-title").all_inner_texts()
    assert names[0] == "OpenStack 6th Birthday: Toulouse, France"
    assert names[1] == "OpenStack 6th Birthday: Paris, France"
    assert "mi (" in page.locator(".distance").first.inner_text()  # en-GB reads miles
    context.close()


def test_refused_location_says_so_and_leaves_the_place_box(seeded, browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, permissions=[])
    context.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith(live_server) else r.abort()
    )
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_role("button", name="Use my location").click()
    message = page.locator(".near-message").first
    message.wait_for()
    wait_until(
        page, "document.querySelector('.near-message').textContent.includes('type a place')", 15
    )
    assert "type a place instead" in message.inner_text()
    context.close()
