"""The map in Chromium, with every request to another host than 127.0.0.1 blocked."""

from __future__ import annotations

import random
import re
from datetime import date

from sqlalchemy import insert, select

from eventmap.extensions import db
from eventmap.geocoding import Precision
from eventmap.models import Campaign, Event, EventStatus
from tests.browser.conftest import wait_until

HOSTILE = "<img src=x onerror=alert(1)>"


def wait_for_map(page) -> None:
    page.wait_for_selector(".map-frame.markers-ready.outlines-ready.list-ready", state="attached")


def close_popup(page) -> None:
    """Close the open popup and wait until it has faded out."""
    page.locator(".leaflet-popup-close-button").click()
    page.locator(".leaflet-popup").wait_for(state="detached")


def clustered(page) -> int:
    """Count the parties the map clusters now (those the filters keep)."""
    return page.evaluate("window.eventmapMap.shown()")


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
    item.get_by_role("button", name=re.compile("Show on map: .*")).click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("h3").inner_text() == "OpenStack 6th Birthday: Kazan, Russia"
    assert popup.locator(".when").inner_text() == "Thu 28 July 2016"
    assert popup.locator(".where").inner_text().startswith("Kazan")
    # The party's own words are marked as of unknown language, never as the page's.
    assert popup.locator("h3").evaluate("h => [h.getAttribute('lang'), h.dir]") == ["", "auto"]
    title = item.locator(".event-title")
    assert title.evaluate("a => [a.getAttribute('lang'), a.dir]") == ["", "auto"]
    link = popup.get_by_role("link", name="Party page →")
    assert link.get_attribute("href") == item.locator(".event-title").get_attribute("href")
    assert popup.locator(".hashtag").inner_text() == "#OpenStack6Bday"
    assert item.get_attribute("aria-current") == "true"

    close_popup(page)
    page.evaluate(  # the map as "Show on map" leaves it, without the popup
        "window.eventmapMap.showOnMap("
        "Object.values(window.eventmapMap.events).find(e => e.location === 'Munich').id)"
    )
    close_popup(page)
    marker = page.locator('.party-marker[title="OpenStack 6th Birthday: Munich"]')
    marker.wait_for()
    page.wait_for_timeout(500)  # let the zoom finish before clicking
    marker.click()
    munich = page.locator(".event-item", has_text="OpenStack 6th Birthday: Munich")
    assert "selected" in (munich.get_attribute("class") or "")

    close_popup(page)  # markers are buttons for the keyboard too
    marker.focus()
    page.keyboard.press(" ")
    assert page.locator(".leaflet-popup-content h3").inner_text() == (
        "OpenStack 6th Birthday: Munich"
    )


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

    page.get_by_role("button", name=f"Show on map: {HOSTILE}").click()
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
    wait_until(page, "window.eventmapMap.shown() === 45")

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


def test_the_campaign_page_ties_its_own_list_to_the_map(seeded, wide_page, live_server):
    page = wide_page
    page.goto(live_server + "/")
    wait_for_map(page)

    kazan = "OpenStack 6th Birthday: Kazan, Russia"  # among the 20 latest the page lists
    item = page.locator(".event-item", has_text=kazan)
    button = item.get_by_role("button", name=f"Show on map: {kazan}")
    button.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("h3").inner_text() == kazan
    assert item.get_attribute("aria-current") == "true"
    assert page.locator(".show-on-map").count() == page.locator(".event-item").count() == 20


def test_the_map_words_precision_as_the_server_does(make_event, wide_page, live_server):
    """The popup and the list built from the feed take their words from Precision."""
    make_event(
        title="Brazil party",
        location_text="Brazil",
        latitude=-15.78,
        longitude=-47.93,
        precision=Precision.COUNTRY,
        country_code="BR",
    )
    make_event(title="Munich party")
    page = wide_page
    page.goto(live_server + "/openstack6bday/map")
    wait_for_map(page)

    brazil = page.locator(".event-item", has_text="Brazil party")
    assert brazil.locator(".badge").inner_text() == Precision.COUNTRY.note
    assert page.locator(".event-item", has_text="Munich party").locator(".badge").count() == 0
    brazil.get_by_role("button", name="Show on map: Brazil party").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator(".where").inner_text() == f"Brazil ({Precision.COUNTRY.note})"
    assert page.locator(".party-marker.party-area").count() == 1
    close_popup(page)
    page.get_by_role("button", name="Show on map: Munich party").click()
    assert popup.locator(".where").inner_text() == f"Munich ({Precision.CITY.note})"


def test_parties_sharing_one_place_are_listed_from_their_cluster(
    make_event, wide_page, live_server
):
    for title in ("Lunch", HOSTILE, "Dinner"):
        make_event(title=title, latitude=52.52, longitude=13.405, location_text="Berlin")
    make_event(title="Far away", latitude=-33.87, longitude=151.21, location_text="Sydney")
    page = wide_page
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(live_server + "/openstack6bday/map")
    wait_for_map(page)

    cluster = page.locator(".marker-cluster", has_text="3")
    for _ in range(3):  # a first click may only zoom in; at one place the cluster lists them
        cluster.click()
        page.wait_for_timeout(400)
        if page.locator(".party-popup-list").count():
            break
    listed = page.locator(".party-popup-list li")
    assert sorted(listed.locator("a").all_inner_texts()) == sorted(["Lunch", HOSTILE, "Dinner"])
    assert all(
        href.startswith("/openstack6bday/party-")
        for href in (
            listed.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        )
    )
    assert page.locator(".party-popup-list img").count() == 0
    assert dialogs == []


