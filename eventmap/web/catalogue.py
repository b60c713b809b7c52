"""The scripts' words: a JSON catalogue per language, read by static/js/eventmap-i18n.js.

The messages the scripts show are listed here once, marked for pybabel like any other, so the
catalogues translate them with the rest; a test checks that every t("...") in static/js is
listed. Each language's JSON is built once per process and answered with an ETag; pages link
it with that ETag in the address, so a browser keeps it until the catalogue changes.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass

from babel import Locale
from babel.dates import get_day_names, get_month_names
from flask import Blueprint, Response, abort, current_app, request, url_for
from flask_babel import force_locale, gettext

from .. import languages
from ..i18n_messages import N_
from .i18n import current_language

bp = Blueprint("catalogue", __name__)

# Every message of the scripts, in English: the key the scripts look up.
JS_MESSAGES: tuple[str, ...] = tuple(
    message.msgid
    for message in (
        # eventmap-map.js
        N_("The country outlines could not be loaded."),
        N_("Map tiles"),
        N_("Country outlines only (offline)"),
        N_("Country outlines"),
        N_("Parties"),
        N_("Show parties near me"),
        N_("Date to be announced"),
        N_("Party page →"),
        N_("That party is hidden by the filters."),
        N_("All days"),
        N_("Play"),
        N_("Pause"),
        N_("Your browser cannot share your location here; use the filters or the list instead."),
        N_("Finding where you are…"),
        N_("You are here"),
        N_("The nearest party is %(km)s km away."),
        N_("No parties are on the map yet."),
        N_("Location permission was refused; use the filters or the list instead."),
        N_("Your location could not be found; use the filters or the list instead."),
        N_("%(going)s going"),
        N_("Photos: %(count)s"),
        N_("%(shown)s of %(total)s parties shown"),
        N_("%(shown)s of %(total)s parties shown up to %(day)s"),
        N_("Show on map"),
        N_("Show on map: %(title)s"),
        N_("Next day"),
        N_("Loading the parties…"),
        N_("The parties could not be loaded; the list below has them all."),
        # eventmap-admin.js
        N_("Go to it in the queue ↓"),
        N_("Show on the map"),
        N_("Show on the map: %(title)s"),
        # eventmap-event.js
        N_("That is %(when)s where you are."),
        # eventmap-near.js
        N_("Your browser cannot share your location on this page; type a place instead."),
        N_("Location permission was refused; type a place instead."),
        N_("Your location could not be found; type a place instead."),
        N_("your location"),
        # eventmap-pick.js
        N_("The party's pin: drag it to the venue"),
        N_("Party pin"),
        # eventmap-share.js
        N_("Link copied."),
        N_("Could not copy; the address is %(url)s"),
        # eventmap-gallery.js
        N_("(%(index)s of %(total)s)"),
    )
)
# Browsers keep a catalogue a year: its address changes with its content.
MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Catalogue:
    """One language's JSON and its ETag."""

    body: bytes
    etag: str


_lock = threading.Lock()


def _build(code: str) -> Catalogue:
    """Translate every script message into a language, with its month and weekday names."""
    with force_locale(code):
        messages = {msgid: gettext(msgid) for msgid in JS_MESSAGES}
    data = {
        "lang": languages.tag(code),
        "dir": languages.direction(code),
        "messages": messages,
        # Babel's (CLDR's) names, Sunday first like JavaScript's getUTCDay().
        "weekdays": [get_day_names("abbreviated", locale=code)[(i + 6) % 7] for i in range(7)],
        "months": [get_month_names("wide", locale=code)[i] for i in range(1, 13)],
        # The digits Babel writes for the language on the server (Western for all of them).
        "numbers": Locale.parse(code).default_numbering_system,
    }
    body = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return Catalogue(body, hashlib.sha256(body).hexdigest()[:16])


def catalogue(code: str) -> Catalogue:
    """Return a language's catalogue, built once per process."""
    cache: dict[str, Catalogue] = current_app.extensions.setdefault("eventmap.js_catalogues", {})
    with _lock:
        found = cache.get(code)
    if found is None:
        found = _build(code)
        with _lock:
            cache[code] = found
    return found


@bp.get("/i18n/<lang>.json")
def messages(lang: str) -> Response:
    """Answer the scripts' words in a language (pt-BR or pt_BR), revalidated by its ETag."""
    code = languages.supported(lang)
    if code is None:
        abort(
            404,
            description=gettext(
                "There is no catalogue for “%(lang)s”; the languages are %(known)s.",
                lang=lang[:40],
                known=", ".join(languages.tag(c) for c in languages.SUPPORTED),
            ),
        )
    found = catalogue(code)
    response = current_app.response_class(mimetype="application/json")
    response.set_etag(found.etag)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE if request.args.get("v") == found.etag else 3600
    if request.if_none_match.contains(found.etag):
        response.status_code = 304
        return response
    response.set_data(found.body)
    return response


@bp.app_template_global()
def js_catalogue_url() -> str:
    """Return the address of this page's language's catalogue, its ETag in the query."""
    code = current_language()
    return url_for("catalogue.messages", lang=languages.tag(code), v=catalogue(code).etag)
