"""JSON API: public events as GeoJSON (RFC 7946)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from .extensions import db
from .listing import events_version, public_events
from .models import Campaign
from .serialize import feature_collection, public_feature
from .urls import event_url_builder

bp = Blueprint("api", __name__, url_prefix="/api")

GEOJSON = "application/geo+json"
CACHED_COLLECTIONS = 8
_cache_lock = threading.Lock()


class ApiError(Exception):
    """An API request the client must change, answered as JSON."""

    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        """Keep the HTTP status, the message and the parameter at fault."""
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> tuple[Response, int]:
    """Answer an API error as a small JSON object naming what was wrong."""
    body: dict[str, str] = {"error": error.message}
    if error.parameter:
        body["parameter"] = error.parameter
    return jsonify(body), error.status


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[Response, int]:
    """Answer HTTP errors under /api as JSON, not HTML."""
    return jsonify({"error": error.description}), error.code or 500


@bp.get("/events")
def events() -> Response:
    """Return the approved events, optionally of one campaign, as a FeatureCollection."""
    campaign = None
    slug = request.args.get("campaign")
    if slug is not None:
        campaign = db.session.scalar(Campaign.by_slug(slug))
        if campaign is None:
            raise ApiError(404, f"no campaign called {slug!r}", "campaign")
    etag, body = _collection(campaign)
    response = current_app.response_class(body, mimetype=GEOJSON)
    response.set_etag(etag)
    response.cache_control.no_cache = True  # may be stored, but revalidated each time
    return response.make_conditional(request)


def _collection(campaign: Campaign | None) -> tuple[str, bytes]:
    """Return the FeatureCollection as JSON bytes, written once per version of the events.

    Writing 10,000 features takes a few hundred milliseconds; the fingerprint query takes a
    few. Each worker keeps the latest bodies it wrote, a handful of campaigns at most.
    """
    version = (campaign.slug if campaign else "*", *events_version(campaign))
    etag = hashlib.sha256(repr(version).encode()).hexdigest()[:32]
    cache: OrderedDict[str, bytes] = current_app.extensions.setdefault(
        "eventmap.api_cache", OrderedDict()
    )
    with _cache_lock:
        body = cache.get(etag)
    if body is None:
        url_of = event_url_builder()
        document = feature_collection(
            public_feature(event, url_of(event)) for event in public_events(campaign)
        )
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    with _cache_lock:
        cache[etag] = body
        cache.move_to_end(etag)
        while len(cache) > CACHED_COLLECTIONS:
            cache.popitem(last=False)
    return etag, body
