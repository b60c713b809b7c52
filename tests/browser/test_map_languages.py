"""The map's own words in the page's language: its status line, buttons, layer switch and days."""

from __future__ import annotations

import pytest

from tests.browser.test_map import wait_for_map


@pytest.mark.parametrize(
    ("code", "status", "show", "layer", "all_days"),
    [
        (
            "es",
            "45 de 45 fiestas mostradas",
            "Ver en el mapa",
            "Contornos de países",
            "Todos los días",
        ),
        ("ar", "عرض 45 من 45 حفلة", "اعرض على الخريطة", "حدود البلدان", "كل الأيام"),
    ],
)
def test_the_map_speaks_the_pages_language(
    seeded, wide_page, live_server, artifacts, code, status, show, layer, all_days
):
    page = wide_page
    page.goto(f"{live_server}/openstack6bday/map?lang={code}")
    wait_for_map(page)
    assert page.locator("#map-status").inner_text() == status
    assert page.locator(".show-on-map").first.inner_text() == show
    assert layer in page.locator(".leaflet-control-layers").text_content()
    assert page.locator("#day-label").inner_text() == all_days
    # A day the script writes is the language's own ("jul" in Spanish, Arabic month names).
    label = page.evaluate("window.eventmapI18n.dayLabel(Date.UTC(2016, 6, 28))")
    assert ("jul" in label) if code == "es" else ("يوليو" in label)
    assert "28" in label  # the digits the server writes (Babel's: Western for Arabic too)
    page.screenshot(path=str(artifacts / f"map-{code}.png"))
