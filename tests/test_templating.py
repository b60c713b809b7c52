"""The precision words reach every page, and the map scripts, from Precision alone."""

from __future__ import annotations

import json
import re

from eventmap import operations
from eventmap.geocoding import Precision
from eventmap.models import EventStatus
from eventmap.moderation import place_warnings
from tests.helpers import PASSWORD

BLOB = re.compile(r'<script type="application/json" id="eventmap-precisions"[^>]*>([^<]*)</script>')


def precisions_in(html: str) -> dict[str, object]:
    """Read the precision blob a page gives its map scripts (exactly one per page)."""
    found = BLOB.findall(html)
    assert len(found) == 1, found
    return json.loads(found[0])


def test_every_map_page_gives_its_scripts_the_precisions(client, make_event, csrf_token):
    expected = {p.value: {"note": p.note, "approximate": p.approximate} for p in Precision}
    make_event(slug="thai", precision=Precision.COUNTRY)
    make_event(slug="waiting", status=EventStatus.PENDING)
    operations.create_admin("eve", PASSWORD)
    for url in ("/openstack6bday/map", "/openstack6bday/", "/openstack6bday/near?q=Munich"):
        assert precisions_in(client.get(url).get_data(as_text=True)) == expected, url
    preview = client.post(
        "/submit",
        data={
            "csrf_token": csrf_token("/submit"),
            "campaign": "openstack6bday",
            "title": "Fest",
            "location": "Munich",
            "date_text": "July 19",
            "organizer_name": "Ada",
            "organizer_email": "ada@example.org",
            "action": "preview",
        },
    )
    assert precisions_in(preview.get_data(as_text=True)) == expected
    signed_in = client.post(
        "/admin/login",
        data={"username": "eve", "password": PASSWORD, "csrf_token": csrf_token("/admin/login")},
    )
    assert signed_in.status_code == 302
    assert precisions_in(client.get("/admin/").get_data(as_text=True)) == expected


def test_an_approximate_party_is_worded_alike_on_every_page(client, make_event):
    note = Precision.COUNTRY.note
    event = make_event(
        slug="thai", title="Thai party", precision=Precision.COUNTRY, place_name="Thailand"
    )
    for url in ("/openstack6bday/", "/openstack6bday/thai", "/openstack6bday/near?q=Munich"):
        page = client.get(url).get_data(as_text=True)
        assert note in page, url
        assert "Found only" not in page
    assert place_warnings(event) == ["Approximate: somewhere in the country (Thailand)."]
    make_event(title="Munich party")  # a city: no badge
    badges = re.findall(r'<span class="badge">([^<]*)</span>', client.get("/openstack6bday/").text)
    assert badges == [note]
