"""The languages the app speaks: one list, read by the locale selector, the menu and the tests.

Codes are Babel's (``pt_BR``); pages write them as BCP 47 tags (``pt-BR``) in ``lang``,
``hreflang`` and ``?lang=``. To add a language, add it here, then ``make i18n`` (README).
"""

from __future__ import annotations

DEFAULT = "en"
SUPPORTED: tuple[str, ...] = ("en", "es", "pt_BR", "fr", "de", "ja", "ar")
# Each language's name in itself, as the menu shows it.
NAMES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "pt_BR": "Português (Brasil)",
    "fr": "Français",
    "de": "Deutsch",
    "ja": "日本語",
    "ar": "العربية",
}
# Written right to left: pages get dir="rtl" and the layout mirrors.
RTL: frozenset[str] = frozenset({"ar"})

_BY_FOLDED = {code.lower().replace("_", "-"): code for code in SUPPORTED}


def supported(value: str | None) -> str | None:
    """Return the supported code a tag names (``pt-br``, ``pt_BR``), or None for any other."""
    if not value or len(value) > 35:
        return None
    return _BY_FOLDED.get(value.strip().lower().replace("_", "-"))


def tag(code: str) -> str:
    """Write a code as a BCP 47 tag, as HTML's lang and hreflang want it: pt_BR -> pt-BR."""
    return code.replace("_", "-")


def direction(code: str) -> str:
    """Return the writing direction of a language: "rtl" or "ltr"."""
    return "rtl" if code.split("_")[0] in RTL else "ltr"
