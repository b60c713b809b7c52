"""Whole collections (the GeoJSON, the map feed, calendar.ics) built once per data version.

Each is written once per version of the public data (eventmap/versions.py), kept in memory
only in its gzip and brotli encodings, and served with a strong ETag and Last-Modified, to be
revalidated on every use (`no-cache`). A revalidation reads the version row and nothing else,
so a 304 costs the same at 45 events or 100,000. The encoding the client prefers is sent as
stored. The plain body, for clients that take neither, is written once to a file of the
worker's own in the spool folder (`EVENTMAP_COLLECTION_SPOOL`, default `instance/collections`)
and sent from there by the server's sendfile, as a static file is: at 10,000 events, inflating
5 MB of GeoJSON for each such request held the worker at a third of a static file's pace.

Every representation has its own ETag (RFC 9110, 8.8.3): `"T-br"`, `"T-gz"` and `"T"` for
the plain body. They are the same data, so If-None-Match with any of them is a 304 while the
version holds, and the 304 names the tag the client already has.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import queue
import tempfile
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

import brotli
import redis
from flask import Flask, Response, current_app, request
from werkzeug.datastructures import ETags
from werkzeug.wsgi import wrap_file

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
    plain: str | None = None  # the spool file holding the plain body, if written

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


class Spool:
    """Plain bodies of this process's collections, each in a file of its own.

    Files are named after the worker's pid, so that one worker's files are never another's
    to remove; those of a process that is gone are swept when the next one starts.
    """

    SUFFIX = ".body"

    def __init__(self, folder: Path) -> None:
        """Use `folder` (made if missing), removing what dead processes left in it."""
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._sweep()

    def _sweep(self) -> None:
        """Remove the files of processes that no longer run."""
        for path in self.folder.glob(f"*{self.SUFFIX}"):
            pid = path.name.split("-", 1)[0]
            if pid.isdigit() and not _running(int(pid)):
                path.unlink(missing_ok=True)

    def new_file(self) -> IO[bytes]:
        """Open a new file for a plain body, named uniquely for this process."""
        return tempfile.NamedTemporaryFile(
            dir=self.folder, prefix=f"{os.getpid()}-", suffix=self.SUFFIX, delete=False
        )

    def from_gzip(self, built: Built) -> Built:
        """Write the plain body of a collection another worker built, once, from its gzip."""
        with self.new_file() as file:
            for piece in _plain(built.encoded["gzip"]):
                file.write(piece)
        return Built(built.tag, built.length, built.encoded, file.name)

    @staticmethod
    def remove(built: Built) -> None:
        """Remove a collection's plain file (a response still sending it keeps its copy open)."""
        if built.plain is not None:
            Path(built.plain).unlink(missing_ok=True)


def _running(pid: int) -> bool:
    """Tell whether a process with this pid runs (ours or not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class CollectionCache:
    """The newest built version of each collection, a few at most, built once at a time."""

    def __init__(
        self, keep: int = KEEP, shared: SharedStore | None = None, spool: Spool | None = None
    ) -> None:
        """Start empty, keeping at most `keep` collections; share them through `shared`.

        With a `spool`, each collection's plain body is kept in a file there too.
        """
        self.keep = keep
        self.shared = shared
        self.spool = spool
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

    def built(
        self, key: tuple[str, str], tag: str, build: Callable[[IO[bytes] | None], Built]
    ) -> Built:
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
            made = None
            if self.shared is not None:
                made = self.shared.get(key, tag) or self.shared.wait_for_another(key, tag)
                if made is not None and self.spool is not None:
                    made = self.spool.from_gzip(made)
            if made is None:
                made = self._build_here(build)
                if self.shared is not None:
                    self.shared.put(key, made)
            with self._lock:
                dropped = [old] if (old := self._entries.get(key)) is not None else []
                self._entries[key] = made  # the older version of the same collection goes
                self._entries.move_to_end(key)
                while len(self._entries) > self.keep:
                    dropped.append(self._entries.popitem(last=False)[1])
            for old in dropped:
                Spool.remove(old)
            return made

    def _build_here(self, build: Callable[[IO[bytes] | None], Built]) -> Built:
        """Build a collection, writing its plain body into a spool file when there is one."""
        if self.spool is None:
            return build(None)
        file = self.spool.new_file()
        try:
            with file:
                made = build(file)
        except BaseException:
            Path(file.name).unlink(missing_ok=True)
            raise
        return Built(made.tag, made.length, made.encoded, file.name)

    def clear(self) -> None:
        """Forget every stored collection (this process's)."""
        with self._lock:
            dropped = list(self._entries.values())
            self._entries.clear()
        for old in dropped:
            Spool.remove(old)


def cache_of(app: Flask) -> CollectionCache:
    """Return the app's collection cache (one per process: each worker has its own app)."""
    cache = app.extensions.get(_EXTENSION)
    if cache is None:
        url = app.config.get("CACHE_URL")
        shared = SharedStore(url, app.config.get("CACHE_PREFIX", "eventmap:")) if url else None
        folder = app.config.get("COLLECTION_SPOOL")
        spool = Spool(Path(folder)) if folder else None
        cache = app.extensions.setdefault(_EXTENSION, CollectionCache(shared=shared, spool=spool))
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


def encode(tag: str, chunks: Iterable[bytes], plain: IO[bytes] | None = None) -> Built:
    """Compress a body as it is written, keeping no plain copy of it but in `plain`'s file."""
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
                if plain is not None:
                    plain.write(data)
                pending.clear()
                pending_size = 0
        data = b"".join(pending)
        for encoder in encoders.values():
            encoder.feed(data)
        if plain is not None:
            plain.write(data)
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

    def build(plain: IO[bytes] | None) -> Built:
        with _cyclic_gc_paused():
            return encode(tag, write(), plain)

    built = cache_of(current_app).built((kind, scope), tag, build)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if encoding is None:
        response.response = _plain_body(built)
        response.direct_passthrough = True
        response.content_length = built.length
        response.set_etag(tag)
    else:
        response.set_data(built.encoded[encoding])
        response.headers["Content-Encoding"] = encoding
        response.set_etag(tag + SUFFIXES[encoding])
    return response


def _plain_body(built: Built) -> Iterable[bytes]:
    """Send the plain body from its spool file (the server's sendfile), else inflate it."""
    if built.plain is None:
        return _plain(built.encoded["gzip"])
    if "wsgi.file_wrapper" not in request.environ:  # the development server, the test client
        return _spooled(built)
    try:
        file = open(built.plain, "rb")  # noqa: SIM115 (the server closes it once sent)
    except OSError:  # swept or removed since: the stored gzip still has it
        logger.warning("collection spool file %s is gone; inflating instead", built.plain)
        return _plain(built.encoded["gzip"])
    return wrap_file(request.environ, file, CHUNK)


def _spooled(built: Built) -> Iterator[bytes]:
    """Yield the spool file's chunks, opening it only once the body is asked for."""
    assert built.plain is not None
    try:
        file = open(built.plain, "rb")  # noqa: SIM115 (closed below)
    except OSError:
        logger.warning("collection spool file %s is gone; inflating instead", built.plain)
        yield from _plain(built.encoded["gzip"])
        return
    with file:
        while chunk := file.read(CHUNK):
            yield chunk
