"""Memories in Chromium: two photos sent to a past party, published through the organizer's
link, then seen in the party's gallery (its lightbox by keyboard), on the wall and the map."""

from __future__ import annotations

import io

from PIL import Image

from eventmap.submissions import new_edit_token
from tests.browser.conftest import wait_until


def _jpeg(colour: str, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def test_upload_approve_and_see_the_photos_on_the_page_the_wall_and_the_map(
    app, make_event, wide_page, live_server, artifacts
):
    page = wide_page
    token, token_hash = new_edit_token()
    make_event(slug="munich", title="Munich party", edit_token_hash=token_hash)
    make_event(
        slug="kazan",
        title="Kazan party",
        location_text="Kazan",
        latitude=55.79,
        longitude=49.12,
        country_code="RU",
    )
    page.goto(live_server + "/openstack6bday/munich")
    page.get_by_role("heading", name="Share your photos").wait_for()
    page.locator("input#photo-files").set_input_files(
        [
            {"name": "cake.jpg", "mimeType": "image/jpeg", "buffer": _jpeg("orange", (800, 600))},
            {"name": "crowd.jpg", "mimeType": "image/jpeg", "buffer": _jpeg("teal", (600, 800))},
        ]
    )
    page.get_by_label("Caption").fill("The birthday cake and the crowd")
    page.get_by_label("I took these photos").check()
    page.get_by_role("button", name="Send the photos").click()
    page.get_by_role("heading", name="Thank you!").wait_for()
    assert "2 photos" in page.content()
    delete_link = page.get_by_label("Your private link to delete your photos").input_value()
    assert "/photos/delete/" in delete_link

    page.goto(f"{live_server}/edit/{token}")
    page.get_by_role("heading", name="Photos waiting for you").wait_for()
    page.get_by_role("button", name="Publish the ticked photos").click()
    page.get_by_text("Published 2 photos.").wait_for()

    page.goto(live_server + "/openstack6bday/munich")
    gallery = page.locator(".gallery img")
    assert gallery.count() == 2
    assert gallery.first.get_attribute("alt") == "The birthday cake and the crowd"
    # The lightbox by keyboard: focus a photo's link, open it, Esc closes, focus comes back.
    first_link = page.locator(".gallery a.photo-link").first
    first_link.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("dialog.lightbox")
    dialog.wait_for(state="visible")
    wait_until(page, "document.querySelector('dialog.lightbox img').complete")
    assert "1 of 2" in dialog.locator("figcaption").inner_text()
    page.keyboard.press("ArrowRight")
    assert "2 of 2" in dialog.locator("figcaption").inner_text()
    page.screenshot(path=str(artifacts / "party-gallery-lightbox.png"))
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.classList.contains('photo-link')")
    page.locator("#photos").screenshot(path=str(artifacts / "party-gallery.png"))

    page.goto(live_server + "/openstack6bday/memories")
    page.get_by_role("heading", name="Memories of").wait_for()
    assert page.locator(".wall img").count() == 2
    assert "Munich party" in page.locator(".wall").inner_text()
    page.screenshot(path=str(artifacts / "campaign-memories-wall.png"), full_page=True)

    page.goto(live_server + "/openstack6bday/map")
    page.wait_for_selector(".map-frame.markers-ready", state="attached")
    page.locator(".party-marker.has-photos").first.wait_for(state="attached")
    page.get_by_label("Only parties with photos").check()
    wait_until(page, "document.querySelectorAll('.party-marker').length === 1")
    assert page.locator(".party-marker.has-photos").count() == 1
    page.locator(".party-marker.has-photos").first.click()
    page.locator(".leaflet-popup a.photos").wait_for()
    assert page.locator(".leaflet-popup a.photos").inner_text() == "Photos: 2"
