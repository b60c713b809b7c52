"""The Python side in the visitor's language: flashes, form errors, WTForms' own messages, error
pages, e-mail in the language the person used, the scripts' JSON catalogue and the share cards;
every catalogue keeps every placeholder; no language, however malformed, is a 500."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from eventmap import languages, operations, sharing
from eventmap.extensions import db
from eventmap.i18n_messages import N_, Message, translator
from eventmap.mail import send_outcome
from eventmap.models import Event, EventStatus, Rsvp
from eventmap.web.catalogue import JS_MESSAGES
from tests.helpers import form_token, saved_form_data, store_event

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "eventmap" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
# The modules whose messages this suite holds to be translated in every language.
PYTHON_SIDE = re.compile(r"^eventmap/")
PAGE = "/openstack6bday/werk1"


def catalogue(code: str):
    """Read one language's catalogue."""
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=code)


def in_language(client, code: str) -> None:
    """Choose a language as the menu does: its cookie."""
    client.set_cookie("lang", code)


@pytest.fixture
def party(make_event):
    """A public party in Munich."""
    return make_event(slug="werk1", title="Werk1 party")


# Flashes and form errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "thanks"),
    [
        ("es", "¡Gracias! Tu fiesta está pendiente de moderación."),
        ("ar", "شكرًا! حفلتك بانتظار المشرف."),
    ],
)
def test_the_flash_after_submitting_is_in_the_visitors_language(
    client, make_campaign, code, thanks
):
    make_campaign()
    in_language(client, code)
    data = saved_form_data(title="Fiesta", csrf_token=form_token(client, "/submit"))
    response = client.post("/submit", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert thanks in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("code", "message", "label"),
    [
        ("es", "Ponle un nombre a tu fiesta.", "Nombre de la fiesta o del grupo de usuarios"),
        ("ar", "أعطِ حفلتك اسمًا.", "اسم الحفلة أو مجموعة المستخدمين"),
    ],
)
def test_form_labels_and_errors_follow_the_language(client, make_campaign, code, message, label):
    make_campaign()
    in_language(client, code)
    data = saved_form_data(title="", csrf_token=form_token(client, "/submit"))
    page = client.post("/submit", data=data).get_data(as_text=True)
    assert message in page
    assert label in page


def test_wtforms_own_messages_follow_the_language(app, make_campaign):
    from eventmap.web.forms import EventForm

    campaign = make_campaign()
    with app.test_request_context("/submit?lang=de"):
        form = EventForm(
            formdata=MultiDict({"title": "x"}), campaigns=[campaign], meta={"csrf": False}
        )
        form.validate()
        assert "Dieses Feld wird benötigt." in form.campaign.errors
        assert str(form.title.label.text) == "Name der Party oder User Group"


def test_a_domain_refusal_is_translated_where_it_is_shown(client, party, mail_server, ctx):
    in_language(client, "es")
    data = {"email": "ann@example.org", "people": "1", "csrf_token": form_token(client, PAGE)}
    assert client.post(PAGE + "/rsvp", data=data).status_code == 200
    body = mail_server.messages[-1].get_body(("plain",)).get_content()
    confirm = re.search(r"http://127\.0\.0\.1:5000(/rsvp/\S+/confirm)", body).group(1)
    party.rsvp_closed = True  # closed before the visitor confirmed
    db.session.commit()
    token = form_token(client, confirm)
    page = client.post(confirm, data={"csrf_token": token}, follow_redirects=True)
    assert "Quien organiza cerró las respuestas de esta fiesta." in page.get_data(as_text=True)


def test_domain_messages_are_english_until_translated():
    message = N_("There is no room for %(extra)s more: the party is full.", extra=2)
    assert isinstance(message, Message)
    assert str(message) == "There is no room for 2 more: the party is full."
    assert translator("de").message(N_("Nothing changed.")) == "Nichts geändert."


# Error pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "words"),
    [("es", "No hay ninguna campaña llamada «nada»."), ("ar", "لا توجد حملة باسم «nada».")],
)
def test_error_pages_say_what_is_wrong_in_the_language(client, code, words, make_campaign):
    make_campaign()
    in_language(client, code)
    response = client.get("/nada/map")
    assert response.status_code == 404
    assert words in response.get_data(as_text=True)


