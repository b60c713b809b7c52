"""Public pages: the campaign list and event permalinks."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from eventmap.geocoding import Precision
from eventmap.models import EventStatus


def section(page: str, heading_id: str) -> str:
    """Return the HTML of the page's section headed by `heading_id`."""
    start = page.index(f'<h2 id="{heading_id}">')
    return page[start : page.index("</section>", start)]


def titles_in(html: str) -> list[str]:
    return re.findall(r'class="event-title" href="[^"]+">([^<]+)</a>', html)


def test_home_lists_parties_coming_and_past_nearest_first_with_tbd_apart(client, make_event):
    today = datetime.now(UTC).date()
    make_event(
        slug="late", title="Late party", start_date=date(2016, 7, 28), end_date=date(2016, 7, 28)
    )
    make_event(slug="tbd", title="Someday party", start_date=None, end_date=None, date_text="TBD")
    make_event(
        slug="early", title="Early party", start_date=date(2016, 7, 5), end_date=date(2016, 7, 5)
    )
    soon, later = today + timedelta(days=3), today + timedelta(days=30)
    make_event(slug="later", title="Later party", start_date=later, end_date=later)
    make_event(slug="soon", title="Soon party", start_date=soon, end_date=soon)
    yesterday = today - timedelta(days=1)
    make_event(slug="on", title="Ongoing party", start_date=yesterday, end_date=today)

    page = client.get("/").get_data(as_text=True)

    assert titles_in(section(page, "coming-heading")) == [
        "Ongoing party",
        "Soon party",
        "Later party",
    ]
    assert titles_in(section(page, "past-heading")) == ["Late party", "Early party"]
    assert "Someday party" in section(page, "tbd-heading")
    assert 'href="/openstack6bday/early"' in page
    assert "6 parties" in page
    assert "#OpenStack6Bday" in page
    assert f'href="/openstack6bday/calendar/agenda?from={today.isoformat()}"' in page
    assert 'href="/openstack6bday/calendar/agenda?from=2016-07-05"' in page


def test_the_campaign_page_lists_a_screenful_and_sums_up_the_rest(app, client, make_event):
    from eventmap.web.pages import CAMPAIGN_PAGE_PARTIES as SCREENFUL
    from tests.helpers import add_events, statements

    today = datetime.now(UTC).date()
    make_event(country_code="FR", title="Paris party")
    add_events(99)  # July 19, 2016: past
    add_events(94, start_date=today + timedelta(days=10), end_date=today + timedelta(days=11))
    first_coming = make_event(
        start_date=today + timedelta(days=1), end_date=today + timedelta(days=1)
    )
    add_events(5, start_date=None, end_date=None, date_text="TBD", country_code="BR")
    small = len(client.get("/openstack6bday/").data)

    page = client.get("/openstack6bday/").get_data(as_text=True)

    assert counters(page) == ["200 parties", "3 countries", "happening today"]
    coming, past = (
        titles_in(section(page, "coming-heading")),
        titles_in(section(page, "past-heading")),
    )
    assert len(coming) == len(past) == SCREENFUL
    assert coming[0] == first_coming.title
    assert page.count('class="event-item"') == 2 * SCREENFUL
    assert 'href="/openstack6bday/calendar/agenda"' in page
    assert 'href="/openstack6bday/map"' in page
    assert len(page) < 60_000

    # A second render reads no aggregate and no list of all events: only the few shown, by id
    # (the rendered-page cache is off here: test_page_cache.py checks that it renders nothing).
    app.config["PAGE_CACHE"] = False
    with statements(app) as seen:
        assert len(client.get("/openstack6bday/").data) == small
    assert not [s for s in seen if "count(" in s.lower()], seen
    on_events = [s for s in seen if "FROM events" in s]
    assert on_events
    assert all(" IN (" in s for s in on_events), on_events

    # A change is seen at once: the figures are per data version.
    make_event(country_code="JP", start_date=today, end_date=today, title="Tokyo party")
    page = client.get("/openstack6bday/").get_data(as_text=True)
    assert counters(page)[:2] == ["201 parties", "4 countries"]
    assert titles_in(section(page, "coming-heading"))[0] == "Tokyo party"


def test_campaign_page_by_slug_and_unknown_campaign(client, make_event):
    make_event(title="Munich party")
    assert "Munich party" in client.get("/openstack6bday/").get_data(as_text=True)
    missing = client.get("/nope/")
    assert missing.status_code == 404
    assert "There is no campaign called “nope”." in missing.get_data(as_text=True)


def test_only_approved_events_are_shown(client, make_event):
    make_event(title="Visible party")
    make_event(title="Pending party", slug="pending", status=EventStatus.PENDING)
    page = client.get("/").get_data(as_text=True)
    assert "Visible party" in page
    assert "Pending party" not in page
    assert client.get("/openstack6bday/pending").status_code == 404


def test_event_page_shows_date_place_and_parts_but_not_contact(client, make_thailand):
    make_thailand(
        slug="thailand",
        title="Thai party",
        location_text="Thailand",
        precision=Precision.COUNTRY,
        place_name="Thailand",
        start_date=date(2016, 7, 27),
        end_date=date(2016, 7, 29),
        date_text="July 27-28 (tutorials); July 29 (launch party)",
        contact="organizer@example.org",
        link="https://example.org/party",
    )

    page = client.get("/openstack6bday/thailand").get_data(as_text=True)

    assert "<h1>Thai party</h1>" in page
    assert "27–28 July 2016 (tutorials)" in page
    assert "Fri 29 July 2016 (launch party)" in page
    assert "somewhere in the country" in page
    assert 'href="https://example.org/party"' in page
    assert "organizer@example.org" not in page
    assert '<link rel="canonical" href="http://127.0.0.1:5000/openstack6bday/thailand">' in page


