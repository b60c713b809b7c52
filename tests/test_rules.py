"""One set of field rules: the submission form and the importer take and refuse the same values."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from eventmap.extensions import db
from eventmap.importer import RawRow, check_rows
from eventmap.models import Campaign
from eventmap.rules import (
    COMMON_LANGUAGES,
    MAX_LENGTHS,
    TimeProblem,
    is_web_link,
    language_direction,
    language_tag,
    time_problem,
)
from eventmap.web.forms import EventForm

GOOD = {
    "title": "OpenStack Munich turns 6",
    "location": "Munich",
    "venue": "Werksviertel",
    "address": "Atelierstraße 10",
    "date_text": "July 19",
    "start_time": "18:30",
    "end_time": "22:00",
    "link": "https://meetup.example/munich",
    "description": "Cake and *talks*.",
}


def form_accepts(app, campaign: Campaign, values: dict[str, str]) -> bool:
    """Tell whether the organizers' form takes these values."""
    data = {
        **values,
        "campaign": campaign.slug,
        "organizer_name": "Ada",
        "organizer_email": "ada@example.org",
    }
    with app.test_request_context(method="POST"):
        form = EventForm(formdata=MultiDict(data), campaigns=[campaign], meta={"csrf": False})
        return form.validate()


def importer_accepts(geocoder, campaign: Campaign, values: dict[str, str]) -> bool:
    """Tell whether the importer takes the same values as one CSV row."""
    cells = {**values, "campaign": campaign.slug}
    good, errors = check_rows([RawRow("row 2", cells)], geocoder=geocoder, catalogue={})
    return bool(good) and not errors


CASES: list[tuple[str, dict[str, str], bool]] = [
    ("all good", {}, True),
    ("longest title", {"title": "x" * MAX_LENGTHS["title"]}, True),
    ("title too long", {"title": "x" * (MAX_LENGTHS["title"] + 1)}, False),
    ("line break in a title", {"title": "Party\r\nBcc: victim@example.org"}, False),
    ("tab in a title", {"title": "Party\tnight"}, False),
    ("NUL in a place", {"location": "Mun\x00ich"}, False),
    ("venue too long", {"venue": "v" * (MAX_LENGTHS["venue"] + 1)}, False),
    ("address at its limit", {"address": "a" * MAX_LENGTHS["address"]}, True),
    ("line breaks in a description", {"description": "Cake.\r\n\r\n* talks\n\t* more"}, True),
    ("bell in a description", {"description": "Cake\x07"}, False),
    ("longest description", {"description": "d" * MAX_LENGTHS["description"]}, True),
    ("description too long", {"description": "d" * (MAX_LENGTHS["description"] + 1)}, False),
    ("upper-case scheme", {"link": "HTTPS://MEETUP.EXAMPLE/x"}, True),
    ("plain http", {"link": "http://meetup.example"}, True),
    ("script link", {"link": "javascript:alert(1)"}, False),
    ("data link", {"link": "data:text/html,<b>x</b>"}, False),
    ("link without a host", {"link": "https://"}, False),
    ("broken host", {"link": "https://[meetup.example"}, False),
    ("ftp link", {"link": "ftp://files.example/x"}, False),
    ("end without start", {"start_time": ""}, False),
    ("ends before it starts", {"start_time": "22:00", "end_time": "18:30"}, False),
    ("ends as it starts", {"end_time": "18:30"}, False),
    ("times while TBD", {"date_text": "TBD", "end_time": ""}, False),
    ("past midnight on two days", {"date_text": "July 19-20", "end_time": "02:00"}, True),
    ("start time only", {"end_time": ""}, True),
    ("no times", {"start_time": "", "end_time": ""}, True),
    ("a language from the list", {"language": "pt-BR"}, True),
    ("a language tag in any case", {"language": "PT_br"}, True),
    ("a language the list does not offer", {"language": "yue"}, True),
    ("no language said", {"language": ""}, True),
    ("an unknown language", {"language": "xx"}, False),
    ("a language tag too long", {"language": "en-" + "a" * MAX_LENGTHS["language"]}, False),
    ("a line break in a language", {"language": "pt\nBR"}, False),
]


@pytest.mark.parametrize(("label", "overrides", "accepted"), CASES, ids=[c[0] for c in CASES])
def test_the_form_and_the_importer_agree(app, make_campaign, geocoder, label, overrides, accepted):
    campaign = make_campaign()
    values = {**GOOD, **overrides}
    assert form_accepts(app, campaign, values) is accepted, label
    assert importer_accepts(geocoder, campaign, values) is accepted, label


# Text with the characters that matter: letters, spaces, controls, line breaks, tabs.
awkward_text = st.text(
    alphabet=st.sampled_from(["a", "é", " ", "\n", "\r", "\t", "\x00", "\x07", "\x1b", "\x7f"]),
    max_size=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=awkward_text, description=awkward_text)
def test_they_agree_on_any_text(app, make_campaign, geocoder, title, description):
    campaign = db.session.scalar(db.select(Campaign)) or make_campaign()
    values = {**GOOD, "title": "Party " + title + "!", "description": description}
    assert form_accepts(app, campaign, values) is importer_accepts(geocoder, campaign, values)


@given(st.text(max_size=30))
def test_only_absolute_http_links_are_web_links(text):
    link = "https://" + text
    if is_web_link(link):
        assert link.lower().startswith("https://")
    assert not is_web_link("javascript:" + text)


def test_the_time_rule_names_the_field_it_concerns():
    from datetime import date, time

    from eventmap.dates import DatePart

    one_day = (DatePart(date(2016, 7, 19), date(2016, 7, 19), None),)
    assert time_problem(None, time(22), one_day).field == "start_time"
    assert time_problem(time(22), time(2), one_day) is TimeProblem.ENDS_BEFORE_START
    assert time_problem(time(18), None, ()) is TimeProblem.NEEDS_DATE
    assert time_problem(None, None, ()) is None


# A party's language: any language Babel knows, written as a canonical BCP 47 tag.


@pytest.mark.parametrize(
    ("typed", "tag"),
    [
        ("es", "es"),
        ("pt-br", "pt-BR"),
        ("PT_br", "pt-BR"),
        (" ja ", "ja"),
        ("ar", "ar"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("zh-TW", "zh-TW"),  # as written, not Babel's fuller zh-Hant-TW
        ("sr-latn", "sr-Latn"),
        ("es-419", "es-419"),
        ("iw", "he"),  # the old code for Hebrew
        ("yue", "yue"),  # not one of the pages' languages: any real language will do
    ],
)
def test_a_language_tag_is_written_canonically(typed, tag):
    assert language_tag(typed) == tag


@pytest.mark.parametrize(
    "typed",
    ["", "xx", "en-", "-en", "en@euro", "en US", "und", "root", "tlh", "x" * 36, "e\x00n", "1234"],
)
def test_what_names_no_known_language_is_refused(typed):
    assert language_tag(typed) is None


def test_the_common_languages_are_canonical_and_their_direction_is_known():
    assert all(language_tag(tag) == tag for tag in COMMON_LANGUAGES)
    assert [language_direction(t) for t in ("ar", "he", "fa", "ur", "en", "ja")] == [
        "rtl",
        "rtl",
        "rtl",
        "rtl",
        "ltr",
        "ltr",
    ]