def test_a_bad_parameter_is_explained_in_the_language(client, make_campaign):
    make_campaign()
    response = client.get("/openstack6bday/calendar?month=2016-13&lang=fr")
    assert response.status_code == 400
    assert "n’est pas un mois comme 2016-07" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    ["?lang=xx", "?lang=%3Cscript%3E", "?lang=" + "a" * 500, "?lang=pt_br", "?lang=ar-EG"],
)
def test_no_language_however_malformed_is_a_500(client, make_campaign, query):
    make_campaign()
    assert client.get("/" + query).status_code == 200
    client.set_cookie("lang", "\x7f\x00zz")
    headers = {"Accept-Language": "*;q=x, ;;, zz-ZZ-abcdefgh;q=2, ar;q=abc"}
    assert client.get("/openstack6bday/" + query, headers=headers).status_code == 200
    assert client.get("/i18n/zz.json").status_code == 404


def test_an_unknown_language_gets_the_default_translator():
    assert translator("zz").locale == "en"
    assert translator(None).gettext("Saved.") == "Saved."
    assert translator("pt-BR").locale == "pt_BR"


# E-mail: the language the person used -------------------------------------------------------


def test_the_organizers_mail_is_in_the_language_they_submitted_in(
    client, make_campaign, mail_server, ctx
):
    make_campaign()
    in_language(client, "ar")
    data = saved_form_data(title="Werk1", csrf_token=form_token(client, "/submit"))
    assert client.post("/submit", data=data).status_code == 303
    event = db.session.scalar(select(Event).where(Event.title == "Werk1"))
    assert event.organizer_locale == "ar"
    message = mail_server.messages[-1]
    assert message["Subject"] == "حفلتك «Werk1» بانتظار المشرف"
    assert "احتفظ بهذا الرابط الخاص لتعديل حفلتك أو سحبها:" in message.get_content()
    # A moderator in English approves it: the organizer still reads Arabic.
    operations.approve_event(event, actor="admin:eve")
    approved = mail_server.messages[-1]
    assert approved["Subject"] == "حفلتك «Werk1» على الخريطة"


def test_the_attendees_mail_is_in_the_language_they_answered_in(client, party, mail_server, ctx):
    in_language(client, "es")
    data = {"email": "ann@example.org", "people": "2", "csrf_token": form_token(client, PAGE)}
    assert client.post(PAGE + "/rsvp", data=data).status_code == 200
    assert db.session.scalar(select(Rsvp)).locale == "es"
    message = mail_server.messages[-1]
    assert message["Subject"] == "Confirma, por favor: vas a «Werk1 party»"
    body = message.get_body(("plain",)).get_content()
    assert "Confirma, por favor, que vas a «Werk1 party» (2 personas):" in body
    assert "¿Al final no puedes ir? Un clic lo cancela:" in body
    assert "Cuándo: mar, 19 jul 2016" in body  # the day in the attendee's language too


def test_mail_without_a_language_is_in_the_default(make_event, mail_server):
    event = make_event(organizer_email="olga@example.org", status=EventStatus.APPROVED)
    assert event.organizer_locale is None
    assert send_outcome(event)
    assert mail_server.messages[-1]["Subject"].startswith("Your party")


# The scripts' catalogue --------------------------------------------------------------------


