"""Per-process caches of what pages derive from all public events, kept per data version.

A page that needs an aggregate over a whole campaign (its summary figures, the index of its
days) builds it once per version of the data (versions.py) and reuses it until a write
bumps the version: a request then reads one row instead of every event. The cache belongs to
the app (one per worker process), so that two apps on two databases never share entries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app

from . import versions
from .extensions import db

T = TypeVar("T")
_EXTENSION_KEY = "eventmap.memo"
# Entries kept per app: a few kinds of value for a few campaigns; older ones are dropped.
MAX_ENTRIES = 64


class VersionedMemo:
    """Values keyed by name, each kept with the data version it was built from."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        """Start empty; keep at most `max_entries` values, the least recently used dropped."""
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self.builds = 0  # how many values were built: tests check that hits build nothing

    def get(self, key: Hashable, version: Hashable, build: Callable[[], T]) -> T:
        """Return the value of `key` for `version`, building it (once, whatever the threads)."""
        found = self._lookup(key, version)
        if found is not None:
            return found[0]
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:  # the other threads asking for it wait for this one's value
            found = self._lookup(key, version)
            if found is not None:
                return found[0]
            value = build()
            with self._lock:
                self.builds += 1
                self._entries[key] = (version, value)
                self._entries.move_to_end(key)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
            return value

    def _lookup(self, key: Hashable, version: Hashable) -> tuple[Any] | None:
        """Return (value,) when `key` holds a value of `version`, else None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end(key)
            return (entry[1],)

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._entries.clear()


def app_memo() -> VersionedMemo:
    """Return the current app's cache, made on first use."""
    extensions = current_app.extensions
    if _EXTENSION_KEY not in extensions:
        extensions.setdefault(_EXTENSION_KEY, VersionedMemo())
    return extensions[_EXTENSION_KEY]


def memoized(key: Hashable, build: Callable[[], T]) -> T:
    """Return `build()` as of the current data version, built at most once per version.

    The version is read first, so a value is never older than the version it is kept under
    (a write committed meanwhile bumps the version again, and the next request rebuilds).
    """
    version = versions.current(db.session)
    return app_memo().get(key, (version.value, version.changed_at), build)
