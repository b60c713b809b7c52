"""What a person sees: the home page lists every party of the seed."""

from __future__ import annotations

from pathlib import Path

from eventmap.services import use_geocoder

PARTIES = Path(__file__).resolve().parent.parent.parent / "data" / "parties.csv"


def test_home_page_shows_all_45_parties_on_a_phone(app, runner, page, live_server, artifacts):
    from eventmap.geocoding import OfflineGeocoder

    use_geocoder(app, OfflineGeocoder())
    result = runner.invoke(args=["import", str(PARTIES)])
    assert result.exit_code == 0, result.output

    page.goto(live_server + "/")

    items = page.locator(".event-item")
    assert items.count() == 45
    assert page.get_by_role("heading", level=1).inner_text() == "OpenStack turns 6"
    headings = page.locator(".day-group h2").all_inner_texts()
    assert headings[0] == "Mon 4 July 2016"  # Toulouse opens the month
    assert headings[-1] == "Date to be announced"
    assert page.locator(".count").inner_text() == "45 parties"
    # Nothing overflows sideways on a 390 px wide phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "home-phone.png"), full_page=True)

    page.get_by_role("link", name="OpenStack 6th Birthday: Thailand").click()
    assert page.get_by_role("heading", level=1).inner_text() == "OpenStack 6th Birthday: Thailand"
    assert "27–28 July 2016 (tutorials)" in page.locator(".parts").inner_text()