def test_the_scripts_catalogue_is_json_per_language_with_an_etag(client):
    response = client.get("/i18n/es.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert data["lang"] == "es"
    assert data["messages"]["Show on map"] == "Ver en el mapa"
    assert data["messages"]["The nearest party is %(km)s km away."] == (
        "La fiesta más cercana está a %(km)s km."
    )
    assert data["months"][6] == "julio"
    assert len(data["weekdays"]) == 7
    etag = response.headers["ETag"]
    assert client.get("/i18n/es.json", headers={"If-None-Match": etag}).status_code == 304
    arabic = client.get("/i18n/ar.json").get_json()
    assert arabic["dir"] == "rtl"
    assert arabic["messages"]["Show on map"] == "اعرض على الخريطة"
    assert client.get("/i18n/pt-BR.json").get_json()["lang"] == "pt-BR"


def test_pages_in_a_language_link_its_catalogue_and_english_needs_none(client, app):
    store_event(app)  # in an app context of its own: each request then has its own language
    english = client.get("/openstack6bday/").get_data(as_text=True)
    assert "js/eventmap-i18n.js" in english
    assert "data-catalogue" not in english
    spanish = client.get("/openstack6bday/?lang=es").get_data(as_text=True)
    found = re.search(r'data-catalogue="([^"]+)"', spanish)
    assert found
    url = found.group(1).replace("&amp;", "&")
    assert url.startswith("/i18n/es.json?v=")
    response = client.get(url)
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert response.headers["ETag"].strip('"') == url.rsplit("=", 1)[1]


def test_every_message_of_the_scripts_is_in_the_catalogue_list():
    used = set()
    for script in (ROOT / "static" / "js").glob("*.js"):
        if script.name == "eventmap-i18n.js":  # where t() is defined and described
            continue
        used |= set(re.findall(r'\bt\("((?:[^"\\]|\\.)*)"', script.read_text()))
    assert used, "no t(...) calls found"
    assert used == set(JS_MESSAGES)


# Share cards ---------------------------------------------------------------------------------


def test_the_campaign_numbers_are_in_the_language(make_campaign, make_event):
    campaign = make_campaign(starts_on=date(2016, 7, 1), ends_on=date(2016, 7, 31))
    make_event(campaign=campaign, country_code="DE")
    make_event(campaign=campaign, country_code="JP")
    make_event(campaign=campaign, country_code="JP")
    day = date(2016, 6, 25)
    assert sharing.campaign_figures(campaign, day) == "3 parties in 2 countries · 6 days to go"
    assert sharing.campaign_figures(campaign, day, translator("es")) == (
        "3 fiestas en 2 países · faltan 6 días"
    )
    assert sharing.campaign_figures(campaign, day, translator("ar")) == (
        "3 حفلات في دولتين · بعد 6 أيام"
    )


def test_a_page_links_its_share_card_in_its_language(client, app):
    store_event(app, slug="werk1", title="Werk1 party")
    spanish = client.get(PAGE + "?lang=es").get_data(as_text=True)
    assert "/openstack6bday/werk1/card.png?lang=es" in spanish
    english = client.get(PAGE).get_data(as_text=True)
    assert "/openstack6bday/werk1/card.png?" not in english
    cards = {code: client.get(f"/openstack6bday/card.png?lang={code}") for code in ("en", "ar")}
    assert all(r.status_code == 200 and r.mimetype == "image/png" for r in cards.values())
    assert cards["en"].headers["ETag"] != cards["ar"].headers["ETag"]
    assert cards["en"].get_data() != cards["ar"].get_data()


# The catalogues themselves -------------------------------------------------------------------


@pytest.mark.parametrize("code", [c for c in languages.SUPPORTED if c != languages.DEFAULT])
def test_every_catalogue_keeps_every_placeholder(code):
    for message in catalogue(code):
        if not message.id or not message.string or not all(message.string):
            continue  # untranslated (the test below holds the Python side to be translated)
        if isinstance(message.id, tuple):
            wanted = set(PLACEHOLDER.findall(message.id[1]))
            for form in message.string:
                found = set(PLACEHOLDER.findall(form))
                # a form for one or two may say the number in words ("دولتين")
                assert found <= wanted, (code, message.id)
                assert not (wanted - found) - {"num"}, (code, message.id)
        else:
            assert set(PLACEHOLDER.findall(message.string)) == set(
                PLACEHOLDER.findall(message.id)
            ), (code, message.id)


@pytest.mark.parametrize("code", [c for c in languages.SUPPORTED if c != languages.DEFAULT])
def test_every_python_side_message_is_translated(code):
    missing = [
        message.id
        for message in catalogue(code)
        if message.id
        and any(PYTHON_SIDE.match(path) for path, _line in message.locations)
        and (not message.string or not all(message.string) or message.fuzzy)
    ]
    assert not missing, missing[:10]


def test_arabic_counts_take_cldrs_forms_not_babels_swapped_ones():
    """20 takes the "many" form and 100 the "other" one (Babel's own table swaps them, #816)."""
    from eventmap.i18n_messages import translator

    singular, plural = "%(num)s person, as %(name)s.", "%(num)s people, as %(name)s."
    forms = next(m for m in catalogue("ar") if m.id == (singular, plural)).string
    arabic = translator("ar")
    for count, form in ((3, 3), (11, 4), (20, 4), (99, 4), (100, 5), (102, 5), (1000, 5)):
        expected = forms[form] % {"num": arabic.number(count), "name": "X"}
        assert arabic.ngettext(singular, plural, count, name="X") == expected, count
