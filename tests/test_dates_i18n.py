"""Date phrases in every supported language: read exactly from CLDR's names, or refused, quoted."""

from __future__ import annotations

from datetime import date

import pytest
from babel import Locale
from babel.dates import format_date, format_interval
from hypothesis import given, settings
from hypothesis import strategies as st

from eventmap.dates import (
    MONTH_NAMES,
    WEEKDAY_NAMES,
    DateParseError,
    parse_date_phrase,
)
from eventmap.datewords import fold, languages, prepare

# Every CLDR locale whose names the parser reads, by language.
LOCALES = (
    "en",
    "en_GB",
    "es",
    "es_419",
    "pt_BR",
    "pt_PT",
    "fr",
    "fr_CA",
    "de",
    "de_AT",
    "ja",
    "ar",
    "ar_SY",
    "ar_TN",
    "ar_MA",
)


def d(month: int, day: int, year: int = 2016) -> date:
    return date(year, month, day)


def spans(phrase: str, year: int = 2016) -> list[tuple]:
    """Read a phrase into (start, end, label) triples."""
    return [(p.start, p.end, p.label) for p in parse_date_phrase(phrase, year).parts]


def one(start: date, end: date | None = None, label: str | None = None) -> list[tuple]:
    return [(start, end or start, label)]


