"""Sharing a party in Chromium: the links carry its text, Mastodon asks once, then remembers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit


def test_the_share_links_carry_the_party_and_the_hashtag(make_event, page, live_server, artifacts):
    party = make_event(title="OpenStack Munich turns 6")
    page.goto(f"{live_server}/openstack6bday/{party.slug}")
    url = f"{live_server}/openstack6bday/{party.slug}"
    bluesky = page.locator("a.share-bluesky").get_attribute("href")
    text = parse_qs(urlsplit(bluesky).query)["text"][0]
    assert text.startswith("OpenStack Munich turns 6")
    assert "#OpenStack6Bday" in text
    assert text.endswith(url)
    x = parse_qs(urlsplit(page.locator("a.share-x").get_attribute("href")).query)
    assert x["url"] == [url]
    assert "#OpenStack6Bday" in x["text"][0]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator(".share").screenshot(path=str(artifacts / "share-links.png"))


def test_mastodon_asks_for_the_server_once_then_goes_straight_there(make_event, page, live_server):
    party = make_event(title="OpenStack Munich turns 6")
    shared: list[str] = []

    def mastodon(route):
        shared.append(route.request.url)
        route.fulfill(status=200, body="shared", content_type="text/plain")

    page.context.route("https://mastodon.example/**", mastodon)
    page.goto(f"{live_server}/openstack6bday/{party.slug}")
    page.locator("a.share-mastodon").click()
    page.get_by_label("Your Mastodon server").fill("@ada@Mastodon.Example")
    page.get_by_role("button", name="Share").click()
    page.wait_for_url("https://mastodon.example/share?*")
    text = parse_qs(urlsplit(shared[-1]).query)["text"][0]
    assert "OpenStack Munich turns 6" in text
    assert "#OpenStack6Bday" in text
    assert text.endswith(f"/openstack6bday/{party.slug}")

    page.goto(f"{live_server}/openstack6bday/{party.slug}")
    assert page.evaluate("localStorage.getItem('eventmap.mastodon')") == "mastodon.example"
    page.locator("a.share-mastodon").click()  # remembered: no question this time
    page.wait_for_url("https://mastodon.example/share?*")
    assert len(shared) == 2


def test_the_embed_renders_in_another_sites_iframe_while_other_pages_refuse(
    make_event, browser, live_server, tmp_path, artifacts
):
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    make_event(title="OpenStack Munich turns 6")
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>A user group</title><h1>Our user group</h1>"
        f'<iframe id="embed" src="{live_server}/openstack6bday/embed" width="600" height="520">'
        "</iframe>"
        f'<iframe id="page" src="{live_server}/openstack6bday/" width="600" height="200"></iframe>'
    )
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    other = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{other.server_port}"
    context = browser.new_context(viewport={"width": 800, "height": 900})
    context.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1",)) else r.abort(),
    )
    page = context.new_page()
    try:
        page.goto(site + "/index.html")
        embed = page.frame_locator("#embed")
        embed.locator(".event-title").first.wait_for()
        assert embed.locator(".event-title").first.inner_text() == "OpenStack Munich turns 6"
        embed.locator(".map-frame.markers-ready").wait_for()
        framed = [f for f in page.frames if f.url.endswith("/openstack6bday/")]
        # The campaign page refuses to be framed: its frame stays empty (Chromium's error page).
        assert all(f.locator("h1").count() == 0 for f in framed)
        page.screenshot(path=str(artifacts / "embed-on-another-site.png"))
    finally:
        context.close()
        other.shutdown()
        other.server_close()


def test_the_party_time_is_also_given_on_the_visitors_clock(make_event, browser, live_server):
    from datetime import date, time

    party = make_event(
        start_date=date(2016, 7, 19),
        end_date=date(2016, 7, 19),
        start_time=time(18, 30),
        timezone="Europe/Berlin",
    )
    for zone, shown in (("America/New_York", True), ("Europe/Berlin", False)):
        context = browser.new_context(timezone_id=zone, locale="en-US")
        context.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith(live_server) else r.abort()
        )
        page = context.new_page()
        page.goto(f"{live_server}/openstack6bday/{party.slug}")
        box = page.locator(".visitor-time")
        assert box.is_visible() == shown
        if shown:
            assert "12:30" in box.inner_text()  # 18:30 in Munich is 12:30 in New York
            assert "where you are" in box.inner_text()
        context.close()


def test_posters_print_on_one_sheet_of_a4_or_letter(make_event, page, live_server, artifacts):
    import re

    party = make_event(title="OpenStack Munich turns 6 " * 4)
    for paper, (width, height) in (("a4", (595, 842)), ("letter", (612, 792))):
        page.goto(f"{live_server}/openstack6bday/{party.slug}/poster?paper={paper}")
        page.locator(".poster-qr img").wait_for()
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        (artifacts / f"poster-{paper}.pdf").write_bytes(pdf)
        boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
        assert len(boxes) == 1, f"{paper}: {len(boxes)} pages"
        assert (round(float(boxes[0][0])), round(float(boxes[0][1]))) == (width, height)
    page.set_viewport_size({"width": 820, "height": 1160})
    page.screenshot(path=str(artifacts / "poster-letter.png"), full_page=True)


def test_the_share_cards_are_saved_for_review(make_event, page, live_server, artifacts):
    party = make_event(title="OpenStack 6歳の誕生日 🎉 Tokyo", location_text="Tokyo, Japan")
    for path, name in (
        ("/openstack6bday/card.png", "card-campaign.png"),
        (f"/openstack6bday/{party.slug}/card.png", "card-event.png"),
    ):
        response = page.request.get(live_server + path)
        assert response.status == 200
        (artifacts / name).write_bytes(response.body())
