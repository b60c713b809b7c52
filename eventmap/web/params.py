"""Request parameters, read strictly and within bounds: a bad one is a 400 (or 404) that says why.

Numbers are ASCII digits only ("²" and "١٢" pass str.isdigit and int() but are no page
number); ids are at most what the database's INTEGER holds, so that PostgreSQL is never asked
for row 10^20; days and months stay in the calendar the pages can draw.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from flask import Flask, abort, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

from ..dates import EARLIEST_DAY
from ..i18n_messages import N_, Message

# The largest id an INTEGER column holds on PostgreSQL (and the smallest SQLite's holds).
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000
# Days and months the calendar pages accept: the date window's first day to the last there is.
FIRST_DAY, LAST_DAY = EARLIEST_DAY, date.max
T = TypeVar("T")
D = TypeVar("D")
_NUMBER = re.compile(r"[0-9]{1,18}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


class ParameterError(ValueError):
    """A parameter that cannot be used; the message names it and says what it must be."""

    def __init__(self, name: str, message: Message, status: int = 400) -> None:
        """Keep the parameter's name, the message to translate and the status to answer with."""
        super().__init__(str(message))
        self.name = name
        self.message = message
        self.status = status


def parse_int(text: str, name: str, low: int, high: int) -> int:
    """Read a whole number written in ASCII digits, from `low` to `high`."""
    if not _NUMBER.fullmatch(text) or not low <= int(text) <= high:
        raise ParameterError(
            name,
            N_(
                "%(name)s must be a whole number from %(low)s to %(high)s.",
                name=name,
                low=low,
                high=f"{high:,}",
            ),
        )
    return int(text)


def parse_id(text: str, name: str) -> int:
    """Read a row's id; one beyond what the database holds names no row (404)."""
    if not text.isascii() or not text.isdigit():
        raise ParameterError(name, N_("%(name)s must be a number like 42.", name=name))
    if len(text) > len(str(MAX_ID)) or int(text) > MAX_ID:
        raise ParameterError(
            name,
            N_(
                "There is no %(name)s numbered %(number)s: numbers go up to %(max)s.",
                name=name,
                number=text[:20],
                max=f"{MAX_ID:,}",
            ),
            404,
        )
    return int(text)


def parse_month(text: str, name: str) -> date:
    """Read a month written YYYY-MM, from FIRST_DAY's month to LAST_DAY's."""
    match = _MONTH.fullmatch(text)
    if match and 1 <= int(match.group(2)) <= 12:
        first = date(int(match.group(1)) or 1, int(match.group(2)), 1)
        if match.group(1) != "0000" and FIRST_DAY.replace(day=1) <= first <= LAST_DAY:
            return first
    raise ParameterError(
        name,
        N_(
            "%(name)s=%(value)s is not a month like 2016-07 (from %(first)s to %(last)s).",
            name=name,
            value=repr(text[:40]),
            first=f"{FIRST_DAY:%Y-%m}",
            last=LAST_DAY.isoformat()[:7],
        ),
    )


def parse_day(text: str, name: str) -> date:
    """Read a day written YYYY-MM-DD, from FIRST_DAY to LAST_DAY."""
    match = _DAY.fullmatch(text)
    day = None
    if match:
        try:
            day = date(*(int(group) for group in match.groups()))
        except ValueError:
            day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise ParameterError(
            name,
            N_(
                "%(name)s=%(value)s is not a date like 2016-07-19 (from %(first)s to %(last)s).",
                name=name,
                value=repr(text[:40]),
                first=FIRST_DAY.isoformat(),
                last=LAST_DAY.isoformat(),
            ),
        )
    return day


# In a request: an absent or empty parameter gives the default; a bad one answers at once.


def _arg(name: str, read: Callable[[str, str], T], default: D) -> T | D:
    """Read ?name= with `read`, or answer the request with the error's status and message."""
    text = request.args.get(name, "")
    if not text:
        return default
    try:
        return read(text, name)
    except ParameterError as exc:
        abort(exc.status, description=exc.message)


def int_arg(name: str, default: D, low: int, high: int) -> int | D:
    """Read ?name= as a whole number from `low` to `high`."""
    return _arg(name, lambda text, label: parse_int(text, label, low, high), default)


def id_arg(name: str) -> int | None:
    """Read ?name= as a row's id, or None without it."""
    return _arg(name, parse_id, None)


def page_arg() -> int:
    """Read ?page= of a paginated list: 1 to MAX_PAGE, 1 without it."""
    return int_arg("page", 1, 1, MAX_PAGE)


def month_arg(name: str, default: D) -> date | D:
    """Read ?name= as the first day of a month."""
    return _arg(name, parse_month, default)


def day_arg(name: str, default: D) -> date | D:
    """Read ?name= as a day."""
    return _arg(name, parse_day, default)


class IdConverter(BaseConverter):
    """The <id:...> path segment: ASCII digits the database's ids can hold, else a 404."""

    regex = r"[0-9]+"
    weight = 50

    def to_python(self, value: str) -> int:
        """Turn the segment into an id, or answer 404 saying how far ids go."""
        try:
            return parse_id(value, "row")
        except ParameterError as exc:
            raise NotFound(description=exc.message) from None

    def to_url(self, value: int) -> str:
        """Write an id into a path."""
        return str(int(value))


def refuse_nul() -> None:
    """Answer 400 to an address with a NUL character: no page uses one, and PostgreSQL refuses
    them in text, so a slug or a search with %00 would otherwise end in a database error.

    Form fields are checked by the forms themselves, beside the field.
    """
    if "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
    ):
        abort(400, description=N_("The address contains a NUL character (%00); remove it."))


def init_params(app: Flask) -> None:
    """Register the <id:...> converter and the NUL check; call before adding the blueprints."""
    app.url_map.converters["id"] = IdConverter
    app.before_request(refuse_nul)
