"""JSON API: public events as GeoJSON (RFC 7946)."""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..extensions import db
from ..geocoding.place import answer
from ..listing import MAP_COLUMNS, MAP_PARTS
from ..models import Campaign
from ..nearby import (
    DEFAULT_LIMIT,
    HALF_CIRCUMFERENCE_KM,
    MAX_LIMIT,
    MAX_QUERY,
    MIN_RADIUS_KM,
    nearest,
    nearest_to_place,
    parse_point,
)
from ..serialize import (
    GEOJSON_MEDIA_TYPE,
    feature_collection,
    map_feed_pieces,
    public_collection_pieces,
    public_feature,
)
from ..services import geocoder
from ..urls import event_link_pattern, event_url_builder
from .api_reference import reference
from .collection_cache import serve_collection
from .errors import json_error
from .openapi import openapi_document
from .page_cache import cached_page
from .params import ParameterError, parse_int

bp = Blueprint("api", __name__, url_prefix="/api")

GEOJSON = GEOJSON_MEDIA_TYPE
FEATURES_AT_ONCE = 1000  # features written to JSON in one call


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
def _http_error(error: HTTPException) -> Response:
    """Answer HTTP errors under /api as JSON, not HTML."""
    return json_error(error)


@bp.get("/events")
def events() -> Response:
    """Return the approved events, optionally of one campaign, as a FeatureCollection."""
    if "near" in request.args or "q" in request.args:
        return _nearby_kept(_campaign_argument())
    for parameter in ("radius_km", "limit"):
        if parameter in request.args:
            raise ApiError(400, f"{parameter} goes with near=LAT,LON or q=PLACE", parameter)
    return _collection()


@bp.get("/map-events")
def map_events() -> Response:
    """Return what the map page shows of the approved events, as parallel lists (see README).

    ?part=points or ?part=labels answers one part (MAP_PARTS): each a collection of its own,
    so the map draws its clusters from the smaller first and fills in the words after.
    """
    part = request.args.get("part")
    if part is None:
        kind, columns = "map", MAP_COLUMNS
    elif part in MAP_PARTS:
        kind, columns = f"map-{part}", MAP_PARTS[part]
    else:
        raise ApiError(400, f"part must be one of {', '.join(MAP_PARTS)}", "part")
    pattern = event_link_pattern(external=False)
    return serve_collection(
        kind,
        _scope(),
        "application/json",
        lambda writer: map_feed_pieces(_campaign_argument(), pattern, writer, columns),
        check=_campaign_argument,
        context=pattern,
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    """Return the OpenAPI 3.1 description of this API."""
    return jsonify(_description())


@bp.get("/")
def docs() -> str:
    """Show the API's reference, written from the same description."""
    return render_template("api.html", **reference(_description()))


def _description() -> dict[str, Any]:
    """Build the description for this site's public address."""
    config = current_app.config
    return openapi_document(config["PUBLIC_URL"], config["DEFAULT_CAMPAIGN"])


def _campaign_argument() -> Campaign | None:
    """Return the campaign named by ?campaign=SLUG, None without it, or answer 404.

    Read once per request, however many times it is asked for.
    """
    slug = request.args.get("campaign")
    if slug is None:
        return None
    if _CAMPAIGN not in request.environ:
        request.environ[_CAMPAIGN] = db.session.scalar(Campaign.by_slug(slug))
    campaign: Campaign | None = request.environ[_CAMPAIGN]
    if campaign is None:
        raise ApiError(404, f"no campaign called {slug!r}", "campaign")
    return campaign


_CAMPAIGN = "eventmap.api.campaign"  # the request's ?campaign=, once read


def _nearby(campaign: Campaign | None) -> Response:
    """Answer ?near=LAT,LON or ?q=PLACE: the nearest events, nearest first, with distances."""
    if "near" in request.args and "q" in request.args:
        raise ApiError(400, "give near=LAT,LON or q=PLACE, not both", "q")
    limit = _whole_number("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    radius = _number("radius_km", float, None, MIN_RADIUS_KM, HALF_CIRCUMFERENCE_KM)
    place = None
    if "near" in request.args:
        latitude, longitude = _point(request.args["near"])
        result = nearest(latitude, longitude, limit=limit, radius_km=radius, campaign=campaign)
    else:
        query = request.args["q"].strip()
        if not query or len(query) > MAX_QUERY:
            raise ApiError(400, f"q must be a place name of 1 to {MAX_QUERY} characters", "q")
        found = nearest_to_place(
            query, geocoder(), limit=limit, radius_km=radius, campaign=campaign
        )
        if found is None:
            raise ApiError(404, f"could not find the place {query!r}", "q")
        located, result = found
        latitude, longitude = located.latitude, located.longitude
        place = answer(query, located)
    url_of = event_url_builder()
    features = []
    for item in result.items:
        feature = public_feature(item.event, url_of(item.event))
        feature["properties"]["distance_km"] = round(item.distance_km, 3)
        precision = item.event.precision
        feature["properties"]["approximate"] = precision is not None and precision.approximate
        features.append(feature)
    document = feature_collection(features)
    document["search"] = {  # a foreign member (RFC 7946, section 6.1)
        "near": [latitude, longitude],
        "radius_km": radius,
        "limit": limit,
        "within_radius": result.within_radius,
        "place": place,
    }
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return current_app.response_class(body, mimetype=GEOJSON)


# The same search at the same data version gives the same answer: kept like a page (its URL,
# host and language in the key), so a popular "near me" costs a lookup, not a search.
_nearby_kept = cached_page(_nearby)


def _whole_number(name: str, default: int, low: int, high: int) -> int:
    """Read a whole-number parameter in ASCII digits within bounds, or answer 400 naming it."""
    text = request.args.get(name)
    if text is None:
        return default
    try:
        return parse_int(text, name, low, high)
    except ParameterError as exc:
        raise ApiError(400, str(exc), name) from None


def _number(name: str, kind: type, default: float | None, low: float, high: float) -> Any:
    """Read a numeric parameter within bounds, or answer 400 naming it."""
    text = request.args.get(name)
    if text is None:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or not low <= value <= high:
        raise ApiError(400, f"{name} must be a number from {low:g} to {high:g}", name)
    return value


def _point(text: str) -> tuple[float, float]:
    """Read near=LAT,LON, or answer 400 naming the parameter."""
    try:
        return parse_point(text)
    except ValueError as exc:
        raise ApiError(400, f"near {exc}", "near") from None


def _collection() -> Response:
    """Answer the FeatureCollection, written once per version of the data.

    A build copies the features of the last one whose events did not change: every feature
    depends on its own row, campaign and going count, and on where links point (the context).
    """
    return serve_collection(
        "geojson",
        _scope(),
        GEOJSON,
        lambda writer: public_collection_pieces(
            _campaign_argument(), event_url_builder(), writer, FEATURES_AT_ONCE
        ),
        check=_campaign_argument,
        context=event_link_pattern(external=True),
    )


def _scope() -> str:
    """Name what a collection covers: "campaign=" and ?campaign='s slug, or "*" for all."""
    slug = request.args.get("campaign")
    return "*" if slug is None else f"campaign={slug}"
