"""Share cards, QR codes, link previews and /tag/<hashtag> over HTTP."""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import event as sa_event

from eventmap.extensions import db


@pytest.fixture
def party(make_event):
    return make_event(title="OpenStack Munich turns 6", location_text="Munich, Germany")


def png_size(body: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(body))
    assert image.format == "PNG"
    return image.size


def test_the_cards_are_1200_by_630_pngs(client, party):
    campaign = client.get("/openstack6bday/card.png")
    assert campaign.status_code == 200
    assert campaign.mimetype == "image/png"
    assert png_size(campaign.data) == (1200, 630)
    one = client.get(f"/openstack6bday/{party.slug}/card.png")
    assert one.status_code == 200
    assert png_size(one.data) == (1200, 630)
    assert one.data != campaign.data


def test_a_card_is_revalidated_without_reading_events_and_redrawn_after_a_change(
    app, client, party
):
    first = client.get(f"/openstack6bday/{party.slug}/card.png")
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", seen)
    try:
        again = client.get(
            f"/openstack6bday/{party.slug}/card.png", headers={"If-None-Match": etag}
        )
    finally:
        sa_event.remove(engine, "before_cursor_execute", seen)
    assert again.status_code == 304
    # The campaign and the event are looked up by slug, then the version row: nothing else.
    assert len(statements) == 3
    assert len([s for s in statements if "events" in s]) == 1
    assert "data_version" in statements[-1]

    party.title = "OpenStack Munich turns six"
    db.session.commit()
    changed = client.get(f"/openstack6bday/{party.slug}/card.png", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.data != first.data


def test_unknown_cards_are_404s(client, party):
    assert client.get("/nope/card.png").status_code == 404
    assert client.get("/openstack6bday/nope/card.png").status_code == 404
    party.status = party.status.__class__.PENDING
    db.session.commit()
    assert client.get(f"/openstack6bday/{party.slug}/card.png").status_code == 404


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_qr_codes_decode_to_the_pages_public_address(app, client, party, kind):
    public = app.config["PUBLIC_URL"].rstrip("/")
    for path, target in (
        ("/openstack6bday/qr", f"{public}/openstack6bday/"),
        (f"/openstack6bday/{party.slug}/qr", f"{public}/openstack6bday/{party.slug}"),
    ):
        response = client.get(f"{path}.{kind}")
        assert response.status_code == 200
        if kind == "svg":
            assert response.mimetype == "image/svg+xml"
            assert response.data.startswith(b"<?xml") or b"<svg" in response.data[:200]
            assert "<script" not in response.get_data(as_text=True)
            continue
        image = Image.open(io.BytesIO(response.data))
        [code] = zxingcpp.read_barcodes(image)
        assert code.text == target


@pytest.mark.parametrize(
    "tag", ["OpenStack6Bday", "openstack6bday", "OPENSTACK6BDAY", "%23OpenStack6Bday"]
)
def test_the_hashtag_address_leads_to_its_campaign_in_any_case(client, party, tag):
    response = client.get(f"/tag/{tag}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/openstack6bday/")


def test_an_unknown_hashtag_is_a_404_that_names_it(client, party):
    response = client.get("/tag/NoSuchParty")
    assert response.status_code == 404
    assert "NoSuchParty" in response.get_data(as_text=True)


def meta(html: str) -> dict[str, str]:
    pairs = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', html)
    return dict(pairs)


def test_campaign_and_event_pages_carry_link_previews_with_absolute_addresses(app, client, party):
    public = app.config["PUBLIC_URL"].rstrip("/")
    for path, card in (
        ("/openstack6bday/", f"{public}/openstack6bday/card.png"),
        (f"/openstack6bday/{party.slug}", f"{public}/openstack6bday/{party.slug}/card.png"),
    ):
        tags = meta(client.get(path).get_data(as_text=True))
        assert tags["og:image"] == card
        assert tags["twitter:image"] == card
        assert tags["twitter:card"] == "summary_large_image"
        assert tags["og:url"].startswith(public)
        assert tags["og:image:width"] == "1200"
        assert tags["og:image:height"] == "630"
        assert "OpenStack" in tags["og:title"]
        assert client.get(card.removeprefix(public)).status_code == 200


def test_a_title_with_markup_stays_text_in_the_previews(client, make_event):
    sneaky = make_event(title='"><script>alert(1)</script> party')
    html = client.get(f"/openstack6bday/{sneaky.slug}").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert meta(html)["og:title"] == "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt; party"


def test_event_pages_offer_share_links_with_the_text_and_hashtag(app, client, party):
    html = client.get(f"/openstack6bday/{party.slug}").get_data(as_text=True)
    for service in ("mastodon", "bluesky", "x", "linkedin", "facebook", "telegram", "whatsapp"):
        assert f'data-share="{service}"' in html
    assert "mailto:?subject=OpenStack%20Munich%20turns%206" in html
    assert "%23OpenStack6Bday" in html
    assert '<script src="https://' not in html  # no third-party script


def test_the_mastodon_page_asks_then_sends_to_the_server(app, client, party):
    url = app.config["PUBLIC_URL"].rstrip("/") + f"/openstack6bday/{party.slug}"
    asked = client.get("/share/mastodon", query_string={"url": url, "text": "Party #Tag"})
    assert asked.status_code == 200
    assert "Your Mastodon server" in asked.get_data(as_text=True)
    sent = client.get(
        "/share/mastodon",
        query_string={"url": url, "text": "Party #Tag", "instance": "@me@Fosstodon.org"},
    )
    assert sent.status_code == 303
    assert sent.headers["Location"].startswith("https://fosstodon.org/share?text=Party+%23Tag+")
    for bad in ("evil.example/phish?x=", "javascript:alert(1)", "localhost", "a b.org"):
        refused = client.get(
            "/share/mastodon", query_string={"url": url, "text": "x", "instance": bad}
        )
        assert refused.status_code == 422, bad
        assert "does not look like a server" in refused.get_data(as_text=True)
    elsewhere = client.get(
        "/share/mastodon", query_string={"url": "https://evil.example/", "text": "x"}
    )
    assert elsewhere.status_code == 400


def test_the_embed_page_may_be_framed_and_other_pages_may_not(client, party):
    embedded = client.get("/openstack6bday/embed")
    assert embedded.status_code == 200
    assert "frame-ancestors *" in embedded.headers["Content-Security-Policy"]
    assert '<base target="_top">' in embedded.get_data(as_text=True)
    for path in ("/openstack6bday/", f"/openstack6bday/{party.slug}", "/openstack6bday/map"):
        assert "frame-ancestors 'none'" in client.get(path).headers["Content-Security-Policy"]


def test_the_embed_filters_by_country_days_and_place(client, make_event):
    from datetime import date

    make_event(title="Munich", country_code="DE", latitude=48.1, longitude=11.6)
    make_event(
        title="Tokyo",
        country_code="JP",
        latitude=35.7,
        longitude=139.7,
        start_date=date(2016, 7, 28),
        end_date=date(2016, 7, 28),
    )

    def listed(query: str) -> list[str]:
        html = client.get(f"/openstack6bday/embed?{query}").get_data(as_text=True)
        return re.findall(r'class="event-title" href="[^"]+"[^>]*>([^<]+)<', html)

    assert listed("") == ["Munich", "Tokyo"]
    assert listed("country=jp") == ["Tokyo"]
    assert listed("from=2016-07-20") == ["Tokyo"]
    assert listed("to=2016-07-20") == ["Munich"]
    assert listed("near=35.6,139.6")[0] == "Tokyo"
    html = client.get("/openstack6bday/embed?country=JP").get_data(as_text=True)
    assert '<option value="JP" selected>' in html  # the map's own filter starts there too


@pytest.mark.parametrize(
    "query",
    [
        "country=Germany",
        "near=91,0",
        "near=abc",
        "from=2016-13-01",
        "from=2016-07-20&to=2016-07-01",
    ],
)
def test_bad_embed_filters_are_400s_that_say_what(client, party, query):
    response = client.get(f"/openstack6bday/embed?{query}")
    assert response.status_code == 400
    assert response.get_data(as_text=True)


def test_oembed_answers_an_iframe_for_a_campaign_page(app, client, party):
    public = app.config["PUBLIC_URL"].rstrip("/")
    answer = client.get("/oembed", query_string={"url": f"{public}/openstack6bday/"})
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["type"] == "rich"
    assert data["version"] == "1.0"
    assert f'src="{public}/openstack6bday/embed"' in data["html"]
    assert data["width"] <= 640
    assert client.get("/oembed", query_string={"url": "https://evil.example/x/"}).status_code == 404
    assert (
        client.get(
            "/oembed", query_string={"url": f"{public}/openstack6bday/", "format": "xml"}
        ).status_code
        == 501
    )


def test_the_event_page_shows_its_map_the_nearest_others_and_its_start(client, make_event):
    from datetime import date, time

    here = make_event(
        title="Munich",
        latitude=48.14,
        longitude=11.58,
        start_date=date(2016, 7, 19),
        end_date=date(2016, 7, 19),
        start_time=time(18, 30),
        timezone="Europe/Berlin",
    )
    make_event(title="Augsburg", latitude=48.37, longitude=10.9)
    make_event(title="Sydney", latitude=-33.87, longitude=151.2)
    html = client.get(f"/openstack6bday/{here.slug}").get_data(as_text=True)
    assert f'src="/openstack6bday/{here.slug}/map.png"' in html
    others = re.findall(r'<ol class="nearest-others">(.*?)</ol>', html, re.S)[0]
    names = re.findall(r'">([^<]+)</a>', others)
    assert names == ["Augsburg", "Sydney"]  # nearest first, the party itself left out
    assert 'data-start="2016-07-19T18:30+02:00"' in html
    image = client.get(f"/openstack6bday/{here.slug}/map.png")
    assert image.status_code == 200
    assert png_size(image.data) == (430, 430)


def test_the_poster_has_the_party_its_qr_code_and_the_hashtag(app, client, party):
    public = app.config["PUBLIC_URL"].rstrip("/")
    html = client.get(f"/openstack6bday/{party.slug}/poster").get_data(as_text=True)
    assert "paper-a4" in html
    assert party.title in html
    assert "#OpenStack6Bday" in html
    assert f"/openstack6bday/{party.slug}/qr.svg" in html
    assert f"{public}/openstack6bday/{party.slug}" in html
    assert "paper-letter" in client.get(
        f"/openstack6bday/{party.slug}/poster?paper=letter"
    ).get_data(as_text=True)
    assert client.get(f"/openstack6bday/{party.slug}/poster?paper=a3").status_code == 400


def test_every_public_page_has_one_canonical_link_and_a_preview(app, client, party):
    """Walk the URL map: every HTML page anyone may see names its address and a card."""
    public = app.config["PUBLIC_URL"].rstrip("/")
    values = {"campaign_slug": "openstack6bday", "event_slug": party.slug, "kind": "svg"}
    checked = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.arguments <= values.keys():
            continue
        path = rule.build(values, append_unknown=False)[1]
        response = client.get(path)
        if response.mimetype != "text/html" or response.status_code != 200:
            continue
        if "no-store" in response.headers.get("Cache-Control", ""):
            continue  # private pages: moderators', organizers' (noindex, never shared)
        html = response.get_data(as_text=True)
        canonical = re.findall(r'<link rel="canonical" href="([^"]+)"', html)
        assert len(canonical) == 1, (path, canonical)
        assert canonical[0].startswith(public), path
        tags = meta(html)
        assert tags["og:url"].startswith(public), path
        assert tags["og:image"].startswith(public + "/"), path
        assert tags["og:title"], path
        checked.append(rule.endpoint)
    assert {"views.campaign", "views.event", "calendar.month", "share.stats"} <= set(checked)