def test_thousands_of_parties_are_clustered_and_listed_in_full(app, wide_page, live_server):
    count = 2_500  # more than one chunk of the list
    with app.app_context():
        campaign = Campaign(slug="big", name="Big", hashtag="Big", starts_on=date(2016, 7, 1))
        db.session.add(campaign)
        db.session.flush()
        rng = random.Random(7)
        db.session.execute(
            insert(Event.__table__),
            [
                {
                    "campaign_id": campaign.id,
                    "slug": f"party-{n}",
                    "title": f"Party {n}",
                    "location_text": f"Place {n}",
                    "latitude": rng.uniform(-55, 70),
                    "longitude": rng.uniform(-180, 180),
                    "precision": "city",
                    "country_code": "DE",
                    "start_date": date(2016, 7, 1 + n % 31),
                    "end_date": date(2016, 7, 1 + n % 31),
                    "date_text": "July",
                    "status": EventStatus.APPROVED.value,
                    "geocode_source": "manual",
                    "link": "",
                    "description": "",
                    "contact": "",
                }
                for n in range(count)
            ],
        )
        db.session.commit()
    page = wide_page
    page.goto(live_server + "/big/map")
    wait_for_map(page)

    assert clustered(page) == count
    # Counts are grouped, as the pages write numbers (and each language its own way).
    assert page.locator("#map-status").inner_text() == f"{count:,} of {count:,} parties shown"
    assert page.locator(".event-item").count() == count
    assert page.locator(".show-on-map").count() == count
    assert page.locator(".day-group").count() == 31
    # Zoomed out to the whole world, the clusters and single markers add up to every party.
    page.evaluate("window.eventmapMap.map.setZoom(1, {animate: false})")
    in_clusters = sum(int(n) for n in page.locator(".marker-cluster span").all_inner_texts())
    assert in_clusters + page.locator(".party-marker").count() == count
    # Markers are buttons for the keyboard: Enter on a cluster zooms in.
    page.locator(".marker-cluster").first.focus()
    page.keyboard.press("Enter")
    wait_until(page, "window.eventmapMap.map.getZoom() > 1")


LOADING = "Loading the parties…"  # what stands for a party's words until the labels come


def hold_labels(page, live_server: str) -> list:
    """Hold back the map feed's labels part: each request waits in the list until let go."""
    held: list = []
    page.route(lambda url: "part=labels" in url, lambda route: held.append(route))
    page.goto(live_server + "/openstack6bday/map")
    page.wait_for_selector(".map-frame.markers-ready", state="attached")
    wait_until(page, "performance.getEntriesByName('eventmap:painted').length > 0")
    deadline = 100
    while not held and deadline:  # asked for after the first frame with the clusters
        page.wait_for_timeout(50)
        deadline -= 1
    assert len(held) == 1
    return held


def test_the_labels_come_after_the_clusters_and_fill_what_was_there(
    app, seeded, wide_page, live_server
):
    page = wide_page
    title = "OpenStack 6th Birthday: Kazan, Russia"
    with app.app_context():
        kazan = db.session.scalar(select(Event.id).where(Event.title == title))
    held = hold_labels(page, live_server)
    assert clustered(page) == 45  # the clusters need no labels
    page.evaluate(f"window.eventmapMap.showOnMap('{kazan}')")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.inner_text() == LOADING
    marker = page.locator(f'.party-marker[title="{LOADING}"]')
    assert marker.count() >= 1  # made before the labels, named for now
    assert page.locator(".map-frame.list-ready").count() == 0
    assert page.evaluate("performance.getEntriesByName('eventmap:list').length") == 0

    held[0].continue_()
    page.wait_for_selector(".map-frame.list-ready", state="attached")
    assert popup.locator("h3").inner_text() == title  # the open popup, filled
    assert page.locator(f'.party-marker[title="{LOADING}"]').count() == 0
    assert page.locator(f'.party-marker[title="{title}"]').count() == 1
    marks = page.evaluate(
        "['painted', 'list'].map(n => performance.getEntriesByName('eventmap:' + n)[0].startTime)"
    )
    assert marks[0] < marks[1]
    assert page.locator(".event-item .event-title", has_text=title).count() == 1


def test_labels_that_fail_are_said_in_the_status_line(seeded, wide_page, live_server):
    page = wide_page
    held = hold_labels(page, live_server)
    held[0].fulfill(status=503, body="")
    status = page.locator("#map-status")
    wait_until(page, "document.getElementById('map-status').textContent.includes('could not')")
    assert status.inner_text() == "The parties could not be loaded; the list below has them all."
    assert clustered(page) == 45  # the clusters stay


def test_a_near_list_made_before_the_labels_is_filled_when_they_come(seeded, browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        geolocation={"latitude": 48.14, "longitude": 11.58},
        permissions=["geolocation"],
    )
    context.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith(live_server) else r.abort()
    )
    page = context.new_page()
    held = hold_labels(page, live_server)
    page.get_by_role("button", name="Show parties near me").click()
    first = page.locator("#near-list li").first
    first.wait_for()
    assert first.inner_text().startswith(LOADING)  # the distances, not yet the names
    assert " 0 km" in first.inner_text()

    held[0].continue_()
    page.wait_for_selector(".map-frame.list-ready", state="attached")
    assert first.inner_text().startswith("OpenStack 6th Birthday: Munich")
    assert first.get_by_role("link").get_attribute("href").endswith("/munich")
    context.close()
