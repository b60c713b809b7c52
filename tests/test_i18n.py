"""Every visitor in their language: the choice of locale, the menu, lang/dir/hreflang on every
page, the page cache kept apart per language, dates and numbers in the locale, and catalogues
that hold every message."""

from __future__ import annotations

import re
from datetime import date, time
from html import unescape
from io import BytesIO
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from eventmap import languages, localdates
from eventmap.calendars import month_grid, week_start
from eventmap.web.page_cache import app_page_cache

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "eventmap" / "translations"
TRANSLATED = [code for code in languages.SUPPORTED if code != languages.DEFAULT]
HTML_LANG = re.compile(r'<html lang="([^"]*)" dir="([^"]*)">')
HREFLANG = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">')
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.fixture
def party(make_event):
    """One public party in Munich on Tuesday 19 July 2016, 18:30 to 22:00."""
    return make_event(slug="werk1", title="Werk1 party", start_time=time(18, 30), end_time=time(22))


def html_lang(response) -> tuple[str, str]:
    """Return the lang and dir of a page's <html> element."""
    found = HTML_LANG.search(response.get_data(as_text=True))
    assert found, "no <html lang dir> on the page"
    return found.group(1), found.group(2)


# The choice of language -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", "en"),
        ("ja", "ja"),
        ("ja-JP,en;q=0.5", "ja"),
        ("fr-CA,fr;q=0.9,en;q=0.8", "fr"),
        ("pt-PT,fr;q=0.9", "pt-BR"),  # the same language before a second choice
        ("pt-br", "pt-BR"),
        ("de;q=0,es;q=0.5", "es"),  # q=0 means "not this one"
        ("ar-EG", "ar"),
        ("zz,xx-YY", "en"),
        ("*", "en"),
        ("!!!,;;;q=abc,,", "en"),
        ("en-US,en;q=0.9,ja;q=0.8", "en"),
    ],
)
def test_the_browser_language_is_matched(client, party, header, expected):
    response = client.get("/openstack6bday/", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert html_lang(response) == (expected, "rtl" if expected == "ar" else "ltr")


def test_the_menu_cookie_beats_the_browser_and_the_address_beats_both(client, party):
    client.set_cookie("lang", "ar")
    page = client.get("/openstack6bday/", headers={"Accept-Language": "ja"})
    assert html_lang(page) == ("ar", "rtl")
    assert html_lang(client.get("/openstack6bday/?lang=de")) == ("de", "ltr")
    assert html_lang(client.get("/openstack6bday/?lang=pt_br")) == ("pt-BR", "ltr")


@pytest.mark.parametrize("value", ["zz", "", "en-XX-<script>", "ar" * 40, "../../etc"])
def test_a_bad_cookie_or_address_value_is_ignored(client, party, value):
    client.set_cookie("lang", value)
    page = client.get("/openstack6bday/", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    assert html_lang(page) == ("fr", "ltr")
    page = client.get(
        "/openstack6bday/", query_string={"lang": value}, headers={"Accept-Language": "fr"}
    )
    assert page.status_code == 200
    assert html_lang(page) == ("fr", "ltr")


def test_a_negotiated_page_says_what_it_varies_on(client, party):
    response = client.get("/openstack6bday/", headers={"Accept-Language": "es"})
    assert {"Accept-Language", "Cookie"} <= set(response.vary)
    # A language named in the address is the same for every browser.
    response = client.get("/openstack6bday/?lang=es", headers={"Accept-Language": "ja"})
    assert "Accept-Language" not in response.vary
    assert html_lang(response) == ("es", "ltr")


# The language menu -----------------------------------------------------------------------


def test_every_page_has_the_menu_with_every_language_in_itself(client, party):
    html = client.get("/openstack6bday/calendar?month=2016-07", headers={"Accept-Language": "fr"})
    html = html.get_data(as_text=True)
    menu = html[html.index('<form class="language-menu"') :]
    menu = menu[: menu.index("</form>")]
    assert 'method="post" action="/language"' in menu
    assert 'name="next" value="/openstack6bday/calendar?month=2016-07"' in menu
    for code in languages.SUPPORTED:
        tag = languages.tag(code)
        assert f'value="{tag}" lang="{tag}"' in menu
        assert languages.NAMES[code] in menu
    assert '<option value="fr" lang="fr" selected>' in menu
    assert menu.count(" selected") == 1
    assert "csrf_token" not in menu  # cached pages carry no session: see _same_site


def test_the_menu_keeps_the_choice_and_goes_back(client, party):
    response = client.post(
        "/language", data={"lang": "ja", "next": "/openstack6bday/calendar?month=2016-07"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/openstack6bday/calendar?month=2016-07"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=ja;")
    for attribute in ("HttpOnly", "SameSite=Lax", "Max-Age=31536000"):
        assert attribute in cookie
    assert html_lang(client.get("/openstack6bday/")) == ("ja", "ltr")


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "openstack6bday/",
        "/ok\r\nSet-Cookie: x=1",
        "",
        "/" + "a" * 3000,
    ],
)
def test_the_menu_never_sends_anyone_elsewhere(client, party, target):
    response = client.post("/language", data={"lang": "es", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_a_choice_the_app_does_not_speak_changes_nothing(client, party):
    response = client.post("/language", data={"lang": "tlh", "next": "/openstack6bday/"})
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers
    assert client.post("/language").status_code == 303  # nothing posted at all


def test_the_menu_refuses_posts_from_other_sites(client, party):
    cross = client.post(
        "/language", data={"lang": "es", "next": "/"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross.status_code == 403
    assert "Set-Cookie" not in cross.headers
    other = client.post(
        "/language", data={"lang": "es"}, headers={"Origin": "https://evil.example"}
    )
    assert other.status_code == 403
    same = client.post("/language", data={"lang": "es"}, headers={"Origin": "http://localhost"})
    assert same.status_code == 303
    assert client.get("/language").status_code in {308, 404, 405}  # never a 500


# lang, dir and hreflang on every page ----------------------------------------------------

PAGE_TYPES = [
    "/openstack6bday/",
    "/openstack6bday/map",
    "/openstack6bday/werk1",
    "/openstack6bday/calendar",
    "/openstack6bday/calendar/week",
    "/openstack6bday/calendar/agenda",
    "/openstack6bday/calendar/undated",
    "/openstack6bday/stats",
    "/openstack6bday/near?q=Munich",
    "/openstack6bday/embed",
    "/openstack6bday/werk1/poster",
    "/submit",
    "/api/",
    "/admin/login",
]


@pytest.mark.parametrize("code", languages.SUPPORTED)
@pytest.mark.parametrize("path", PAGE_TYPES)
def test_every_page_type_renders_in_every_language(client, party, path, code):
    response = client.get(path, headers={"Accept-Language": languages.tag(code)})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert html_lang(response) == (languages.tag(code), languages.direction(code))


def test_pages_name_their_other_languages(app, client, party):
    html = client.get("/openstack6bday/calendar?month=2016-07&utm_source=x&lang=es")
    links = [(lang, unescape(href)) for lang, href in HREFLANG.findall(html.get_data(as_text=True))]
    base = app.config["PUBLIC_URL"] + "/openstack6bday/calendar"
    expected = [
        (languages.tag(code), f"{base}?month=2016-07&lang={languages.tag(code)}")
        for code in languages.SUPPORTED
    ]
    assert links == [*expected, ("x-default", f"{base}?month=2016-07")]


def test_an_error_page_has_its_language_but_no_alternates(client, party):
    response = client.get("/no-such-campaign/", headers={"Accept-Language": "ar"})
    assert response.status_code == 404
    assert html_lang(response) == ("ar", "rtl")
    assert "hreflang" not in response.get_data(as_text=True)


# The page cache keeps each language apart -----------------------------------------------


def test_the_page_cache_keeps_one_page_per_language(app, client, party):
    cache = app_page_cache()
    visitor = app.test_client(use_cookies=False)
    for header in ("ja", "en", "ja", "ar", "en-GB", "ja-JP"):
        response = visitor.get("/openstack6bday/", headers={"Accept-Language": header})
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
    # ja, en, ar and en in Britain (weeks and miles differ); ja-JP is Japanese in Japan again.
    assert cache.renders == 4
    assert len(cache) == 4
    assert html_lang(visitor.get("/openstack6bday/", headers={"Accept-Language": "ja"}))[0] == "ja"
    assert html_lang(visitor.get("/openstack6bday/?lang=ar"))[0] == "ar"
    assert cache.renders == 5  # the address's own language is a page of its own


# Dates, times, numbers and distances in the visitor's language -----------------------


@pytest.mark.parametrize(
    ("code", "written"),
    [
        ("en", "Tue 19 July 2016"),
        ("es", "mar, 19 jul 2016"),
        ("ja", "2016年7月19日(火)"),
        ("de", "Di., 19. Juli 2016"),
        ("fr", "mar. 19 juil. 2016"),
    ],
)
def test_the_event_page_writes_the_day_in_the_language(client, party, code, written):
    html = client.get(f"/openstack6bday/werk1?lang={languages.tag(code)}").get_data(as_text=True)
    assert written in html


def test_house_style_stays_for_english_and_cldr_serves_the_others():
    assert localdates.format_span(date(2016, 7, 28), None, "en") == "Thu 28 July 2016"
    assert localdates.format_span(date(2016, 7, 28), None, "es") == "jue, 28 jul 2016"
    assert localdates.format_span(date(2016, 7, 28), None, "ja") == "2016年7月28日(木)"
    assert localdates.format_span(date(2016, 7, 27), date(2016, 7, 29), "en") == "27–29 July 2016"
    assert localdates.format_span(date(2016, 7, 27), date(2016, 7, 29), "de") == "27.–29. Juli 2016"
    assert localdates.format_span(date(2016, 7, 6), date(2016, 7, 7), "ja") == "2016年7月6日～7日"
    assert localdates.format_clock(time(18, 30), "en") == "18:30"
    assert localdates.format_clock(time(18, 30), "fr") == "18:30"
    assert localdates.format_number(12345, "en") == "12,345"
    assert localdates.format_number(12345, "de") == "12.345"
    assert localdates.format_month_year(date(2016, 7, 1), "es") == "julio de 2016"


def test_the_first_day_of_the_week_is_the_visitors():
    assert localdates.first_weekday("en", None) == 0  # English with no region: Monday
    assert localdates.first_weekday("en", "US") == 6
    assert localdates.first_weekday("en", "GB") == 0
    assert localdates.first_weekday("ja", localdates.territory_of("ja")) == 6
    assert localdates.first_weekday("ar", localdates.territory_of("ar")) == 5  # Egypt: Saturday
    assert localdates.first_weekday("ar", "SA") == 6
    assert localdates.first_weekday("pt_BR", localdates.territory_of("pt_BR")) == 6
    assert localdates.first_weekday("de", localdates.territory_of("de")) == 0
    # 0001-01-01 is a Monday: a Sunday week cannot start before it.
    assert week_start(date(1, 1, 3), 6) == date(1, 1, 1)
    weeks = month_grid(2016, 7, 6)
    assert weeks[0][0].day == date(2016, 6, 26)  # a Sunday
    assert all(len(week) == 7 for week in weeks)
    assert weeks[-1][-1].day == date(2016, 8, 6)


@pytest.mark.parametrize(
    ("header", "first_header", "first_day"),
    [
        ("en", "Mon", "2016-06-27"),
        ("en-US", "Sun", "2016-06-26"),
        ("ja", "日", "2016-06-26"),
        ("ar", "السبت", "2016-06-25"),
        ("de", "Mo", "2016-06-27"),
    ],
)
def test_the_month_grid_starts_on_the_visitors_first_day(
    client, party, header, first_header, first_day
):
    html = client.get(
        "/openstack6bday/calendar?month=2016-07", headers={"Accept-Language": header}
    ).get_data(as_text=True)
    heads = re.findall(r'<th scope="col"><abbr title="[^"]*">([^<]*)</abbr></th>', html)
    assert len(heads) == 7
    assert heads[0].rstrip(".") == first_header
    cells = re.findall(r'<td class="[^"]*"[^>]*data-day="([\d-]+)"', html)
    assert cells[0] == first_day
    assert len(cells) % 7 == 0


def test_the_week_view_starts_on_the_visitors_first_day(client, party):
    html = client.get(
        "/openstack6bday/calendar/week?day=2016-07-19", headers={"Accept-Language": "en-US"}
    ).get_data(as_text=True)
    days = re.findall(r'class="week-day[^"]*"[^>]*data-day="([\d-]+)"', html)
    assert days[0] == "2016-07-17"  # Sunday
    assert len(days) == 7


@pytest.mark.parametrize(
    ("locale", "territory", "written"),
    [
        ("en", None, "16 km"),
        ("en", "US", "10 mi (16 km)"),
        ("en", "GB", "10 mi (16 km)"),
        ("de", "DE", "16 km"),
        ("fr", "FR", "16\u202fkm"),  # CLDR's narrow no-break space
        ("ar", "EG", "16 كم"),
    ],
)
def test_distances_are_in_the_visitors_units(locale, territory, written):
    miles = localdates.uses_miles(territory)
    assert localdates.format_distance(16.09344, miles, locale) == written


def test_the_near_page_writes_distances_in_the_visitors_units(client, party):
    us = client.get("/openstack6bday/near?q=Munich", headers={"Accept-Language": "en-US"})
    assert re.search(r'class="distance">[\d.,]+ mi \(', us.get_data(as_text=True))
    de = client.get("/openstack6bday/near?q=Munich", headers={"Accept-Language": "de-DE"})
    assert re.search(r'class="distance">[\d.,]+ km<', de.get_data(as_text=True))


# The catalogues ------------------------------------------------------------------------


def _catalogue(code: str):
    """Read a language's catalogue."""
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=code)


def _template_ids() -> set[str]:
    """Return the message ids of messages.pot."""
    with (TRANSLATIONS / "messages.pot").open("rb") as source:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}


def _ids(messages) -> set[str]:
    """Return the singular ids of a catalogue's messages."""
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.id}


def test_every_supported_language_has_a_catalogue_babel_knows():
    for code in TRANSLATED:
        assert (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").is_file(), code
        Locale.parse(code)
    assert set(languages.NAMES) == set(languages.SUPPORTED)
    assert languages.DEFAULT in languages.SUPPORTED


def test_messages_pot_holds_every_string_the_sources_mark():
    """`make i18n` has been run since the last marked string changed."""
    method_map = [("**.py", "python"), ("**.html", "jinja2")]
    options = {"**.html": {"trimmed": "true"}}
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "lazy_gettext": None,
        "_l": None,
        "lazy_ngettext": (1, 2),
    }
    marked: set[str] = set()
    for folder in ("eventmap", "templates"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map, options, keywords=keywords
        ):
            marked.add(message if isinstance(message, str) else message[0])
    missing = marked - _template_ids()
    assert not missing, f"run `make i18n`: messages.pot lacks {sorted(missing)[:10]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_catalogue_is_up_to_date_with_messages_pot(code):
    missing = _template_ids() - _ids(_catalogue(code))
    assert not missing, f"run `make i18n`: {code} lacks {sorted(missing)[:10]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_their_placeholders(code):
    for message in _catalogue(code):
        if not message.id or message.fuzzy:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            if string:
                assert set(PLACEHOLDER.findall(string)) <= wanted | {"num"}, (code, message.id)
                assert set(PLACEHOLDER.findall(string)) >= wanted - {"num"}, (code, message.id)


@pytest.mark.xfail(reason="translations pending (translators)", strict=False)
@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated(code):
    untranslated = []
    for message in _catalogue(code):
        if not message.id:
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy or not all(s.strip() for s in strings):
            untranslated.append(message.id if isinstance(message.id, str) else message.id[0])
    assert not untranslated, f"{code}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"


def test_compiled_catalogues_are_used(app, client, party, tmp_path):
    """A translated message reaches the page (a catalogue written here, not the real ones)."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalogue = Catalog(locale="es")
    catalogue.add("Skip to content", "Saltar al contenido")
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    buffer = BytesIO()
    write_mo(buffer, catalogue)
    (folder / "messages.mo").write_bytes(buffer.getvalue())
    babel = app.extensions["babel"]
    directories = babel.translation_directories
    babel.translation_directories = [str(tmp_path)]
    domain = babel.instance.domain_instance
    domain.cache.clear()  # translations are kept per process, per language
    try:
        html = client.get("/openstack6bday/?lang=es").get_data(as_text=True)
    finally:
        babel.translation_directories = directories
        domain.cache.clear()
    assert "Saltar al contenido" in html
    assert '<html lang="es" dir="ltr">' in html


def test_outside_a_request_the_default_language_is_used_or_the_one_forced(app):
    from flask import render_template_string
    from flask_babel import force_locale

    from eventmap.web.i18n import current_language, first_weekday

    with app.app_context():
        from flask import g

        g.something = 1  # Flask-Babel keeps its state in g: a busy app context, as in the CLI
        assert current_language() == "en"
        assert first_weekday() == 0
        assert render_template_string("{{ 1234 | thousands }}") == "1,234"
        with force_locale("de"):
            assert current_language() == "de"
            assert render_template_string("{{ 1234 | thousands }}") == "1.234"
