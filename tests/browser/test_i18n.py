"""Japanese and Arabic on a phone: chosen in the menu, no sideways overflow, Arabic mirrored."""

from __future__ import annotations

import pytest

from tests.browser.conftest import wait_until

PAGES = {
    "campaign": "/openstack6bday/",
    "calendar": "/openstack6bday/calendar?month=2016-07",
    "event": "/openstack6bday/thailand",
    "map": "/openstack6bday/map",
    "stats": "/openstack6bday/stats",
}


def choose_language(page: object, live_server: str, name: str) -> None:
    """Pick a language in the header's menu and send it, as a person would (no script)."""
    page.goto(live_server + "/openstack6bday/")  # type: ignore[attr-defined]
    page.get_by_label("Language").select_option(label=name)  # type: ignore[attr-defined]
    page.locator(".language-menu button").click()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("tag", "name", "direction"), [("ja", "日本語", "ltr"), ("ar", "العربية", "rtl")]
)
def test_every_page_type_fits_a_phone(seeded, page, live_server, artifacts, tag, name, direction):
    choose_language(page, live_server, name)
    assert page.url == live_server + "/openstack6bday/"  # back where the menu was
    for kind, path in PAGES.items():
        page.goto(live_server + path)
        root = page.locator("html")
        assert root.get_attribute("lang") == tag, kind
        assert root.get_attribute("dir") == direction, kind
        assert page.evaluate("getComputedStyle(document.body).direction") == direction, kind
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{kind} in {tag} is {width} px wide on a 390 px phone"
        page.screenshot(path=str(artifacts / f"{kind}-{tag}-phone.png"), full_page=True)
    # The chosen language is kept: the menu shows it on the next page.
    selected = page.locator("#language-choice option:checked")
    assert selected.inner_text() == name


def test_arabic_mirrors_the_layout_and_keeps_the_map_usable(seeded, page, live_server, artifacts):
    page.goto(live_server + "/openstack6bday/?lang=ar")
    # The header mirrors: the brand on the right, the "add your party" link to its left.
    brand = page.locator(".brand").bounding_box()
    action = page.locator(".header-action").bounding_box()
    assert brand["x"] > action["x"]
    # The map itself stays left to right (Leaflet's tiles and controls), and its zoom buttons
    # are on the screen and work.
    page.locator(".map-section").scroll_into_view_if_needed()
    wait_until(page, "document.querySelector('.leaflet-control-zoom-in') !== null")
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.leaflet-container')).direction")
        == "ltr"
    )
    zoom = page.locator(".leaflet-control-zoom-in").bounding_box()
    assert zoom["x"] >= 0
    assert zoom["x"] + zoom["width"] <= 390
    page.locator(".leaflet-control-zoom-in").click()
    page.screenshot(path=str(artifacts / "campaign-ar-map-phone.png"))

    # The month grid starts on Saturday (Egypt, Babel's home territory of Arabic) and its
    # first column is on the right.
    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(live_server + "/openstack6bday/calendar?month=2016-07&lang=ar")
    heads = page.locator("table.month thead th")
    assert heads.first.inner_text() == "السبت"
    first, second = (heads.nth(n).bounding_box() for n in (0, 1))
    assert first["x"] > second["x"]
    assert (
        page.locator("table.month tbody tr").first.locator("td").first.get_attribute("data-day")
        == "2016-06-25"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    page.screenshot(path=str(artifacts / "calendar-ar.png"), full_page=True)
