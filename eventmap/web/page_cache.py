"""Rendered public pages kept per data version, so that a page costs one row read, not a render.

A public page (a campaign, its map, its calendars, an event, the embed, the numbers, the Atom
feed) is the same for every anonymous visitor of a day, a data version and an address: it is
rendered once, with placeholders where each response must carry its own values (the CSP nonce,
the visitor's CSRF token), and each response gets those values written in at the end. What a
render tells apart besides its URL is in the key: the host, the query string, the day (pages
say "today", "past"), the visitor's language and territory (weeks, miles). Not kept, and not
served from the cache: anything but a 200, a response that sets a cookie or is not for everyone
(no-store, private), a render that wrote to the session, and the requests of a signed-in
moderator or of a visitor with a message waiting to be shown.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from flask import current_app, g, request, session
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from .. import versions
from ..extensions import db
from .i18n import current_language, visitor_territory
from .security import _NONCE, csp_nonce

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])
_EXTENSION_KEY = "eventmap.page_cache"
# Placeholders a render writes where a response carries its own value: the characters of a
# nonce and of a token (URL-safe), so that they are written out unescaped wherever they appear.
NONCE_PLACEHOLDER = "eventmap-page-cache-nonce-x7Qk2"
CSRF_PLACEHOLDER = "eventmap-page-cache-csrf-x7Qk2"
# Pages kept per worker process, the least recently used dropped first: a few pages per
# campaign and day, plus the calendars' months and the events people open.
MAX_ENTRIES = 512
MAX_BYTES = 48 * 1024 * 1024
# A page bigger than this share of the budget is served but not kept.
MAX_ENTRY_SHARE = 8
# Headers a kept page does not carry over: recomputed, or set per response by later hooks.
_DROPPED_HEADERS = {"content-length", "set-cookie"}


@dataclass(frozen=True)
class Page:
    """A rendered page, its placeholders still in it."""

    body: bytes
    headers: tuple[tuple[str, str], ...]

    @property
    def size(self) -> int:
        """Return the bytes it holds, headers included."""
        return len(self.body) + sum(len(n) + len(v) for n, v in self.headers)


class PageCache:
    """Pages by key, each kept with the data version it was rendered from."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        """Start empty; keep at most `max_entries` pages and `max_bytes` bytes."""
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[Hashable, Page]] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self._bytes = 0
        self.renders = 0  # pages rendered for keeping: tests check that hits render nothing

    def lookup(self, key: Hashable, version: Hashable) -> Page | None:
        """Return the page kept under `key` for `version`, if any."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def building(self, key: Hashable) -> threading.Lock:
        """Return the lock the threads rendering `key` share, so that one renders it."""
        with self._lock:
            return self._building.setdefault(key, threading.Lock())

    def keep(self, key: Hashable, version: Hashable, page: Page) -> None:
        """Keep `page` under `key`, dropping the least recently used past the bounds."""
        with self._lock:
            self.renders += 1
            self._building.pop(key, None)
            if page.size * MAX_ENTRY_SHARE > self.max_bytes:
                return
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1].size
            self._entries[key] = (version, page)
            self._bytes += page.size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped.size

    def forget_builder(self, key: Hashable) -> None:
        """Let go of the lock of a key whose render was not kept."""
        with self._lock:
            self._building.pop(key, None)

    def clear(self) -> None:
        """Forget every page."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        """Return how many pages are kept."""
        return len(self._entries)


def app_page_cache() -> PageCache:
    """Return the current app's page cache, made on first use (one per worker process)."""
    extensions = current_app.extensions
    if _EXTENSION_KEY not in extensions:
        extensions.setdefault(_EXTENSION_KEY, PageCache())
    return extensions[_EXTENSION_KEY]


def _today() -> date:
    """Return today in UTC, the day the pages' "coming" and "past" are told from."""
    return datetime.now(UTC).date()


