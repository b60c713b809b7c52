"""Messages the domain words for people, translated later by whoever shows them.

The domain never reads a request, so it cannot know the visitor's language: it marks its
messages with N_() (which pybabel extracts like gettext) and hands them on as Message values,
English when printed. The web layer translates them in the request's language
(eventmap.web.messages); e-mail and share cards take a Translator for the language the person
used, loaded here with Babel alone, so that a command run from cron speaks it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from . import languages

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"


@dataclass(frozen=True)
class Message:
    """A message id with its parameters: English as str(), any language through a Translator."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        """Write the message in English, the language of the source."""
        return self.msgid % self.params if self.params else self.msgid


@runtime_checkable
class Localized(Protocol):
    """A parameter written in the reader's language (a day, a weekday), English as str()."""

    def localized(self, locale: str) -> str:
        """Write the value in a language."""
        ...


def nested(
    params: dict[str, Any], translate: Callable[[Message], str], locale: str
) -> dict[str, Any]:
    """Return the parameters with each Message translated and each Localized value written."""
    return {
        k: translate(v)
        if isinstance(v, Message)
        else v.localized(locale)
        if isinstance(v, Localized)
        else v
        for k, v in params.items()
    }


def N_(msgid: str, **params: Any) -> Message:  # noqa: N802 - the name pybabel looks for
    """Mark a message for the catalogue; it is translated where it is shown."""
    return Message(msgid, params)


def known_locale(tag: str | None) -> str:
    """Return the supported language a tag names (pt-BR and pt_BR alike), else the default."""
    return languages.supported(tag) or languages.DEFAULT


class Translator:
    """Gettext for one language, with numbers grouped the way it groups them."""

    def __init__(self, locale: str, translations: NullTranslations) -> None:
        """Keep the language and its catalogue."""
        self.locale = locale
        self._translations = translations

    def gettext(self, msgid: str, **params: Any) -> str:
        """Translate a message and fill in its %(name)s parameters."""
        text = self._translations.gettext(msgid)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, num: int, **params: Any) -> str:
        """Translate a message whose words depend on a count (%(num)s, grouped)."""
        text = self._translations.ngettext(singular, plural, num)
        return text % {"num": self.number(num), **params}

    def message(self, message: Message | str) -> str:
        """Translate a domain Message, and the Messages among its parameters (a string as is)."""
        if isinstance(message, Message):
            return self.gettext(message.msgid, **nested(message.params, self.message, self.locale))
        return message

    def number(self, value: float) -> str:
        """Write a number with the language's digit grouping: 10,000 or 10.000."""
        return format_decimal(value, locale=self.locale)


@lru_cache(maxsize=32)
def translator(tag: str | None) -> Translator:
    """Return the translator of a language (the site's default for an unknown one)."""
    locale = known_locale(tag)
    translations = Translations.load(str(TRANSLATIONS_DIR), [locale], domain=DOMAIN)
    return Translator(locale, translations)
