"""The domain's messages in the request's language, and the translator of that language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from ..i18n_messages import Message, Translator, nested, translator
from .i18n import current_language


def translate(message: Message | str | Any) -> str:
    """Translate a domain Message in the request's language (other text is shown as it is)."""
    if isinstance(message, Message):
        return gettext(message.msgid, **nested(message.params, translate, current_language()))
    return message if isinstance(message, str) else str(message)


def current_translator() -> Translator:
    """Return the translator of the request's language, for domain code that words text."""
    return translator(current_language())
