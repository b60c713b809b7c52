"""The date parser's refusals in the visitor's language on the form, English for the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from markupsafe import escape

from eventmap import languages
from eventmap.dates import DateParseError, date_window_problem, parse_date_phrase
from eventmap.i18n_messages import Message, translator
from tests.helpers import form_token, saved_form_data

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TRANSLATIONS = Path(__file__).resolve().parent.parent / "eventmap" / "translations"


def refusal(phrase: str, year: int = 2016) -> DateParseError:
    """Return the refusal of a phrase the parser cannot read."""
    with pytest.raises(DateParseError) as caught:
        parse_date_phrase(phrase, year)
    return caught.value


@pytest.mark.parametrize(
    ("code", "phrase", "shown"),
    [
        (
            "es",
            "31 de junio",
            "no se pudo leer la fecha «31 de junio»: el 31 de junio de 2016 no es un día del"
            " calendario",
        ),
        (
            "es",
            "7月6日(金)",
            "no se pudo leer la fecha «7月6日(金)»: 6 de julio de 2016 es miércoles, no viernes",
        ),
        (
            "es",
            "28 julio - 2 August",
            "'julio' es español pero 'August' es inglés; escribe la fecha en un solo idioma",
        ),
        (
            "ja",
            "31 de junio",
            "日付「31 de junio」を読み取れません：2016年6月31日 は暦に存在しない日です",
        ),
        (
            "ja",
            "7月6日(金)",
            "日付「7月6日(金)」を読み取れません：2016年7月6日 は 水曜日 で、金曜日 ではありません",
        ),
        (
            "ja",
            "July 3 <b>",
            "日付「July 3 <b>」を読み取れません：予期しない '<' があります",
        ),
    ],
)
def test_a_refused_phrase_on_the_form_is_explained_in_the_language_quoting_it(
    client, make_campaign, code, phrase, shown
):
    make_campaign()
    client.set_cookie("lang", code)
    data = saved_form_data(
        title="Fiesta", date_text=phrase, csrf_token=form_token(client, "/submit")
    )
    response = client.post("/submit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:500]
    assert str(escape(shown)) in page
    assert "could not read the date" not in page


def test_days_outside_the_window_are_refused_in_the_language(client, make_campaign):
    make_campaign()
    client.set_cookie("lang", "de")
    data = saved_form_data(
        title="Party",
        date_text="",
        start_date="0001-01-01",
        end_date="0001-01-01",
        csrf_token=form_token(client, "/submit"),
    )
    page = client.post("/submit", data=data).get_data(as_text=True)
    assert "0001-01-01 liegt vor 1900." in page


def test_english_is_the_house_style_on_the_form(client, make_campaign):
    make_campaign()
    data = saved_form_data(
        title="Party", date_text="7月6日(金)", csrf_token=form_token(client, "/submit")
    )
    page = client.post("/submit", data=data).get_data(as_text=True)
    assert str(escape('could not read the date "7月6日(金)": 6 July 2016 is a Wednesday')) in page


def test_the_refusal_is_english_text_and_a_message_for_the_web():
    error = refusal("31 de junio")
    assert (
        str(error)
        == 'could not read the date "31 de junio": 31 June 2016 is not a day in the calendar'
    )
    assert error.reason == "31 June 2016 is not a day in the calendar"
    assert isinstance(error.message, Message)
    assert translator("fr").message(error.message) == (
        "impossible de lire la date « 31 de junio » : le 31 juin 2016 n’existe pas dans le"
        " calendrier"
    )
    problem = date_window_problem(refusal_free_parts(), 2016)
    assert problem is not None
    assert problem.reason == (
        "a party lasts at most 31 days, parts included; this one runs 63 days,"
        " 2016-07-01 to 2016-09-01."
    )
    assert translator("pt_BR").message(problem.message).startswith("uma festa dura no máximo 31")


def refusal_free_parts():
    """Return the parts of a phrase that reads but lasts too long."""
    return parse_date_phrase("July 1 - September 1", 2016).parts


def test_the_cli_importer_keeps_the_english_refusal(app, runner, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(
        "campaign,title,location,date_text\nopenstack6bday,A,Munich,31 de junio\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", str(path)], env={"LANG": "de_DE.UTF-8"})
    assert result.exit_code == 1
    assert 'could not read the date "31 de junio": 31 June 2016 is not a day in the calendar' in (
        result.output
    )


@pytest.mark.parametrize("code", [c for c in languages.SUPPORTED if c != languages.DEFAULT])
def test_every_refusal_is_translated_keeping_its_placeholders(code):
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalogue = read_po(source, locale=code)
    refusals = [
        m for m in catalogue if m.id and any(p == "eventmap/dates.py" for p, _ in m.locations)
    ]
    assert len(refusals) >= 40
    for message in refusals:
        assert message.string, message.id
        assert not message.fuzzy, message.id
        assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(message.id))
