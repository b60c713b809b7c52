"""A party's own language: declared once, kept as written, marked wherever its text is shown."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import select

from eventmap.eventdata import ImportFileError
from eventmap.exporting import export_csv
from eventmap.extensions import db
from eventmap.importer import import_file
from eventmap.models import Event
from eventmap.serialize import CSV_COLUMNS
from tests.helpers import event_form_data, saved_form_data

CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "campaigns.toml"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TITLE = "Fiesta de OpenStack en Madrid"


def jsonld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def test_the_submit_form_offers_languages_named_in_the_visitors_language(client, make_campaign):
    make_campaign()
    english = client.get("/submit").get_data(as_text=True)
    select = english.split('name="language">')[1].split("</select>")[0]
    assert select.startswith('<option value="">not said</option>')
    assert "selected" not in select  # no guess from the page's language
    assert '<option value="pt-BR">Portuguese (Brazil)</option>' in english
    spanish = client.get("/submit?lang=es").get_data(as_text=True)
    assert '<option value="pt-BR">portugués (Brasil)</option>' in spanish
    assert '<option value="ja">japonés</option>' in spanish


def test_a_submitted_language_is_stored_canonically_and_shown_on_the_edit_page(
    client, csrf_token, make_campaign
):
    make_campaign()
    response = client.post(
        "/submit",
        data=event_form_data(
            csrf_token=csrf_token("/submit"),
            title=TITLE,
            language="pt-br",
            action="save",
            previewed="Munich",
            choice="0",
        ),
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    event = db.session.scalar(select(Event))
    assert event.language == "pt-BR"
    edit = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<option selected value="pt-BR">' in edit


@pytest.mark.parametrize("bad", ["xx", "en-", "<script>", "und", "e" * 300])
def test_a_bad_language_is_refused_beside_the_field_never_a_500(
    client, csrf_token, make_campaign, bad
):
    make_campaign()
    response = client.post(
        "/submit", data=event_form_data(csrf_token=csrf_token("/submit"), language=bad)
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="language-error"' in page
    assert "<script>" not in page.split('id="language-error"')[1][:300]
    assert db.session.scalar(select(Event)) is None


def test_a_language_outside_the_list_stays_offered_when_editing(client, csrf_token, make_event):
    from eventmap.submissions import new_edit_token

    token, digest = new_edit_token()
    make_event(
        title="<b>粵</b>", language="yue", edit_token_hash=digest, organizer_email="ada@example.org"
    )
    page = client.get(f"/edit/{token}").get_data(as_text=True)
    # In the page's own sentence, the party's words keep their language, escaped as ever.
    assert '<h1>Your party: <span lang="yue" dir="ltr">&lt;b&gt;粵&lt;/b&gt;</span></h1>' in page
    assert '<option selected value="yue">Cantonese</option>' in page
    response = client.post(
        f"/edit/{token}",
        data=saved_form_data(csrf_token=csrf_token(f"/edit/{token}"), title="Renamed"),
    )
    assert response.status_code == 303
    # The form sent no language: the organizer cleared it (as a browser sends "" for "not said").
    assert db.session.scalar(select(Event.language)) is None


def test_an_import_reads_the_language_and_an_export_writes_it_back(ctx, tmp_path, geocoder):
    path = tmp_path / "events.csv"
    path.write_text(
        "campaign,title,location,date_text,language\n"
        f"openstack6bday,{TITLE},Munich,July 19,ES\n"
        "openstack6bday,Party,Thailand,July 27,\n",
        encoding="utf-8",
    )
    import_file(path, geocoder=geocoder, catalogue_path=CATALOGUE)
    stored = dict(db.session.execute(select(Event.title, Event.language)).all())
    assert stored == {TITLE: "es", "Party": None}
    buffer = io.StringIO()
    export_csv(db.session.scalars(select(Event).order_by(Event.id)), csv.writer(buffer))
    out = tmp_path / "out.csv"
    out.write_text(buffer.getvalue(), encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert "language" in CSV_COLUMNS
    assert {row["title"]: row["language"] for row in rows} == {TITLE: "es", "Party": ""}
    import_file(out, geocoder=geocoder, catalogue_path=CATALOGUE)  # and back, unchanged
    assert dict(db.session.execute(select(Event.title, Event.language)).all()) == stored


def test_an_import_refuses_an_unknown_language_naming_the_row_and_column(ctx, tmp_path, geocoder):
    path = tmp_path / "events.csv"
    path.write_text(
        "campaign,title,location,date_text,language\nopenstack6bday,Party,Munich,July 19,klingon\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFileError) as refused:
        import_file(path, geocoder=geocoder, catalogue_path=CATALOGUE)
    (error,) = refused.value.errors
    assert (error.where, error.column) == ("row 2", "language")
    assert "'klingon' is not a known language tag" in error.message
    assert db.session.scalar(select(Event)) is None


def test_the_api_and_json_ld_say_the_language(client, make_event):
    event = make_event(title=TITLE, language="es", description="Tarta y charlas.")
    make_event(title="Undeclared")
    features = client.get("/api/events").get_json(force=True)["features"]
    assert {f["properties"]["title"]: f["properties"]["language"] for f in features} == {
        TITLE: "es",
        "Undeclared": None,
    }
    page = client.get(f"/openstack6bday/{event.slug}").get_data(as_text=True)
    (data,) = [d for d in jsonld(page) if d.get("@type") == "Event"]
    assert data["inLanguage"] == "es"
    assert data["name"] == TITLE  # as written: nothing is translated


def test_the_event_page_marks_the_partys_own_text_and_only_it(client, make_event):
    event = make_event(
        title="حفلة أوبن ستاك",
        language="ar",
        venue="مقهى",
        location_text="Tunis, Tunisia",
        description="كعكة",
    )
    page = client.get(f"/openstack6bday/{event.slug}?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert '<h1 lang="ar" dir="rtl">حفلة أوبن ستاك</h1>' in page
    assert '<span class="venue" lang="ar" dir="rtl">مقهى</span>' in page
    assert '<div class="description" lang="ar" dir="rtl">' in page
    assert "<dt>Written in</dt><dd>Arabic</dd>" in page
    spanish = client.get(f"/openstack6bday/{event.slug}?lang=es").get_data(as_text=True)
    assert "<dd>árabe</dd>" in spanish


def test_an_undeclared_party_is_marked_unknown_not_as_the_pages_language(client, make_event):
    event = make_event(title="Party in Munich")
    page = client.get(f"/openstack6bday/{event.slug}?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page
    assert '<h1 lang="" dir="auto">Party in Munich</h1>' in page


def test_an_english_party_reads_left_to_right_on_an_arabic_page(client, make_event):
    make_event(title="Munich party", language="en")
    for url in ("/openstack6bday/?lang=ar", "/openstack6bday/calendar/agenda?lang=ar"):
        page = client.get(url).get_data(as_text=True)
        assert re.search(r'<a [^>]*lang="en" dir="ltr">Munich party</a>', page), url


def test_lists_calendars_and_the_queue_mark_each_party(client, make_event, app):
    make_event(title=TITLE, language="es")
    for url in (
        "/openstack6bday/",
        "/openstack6bday/calendar/agenda",
        "/openstack6bday/near?q=Munich",
    ):
        page = client.get(url).get_data(as_text=True)
        assert re.search(rf'<a [^>]*lang="es" dir="ltr">{TITLE}</a>', page), url


def test_the_atom_feed_marks_each_declared_title(client, make_event):
    make_event(title=TITLE, language="es")
    make_event(title="Undeclared")
    response = client.get("/openstack6bday/feed.atom")
    root = ET.fromstring(response.data)  # noqa: S314 - our own feed, made in this test
    titles = {
        entry.findtext(f"{ATOM}title"): entry.find(f"{ATOM}title").get(XML_LANG)
        for entry in root.findall(f"{ATOM}entry")
    }
    assert titles == {TITLE: "es", "Undeclared": None}


def test_the_calendar_says_the_language_of_the_summary_and_place(client, make_event):
    event = make_event(title=TITLE, language="es")
    text = client.get(f"/openstack6bday/{event.slug}.ics").get_data(as_text=True)
    assert f"SUMMARY;LANGUAGE=es:{TITLE}\r\n" in text
    assert "LOCATION;LANGUAGE=es:Munich\r\n" in text
    import icalendar

    (vevent,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert vevent["SUMMARY"].params["LANGUAGE"] == "es"
    assert str(vevent["SUMMARY"]) == TITLE
