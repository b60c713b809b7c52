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
