"""Online geocoder answers kept in the app's database, so each place is asked once across restarts.

It lives outside the geocoding package, which stays a library that knows nothing of the app.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .geocoding import Place, fold
from .models import GeocodeAnswer

log = logging.getLogger(__name__)


class DatabaseAnswerCache:
    """Read and write the geocode_answers table in short sessions of its own."""

    def __init__(self, engine: Engine) -> None:
        """Use the app's engine; never the request's session, so no request work is committed."""
        self.engine = engine

    def get(self, query: str) -> tuple[bool, Place | None]:
        """Return (True, answer) when this place text was asked before, else (False, None)."""
        with Session(self.engine) as session:
            row = session.scalar(select(GeocodeAnswer).where(GeocodeAnswer.key == _key(query)))
            if row is None:
                return False, None
            return True, row.place(query)

    def put(self, query: str, place: Place | None, source: str) -> None:
        """Keep an answer (None for "not found"); a concurrent identical write is harmless."""
        row = GeocodeAnswer.from_place(_key(query), query, place, source)
        with Session(self.engine) as session:
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # another worker cached the same place first
        log.info("cached %s answer for %r", source, query)


def _key(query: str) -> str:
    """Return the cache key: the folded text, so "MUNICH" and "Munich" share an answer."""
    return fold(query)[:300]
