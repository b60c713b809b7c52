"""An organizer submits a party in Chromium: the preview, a candidate, the pin, the private link."""

from __future__ import annotations

from sqlalchemy import select

from eventmap.extensions import db
from eventmap.geocoding import OfflineGeocoder, Precision
from eventmap.models import Event, EventStatus
from eventmap.services import use_geocoder
from tests.browser.conftest import wait_until


def fill_party(page, place: str) -> None:
    page.get_by_label("Name of the party or user group").fill("Stackers of Portland turn 6")
    page.get_by_label("City and country").fill(place)
    page.get_by_label("Venue").fill("The Old Church")
    page.get_by_label("Date").fill("July 21")
    page.get_by_label("Starts at").fill("18:30")
    page.get_by_label("Your name").fill("Ada")
    page.get_by_label("Your e-mail").fill("ada@example.org")


def test_submit_preview_choose_a_candidate_and_save(
    app, make_campaign, page, live_server, artifacts
):
    make_campaign()
    use_geocoder(app, OfflineGeocoder())
    page.goto(live_server + "/")
    page.get_by_role("link", name="Add your party", exact=True).click()
    fill_party(page, "Portland")
    page.get_by_role("button", name="Next: check where it lands").click()

    # The preview: a map with the place found and its namesakes to choose from.
    page.get_by_role("heading", name="Is this where it is?").wait_for()
    wait_until(page, "!!(window.eventmapPick && document.querySelector('.leaflet-marker-icon'))")
    choices = page.locator("input[name=choice]")
    labels = page.locator(".choice label").all_inner_texts()
    assert any("Oregon" in label for label in labels), labels
    assert any("Maine" in label for label in labels), labels
    maine = next(i for i, label in enumerate(labels) if "Maine" in label)
    choices.nth(maine).check()
    # Choosing moves the pin there.
    wait_until(page, "Math.abs(window.eventmapPick.pin.getLatLng().lng + 70.25) < 0.5")
    page.screenshot(path=str(artifacts / "submit-preview.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Send for review").click()

    page.get_by_role("heading", name="Status: waiting for a moderator").wait_for()
    link = page.get_by_label("Your private edit link").input_value()
    assert "/edit/" in link
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert event.status == EventStatus.PENDING
        assert event.region == "Maine"
        assert event.country_code == "US"


def test_dragging_the_pin_stores_a_manual_venue_point(app, make_campaign, wide_page, live_server):
    page = wide_page
    make_campaign()
    use_geocoder(app, OfflineGeocoder())
    page.goto(live_server + "/submit")
    fill_party(page, "Munich, Germany")
    page.get_by_role("button", name="Next: check where it lands").click()
    wait_until(page, "!!(window.eventmapPick && document.querySelector('.leaflet-marker-icon'))")
    pin = page.locator(".leaflet-marker-icon").first
    box = pin.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y + 30, steps=8)
    page.mouse.up()
    assert page.locator("input[name=choice][value=pin]").is_checked()
    latitude = float(page.get_by_label("Latitude").input_value())
    longitude = float(page.get_by_label("Longitude").input_value())
    assert 47.5 < latitude < 48.2
    assert 11.5 < longitude < 12.0
    page.get_by_role("button", name="Send for review").click()
    page.get_by_role("heading", name="Status: waiting for a moderator").wait_for()
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert (event.precision, event.geocode_source) == (Precision.VENUE, "manual")
        assert abs(event.latitude - latitude) < 1e-5
        assert event.venue == "The Old Church"


# The width, as a share of the whole world, of the named country outlines on the preview map,
# measured in pixels at a zoom where the whole world is in view.
OUTLINE_WIDTHS = """(names) => {
  const map = window.eventmapPick.map;
  map.setView([0, 180], 1, { animate: false });
  const world = 256 * Math.pow(2, map.getZoom());
  const widths = {};
  map.eachLayer((layer) => {
    const name = layer.feature && layer.feature.properties.name;
    if (names.includes(name)) { widths[name] = layer.getElement().getBBox().width / world; }
  });
  return widths;
}"""


def test_the_preview_map_draws_russia_and_fiji_in_one_piece(
    app, geocoder, make_campaign, wide_page, live_server
):
    """Outlines across the antimeridian are unwrapped, not smeared around the world."""
    page = wide_page
    make_campaign()
    geocoder.add("Fiji", -17.71, 178.07, Precision.COUNTRY, "FJ")
    page.goto(live_server + "/submit")
    fill_party(page, "Fiji")
    page.get_by_role("button", name="Next: check where it lands").click()
    page.get_by_role("heading", name="Is this where it is?").wait_for()
    wait_until(page, "document.querySelectorAll('.leaflet-outlines-pane path').length > 100")
    widths = page.evaluate(OUTLINE_WIDTHS, ["Russia", "Fiji"])
    assert set(widths) == {"Russia", "Fiji"}
    # Russia spans about 170 degrees of longitude and Fiji 5; smeared, each spans all 360.
    assert widths["Russia"] < 0.5, widths
    assert widths["Fiji"] < 0.05, widths
