"""What a person sees: the home page lists the latest parties of the seed, the agenda all."""

from __future__ import annotations

from pathlib import Path

from eventmap.services import use_geocoder

PARTIES = Path(__file__).resolve().parent.parent.parent / "data" / "parties.csv"


def test_home_page_shows_the_latest_parties_on_a_phone(app, runner, page, live_server, artifacts):
    from eventmap.geocoding import OfflineGeocoder
    from eventmap.web.pages import CAMPAIGN_PAGE_PARTIES

    use_geocoder(app, OfflineGeocoder())
    result = runner.invoke(args=["import", str(PARTIES)])
    assert result.exit_code == 0, result.output

    page.goto(live_server + "/")

    # The campaign is over: a screenful of its parties, the latest first; the agenda has all.
    items = page.locator(".event-item")
    assert items.count() == CAMPAIGN_PAGE_PARTIES
    assert items.first.locator(".event-title").inner_text() == "OpenStack 6th Birthday: Malaysia"
    assert page.get_by_role("heading", level=1).inner_text() == "OpenStack turns 6"
    assert page.locator(".day-group h2").all_inner_texts() == [
        "Coming up",
        "Past parties, latest first",
    ]
    assert page.locator(".tbd li").count() == 2
    assert " ".join(page.locator(".counters .count").inner_text().split()) == "45 parties"
    assert page.locator(".counters .stage").inner_text() == "celebrated"  # July 2016 is past
    with page.expect_navigation():  # count on the agenda once it is there, not on the way
        page.get_by_role("link", name="day by day in the agenda").click()
    assert page.locator(".agenda .occurrence").count() == 44  # Thailand's two parts apart
    page.go_back()
    # Nothing overflows sideways on a 390 px wide phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts / "home-phone.png"), full_page=True)

    page.get_by_role("link", name="OpenStack 6th Birthday: Thailand").click()
    assert page.get_by_role("heading", level=1).inner_text() == "OpenStack 6th Birthday: Thailand"
    assert "27–28 July 2016 (tutorials)" in page.locator(".parts").inner_text()
