"""Configuration classes that read the environment and fall back to safe defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _database_url(instance_path: Path) -> str:
    """Return DATABASE_URL, or an SQLite file in the instance folder when it is unset."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'eventmap.sqlite3'}"
    # Heroku-style URLs name the old driver; psycopg 3 is the one we ship.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _instance_secret(instance_path: Path) -> str:
    """Return a secret kept in the instance folder, so sessions survive restarts and workers."""
    path = instance_path / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        instance_path.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secret)
        return secret


# Names of this machine: a public URL on one of them is served on all of them.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


def _public_url(url: str) -> str:
    """Return EVENTMAP_PUBLIC_URL if it is a web address every absolute link can start with."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"EVENTMAP_PUBLIC_URL must be http(s)://host[:port][/path], not {url!r}")
    return url


def trusted_hosts(public_url: str, listed: str | None) -> list[str] | None:
    """Return the hosts requests may name: EVENTMAP_TRUSTED_HOSTS, else the public URL's host.

    "*" lets any host through (None, as Flask takes it). A public URL on this machine trusts
    its other loopback names too, so that `make run` and the test client ("localhost") work.
    """
    if listed and listed.strip():
        if listed.strip() == "*":
            return None
        return [name.strip().lower() for name in listed.split(",") if name.strip()]
    host = (urlsplit(public_url).hostname or "").lower()
    if host in LOOPBACK_HOSTS:
        return [host, *(name for name in LOOPBACK_HOSTS if name != host)]
    return [host]


def _env(name: str, default: str) -> str:
    """Read EVENTMAP_<name>, else <name>, else the default."""
    return os.environ.get(f"EVENTMAP_{name}") or os.environ.get(name) or default


class Config:
    """Defaults for every environment; values come from EVENTMAP_* or well-known variables."""

    def __init__(self, instance_path: Path) -> None:
        """Resolve settings that depend on the instance folder or the environment."""
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or _instance_secret(instance_path)
        self.SQLALCHEMY_DATABASE_URI = _database_url(instance_path)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        # Server databases: connections each process keeps open (one per gunicorn thread by
        # default, so busy threads do not open and close their own) and may open beyond that.
        self.DB_POOL_SIZE = int(
            os.environ.get("EVENTMAP_DB_POOL_SIZE") or os.environ.get("EVENTMAP_THREADS") or "5"
        )
        self.DB_MAX_OVERFLOW = int(os.environ.get("EVENTMAP_DB_MAX_OVERFLOW", "10"))
        # SQLite only: seconds a write waits for another writer to finish before it fails with
        # "database is locked" (Python's own default is 5, too short for bursts of submissions).
        self.SQLITE_TIMEOUT = float(os.environ.get("EVENTMAP_SQLITE_TIMEOUT", "30"))
        # The campaign shown at "/" when none is named; the newest one when unset.
        self.DEFAULT_CAMPAIGN = os.environ.get("EVENTMAP_DEFAULT_CAMPAIGN", "openstack6bday")
        # Where `flask import` looks up campaigns that a CSV names but the database lacks.
        self.CAMPAIGNS_FILE = os.environ.get(
            "EVENTMAP_CAMPAIGNS_FILE", str(PROJECT_ROOT / "data" / "campaigns.toml")
        )
        # Base of every absolute link (e-mail, exports, feeds, API urls), whatever the request's
        # Host header says; a path in it (https://example.org/parties) prefixes every link.
        self.PUBLIC_URL = _public_url(
            os.environ.get("EVENTMAP_PUBLIC_URL", "http://127.0.0.1:5000").strip()
        )
        # Requests naming any other host get 400 (Flask checks it): comma-separated names, a
        # leading dot for every subdomain, "*" for any; the public URL's host when unset.
        self.TRUSTED_HOSTS = trusted_hosts(
            self.PUBLIC_URL, os.environ.get("EVENTMAP_TRUSTED_HOSTS")
        )
        # Refuse request bodies above this many bytes (the app takes no uploads yet).
        self.MAX_CONTENT_LENGTH = int(os.environ.get("EVENTMAP_MAX_CONTENT_LENGTH", 1_000_000))
        self.JSON_SORT_KEYS = False
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = os.environ.get("EVENTMAP_HTTPS", "") == "1"
        # A moderator's session ends after this many minutes unused, and this many hours after
        # sign-in however busy (the signed cookie's own lifetime follows the second).
        self.SESSION_IDLE_MINUTES = int(os.environ.get("EVENTMAP_SESSION_IDLE_MINUTES", "240"))
        self.SESSION_LIFETIME_HOURS = int(os.environ.get("EVENTMAP_SESSION_LIFETIME_HOURS", "12"))
        self.PREFERRED_URL_SCHEME = "https" if self.SESSION_COOKIE_SECURE else "http"
        # Geocoding: "offline" (default, no network) or "nominatim" (offline first, then the
        # Nominatim server below for what offline cannot answer clearly; answers cached).
        # GEOCODER, NOMINATIM_URL and NOMINATIM_USER_AGENT work without the prefix too.
        self.GEOCODER = _env("GEOCODER", "offline")
        self.GAZETTEER_DIR = os.environ.get("EVENTMAP_GAZETTEER_DIR", str(instance_path))
        self.NOMINATIM_URL = _env("NOMINATIM_URL", "https://nominatim.openstreetmap.org")
        self.NOMINATIM_USER_AGENT = _env("NOMINATIM_USER_AGENT", f"eventmap ({self.PUBLIC_URL})")
        self.NOMINATIM_MIN_DELAY = float(os.environ.get("EVENTMAP_NOMINATIM_MIN_DELAY", "1.0"))
        self.NOMINATIM_TIMEOUT = float(os.environ.get("EVENTMAP_NOMINATIM_TIMEOUT", "5"))
        # Map tiles: any XYZ tile server; empty for none (the offline country outlines remain).
        self.MAP_TILES_URL = os.environ.get(
            "EVENTMAP_MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        )
        self.MAP_TILES_NAME = os.environ.get("EVENTMAP_MAP_TILES_NAME", "OpenStreetMap")
        self.MAP_TILES_ATTRIBUTION = os.environ.get(
            "EVENTMAP_MAP_TILES_ATTRIBUTION",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
            " contributors",
        )
        # Where visitors report an accessibility problem: an e-mail address or a web address.
        self.ACCESSIBILITY_CONTACT = os.environ.get("EVENTMAP_ACCESSIBILITY_CONTACT", "").strip()
        # Rate limits (Flask-Limiter): in-memory per process unless RATELIMIT_STORAGE_URI names
        # a shared store such as redis://127.0.0.1:6379/0, which several workers need.
        self.RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_HEADERS_ENABLED = True
        # Said outright: the limiter is one object for every app a process makes, and takes an
        # app that does not say from the one made before it (an app with limits off, in a test
        # or a benchmark, would turn them off for the next).
        self.RATELIMIT_ENABLED = True
        # While that store is unreachable, count in this process's memory (one warning in the
        # log) instead of failing every limited request; the store is used again once it answers.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        # Any other limiter fault lets the request through (and is logged) rather than a 500.
        self.RATELIMIT_SWALLOW_ERRORS = True
        # Give up on a store that does not answer within a second rather than hold the request.
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
        # Where workers share the whole collections they built (redis://...); empty: each
        # worker builds and keeps its own. Keys start with CACHE_PREFIX.
        self.CACHE_URL = _env("CACHE_URL", "")
        self.CACHE_PREFIX = _env("CACHE_PREFIX", "eventmap:")
        # Where each worker writes the plain bodies of the whole collections it keeps, to be
        # sent by sendfile to clients that take no compression; empty: inflated per request.
        self.COLLECTION_SPOOL = os.environ.get(
            "EVENTMAP_COLLECTION_SPOOL", str(instance_path / "collections")
        )
        # Keep rendered public pages per data version in each worker (web/page_cache.py);
        # "0" renders every request.
        self.PAGE_CACHE = _env("PAGE_CACHE", "1") != "0"
        # How many worker processes serve the app (gunicorn and most hosts set WEB_CONCURRENCY);
        # several on memory storage get a warning at start, as each counts on its own.
        workers = os.environ.get("EVENTMAP_WORKERS") or os.environ.get("WEB_CONCURRENCY")
        self.WORKERS = int(workers or "1")
        self.SUBMIT_RATE_LIMIT = os.environ.get("EVENTMAP_SUBMIT_RATE_LIMIT", "30 per hour")
        # "I'm going" posts (answers, confirmations, changes) per visitor address.
        self.RSVP_RATE_LIMIT = os.environ.get("EVENTMAP_RSVP_RATE_LIMIT", "20 per hour")
        # Photo posts (uploads, reports, deletions) per visitor address.
        self.PHOTO_RATE_LIMIT = os.environ.get("EVENTMAP_PHOTO_RATE_LIMIT", "20 per hour")
        # Attendees' names, addresses and notes are deleted this many days after the party
        # (`flask purge-attendees`, which takes --days too).
        self.RSVP_PURGE_DAYS = int(os.environ.get("EVENTMAP_RSVP_PURGE_DAYS", "30"))
        self.LOGIN_RATE_LIMIT = os.environ.get(
            "EVENTMAP_LOGIN_RATE_LIMIT", "5 per minute;20 per hour"
        )
        # E-mail to organizers (their edit link, the moderation outcome): off unless a server is
        # named. MAIL_SERVER and friends work without the prefix too.
        self.MAIL_SERVER = _env("MAIL_SERVER", "")
        self.MAIL_PORT = int(_env("MAIL_PORT", "25"))
        self.MAIL_USERNAME = _env("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = _env("MAIL_PASSWORD", "")
        self.MAIL_USE_TLS = _env("MAIL_USE_TLS", "") == "1"
        self.MAIL_TIMEOUT = float(_env("MAIL_TIMEOUT", "10"))
        self.MAIL_SENDER = _env("MAIL_SENDER", "eventmap <noreply@localhost>")
        # Uploaded photos' renditions: "local" keeps them in PHOTO_DIR (the instance folder's
        # photos/ by default), "s3" in an S3-compatible bucket; boto3 reads the credentials
        # from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or its other sources).
        self.PHOTO_STORAGE = os.environ.get("EVENTMAP_PHOTO_STORAGE", "local").strip().lower()
        if self.PHOTO_STORAGE not in ("local", "s3"):
            raise ValueError(
                f"EVENTMAP_PHOTO_STORAGE must be local or s3, not {self.PHOTO_STORAGE!r}"
            )
        self.PHOTO_DIR = os.environ.get("EVENTMAP_PHOTO_DIR", str(instance_path / "photos"))
        self.S3_BUCKET = os.environ.get("EVENTMAP_S3_BUCKET", "")
        if self.PHOTO_STORAGE == "s3" and not self.S3_BUCKET:
            raise ValueError("EVENTMAP_PHOTO_STORAGE=s3 needs EVENTMAP_S3_BUCKET")
        # Empty for AWS itself; the address of any other S3 server (MinIO, Ceph, R2...).
        self.S3_ENDPOINT_URL = os.environ.get("EVENTMAP_S3_ENDPOINT_URL", "")
        self.S3_REGION = os.environ.get("EVENTMAP_S3_REGION", "")
        # Put before every object's name ("photos/"), so that a bucket can hold other things.
        self.S3_PREFIX = os.environ.get("EVENTMAP_S3_PREFIX", "")
        # Number of reverse proxies (nginx, a load balancer) whose X-Forwarded-For to trust, so
        # rate limits see the visitor's address rather than the proxy's. Only with that many
        # proxies really in front: otherwise anyone can send X-Forwarded-For and claim any
        # address, escaping the rate limits.
        self.PROXY_COUNT = int(os.environ.get("EVENTMAP_PROXY_COUNT", "0"))