JULY_28 = one(d(7, 28))
JULY_6_7 = one(d(7, 6), d(7, 7))
JULY_30_AUG_2 = one(d(7, 30), d(8, 2))
DAYS_6_AND_7 = [(d(7, 6), d(7, 6), None), (d(7, 7), d(7, 7), None)]
JULY_1 = one(d(7, 1))


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        # Spanish
        ("28 de julio", JULY_28),
        ("28 de julio de 2016", JULY_28),
        ("el 28 de julio", JULY_28),
        ("28 DE JULIO", JULY_28),
        ("6-7 de julio", JULY_6_7),
        ("del 6 al 7 de julio", JULY_6_7),
        ("de 6 a 7 de julio", JULY_6_7),
        ("30 de julio al 2 de agosto", JULY_30_AUG_2),
        ("del 30 de julio hasta el 2 de agosto", JULY_30_AUG_2),
        ("6 y 7 de julio", DAYS_6_AND_7),
        ("6, 8 y 10 de julio", [(d(7, n), d(7, n), None) for n in (6, 8, 10)]),
        (
            "5 (taller) y 6 de julio (fiesta)",
            [
                (d(7, 5), d(7, 5), "taller"),
                (d(7, 6), d(7, 6), "fiesta"),
            ],
        ),
        (
            "30 y 31 de julio y 1 de agosto",
            [(d(7, 30), d(7, 30), None), (d(7, 31), d(7, 31), None), (d(8, 1), d(8, 1), None)],
        ),
        ("jueves 28 de julio", JULY_28),
        ("jueves, 28 de julio de 2016", JULY_28),
        ("jue., 28 de jul.", JULY_28),
        ("miercoles 6 de julio", one(d(7, 6))),  # accents are optional
        ("1º de julio", JULY_1),
        ("1.º de julio", JULY_1),
        ("1ro de julio", JULY_1),
        ("30 de diciembre al 2 de enero", one(d(12, 30), d(1, 2, 2017))),
        (
            "6 de julio (taller); 7 de julio (fiesta)",
            [
                (d(7, 6), d(7, 6), "taller"),
                (d(7, 7), d(7, 7), "fiesta"),
            ],
        ),
        # Brazilian Portuguese
        ("28 de julho", JULY_28),
        ("6-7 de julho", JULY_6_7),
        ("de 6 a 7 de julho", JULY_6_7),
        ("do dia 6 ao dia 7 de julho", JULY_6_7),
        ("28 de julho a 2 de agosto", one(d(7, 28), d(8, 2))),
        ("dias 6 e 7 de julho", DAYS_6_AND_7),
        ("quinta-feira, 28 de julho", JULY_28),
        ("quinta feira 28 de julho", JULY_28),
        ("quinta, 28 de julho", JULY_28),
        ("qui., 28 de jul. de 2016", JULY_28),
        ("terca-feira, 26 de julho", one(d(7, 26))),
        ("1º de julho", JULY_1),
        ("28 de março", one(d(3, 28))),
        ("28 de marco", one(d(3, 28))),
        # French
        ("le 5 juillet", one(d(7, 5))),
        ("28 juillet 2016", JULY_28),
        ("jeudi 28 juillet", JULY_28),
        ("Jeudi 28 Juillet", JULY_28),
        ("6-7 juillet", JULY_6_7),
        ("du 6 au 7 juillet", JULY_6_7),
        ("du 30 juillet au 2 août", JULY_30_AUG_2),
        ("du 30 juillet au 2 aout", JULY_30_AUG_2),
        ("les 6 et 7 juillet", DAYS_6_AND_7),
        ("le 1er juillet", JULY_1),
        ("6 juil. - 7 juil.", JULY_6_7),
        ("28 févr. 2016", one(d(2, 28))),
        # German
        ("28. Juli", JULY_28),
        ("am 28. Juli 2016", JULY_28),
        ("Do., 28. Juli", JULY_28),
        ("Donnerstag, 28. Juli 2016", JULY_28),
        ("Do., den 28. Juli", JULY_28),
        ("6.-7. Juli", JULY_6_7),
        ("6.–7. Juli", JULY_6_7),
        ("vom 6. bis 7. Juli", JULY_6_7),
        ("30. Juli bis 2. August", JULY_30_AUG_2),
        ("Mi., 6. – Do., 7. Juli", JULY_6_7),
        ("6. und 7. Juli", DAYS_6_AND_7),
        ("1. Juli", JULY_1),
        ("28. März", one(d(3, 28))),
        ("28. marz", one(d(3, 28))),
        ("3. Jänner", one(d(1, 3))),  # Austrian, from de_AT
        # Japanese
        ("7月28日", JULY_28),
        ("2016年7月28日", JULY_28),
        ("7月28日(木)", JULY_28),
        ("7月28日（木）", JULY_28),
        ("7月28日(木曜日)", JULY_28),
        ("7月28日木曜日", JULY_28),
        ("7月6日～7日", JULY_6_7),
        ("7月6日〜7日", JULY_6_7),
        ("７月６日～７日", JULY_6_7),  # full-width digits
        ("7月6日(水)～7日(木)", JULY_6_7),
        ("7月6日から7日まで", JULY_6_7),
        ("7月30日～8月2日", JULY_30_AUG_2),
        ("7月6日・7日", DAYS_6_AND_7),
        ("7月6日と7日", DAYS_6_AND_7),
        ("7月6日、8日、10日", [(d(7, n), d(7, n), None) for n in (6, 8, 10)]),
        ("7月1日", JULY_1),
        ("07月01日", JULY_1),
        ("7月6日～7日(ワークショップ)", one(d(7, 6), d(7, 7), "ワークショップ")),
        # Arabic
        ("28 يوليو", JULY_28),
        ("٢٨ يوليو", JULY_28),  # Arabic-Indic digits
        ("۲۸ يوليو", JULY_28),  # Eastern Arabic-Indic digits
        ("28 يوليو 2016", JULY_28),
        ("٢٨ يوليو ٢٠١٦", JULY_28),
        ("الخميس 28 يوليو", JULY_28),
        ("الخميس، ٢٨ يوليو", JULY_28),
        ("6-7 يوليو", JULY_6_7),
        ("من 6 إلى 7 يوليو", JULY_6_7),
        ("من 6 الى 7 يوليو", JULY_6_7),
        ("30 يوليو - 2 أغسطس", JULY_30_AUG_2),
        ("6 و7 يوليو", DAYS_6_AND_7),
        ("6 و 7 يوليو", DAYS_6_AND_7),
        ("28 تموز", JULY_28),  # Levantine, from ar_SY
        ("28 كانون الأول", one(d(12, 28))),  # a name of two words
        ("28 جويلية", JULY_28),  # Maghrebi, from ar_TN
        ("\u200f28 يوليو\u200f", JULY_28),  # right-to-left marks are ignored
    ],
)
def test_phrases_in_each_language_read_into_parts(phrase, expected):
    assert spans(phrase) == expected
    assert parse_date_phrase(phrase, 2016).text == phrase


