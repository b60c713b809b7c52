"""Whole collections (the GeoJSON, the map feed, calendar.ics) built once per data version.

Each is written once per version of the public data (eventmap/versions.py), plain, gzip and
brotli at once, into files of the worker's own in the spool folder (`EVENTMAP_COLLECTION_SPOOL`,
default `instance/collections`), and served from there by the server's sendfile, as a static
file is, with a strong ETag and Last-Modified, to be revalidated on every use (`no-cache`).
A revalidation reads the version row and nothing else, so a 304 costs the same at 45 events or
100,000. Nothing of a body stays in the worker's memory: at 100,000 events the three
collections are 25 MB compressed, and inflating 5 MB of GeoJSON for each client that takes no
compression held a worker at a third of a static file's pace (10,000 events).

Every representation has its own ETag (RFC 9110, 8.8.3): `"T-br"`, `"T-gz"` and `"T"` for
the plain body. They are the same data, so If-None-Match with any of them is a 304 while the
version holds, and the 304 names the tag the client already has.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import logging
import os
import queue
import shutil
import tempfile
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

try:  # glibc: hand the heap a build freed back to the system
    import ctypes

    _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
except (ImportError, OSError, AttributeError):  # another C library: nothing to trim
    _malloc_trim = None

import brotli
import redis
from flask import Flask, Response, current_app, request
from werkzeug.datastructures import ETags
from werkzeug.wsgi import wrap_file

from .. import versions
from ..extensions import db
from ..rebuilds import Previous, Writer, context_key
from .compression import ENCODED

# Raised whenever a body's format changes, so that tags handed out before mean nothing now.
FORMAT = "2"
# Collections a process keeps at most, the newest version of each: a handful of campaigns.
KEEP = 6
# Each encoding's suffix inside the ETag's quotes; the first is preferred on equal terms.
SUFFIXES = {"br": "-br", "gzip": "-gz"}
PLAIN = "identity"  # the name the plain body's file is kept under
# One quality below the pages' (compression.BROTLI_QUALITY): half again as fast on 50 MB of
# GeoJSON for 4% more bytes, and the time counts, since clients wait for it after a change.
COLLECTION_BROTLI_QUALITY = 4
# gzip is for the clients without brotli (calendar apps, scripts). Level 4 rather than the
# pages' 6 (compression.GZIP_LEVEL): at 100,000 parties 0.28 CPU-s instead of 0.44 for the
# GeoJSON and 0.29 instead of 0.59 for calendar.ics, for 11-14% more bytes (3% for the map
# feed), and the next client after a change waits for it.
COLLECTION_GZIP_LEVEL = 4
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
    """One version of a collection: its files in the spool, one per encoding."""

    tag: str  # the plain body's opaque tag, without quotes
    length: int  # bytes of the plain body
    files: dict[str, str]  # "br", "gzip" (Content-Encoding) and PLAIN -> spool file
    # Where each item lies in the plain body (rebuilds.Writer.save), for the next build to copy.
    index: str | None = None

    @property
    def paths(self) -> list[str]:
        """Return every file of this version in the spool: its bodies and index."""
        return [*self.files.values(), *([self.index] if self.index else [])]

    def read(self, encoding: str) -> bytes:
        """Return one encoding's whole body (the shared store's copy, tests)."""
        return Path(self.files[encoding]).read_bytes()

    @property
    def size(self) -> int:
        """Return the bytes its compressed files hold on disk."""
        return sum(Path(self.files[name]).stat().st_size for name in SUFFIXES)


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

    def get(self, key: tuple[str, str], tag: str) -> tuple[int, dict[str, bytes]] | None:
        """Return the plain length and compressed bodies if some worker stored this version."""
        try:
            length, br, gzip = self._redis.hmget(self._name(key, tag), "length", "br", "gzip")
        except redis.RedisError as error:
            logger.warning("shared cache unreachable: %s", error)
            return None
        if length is None or br is None or gzip is None:
            return None
        return int(length), {"br": br, "gzip": gzip}

    def put(self, key: tuple[str, str], built: Built) -> None:
        """Store a built collection for the other workers, for a day at most."""
        name = self._name(key, built.tag)
        encoded = {encoding: built.read(encoding) for encoding in SUFFIXES}
        try:
            with self._redis.pipeline() as pipe:
                pipe.hset(name, mapping={"length": built.length, **encoded})
                pipe.expire(name, SHARED_SECONDS)
                pipe.delete(name + ":building")
                pipe.execute()
        except redis.RedisError as error:
            logger.warning("shared cache unreachable: %s", error)

    def wait_for_another(
        self, key: tuple[str, str], tag: str
    ) -> tuple[int, dict[str, bytes]] | None:
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
    """The files of this process's collections, each version's in files of its own.

    Files are named after the worker's pid, so that one worker's files are never another's
    to remove; those of a process that is gone are swept when the next one starts.
    """

    SUFFIX = ".body"
    LATEST = ".latest"  # names a collection's newest build of any worker, for copying from

    def __init__(self, folder: Path) -> None:
        """Use `folder` (made if missing), removing what dead processes left in it."""
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._sweep()

    def _sweep(self) -> None:
        """Remove the files of processes that no longer run, and names of builds now gone."""
        for path in self.folder.glob(f"*{self.SUFFIX}"):
            pid = path.name.split("-", 1)[0]
            if pid.isdigit() and not _running(int(pid)):
                path.unlink(missing_ok=True)
        for path in self.folder.glob(f"*{self.LATEST}"):
            try:
                names = path.read_text().splitlines()
            except OSError:
                continue
            if not all(Path(name).exists() for name in names):
                path.unlink(missing_ok=True)

    def _latest_name(self, key: tuple[str, str]) -> Path:
        """Return the file naming the newest build of a collection by any worker."""
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:24]
        return self.folder / f"{digest}{self.LATEST}"

    def set_latest(self, key: tuple[str, str], built: Built) -> None:
        """Name `built` as the newest build of `key`, for the next build to copy from."""
        if built.index is None:
            return
        with self.new_file("latest") as written:
            written.write(f"{built.files[PLAIN]}\n{built.index}\n".encode())
        os.replace(written.name, self._latest_name(key))  # whole or not at all

    def latest(self, key: tuple[str, str]) -> tuple[str, str] | None:
        """Return the plain body and index files of the newest build of `key`, if named."""
        try:
            body, index = self._latest_name(key).read_text().splitlines()
        except (OSError, ValueError):
            return None
        return body, index

    def new_file(self, encoding: str) -> IO[bytes]:
        """Open a new file for one encoding of a body, named uniquely for this process."""
        return tempfile.NamedTemporaryFile(
            dir=self.folder,
            prefix=f"{os.getpid()}-{encoding}-",
            suffix=self.SUFFIX,
            delete=False,
        )

    def write(
        self,
        tag: str,
        write: Callable[[dict[str, IO[bytes]]], int],
        items: tuple[Writer, str] | None = None,
    ) -> Built:
        """Write a version's files through `write` (which returns the plain length).

        With `items` (the build's Writer and context), the index of its items is written too,
        when the Writer counted every byte of the body. A failed build leaves no file behind.
        """
        files = {name: self.new_file(name) for name in (*SUFFIXES, PLAIN)}
        index = None
        try:
            with ExitStack() as stack:
                for file in files.values():
                    stack.enter_context(file)
                length = write(files)
            if items is not None and items[0].items:
                writer, context = items
                if writer.position == length:
                    with self.new_file("index") as file:
                        index = file.name
                        writer.save(file, context)
                else:  # a piece went by uncounted: the offsets would be wrong
                    logger.warning(
                        "collection %s: items counted %d of %d bytes; not kept",
                        tag,
                        writer.position,
                        length,
                    )
        except BaseException:
            for name in (*(file.name for file in files.values()), index):
                if name is not None:
                    Path(name).unlink(missing_ok=True)
            raise
        return Built(tag, length, {name: file.name for name, file in files.items()}, index)

    def from_shared(self, tag: str, length: int, encoded: dict[str, bytes]) -> Built:
        """Keep a collection another worker built: its encodings as stored, the plain inflated."""

        def write(files: dict[str, IO[bytes]]) -> int:
            for name, body in encoded.items():
                files[name].write(body)
            for piece in _inflated(encoded["gzip"]):
                files[PLAIN].write(piece)
            return length

        return self.write(tag, write)

    @staticmethod
    def remove(built: Built) -> None:
        """Remove a version's files (a response still sending one keeps its copy open)."""
        for path in built.paths:
            Path(path).unlink(missing_ok=True)


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

    def __init__(self, spool: Spool, keep: int = KEEP, shared: SharedStore | None = None) -> None:
        """Start empty, keeping at most `keep` collections in `spool`; share through `shared`."""
        self.spool = spool
        self.keep = keep
        self.shared = shared
        self._entries: OrderedDict[tuple[str, str], Built] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[str, str], threading.Lock] = {}
        self._retired: list[Built] = []  # dropped versions whose files go at the next drop

    def get(self, key: tuple[str, str], tag: str) -> Built | None:
        """Return the collection `key` if it is stored at version `tag`."""
        with self._lock:
            built = self._entries.get(key)
            if built is None or built.tag != tag:
                return None
            self._entries.move_to_end(key)
            return built

    def built(
        self,
        key: tuple[str, str],
        tag: str,
        write: Callable[[Writer], Iterable[bytes]],
        context: str | None = None,
    ) -> Built:
        """Return the collection at version `tag`, building it here unless another thread is.

        `write` yields the plain body in pieces, counting them with the Writer it is given.
        With a `context` (what every item depends on), the Writer copies from the newest
        build of any worker for that context, and this build's items are kept for the next.
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
                stored = self.shared.get(key, tag) or self.shared.wait_for_another(key, tag)
                if stored is not None:
                    made = self.spool.from_shared(tag, *stored)
            if made is None:
                if context is not None:  # a body's format is part of what its items depend on
                    context = context_key(FORMAT, key, context)
                started = time.perf_counter()
                writer = Writer(self._previous(key, context) if context is not None else None)
                try:
                    made = self.spool.write(
                        tag,
                        lambda files: encode(write(writer), files),
                        (writer, context) if context is not None else None,
                    )
                finally:
                    writer.close()
                logger.info(
                    "built %s %s in %.2f s: %d bytes, %d items, %d copied from the last build",
                    *key,
                    time.perf_counter() - started,
                    made.length,
                    writer.items,
                    writer.copies,
                )
                _trim()
                if self.shared is not None:
                    self.shared.put(key, made)
                self.spool.set_latest(key, made)
            with self._lock:
                dropped = [old] if (old := self._entries.get(key)) is not None else []
                self._entries[key] = made  # the older version of the same collection goes
                self._entries.move_to_end(key)
                while len(self._entries) > self.keep:
                    dropped.append(self._entries.popitem(last=False)[1])
                # A request that took a version just before it went may still be opening its
                # file: a dropped version's files are removed at the next drop, not now.
                removed, self._retired = self._retired, dropped
            for old in removed:
                Spool.remove(old)
            return made

    def _previous(self, key: tuple[str, str], context: str) -> Previous | None:
        """Open the newest build of `key` to copy from: any worker's, else this one's."""
        with self._lock:
            own = self._entries.get(key)
        candidates = [self.spool.latest(key)]
        if own is not None and own.index is not None:
            candidates.append((own.files[PLAIN], own.index))
        for found in candidates:
            if found is None:
                continue
            try:
                return Previous(*found, context)
            except (OSError, ValueError) as error:  # removed by its worker, or another context
                logger.info("not copying from %s: %s", found, error)
        return None

    def forget(self, key: tuple[str, str], built: Built) -> None:
        """Drop a version whose files went missing, so that the next request builds it again."""
        with self._lock:
            if self._entries.get(key) is built:
                del self._entries[key]
        Spool.remove(built)

    def clear(self) -> None:
        """Forget every stored collection (this process's), removing their files."""
        with self._lock:
            dropped = [*self._entries.values(), *self._retired]
            self._entries.clear()
            self._retired = []
        for old in dropped:
            Spool.remove(old)


def _trim() -> None:
    """Return the memory a build freed to the system (glibc keeps it otherwise)."""
    if _malloc_trim is not None:
        _malloc_trim(0)


def cache_of(app: Flask) -> CollectionCache:
    """Return the app's collection cache (one per process: each worker has its own app)."""
    cache = app.extensions.get(_EXTENSION)
    if cache is None:
        url = app.config.get("CACHE_URL")
        shared = SharedStore(url, app.config.get("CACHE_PREFIX", "eventmap:")) if url else None
        cache = app.extensions.setdefault(
            _EXTENSION, CollectionCache(Spool(_spool_folder(app)), shared=shared)
        )
    return cache


def _spool_folder(app: Flask) -> Path:
    """Return the configured spool folder, or a private one that goes with the process."""
    folder = app.config.get("COLLECTION_SPOOL")
    if folder:
        return Path(folder)
    made = Path(tempfile.mkdtemp(prefix="eventmap-collections-"))
    atexit.register(shutil.rmtree, made, ignore_errors=True)
    return made


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

    def __init__(
        self, compress: Callable[[bytes], bytes], finish: Callable[[], bytes], sink: IO[bytes]
    ) -> None:
        """Start waiting for pieces; write what comes out into `sink`."""
        super().__init__(daemon=True)
        self._compress, self._finish, self._sink = compress, finish, sink
        self._pieces: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
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
                    self._sink.write(self._compress(data))
                except BaseException as exc:  # handed to the writer's thread
                    self.error = exc
        if self.error is None:
            try:
                self._sink.write(self._finish())
            except BaseException as exc:  # handed to the writer's thread
                self.error = exc

    def wait(self) -> None:
        """Wait for the end, raising the first error in the writer's thread."""
        self.join()
        if self.error is not None:
            raise self.error


def encode(chunks: Iterable[bytes], files: dict[str, IO[bytes]]) -> int:
    """Write a body plain and compressed into `files` as it comes; return its plain length.

    `files` has a file for each of SUFFIXES' encodings and PLAIN. No copy of the body is
    held: pieces of about CHUNK bytes go to the compressors' threads and the plain file.
    """
    gzip = zlib.compressobj(COLLECTION_GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    br = brotli.Compressor(mode=brotli.MODE_TEXT, quality=COLLECTION_BROTLI_QUALITY)
    encoders = [
        _Encoder(br.process, br.finish, files["br"]),
        _Encoder(gzip.compress, gzip.flush, files["gzip"]),
    ]
    plain = files[PLAIN]
    length = 0
    pending: list[bytes] = []
    pending_size = 0

    def hand_over() -> None:
        data = b"".join(pending)
        for encoder in encoders:
            encoder.feed(data)
        plain.write(data)
        pending.clear()

    try:
        with _cyclic_gc_paused():
            for chunk in chunks:
                length += len(chunk)
                pending.append(chunk)
                pending_size += len(chunk)
                if pending_size >= CHUNK:
                    hand_over()
                    pending_size = 0
            hand_over()
    finally:
        for encoder in encoders:
            encoder.feed(None)
    for encoder in encoders:
        encoder.wait()
    return length


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


def _inflated(body: bytes) -> Iterator[bytes]:
    """Yield a gzip body decompressed, a chunk at a time."""
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
    write: Callable[[Writer], Iterable[bytes]],
    headers: dict[str, str] | None = None,
    check: Callable[[], object] | None = None,
    context: str | None = None,
) -> Response:
    """Answer a whole collection: 304 from the version alone, else the stored body.

    `kind` and `scope` (a campaign's slug, "*" for all) name the collection; `write` yields
    its body in pieces, called only when this version is not built yet (see
    CollectionCache.built for the Writer it is given and `context`). `check` (finding the
    campaign, say, or answering 404) runs only when a body is to be sent and is not stored
    at this version yet: a tag the client holds, like a body stored, was made for this very
    scope at this version, whose campaign then existed (removing one is a new version), so
    a revalidation, or a body already built, reads nothing but the version.
    """
    version = versions.committed(db.engine)
    tag = tag_of(kind, scope, version, current_app.config["PUBLIC_URL"])
    encoding = _chosen_encoding()
    request.environ[ENCODED] = True
    response = current_app.response_class(content_type=content_type)
    response.cache_control.no_cache = True
    response.vary.add("Accept-Encoding")
    response.last_modified = version.changed_at
    cache = cache_of(current_app)
    key = (kind, scope)
    # A collection stored at this version vouches for its scope as one of our tags does.
    checked = check is None or cache.get(key, tag) is not None
    if not checked and (
        request.headers.get("If-None-Match") is None or request.if_none_match.star_tag
    ):
        check()  # only one of our tags vouches for the scope; a date or "*" does not
        checked = True
    unchanged = _not_modified(tag, encoding, version.changed_at)
    if unchanged is not None:
        response.status_code = 304
        response.set_etag(unchanged)
        response.headers.pop("Content-Type", None)
        return response

    if not checked:
        check()
    built = cache.built(key, tag, write, context)
    for attempt in range(2):
        try:
            file = open(built.files[encoding or PLAIN], "rb")  # noqa: SIM115 (closed once sent)
            break
        except OSError:  # removed under the worker (a cleaned folder): build it again
            if attempt:
                raise
            logger.warning("collection file %s is gone; building it again", built.files)
            cache.forget(key, built)
            built = cache.built(key, tag, write, context)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.content_length = os.fstat(file.fileno()).st_size
    response.response = _body(file)
    response.direct_passthrough = True
    if encoding is None:
        response.set_etag(tag)
    else:
        response.headers["Content-Encoding"] = encoding
        response.set_etag(tag + SUFFIXES[encoding])
    return response


def _body(file: IO[bytes]) -> Iterable[bytes]:
    """Send an open spool file by the server's sendfile, which closes it once sent.

    A server without one (the development server, the test client) gets the bytes read at
    once: it serves one person, and an unread response leaves no file open.
    """
    if "wsgi.file_wrapper" in request.environ:
        return wrap_file(request.environ, file, CHUNK)
    with file:
        return [file.read()]