def test_event_page_shows_venue_address_place_and_local_time(client, make_event):
    make_event(
        slug="werk1",
        title="Timed party",
        location_text="Munich, Germany",
        venue="Werk1",
        address="Atelierstraße 29, 81671 München",
        start_time=time(18, 30),
        end_time=time(22, 0),
    )

    page = client.get("/openstack6bday/werk1").get_data(as_text=True)

    assert '<dd class="time-of-day">18:30–22:00, local time (Europe/Berlin)</dd>' in page
    assert '<span class="venue">Werk1</span>' in page
    assert '<span class="address">Atelierstraße 29, 81671 München</span>' in page
    assert '<span class="place">Munich, Germany</span>' in page


def test_an_all_day_party_shows_no_time(client, make_event):
    make_event(slug="allday", venue=None, address=None)
    page = client.get("/openstack6bday/allday").get_data(as_text=True)
    assert "<dt>Time</dt>" not in page
    assert "local time" not in page
    assert 'class="venue"' not in page
    assert 'class="address"' not in page


def test_the_list_shows_the_venue_and_the_time(client, make_event):
    make_event(title="Timed party", venue="Werk1", start_time=time(18, 30), end_time=time(22, 0))
    make_event(title="All-day party")

    page = client.get("/").get_data(as_text=True)

    assert '<span class="event-place">Werk1, Munich</span>' in page
    assert (
        '<span class="event-when">Tue 19 July 2016, 18:30–22:00, local time (Europe/Berlin)</span>'
        in page
    )
    assert '<span class="event-when">Tue 19 July 2016</span>' in page


def test_user_text_is_escaped(client, make_event):
    make_event(slug="x", title="<img src=x onerror=alert(1)>", location_text="<b>Munich</b>")
    for path in ("/", "/openstack6bday/x"):
        page = client.get(path).get_data(as_text=True)
        assert "<img src=x" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        assert "<b>Munich</b>" not in page


def test_the_description_is_rendered_as_sanitised_markdown(client, make_event):
    make_event(
        slug="md",
        description=(
            "Bring **friends**.\n\n- cake\n- demos\n\n"
            "[RSVP](https://example.org/rsvp) [trap](javascript:alert(1))"
            '<img src=x onerror="alert(1)"><script>alert(2)</script>'
        ),
    )
    page = client.get("/openstack6bday/md").get_data(as_text=True)
    description = page[page.index('<div class="description">') :]
    description = description[: description.index("</div>")]
    assert "<strong>friends</strong>" in description
    assert "<li>cake</li>" in description
    assert '<a href="https://example.org/rsvp" rel="nofollow noopener ugc">RSVP</a>' in description
    assert "[trap](javascript:alert(1))" in description  # shown as text, not a link
    assert 'href="javascript' not in description
    assert "<img" not in description
    assert "<script" not in description
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in description


def test_pages_are_ready_for_phones_and_keyboards(client, make_event):
    make_event()
    page = client.get("/").get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<html lang="en" dir="ltr">' in page
    assert 'href="#main"' in page
    assert 'id="main"' in page


def test_home_without_campaigns_explains_how_to_load_them(client):
    page = client.get("/").get_data(as_text=True)
    assert "flask --app wsgi import data/parties.csv" in page


def test_unknown_event_is_a_friendly_404(client, make_event):
    make_event()
    response = client.get("/openstack6bday/nowhere")
    assert response.status_code == 404
    assert "Back to the parties" in response.get_data(as_text=True)


def test_the_map_page_does_not_grow_with_the_number_of_events(client, make_event):
    make_event()
    small = len(client.get("/openstack6bday/map").data)
    for _ in range(200):
        make_event()
    large = client.get("/openstack6bday/map")

    assert large.status_code == 200
    assert len(large.data) - small < 50  # only the count in the heading changes
    assert len(large.data) < 60_000


def test_map_pages_link_only_files_the_app_serves(client, make_event):
    make_event()
    for path in ("/", "/openstack6bday/map"):
        html = client.get(path).get_data(as_text=True)
        links = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', html)
        assert len(links) >= 9
        assert all(link.startswith("/") for link in links), links
        for link in links:
            with client.get(link) as served:  # closes the file it streams
                assert served.status_code == 200, link


def test_a_missing_vendor_package_says_how_to_install_it(client):
    response = client.get("/vendor/nothing-such/x.js")
    assert response.status_code == 404


def test_a_method_a_page_does_not_take_is_a_405_naming_the_ones_it_does(client, make_event):
    make_event()

    response = client.post("/openstack6bday/")

    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def counters(page: str) -> list[str]:
    """Return the campaign page's counters as read: "45 parties", "29 countries", ..."""
    box = re.search(r'<ul class="counters"[^>]*>(.*?)</ul>', page, re.S).group(1)
    return [
        " ".join(re.sub(r"<[^>]+>", " ", item).split())
        for item in re.findall(r"<li[^>]*>(.*?)</li>", box, re.S)
    ]


def test_the_campaign_page_at_ten_thousand_parties_stays_under_100_kb(client, make_campaign):
    from bench.events import insert_events
    from eventmap.extensions import db

    campaign = make_campaign()
    assert insert_events(db.session, campaign, 10_000) == 10_000  # it bumps the data version
    response = client.get("/openstack6bday/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert len(response.data) < 100_000
    assert counters(html)[0] == "10,000 parties"