@pytest.mark.parametrize(
    "phrase",
    [
        "por confirmar",
        "a confirmar",
        "Fecha por definir",
        "a definir",
        "data a confirmar",
        "à confirmer",
        "a confirmer",
        "Date à définir",
        "à préciser",
        "noch offen",
        "Termin folgt",
        "未定",
        "日程未定",
        "調整中",
        "يحدد لاحقا",
        "يُحدد لاحقاً",
        "سيتم الإعلان عنه لاحقا",
        "TBD",
    ],
)
def test_undecided_words_in_each_language_have_no_parts(phrase):
    assert parse_date_phrase(phrase, 2016).tbd


@pytest.mark.parametrize(
    ("phrase", "reason"),
    [
        ("31 de junio", "31 June 2016 is not a day in the calendar"),
        ("30 de febrero", "30 February 2016 is not a day in the calendar"),
        ("31 de abril de 2016", "31 April 2016 is not a day"),
        ("31. Juni", "31 June 2016 is not a day"),
        ("31 juin", "31 June 2016 is not a day"),
        ("7月32日", "32 July 2016 is not a day"),
        ("2月30日", "30 February 2016 is not a day"),
        ("31 يونيو", "31 June 2016 is not a day"),
        ("13月1日", "'13月' is not a month"),
        ("7月6年", "is not a year of four digits"),
        ("28 de juliox", "'juliox' is not a month"),
        ("28 Juliember", "'Juliember' is not a month"),
        ("jueves 29 de julio de 2016", "29 July 2016 is a Friday, not a Thursday"),
        ("Fr., 28. Juli 2016", "is a Thursday, not a Friday"),
        ("7月28日(金)", "28 July 2016 is a Thursday, not a Friday"),
        ("الجمعة 28 يوليو 2016", "is a Thursday, not a Friday"),
        ("8-7 de julio", "ends before it starts"),
        ("28.07.", "numeric dates"),
        ("7/28(木)", "numeric dates"),
        ("blah blah", "'blah' is not a month"),
        ("ñ ñ ñ", "'ñ' is not a month"),
        ("jueves", "'jueves' is not followed by a date"),
        ("de julio", "has no day number"),
        ("6 de julio; por confirmar", "mixes dates with 'to be announced'"),
        ("7月6日; 未定", "mixes dates with 'to be announced'"),
        ("28 julio - 2 August", "'julio' is Spanish but 'August' is English"),
        ("28 juillet - 2 August", "'juillet' is French but 'August' is English"),
        ("6. Juli bis 7 julio", "write the date in one language"),
        ("28 de July", "write the date in one language"),
        ("7月6日 - 7 July", "write the date in one language"),
        ("28 يوليو - 2 August", "write the date in one language"),
        ("6 de julio - 7 juillet", "write the date in one language"),
        ("30, 31 y 1 de agosto", "'30' has no month, and the month of '1 de agosto' would put"),
        ("8 et 7 juillet", "would put it on or after that"),
    ],
)
def test_unreadable_phrases_in_each_language_are_refused_quoting_them(phrase, reason):
    with pytest.raises(DateParseError) as caught:
        parse_date_phrase(phrase, 2016)
    assert reason in caught.value.reason
    assert caught.value.phrase == phrase
    assert str(caught.value).startswith(f'could not read the date "{phrase}": ')


def test_a_word_naming_a_month_and_a_weekday_is_the_month_unless_one_is_given():
    # Spanish "mar" abbreviates both marzo and martes
    assert spans("5 mar") == one(d(3, 5))
    assert spans("mar., 5 de julio") == one(d(7, 5))


def test_a_phrase_two_languages_read_differently_is_refused_as_ambiguous():
    # "mar" is March in Portuguese (and German), Tuesday in French; 3 May 2016 was a Tuesday
    with pytest.raises(DateParseError) as caught:
        parse_date_phrase("mar 3 - 5 mai", 2016)
    assert caught.value.reason == (
        "reads as 2016-03-03 to 2016-05-05 in Portuguese but as 2016-05-03 to 2016-05-05"
        " in French; write the month in full"
    )


