"""The map in Chromium, with every request to another host than 127.0.0.1 blocked."""

from __future__ import annotations

import re

from eventmap.extensions import db
from eventmap.models import Event
from tests.browser.conftest import wait_until

HOSTILE = "<img src=x onerror=alert(1)>"


def wait_for_map(page) -> None:
    page.wait_for_selector(".map-frame.markers-ready.outlines-ready.list-ready", state="attached")


def clustered(page) -> int:
    return page.evaluate("window.eventmapMap.clusters.getLayers().length")


def test_the_map_draws_the_world_and_clusters_all_45_parties_offline(
    seeded, wide_page, live_server, artifacts
):
    page = wide_page
    page.goto(live_server + "/openstack6bday/map")
    wait_for_map(page)

    assert clustered(page) == 45
    assert page.locator(".marker-cluster").count() > 0
    outlines = page.locator(".leaflet-outlines-pane path")
    assert outlines.count() > 100  # the Natural Earth countries, served by the app
    assert page.locator("#map-status").inner_text() == "45 of 45 parties shown"
    # The tiles were asked of their server and refused; nothing else left 127.0.0.1.
    assert page.blocked, "the tile server should have been asked"
    assert all("tile.openstreetmap.org" in url for url in page.blocked)
    page.screenshot(path=str(artifacts / "map-tiles-blocked.png"))

    before = page.locator(".party-marker").count()
    page.locator(".marker-cluster").first.click()
    page.wait_for_timeout(700)  # the zoom animation
    assert page.locator(".party-marker").count() > before


def test_the_page_has_no_third_party_addresses(seeded, client):
    html = client.get("/openstack6bday/map").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(
        not s.startswith(("http://", "https://", "//"))
        or "127.0.0.1" in s
        or s.startswith("http://localhost")
        for s in sources
    ), sources


def test_list_and_map_select_each_other(seeded, wide_page, live_server):
    page = wide_page
    page.goto(live_server + "/openstack6bday/map")
    wait_for_map(page)

    item = page.locator(".event-item", has_text="OpenStack 6th Birthday: Kazan, Russia")
    item.get_by_role("button", name=re.compile("Show .* on the map")).click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "OpenStack 6th Birthday: Kazan, Russia" in popup.inner_text()
    assert "Thu 28 July 2016" in popup.inner_text()
    assert "#OpenStack6Bday" in popup.inner_text()
    assert item.get_attribute("aria-current") == "true"

    page.locator(".leaflet-popup-close-button").click()
    page.evaluate(
        "window.eventmapMap.clusters.zoomToShowLayer("
        "Object.values(window.eventmapMap.events).find("
        "e => e.feature.properties.location === 'Munich').marker)"
    )
    marker = page.locator('.party-marker[title="OpenStack 6th Birthday: Munich"]')
    marker.wait_for()
    page.wait_for_timeout(500)  # let the zoom finish before clicking
    marker.click()
    munich = page.locator(".event-item", has_text="OpenStack 6th Birthday: Munich")
    assert "selected" in (munich.get_attribute("class") or "")


def test_popups_show_user_text_as_text(app, seeded, wide_page, live_server):
    with app.app_context():
        event = db.session.scalars(db.select(Event).filter_by(location_text="Munich")).one()
        event.title = HOSTILE
        db.session.commit()
    page = wide_page
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(live_server + "/openstack6bday/map")
    wait_for_map(page)

    page.get_by_role("button", name=f"Show {HOSTILE} on the map").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert HOSTILE in popup.inner_text()
    assert popup.locator("img").count() == 0
    assert dialogs == []


def test_filters_and_the_time_slider_agree_with_the_list(seeded, wide_page, live_server, artifacts):
    page = wide_page
    page.goto(live_server + "/openstack6bday/map")
    wait_for_map(page)

    page.locator("select[name=country]").select_option("US")
    visible = page.locator(".event-item:visible")
    assert visible.count() == clustered(page) == 14
    page.get_by_role("button", name="Clear").click()
    wait_until(page, "window.eventmapMap.clusters.getLayers().length === 45")

    slider = page.get_by_label("Day by day")
    slider.fill("14")  # 2016-07-01 + 14 days
    assert page.locator("#day-label").inner_text() == "Fri 15 July 2016"
    shown = clustered(page)
    assert 0 < shown < 45
    assert page.locator(".event-item:visible").count() == shown
    assert page.locator(".party-marker.stage-upcoming").count() == 0  # not started yet: hidden
    page.screenshot(path=str(artifacts / "map-slider-mid-july.png"))

    page.get_by_role("button", name="Play").click()
    wait_until(page, "document.querySelector('#day-slider').value !== '14'", timeout=5)
    assert page.get_by_role("button", name="Pause").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Pause").click()


def test_near_me_uses_the_browser_position(seeded, browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        geolocation={"latitude": 48.14, "longitude": 11.58},
        permissions=["geolocation"],
    )
    context.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith(live_server) else r.abort()
    )
    page = context.new_page()
    page.goto(live_server + "/openstack6bday/map")
    wait_for_map(page)
    page.get_by_role("button", name="Show parties near me").click()
    first = page.locator("#near-list li").first
    first.wait_for()
    assert first.inner_text().startswith("OpenStack 6th Birthday: Munich")
    assert "The nearest party is 0 km away." in page.locator("#map-status").inner_text()
    context.close()
