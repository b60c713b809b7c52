"""The domain's messages in the request's language, and the translator of that language."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale, gettext

from ..i18n_messages import Message, Translator, translator


def translate(message: Message | str | Any) -> str:
    """Translate a domain Message in the request's language (other text is shown as it is)."""
    if isinstance(message, Message):
        return gettext(message.msgid, **message.params)
    return message if isinstance(message, str) else str(message)


def request_locale() -> str:
    """Return the request's language tag, like "pt_BR" (the default outside a request)."""
    locale = get_locale()
    return str(locale) if locale is not None else "en"


def current_translator() -> Translator:
    """Return the translator of the request's language, for domain code that words text."""
    return translator(request_locale())
