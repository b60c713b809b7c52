"""Whole collections (the GeoJSON, the map feed, calendar.ics) built once per data version.

Each is written once per version of the public data (eventmap/versions.py), kept only in its
gzip and brotli encodings, and served with a strong ETag and Last-Modified, to be revalidated
on every use (`no-cache`). A revalidation reads the version row and nothing else, so a 304
costs the same at 45 events or 100,000. The encoding the client prefers is sent as stored;
a client that takes neither gets the body decompressed as it goes out.

Every representation has its own ETag (RFC 9110, 8.8.3): `"T-br"`, `"T-gz"` and `"T"` for
the plain body. They are the same data, so If-None-Match with any of them is a 304 while the
version holds, and the 304 names the tag the client already has.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import queue
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import brotli
import redis
from flask import Flask, Response, current_app, request
from werkzeug.datastructures import ETags

from .. import versions
from ..extensions import db
from .compression import ENCODED, GZIP_LEVEL

# Raised whenever a body's format changes, so that tags handed out before mean nothing now.
FORMAT = "2"
# Collections a process keeps at most, the newest version of each: a handful of campaigns.
KEEP = 6
# Each encoding's suffix inside the ETag's quotes; the first is preferred on equal terms.
SUFFIXES = {"br": "-br", "gzip": "-gz"}
# One quality below the pages' (compression.BROTLI_QUALITY): half again as fast on 50 MB of
# GeoJSON for 4% more bytes, and the time counts, since clients wait for it after a change.
COLLECTION_BROTLI_QUALITY = 4
# Bytes handed to the compressors at a time, and sent at a time when decompressing.
CHUNK = 256 * 1024
_EXTENSION = "eventmap.collections"
# Shared through Redis: kept a day, a build waited for at most this long, checked this often.
SHARED_SECONDS = 24 * 3600
SHARED_BUILD_SECONDS = 30  # the lock's life; another worker is waited for half as long
SHARED_POLL_SECONDS = 0.05

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Built:
    """One version of a collection, in its stored encodings."""

    tag: str  # the plain body's opaque tag, without quotes
    length: int  # bytes of the plain body
    encoded: dict[str, bytes]  # encoding name (Content-Encoding) -> body

    @property
    def size(self) -> int:
        """Return the bytes it holds."""
        return sum(len(body) for body in self.encoded.values())


class SharedStore:
    """Collections built by any worker, shared through Redis (EVENTMAP_CACHE_URL).

    Only an optimisation: while Redis does not answer, each worker builds its own (logged).
    A short lock keeps the workers from all building the same version at once.
    """

    def __init__(self, url: str, prefix: str) -> None:
        """Connect lazily to the Redis at `url`; every key starts with `prefix`."""
        self.prefix = prefix + "collections:"
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)

    def _name(self, key: tuple[str, str], tag: str) -> str:
        """Return the Redis key of one version of a collection."""
        return f"{self.prefix}{key[0]}:{key[1]}:{tag}"

    def get(self, key: tuple[str, str], tag: str) -> Built | None:
        """Return the collection if some worker stored this version of it."""
        try:
            length, br, gzip = self._redis.hmget(self._name(key, tag), "length", "br", "gzip")
        except redis.RedisError as error:
            logger.warning("shared cache unreachable: %s", error)
            return None
        if length is None or br is None or gzip is None:
            return None
        return Built(tag, int(length), {"br": br, "gzip": gzip})

    def put(self, key: tuple[str, str], built: Built) -> None:
        """Store a built collection for the other workers, for a day at most."""
        name = self._name(key, built.tag)
        try:
            with self._redis.pipeline() as pipe:
                pipe.hset(name, mapping={"length": built.length, **built.encoded})
                pipe.expire(name, SHARED_SECONDS)
                pipe.delete(name + ":building")
                pipe.execute()
        except redis.RedisError as error:
            logger.warning("shared cache unreachable: %s", error)

    def wait_for_another(self, key: tuple[str, str], tag: str) -> Built | None:
        """Return the collection another worker is building, or None to build it here."""
        name = self._name(key, tag)
        try:
            if self._redis.set(name + ":building", "1", nx=True, ex=SHARED_BUILD_SECONDS):
                return None  # this worker builds it
        except redis.RedisError as error:
            logger.warning("shared cache unreachable: %s", error)
            return None
        deadline = time.monotonic() + SHARED_BUILD_SECONDS / 2
        while time.monotonic() < deadline:
            time.sleep(SHARED_POLL_SECONDS)
            found = self.get(key, tag)
            if found is not None:
                return found
        return None

    def clear(self) -> None:
        """Remove every key under the prefix (tests)."""
        for name in self._redis.scan_iter(match=self.prefix + "*"):
            self._redis.delete(name)


class CollectionCache:
    """The newest built version of each collection, a few at most, built once at a time."""

    def __init__(self, keep: int = KEEP, shared: SharedStore | None = None) -> None:
        """Start empty, keeping at most `keep` collections; share them through `shared`."""
        self.keep = keep
        self.shared = shared
        self._entries: OrderedDict[tuple[str, str], Built] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[str, str], threading.Lock] = {}

    def get(self, key: tuple[str, str], tag: str) -> Built | None:
        """Return the collection `key` if it is stored at version `tag`."""
        with self._lock:
            built = self._entries.get(key)
            if built is None or built.tag != tag:
                return None
            self._entries.move_to_end(key)
            return built

    def built(self, key: tuple[str, str], tag: str, build: Callable[[], Built]) -> Built:
        """Return the collection at version `tag`, building it here unless another thread is.

        Fifty requests after a change wait for one build instead of making fifty; with a
        shared store, the other workers take what one of them built.
        """
        found = self.get(key, tag)
        if found is not None:
            return found
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            found = self.get(key, tag)
            if found is not None:
                return found
            with self._lock:  # an older version is served no more: not held while building
                stale = self._entries.get(key)
                if stale is not None and stale.tag != tag:
                    del self._entries[key]
            made = None
            if self.shared is not None:
                made = self.shared.get(key, tag) or self.shared.wait_for_another(key, tag)
            if made is None:
                made = build()
                if self.shared is not None:
                    self.shared.put(key, made)
            with self._lock:
                self._entries[key] = made  # the older version of the same collection goes
                self._entries.move_to_end(key)
                while len(self._entries) > self.keep:
                    self._entries.popitem(last=False)
            return made

    def clear(self) -> None:
        """Forget every stored collection (this process's)."""
        with self._lock:
            self._entries.clear()


def cache_of(app: Flask) -> CollectionCache:
    """Return the app's collection cache (one per process: each worker has its own app)."""
    cache = app.extensions.get(_EXTENSION)
    if cache is None:
        url = app.config.get("CACHE_URL")
        shared = SharedStore(url, app.config.get("CACHE_PREFIX", "eventmap:")) if url else None
        cache = app.extensions.setdefault(_EXTENSION, CollectionCache(shared=shared))
    return cache


def tag_of(kind: str, scope: str, version: versions.Version, public_url: str) -> str:
    """Return the ETag of a collection's plain body at a version of the data.

    The version's time goes in too, so a database made anew (its counter back at 1) cannot
    be taken for the one a client saw; the public URL too, since every link is built on it.
    """
    key = (FORMAT, kind, scope, version.value, version.changed_at.isoformat(), public_url)
    return hashlib.sha256(repr(key).encode()).hexdigest()[:32]


class _Encoder(threading.Thread):
    """Compress the pieces it is handed in a thread of its own (zlib and brotli let go of
    the GIL while they work), so both encodings are made while the body is still written."""

    def __init__(self, compress: Callable[[bytes], bytes], finish: Callable[[], bytes]) -> None:
        """Start waiting for pieces."""
        super().__init__(daemon=True)
        self._compress, self._finish = compress, finish
        self._pieces: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self.output: list[bytes] = []
        self.error: BaseException | None = None
        self.start()

    def feed(self, data: bytes | None) -> None:
        """Hand over a piece of the body (None: the end)."""
        self._pieces.put(data)

    def run(self) -> None:
        """Compress pieces until the end, keeping the first error for the writer."""
        while (data := self._pieces.get()) is not None:
            if self.error is None:
                try:
                    self.output.append(self._compress(data))
                except BaseException as exc:  # handed to the writer's thread
                    self.error = exc
        if self.error is None:
            try:
                self.output.append(self._finish())
            except BaseException as exc:  # handed to the writer's thread
                self.error = exc

    def result(self) -> bytes:
        """Wait for the end and return the encoded body."""
        self.join()
        if self.error is not None:
            raise self.error
        return b"".join(self.output)


def encode(tag: str, chunks: Iterable[bytes]) -> Built:
    """Compress a body as it is written, keeping no plain copy of it."""
    gzip = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    br = brotli.Compressor(mode=brotli.MODE_TEXT, quality=COLLECTION_BROTLI_QUALITY)
    encoders = {"br": _Encoder(br.process, br.finish), "gzip": _Encoder(gzip.compress, gzip.flush)}
    length = 0
    pending: list[bytes] = []
    pending_size = 0
    try:
        for chunk in chunks:
            length += len(chunk)
            pending.append(chunk)
            pending_size += len(chunk)
            if pending_size >= CHUNK:
                data = b"".join(pending)
                for encoder in encoders.values():
                    encoder.feed(data)
                pending.clear()
                pending_size = 0
        data = b"".join(pending)
        for encoder in encoders.values():
            encoder.feed(data)
    finally:
        for encoder in encoders.values():
            encoder.feed(None)
    return Built(tag, length, {name: encoder.result() for name, encoder in encoders.items()})


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a body is written.

    Writing 10,000 events makes a few hundred thousand objects and no reference cycles; the
    collector would walk them several times over for nothing (a quarter of the time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _plain(body: bytes) -> Iterator[bytes]:
    """Yield a stored gzip body decompressed, a chunk at a time."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    data = body
    while data:
        yield inflate.decompress(data, CHUNK)
        data = inflate.unconsumed_tail
    rest = inflate.flush()
    if rest:
        yield rest


def _chosen_encoding() -> str | None:
    """Return the stored encoding the client prefers, or None for the plain body."""
    accepted = request.accept_encodings
    best = accepted.best_match([*SUFFIXES, "identity"])
    return None if best in (None, "identity") else best


def _matched(tag: str) -> str | None:
    """Return the tag of ours that If-None-Match names (weak comparison), or None."""
    etags: ETags = request.if_none_match
    candidates = [tag + suffix for suffix in SUFFIXES.values()] + [tag]
    for candidate in candidates:
        if etags.contains_weak(candidate):
            return candidate
    return None


def _not_modified(tag: str, encoding: str | None, changed_at: datetime) -> str | None:
    """Return the ETag to answer 304 with, or None when the body must be sent (RFC 9110 13.2.2)."""
    if request.method not in ("GET", "HEAD"):
        return None
    if request.headers.get("If-None-Match") is not None:
        if request.if_none_match.star_tag:
            return tag + SUFFIXES.get(encoding or "", "")
        return _matched(tag)
    since = request.if_modified_since
    if since is not None and changed_at.replace(microsecond=0) <= since:
        return tag + SUFFIXES.get(encoding or "", "")
    return None


def serve_collection(
    kind: str,
    scope: str,
    content_type: str,
    write: Callable[[], Iterable[bytes]],
    headers: dict[str, str] | None = None,
) -> Response:
    """Answer a whole collection: 304 from the version alone, else the stored body.

    `kind` and `scope` (a campaign's slug, "*" for all) name the collection; `write` yields
    its body in pieces, called only when this version is not built yet.
    """
    version = versions.current(db.session)
    tag = tag_of(kind, scope, version, current_app.config["PUBLIC_URL"])
    encoding = _chosen_encoding()
    request.environ[ENCODED] = True
    response = current_app.response_class(content_type=content_type)
    response.cache_control.no_cache = True
    response.vary.add("Accept-Encoding")
    response.last_modified = version.changed_at
    unchanged = _not_modified(tag, encoding, version.changed_at)
    if unchanged is not None:
        response.status_code = 304
        response.set_etag(unchanged)
        response.headers.pop("Content-Type", None)
        return response

    def build() -> Built:
        with _cyclic_gc_paused():
            return encode(tag, write())

    built = cache_of(current_app).built((kind, scope), tag, build)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if encoding is None:
        response.response = _plain(built.encoded["gzip"])
        response.content_length = built.length
        response.set_etag(tag)
    else:
        response.set_data(built.encoded[encoding])
        response.headers["Content-Encoding"] = encoding
        response.set_etag(tag + SUFFIXES[encoding])
    return response
