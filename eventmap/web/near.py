"""The "parties near me" page: a place or a position in, the nearest parties out."""

from __future__ import annotations

import math

from flask import Blueprint, abort, current_app, render_template, request

from ..extensions import db
from ..listing import campaign_summary
from ..models import Campaign
from ..nearby import (
    AREA_FEED_RADIUS_KM,
    HALF_CIRCUMFERENCE_KM,
    MAX_QUERY,
    nearest,
    nearest_to_place,
    parse_point,
)
from ..services import geocoder
from .i18n import current_language
from .maps import render_map
from .page_cache import cached_page
from .params import int_arg
from .units import distance_text, visitor_miles

bp = Blueprint("near", __name__)

RADII_KM = (25, 50, 100, 250, 500, 1000)
PAGE = 10
MAX_SHOWN = 100


@bp.get("/<campaign_slug>/near")
@cached_page
def near(campaign_slug: str) -> str:
    """Show the parties nearest a place (?q=) or a position (?near=LAT,LON)."""
    campaign = db.first_or_404(
        Campaign.by_slug(campaign_slug), description=Campaign.not_found(campaign_slug)
    )
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    radius = _radius()
    limit = _limit()
    place = None
    problem = None
    point = _point(request.args.get("near"))
    label = (request.args.get("label") or "").strip()[:300]
    result = None
    if point is not None:
        result = nearest(*point, limit=limit, radius_km=radius, campaign=campaign)
    elif query:
        found = nearest_to_place(
            query, geocoder(), limit=limit, radius_km=radius, campaign=campaign
        )
        if found is None:
            problem = (
                f"We could not find “{query}”. Try a city and its country, like “Kazan, Russia”."
            )
        else:
            place, result = found
            point = (place.latitude, place.longitude)
            label = place.display_name
    summary = campaign_summary(campaign)
    miles = visitor_miles()
    language = current_language()
    return render_template(
        "near.html",
        campaign=campaign,
        query=query,
        label=label,
        point=point,
        place=place,
        problem=problem,
        result=result,
        radius=radius,
        radii=RADII_KM,
        area_radius=AREA_FEED_RADIUS_KM,
        limit=limit,
        more=min(limit + PAGE, MAX_SHOWN),
        can_show_more=result is not None and len(result.items) == limit and limit < MAX_SHOWN,
        distance=lambda km: distance_text(km, miles, language),
        map_parts=render_map(current_app.config),
        countries=summary.countries,
        first_day=summary.first_day,
        last_day=summary.last_day,
    )


def _radius() -> float | None:
    """Read ?radius_km (empty for any distance)."""
    text = request.args.get("radius_km") or ""
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        abort(400, description=f"radius_km={text!r} is not a distance in kilometres.")
    if not math.isfinite(value) or not 0 < value <= HALF_CIRCUMFERENCE_KM:
        abort(400, description="radius_km must be more than 0 and at most 20,037 km.")
    return value


def _limit() -> int:
    """Read ?limit (how many parties to show)."""
    return int_arg("limit", PAGE, 1, MAX_SHOWN)


def _point(text: str | None) -> tuple[float, float] | None:
    """Read ?near=LAT,LON."""
    if not text:
        return None
    try:
        return parse_point(text)
    except ValueError as exc:
        abort(400, description=f"near {exc}.")