def _csrf_field() -> str:
    """Return the name Flask-WTF keeps the request's token under (in `g` and the session)."""
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _for_everyone() -> bool:
    """Tell whether this request may be answered from, and stored into, the cache."""
    if request.method != "GET" or not current_app.config.get("PAGE_CACHE", True):
        return False
    # A signed-in moderator, or a message waiting to be shown, makes the page theirs.
    if current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        return False
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return True  # no session: nobody signed in, no message waiting (and no Vary: Cookie)
    return not ("_user_id" in session or "_flashes" in session)


def _key() -> Hashable:
    """Return what tells this request's page apart from the others of the same data version."""
    return (
        request.endpoint,
        tuple(sorted((request.view_args or {}).items())),
        tuple(sorted(request.args.items(multi=True))),
        request.host_url,
        current_language(),
        visitor_territory(),  # the first day of the week, miles or kilometres
        _today(),
    )


def _render(view: Callable[..., ResponseReturnValue], *args: Any, **kwargs: Any) -> Response:
    """Render the page with the placeholders in place of this request's nonce and token."""
    environ = request.environ
    field = _csrf_field()
    token = g.pop(field, None)  # a token made earlier in the request must not be kept
    environ[_NONCE] = NONCE_PLACEHOLDER
    setattr(g, field, CSRF_PLACEHOLDER)  # generate_csrf() answers it, the session untouched
    try:
        return current_app.make_response(view(*args, **kwargs))
    finally:
        environ.pop(_NONCE, None)  # the request's own nonce is made on first use, after
        g.pop(field, None)
        if token is not None:
            setattr(g, field, token)


def _keepable(response: Response, session_was_modified: bool) -> Page | None:
    """Return the page to keep, or None when the response is not the same for everyone."""
    if (
        response.status_code != 200
        or response.is_streamed
        or response.direct_passthrough
        or "Set-Cookie" in response.headers
        or response.cache_control.no_store
        or response.cache_control.private
        or (session.modified and not session_was_modified)
    ):
        return None
    headers = tuple(
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in _DROPPED_HEADERS
    )
    return Page(response.get_data(), headers)


def _personal(body: bytes, headers: tuple[tuple[str, str], ...], status: int = 200) -> Response:
    """Answer a rendered page with this response's own nonce and the visitor's own token."""
    nonce = csp_nonce()
    body = body.replace(NONCE_PLACEHOLDER.encode(), nonce.encode())
    if CSRF_PLACEHOLDER.encode() in body:
        from flask_wtf.csrf import generate_csrf

        body = body.replace(CSRF_PLACEHOLDER.encode(), generate_csrf().encode())
    response = current_app.response_class(body, status=status)
    response.headers.clear()
    for name, value in headers:
        response.headers.add(name, value.replace(NONCE_PLACEHOLDER, nonce))
    response.content_length = len(body)
    return response


def _own(response: Response) -> Response:
    """Write this response's own nonce and token into a render that is not kept."""
    if response.is_streamed or response.direct_passthrough:
        return response
    personal = _personal(response.get_data(), (), response.status_code)
    response.set_data(personal.get_data())
    policy = response.headers.get("Content-Security-Policy")
    if policy:
        response.headers["Content-Security-Policy"] = policy.replace(NONCE_PLACEHOLDER, csp_nonce())
    return response


def cached_page(view: F) -> F:
    """Serve a public GET page from the per-version cache, rendering it once per version."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if not _for_everyone():
            return view(*args, **kwargs)
        version = versions.committed(db.engine)  # read first: a page is never older than it
        stamp = (version.value, version.changed_at)
        key = _key()
        cache = app_page_cache()
        page = cache.lookup(key, stamp)
        if page is None:
            with cache.building(key):  # the other threads asking for it wait for this render
                page = cache.lookup(key, stamp)
                if page is None:
                    session_was_modified = session.modified
                    response = _render(view, *args, **kwargs)
                    page = _keepable(response, session_was_modified)
                    if page is None:
                        cache.forget_builder(key)
                        return _own(response)
                    cache.keep(key, stamp, page)
        return _personal(page.body, page.headers)

    return wrapper  # type: ignore[return-value]
