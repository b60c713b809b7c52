"""Cache, then offline, then Nominatim: each place asked of the online service once."""

from __future__ import annotations

import logging
from typing import Protocol

from geopy.exc import GeopyError

from .place import Geocoder, Place

log = logging.getLogger(__name__)

# Below this (venue text skipped, ambiguity, tiny places), an offline answer is checked
# with the online service when one is configured.
TRUSTED_CONFIDENCE = 0.9


class AnswerCache(Protocol):
    """Where online answers are kept: `get` returns (found, place), found False for a miss."""

    def get(self, query: str) -> tuple[bool, Place | None]: ...  # pragma: no cover - protocol

    def put(self, query: str, place: Place | None, source: str) -> None: ...  # pragma: no cover


class GeocoderChain:
    """Offline first; ask the online service only for what offline cannot answer clearly."""

    def __init__(self, offline: Geocoder, online: Geocoder, cache: AnswerCache) -> None:
        """Compose the three parts."""
        self.offline = offline
        self.online = online
        self.cache = cache

    def lookup(self, query: str) -> Place | None:
        """Return the cached answer, a clear offline one, or the online service's."""
        local = self.offline.lookup(query)
        if local is not None and not local.ambiguous and local.confidence >= TRUSTED_CONFIDENCE:
            return local
        found, cached = self.cache.get(query)
        if found:
            return cached or local
        try:
            remote = self.online.lookup(query)
        except GeopyError as exc:
            log.warning("online geocoder failed for %r (%s); using the offline answer", query, exc)
            return local  # not cached: try the service again next time
        self.cache.put(query, remote, "nominatim")
        return remote or local
