"""The accessibility statement, and what the accessibility tests cover.

The page types, languages, screen sizes and keyboard flows listed here are the ones the
browser tests walk (tests/browser/test_accessibility.py, tests/browser/test_keyboard.py check
that they walk exactly these), so the statement cannot claim more than is tested.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "package.json"

STANDARD = "WCAG 2.2 level AA"
# axe-core rule tags run on every page; a serious or critical violation fails the tests.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
# Languages audited, by their codes in eventmap/languages.py: English, and Arabic for the
# right-to-left layout (each page is opened with ?lang= and the menu's cookie).
AUDITED_LANGUAGES = {"en": _l("English"), "ar": _l("Arabic")}
SCREEN_SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
# Page type -> what it is, in the order the tests open them.
AUDITED_PAGES = {
    "home": _l("the home page (the default campaign)"),
    "campaign": _l("a campaign page, with its map and lists"),
    "map": _l("the full-screen map with the list of every party"),
    "calendar-month": _l("the month calendar"),
    "calendar-week": _l("the week calendar"),
    "calendar-agenda": _l("the agenda"),
    "calendar-undated": _l("the parties whose date is to be announced"),
    "event": _l("a party's page"),
    "near-results": _l("the near search with results"),
    "near-nothing": _l("the near search with nothing found"),
    "stats": _l("the campaign in numbers"),
    "embed": _l("the embeddable map"),
    "poster": _l("a party's poster"),
    "share-mastodon": _l("sharing on Mastodon"),
    "api-reference": _l("the API reference"),
    "accessibility-statement": _l("this statement"),
    "error-404": _l("the page-not-found error"),
    "submit": _l("the submission form"),
    "submit-errors": _l("the submission form with its errors"),
    "submit-preview": _l("the submission preview with its map"),
    "submit-received": _l("the organizer's page after sending"),
    "edit-private-link": _l("editing a party by its private link"),
    "rsvp-sent": _l("“I’m going”: check your e-mail"),
    "rsvp-confirm": _l("confirming an answer"),
    "rsvp-manage": _l("an answer's own page"),
    "rsvp-cancel": _l("cancelling an answer"),
    "rsvp-deleted": _l("an answer deleted"),
    "admin-login": _l("the moderators' sign-in"),
    "admin-queue": _l("the moderation queue with its map"),
    "admin-event": _l("one party, for a moderator"),
    "admin-edit": _l("a moderator's edit form"),
    "admin-events": _l("all events, for a moderator"),
    "admin-audit": _l("the audit log"),
}
# Flows the keyboard tests go through with Tab, Shift+Tab, Enter, Space and Escape only.
KEYBOARD_FLOWS = {
    "find": _l("find a party: from the home page through the list to the party's page"),
    "submit": _l("submit a party: fill in the form, check the preview, send it"),
    "rsvp": _l("say “I’m going” on a party's page"),
    "moderate": _l("sign in as a moderator and approve a pending party"),
    "map": _l("skip past the map's markers, and step the time slider"),
}

bp = Blueprint("accessibility", __name__)


@cache
def pinned_version(package: str) -> str:
    """Return the exact version of an npm package pinned in assets/package.json."""
    manifest = json.loads(ASSETS.read_text(encoding="utf-8"))
    pins = {**manifest.get("dependencies", {}), **manifest.get("devDependencies", {})}
    return pins[package]


@bp.get("/accessibility")
def statement() -> str:
    """Show the accessibility statement: the bar, what was tested, what is known not to work."""
    return render_template(
        "accessibility.html",
        standard=STANDARD,
        axe_version=pinned_version("axe-core"),
        axe_tags=AXE_TAGS,
        languages=AUDITED_LANGUAGES,
        sizes=SCREEN_SIZES,
        pages=AUDITED_PAGES,
        flows=KEYBOARD_FLOWS,
    )