def test_languages_that_agree_on_a_phrase_read_it():
    # "do" is Thursday in German and a connector in Portuguese; both read 5 May
    assert spans("do 5 mai") == one(d(5, 5))
    assert spans("2016-07-06") == one(d(7, 6))  # no words: every language reads it alike


def test_the_english_names_are_cldr_ones():
    english = Locale.parse("en")
    assert tuple(english.months["format"]["wide"][n] for n in range(1, 13)) == MONTH_NAMES
    assert MONTH_NAMES[6] == "July"
    assert WEEKDAY_NAMES == ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def test_every_language_is_built_once_from_cldr():
    assert languages() is languages()
    codes = [language.code for language in languages()]
    assert codes == ["en", "es", "pt", "fr", "de", "ja", "ar"]
    names = {language.code: language.name for language in languages()}
    assert names["pt"] == "Portuguese"
    assert names["ja"] == "Japanese"
    for language in languages():
        assert set(language.months.values()) == set(range(1, 13)), language.code
        assert set(language.weekdays.values()) == set(range(7)), language.code


@pytest.mark.parametrize("locale_id", LOCALES)
def test_every_cldr_month_and_weekday_name_reads(locale_id):
    locale = Locale.parse(locale_id)
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for month, name in locale.months[context][width].items():
                if any(ch.isdigit() for ch in name) and locale.language != "ja":
                    continue  # CLDR's fallback "1月" in Arabic's stand-alone abbreviations
                phrase = f"{name}15日" if locale.language == "ja" else f"15 {name}"
                assert spans(phrase) == one(d(month, 15)), phrase
            for weekday, name in locale.days[context][width].items():
                day = date(2016, 7, 4 + weekday)  # 4 July 2016 was a Monday
                phrase = (
                    format_date(day, "M月d日", locale="ja") + name
                    if locale.language == "ja"
                    else f"{name} {day.day} {locale.months['format']['wide'][7]}"
                )
                assert spans(phrase) == one(day), phrase


some_days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


@settings(deadline=None, max_examples=300)
@given(some_days, st.sampled_from(LOCALES), st.sampled_from(["long", "full"]))
def test_cldr_long_and_full_dates_read_back_in_every_locale(day, locale_id, width):
    phrase = format_date(day, width, locale=locale_id)  # "jueves, 28 de julio de 2016"
    assert spans(phrase) == one(day), phrase


@settings(deadline=None, max_examples=300)
@given(
    some_days,
    st.integers(min_value=1, max_value=40),
    st.sampled_from([loc for loc in LOCALES if loc != "pt_PT"]),  # pt_PT writes "06/07"
    st.sampled_from(["MMMMd", "yMMMMd", "MMMd", "yMMMd", "MMMEd", "yMMMEd"]),
)
def test_cldr_date_ranges_read_back_in_every_locale(first, length, locale_id, skeleton):
    last = date.fromordinal(min(first.toordinal() + length, date(2200, 12, 31).toordinal()))
    phrase = format_interval(first, last, skeleton, locale=locale_id)
    year = first.year
    if "y" not in skeleton and last.year != first.year:
        return  # without years, a range across New Year is only readable from the first year
    assert spans(phrase, year) == one(first, last), phrase


@settings(deadline=None)
@given(
    st.text(alphabet="0123456789 -–~〜～.,;(）（)/年月日木金de julioy6٢٨يوليوàauJli", max_size=40)
)
def test_any_mix_of_date_characters_is_read_or_refused_never_crashes(text):
    try:
        parsed = parse_date_phrase(text, 2016)
    except DateParseError as exc:
        refusal = exc
    else:
        assert all(part.start <= part.end for part in parsed.parts)
        return
    assert refusal.reason
    assert refusal.phrase == text


def test_folding_ignores_case_accents_compatibility_forms_and_abbreviation_dots():
    assert fold("Juil.") == "juil"
    assert fold("FÉVRIER") == "fevrier"
    assert fold("Ｊｕｌｉ") == "juli"
    assert fold("أغسطس") == fold("اغسطس")
    assert prepare("٢٨ يوليو، ٢٠١٦") == "28 يوليو, 2016"
    assert prepare("７月６日～７日") == "7月6日~7日"
