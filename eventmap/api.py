"""JSON API: public events as GeoJSON (RFC 7946)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, json, jsonify, request
from werkzeug.exceptions import HTTPException

from .extensions import db
from .models import Campaign, Event
from .serialize import feature_collection, public_feature
from .urls import event_url

bp = Blueprint("api", __name__, url_prefix="/api")

GEOJSON = "application/geo+json"


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
    found = db.session.scalars(Event.approved(campaign)).all()
    document = feature_collection(public_feature(event, event_url(event)) for event in found)
    body = json.dumps(document, ensure_ascii=False)
    return current_app.response_class(body, mimetype=GEOJSON)
