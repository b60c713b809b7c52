"""Public pages: the campaign list and event permalinks."""

from __future__ import annotations

import re
from datetime import date, time

from eventmap.geocoding import Precision
from eventmap.models import EventStatus


def test_home_lists_parties_grouped_by_date_with_tbd_last(client, make_event):
    make_event(
        slug="late", title="Late party", start_date=date(2016, 7, 28), end_date=date(2016, 7, 28)
    )
    make_event(slug="tbd", title="Someday party", start_date=None, end_date=None, date_text="TBD")
    make_event(
        slug="early", title="Early party", start_date=date(2016, 7, 5), end_date=date(2016, 7, 5)
    )

    page = client.get("/").get_data(as_text=True)

    headings = re.findall(r"<h2 id=\"day-\d+\">(.*?)</h2>", page)
    assert headings == ["Tue 5 July 2016", "Thu 28 July 2016", "Date to be announced"]
    assert page.index("Early party") < page.index("Late party") < page.index("Someday party")
    assert 'href="/openstack6bday/early"' in page
    assert "3 parties" in page
    assert "#OpenStack6Bday" in page


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
    assert '<html lang="en">' in page
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
