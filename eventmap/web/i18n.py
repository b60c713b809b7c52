"""The visitor's language: chosen from the address, the menu's cookie or the browser.

A page's language is, in order: ``?lang=xx`` in its address (so that each language of a page
has its own URL, which the ``hreflang`` alternates name and the page cache keeps apart), the
choice made in the language menu (a cookie), the best match of ``Accept-Language``, English.
A value that names no supported language is ignored, never an error. A response whose language
came from the headers says so with ``Vary: Accept-Language, Cookie``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, g, has_request_context, request
from flask_babel import get_locale, refresh

from .. import languages, localdates
from ..extensions import babel
from ..urls import TRACKING, public_url

COOKIE = "lang"
PARAM = "lang"
_FROM_HEADERS = "eventmap.locale_from_headers"


def best_accepted(accepted: list[tuple[str, float]]) -> str | None:
    """Return the supported language the visitor asks for most, by exact tag then by language.

    ``pt-PT`` finds ``pt_BR`` (the same language) before a second choice of another language.
    """
    for value, quality in accepted:
        if quality <= 0:
            continue
        exact = languages.supported(value)
        if exact is not None:
            return exact
        primary = value.replace("_", "-").split("-")[0].lower()
        for code in languages.SUPPORTED:
            if code.split("_")[0].lower() == primary:
                return code
    return None


def select_locale() -> str:
    """Return this request's language code (Flask-Babel's locale selector).

    Outside a request (the command line, e-mail sent from it) it is the default language,
    unless the caller chose one with flask_babel.force_locale.
    """
    if not has_request_context():
        return languages.DEFAULT
    chosen = languages.supported(request.args.get(PARAM))
    if chosen is not None:
        return chosen
    g.setdefault(_FROM_HEADERS, True)
    chosen = languages.supported(request.cookies.get(COOKIE))
    if chosen is not None:
        return chosen
    return best_accepted(list(request.accept_languages)) or languages.DEFAULT


def current_language() -> str:
    """Return this request's language code (``pt_BR``)."""
    return str(get_locale() or languages.DEFAULT)


def visitor_territory() -> str | None:
    """Return where the visitor reads from (weeks, units), from their language and its region.

    The region is the one Accept-Language gives the chosen language ("en-US" when English is
    chosen); without one, the language's home territory (none for English).
    """
    code = current_language()
    if not has_request_context():
        return localdates.territory_of(code)
    primary = code.split("_")[0].lower()
    region = None
    for value, quality in request.accept_languages:
        parts = value.replace("_", "-").split("-")
        if quality > 0 and parts[0].lower() == primary and len(parts) > 1 and _region(parts[-1]):
            region = parts[-1]
            break
    return localdates.territory_of(code, region)


def _region(subtag: str) -> bool:
    """Tell whether a language subtag is a region ("US"), not a script ("Hant")."""
    return len(subtag) == 2 and subtag.isalpha()


def first_weekday() -> int:
    """Return the visitor's first day of the week (Monday 0 ... Sunday 6)."""
    return localdates.first_weekday(current_language(), visitor_territory())


def uses_miles() -> bool:
    """Tell whether the visitor reads road distances in miles."""
    return localdates.uses_miles(visitor_territory())


def _without_lang(drop: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Return this request's query, ``lang`` (and `drop`) left out, in a stable order."""
    return sorted((k, v) for k, v in request.args.items(multi=True) if k != PARAM and k not in drop)


def language_url(code: str | None, base: str) -> str:
    """Return `base` (this page's address) with this query and, unless None, ``lang=code``."""
    query = _without_lang(TRACKING)
    if code is not None:
        query.append((PARAM, languages.tag(code)))
    return f"{base}?{urlencode(query)}" if query else base


def alternates() -> list[tuple[str, str]]:
    """Return (hreflang, href) for each language of this page, and x-default; none on errors."""
    if request.url_rule is None or request.endpoint is None:
        return []
    base = public_url(request.endpoint, **(request.view_args or {}))
    links = [(languages.tag(code), language_url(code, base)) for code in languages.SUPPORTED]
    links.append(("x-default", language_url(None, base)))
    return links


def here() -> str:
    """Return this page's path and query without ``lang``: where the menu brings one back."""
    query = _without_lang()
    return request.path + (f"?{urlencode(query)}" if query else "")


def init_i18n(app: Flask) -> None:
    """Bind Flask-Babel with the locale selector, and the templates' language helpers."""
    babel.init_app(app, locale_selector=select_locale)
    # {% trans %} blocks are read as extracted (babel.cfg): whitespace runs become one space.
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    @app.before_request
    def _fresh_locale() -> None:
        # Flask-Babel keeps the locale in `g`, which outlives a request when an app context
        # spans several (CLI, tests): each request chooses its own.
        g.pop(_FROM_HEADERS, None)
        refresh()

    @app.after_request
    def _vary(response: Response) -> Response:
        if g.get(_FROM_HEADERS):
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response

    @app.context_processor
    def _language() -> dict[str, object]:
        return {
            "languages": languages,
            "current_language": current_language,
            "language_tag": lambda: languages.tag(current_language()),
            "language_dir": lambda: languages.direction(current_language()),
            "language_alternates": alternates,
            "language_here": here,
        }
