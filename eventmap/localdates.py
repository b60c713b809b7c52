"""Dates, times and numbers in a reader's language, from Babel's locale data (CLDR).

Each function takes the locale as a code ("pt_BR"); the web layer passes the request's, the
domain never reads one. English keeps the house style of `eventmap.dates` ("Thu 28 July
2016", "27–29 July 2016", "18:30"); other languages get their CLDR forms: "jue, 28 jul 2016",
"2016年7月28日(木)", "27.–29. Juli 2016".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import (
    format_date,
    format_datetime,
    format_interval,
    format_skeleton,
    get_day_names,
)
from babel.dates import format_time as babel_time
from babel.numbers import format_decimal
from babel.units import format_unit

from . import dates

# Where people read road distances in miles (the territory of the reader's locale).
MILES_TERRITORIES = frozenset({"US", "GB", "LR", "MM"})
KM_PER_MILE = 1.609344


def _english(locale: str) -> bool:
    """Tell whether the house style (English) applies."""
    return str(locale).split("_")[0] == "en"


def format_span(start: date, end: date | None, locale: str) -> str:
    """Write a span of days: "Thu 28 July 2016", es "jue, 28 jul 2016", ja "2016年7月28日(木)"."""
    end = end or start
    if _english(locale):
        return dates.format_span(start, end)
    if end == start:
        return format_skeleton("yMMMEd", start, locale=locale)
    return format_interval(start, end, "yMMMd", locale=locale)


def format_part(start: date, end: date, label: str | None, locale: str) -> str:
    """Write one part of a party, its label (the organizer's words) as written beside it."""
    return format_span(start, end, locale) + (f" ({label})" if label else "")


def format_clock(moment: time, locale: str) -> str:
    """Write a time of day: "18:30" in English (24-hour, as files take it), else CLDR's short."""
    if _english(locale):
        return dates.format_time(moment)
    return babel_time(moment, "short", locale=locale)


def format_clock_range(start: time, end: time, locale: str) -> str:
    """Write two times of day as a range: "18:30–22:00"."""
    return f"{format_clock(start, locale)}–{format_clock(end, locale)}"


def format_month_year(day: date, locale: str) -> str:
    """Write a month and its year: "July 2016", "julio de 2016", "2016年7月"."""
    return format_skeleton("yMMMM", day, locale=locale)


def format_month(day: date, locale: str) -> str:
    """Write the name of a day's month as it follows a day number: "July", "juillet"."""
    return format_date(day, "MMMM", locale=locale)


def format_weekday(day: date, width: str, locale: str) -> str:
    """Write a day's weekday: width "abbreviated" ("Thu", "jeu.") or "wide" ("Thursday")."""
    return get_day_names(width, context="stand-alone", locale=locale)[day.weekday()]


def format_day_number(day: date, locale: str) -> str:
    """Write the day of the month alone, in the locale's digits: "28"."""
    return format_date(day, "d", locale=locale)


def format_day_month(day: date, locale: str) -> str:
    """Write a day and its month, short, for chart axes: "28 Jul", "28 juil.", "7月28日"."""
    if _english(locale):
        return f"{day.day} {day.strftime('%b')}"
    return format_skeleton("MMMd", day, locale=locale)


def format_moment_utc(moment: datetime, locale: str) -> str:
    """Write a UTC timestamp for moderators: "2016-07-28 18:30 UTC", or the CLDR short form."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if _english(locale):
        return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return format_datetime(moment, "short", tzinfo=UTC, locale=locale) + " UTC"


def format_number(number: int | float, locale: str) -> str:
    """Write a count with the locale's grouping: 12,345 / 12.345 / 12 345."""
    return format_decimal(number, locale=locale)


def territory_of(locale: str, region: str | None = None) -> str | None:
    """Return the reader's territory: the locale's own, else `region`, else the language's home.

    English without a region has none: it is read the world over (weeks from Monday, km).
    """
    parsed = _parse(locale)
    if parsed.territory:
        return parsed.territory
    if region:
        return region.upper()
    if parsed.language == "en":
        return None
    likely = get_global("likely_subtags").get(parsed.language, "")
    parts = likely.split("_")
    return parts[-1] if len(parts) > 1 and parts[-1].isalpha() and parts[-1].isupper() else None


def first_weekday(locale: str, territory: str | None) -> int:
    """Return the day weeks start on where the reader lives (Monday is 0, Sunday 6)."""
    parsed = _parse(locale)
    if territory:
        try:
            return Locale(parsed.language, territory=territory).first_week_day
        except (UnknownLocaleError, ValueError):
            pass
    return parsed.first_week_day


def uses_miles(territory: str | None) -> bool:
    """Tell whether readers in a territory read road distances in miles."""
    return territory is not None and territory.upper() in MILES_TERRITORIES


def format_distance(km: float, miles: bool, locale: str) -> str:
    """Write a distance in the reader's unit and digits, kilometres beside miles."""
    metric = _length(km, "length-kilometer", locale)
    if not miles:
        return metric
    return f"{_length(km / KM_PER_MILE, 'length-mile', locale)} ({metric})"


def _length(value: float, unit: str, locale: str) -> str:
    """Write a length to whole units from 10 up, to tenths below: "1,234 km", "5.2 km"."""
    pattern = "#,##0" if value >= 10 else "#,##0.0"
    return format_unit(value, unit, "short", format=pattern, locale=locale)


def _parse(locale: str) -> Locale:
    """Return Babel's locale for a code, English for one Babel does not know."""
    try:
        return Locale.parse(str(locale))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


# GeoNames' continent codes as CLDR's region codes (UN M.49), whose names CLDR has per language.
_CONTINENT_REGIONS = {
    "Africa": "002",
    "Antarctica": "AQ",
    "Asia": "142",
    "Europe": "150",
    "North America": "003",
    "Oceania": "009",
    "South America": "005",
}


def territory_name(code: str, locale: str, fallback: str) -> str:
    """Name a country (ISO code) in a language, from CLDR; `fallback` where CLDR has none.

    English keeps the names the app has always shown (ISO 3166's common names).
    """
    if _english(locale):
        return fallback
    try:
        names = Locale.parse(locale).territories
    except (UnknownLocaleError, ValueError):
        return fallback
    return names.get(code.upper(), fallback)


def continent_name(english: str, locale: str) -> str:
    """Name a continent (by its English name, as stats counts them) in a language."""
    region = _CONTINENT_REGIONS.get(english)
    return territory_name(region, locale, english) if region else english
