"""Place names folded so that "München", "MUNCHEN" and "munchen" compare equal."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_DROPPED = re.compile(r"[.'’‘`ʻʼ]")
_SEPARATORS = re.compile(r"[^\w]+|_")
# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ı": "i",
        "œ": "oe",
        "Œ": "oe",
    }
)

# Phrases meaning "not decided yet", for a place or a date (dates.py reads them too).
UNDECIDED = frozenset(
    {"tbd", "tba", "tbc", "to be announced", "to be determined", "to be confirmed"}
)
# Words that say an event has no place on the map.
NOT_A_PLACE = UNDECIDED | frozenset(
    {
        "online",
        "virtual",
        "remote",
        "internet",
        "web",
        "webinar",
        "zoom",
        "google meet",
        "meet",
        "teams",
        "microsoft teams",
        "webex",
        "jitsi",
        "discord",
        "twitch",
        "youtube",
        "hybrid",
        "livestream",
        "live stream",
        "n a",
        "none",
        "unknown",
        "various",
        "everywhere",
        "worldwide",
        "global",
    }
)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold case, accents, apostrophes and punctuation so spellings of a name compare equal."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c)).translate(_LETTERS)
    text = _DROPPED.sub("", text.casefold())
    return " ".join(_SEPARATORS.sub(" ", text).split())
