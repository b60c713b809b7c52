"""The parties nearest a point, found through an index on latitude and longitude.

Nearest-k search grows a search circle from the point: the circle's bounding box (split at
the antimeridian, widened to every longitude near a pole) is read through the
(latitude, longitude) index, distances are measured with geopy's geodesic, and the circle
doubles until it holds k parties. Any party outside the box is farther than the circle's
radius, so the answer is exactly the naive one (geodesic to every party, then sort), at a
small fraction of the work. Works the same on SQLite and PostgreSQL, with no extra server.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from geopy.distance import geodesic
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from .extensions import db
from .geocoding import EARTH_RADIUS_KM, Geocoder, Place, great_circle_km
from .geocoding.offline import MAX_QUERY_LENGTH
from .i18n_messages import N_, Message
from .listing import PublicEvent, public_events
from .models import Campaign, Event, EventStatus

HALF_CIRCUMFERENCE_KM = 20_037.5  # the farthest two points on earth can be apart
FIRST_RADIUS_KM = 100.0
# The box is computed on a sphere; the ellipsoid's geodesic can be up to ~0.6 % longer or
# shorter, so the box is widened by a margin that keeps it conservative.
SPHERE_MARGIN = 1.01
SPHERE_ERROR = 0.01  # the geodesic is within 1 % of the great-circle distance, and more
# Points that coincide can differ by float noise on the sphere (179.9999° vs -180°):
# anything this close to the k-th distance is measured, so ties break by id as naively.
TIE_KM = 1e-6
GROWTH = 3.0  # how much the search circle widens when it holds too few parties
MAX_LIMIT = 1000
DEFAULT_LIMIT = 10  # parties a search returns when it is not told how many
MIN_RADIUS_KM = 0.001  # a metre: the smallest search radius worth asking for
MAX_QUERY = MAX_QUERY_LENGTH  # the longest place text a search reads: what the geocoder reads
# A point in a request, LAT,LON in decimal degrees: ASCII digits, an optional minus sign and
# fraction, latitude within ±90 and longitude within ±180 (no exponents, spaces or "nan").
# The API's description carries POINT_PATTERN, so what it promises is what parse_point reads.
_DECIMAL = r"(?:\.[0-9]+)?"
_LATITUDE = rf"-?0*(?:90(?:\.0+)?|[1-8]?[0-9]{_DECIMAL})"
_LONGITUDE = rf"-?0*(?:180(?:\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9]){_DECIMAL})"
POINT_PATTERN = f"^{_LATITUDE},{_LONGITUDE}$"
_POINT = re.compile(POINT_PATTERN)  # searched as JSON Schema validators do ($ allows a final \n)
_NUMBERS = re.compile(rf"^-?[0-9]+{_DECIMAL},-?[0-9]+{_DECIMAL}$")
# One geopy geodesic (WGS-84) reused: building one per distance costs more than measuring.
_GEODESIC = geodesic()


@dataclass(frozen=True)
class Nearby:
    """One party and how far it is."""

    event: PublicEvent
    distance_km: float


@dataclass(frozen=True)
class NearbyResult:
    """The nearest parties; `within_radius` False means none was within the radius asked."""

    items: list[Nearby]
    within_radius: bool = True


class PointError(ValueError):
    """A point that cannot be read; the message says what it must be."""

    def __init__(self, message: Message) -> None:
        """Keep the message, to be translated where it is shown."""
        super().__init__(str(message))
        self.message = message


def parse_point(text: str) -> tuple[float, float]:
    """Read "LAT,LON" in decimal degrees (POINT_PATTERN); ValueError says what is wrong with it."""
    if not _POINT.search(text):
        if _NUMBERS.search(text):
            raise PointError(N_("must have a latitude within ±90 and a longitude within ±180"))
        raise PointError(N_("must be LAT,LON in decimal degrees, like 48.14,11.58"))
    latitude, longitude = (float(part) for part in text.split(","))
    return latitude, longitude


def bounding_box(
    latitude: float, longitude: float, radius_km: float
) -> tuple[float, float, list[tuple[float, float]]]:
    """Return (south, north, longitude ranges) enclosing every point within the radius."""
    angle = radius_km * SPHERE_MARGIN / EARTH_RADIUS_KM  # radians
    south = latitude - math.degrees(angle)
    north = latitude + math.degrees(angle)
    if south <= -90 or north >= 90 or angle >= math.pi / 2:
        return max(south, -90.0), min(north, 90.0), [(-180.0, 180.0)]  # a pole is inside
    spread = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(math.radians(latitude)))))
    west, east = longitude - spread, longitude + spread
    if west < -180:
        return south, north, [(west + 360, 180.0), (-180.0, east)]
    if east > 180:
        return south, north, [(west, 180.0), (-180.0, east - 360)]
    return south, north, [(west, east)]


def _in_box(south: float, north: float, ranges: Sequence[tuple[float, float]]) -> ColumnElement:
    """Return the SQL condition for the box, written so the index is used."""
    return and_(
        Event.latitude.between(south, north),
        or_(*(Event.longitude.between(west, east) for west, east in ranges)),
    )


def _measure(latitude: float, longitude: float, events: Iterable[PublicEvent]) -> list[Nearby]:
    """Measure geodesic distances and sort nearest first (ties by id, for a stable order)."""
    found = [
        Nearby(e, _GEODESIC.measure((latitude, longitude), (e.latitude, e.longitude)))
        for e in events
        if e.is_placed
    ]
    return sorted(found, key=lambda n: (n.distance_km, n.event.id))


def nearest(
    latitude: float,
    longitude: float,
    *,
    limit: int = DEFAULT_LIMIT,
    radius_km: float | None = None,
    campaign: Campaign | None = None,
) -> NearbyResult:
    """Return up to `limit` public parties nearest the point, within `radius_km` if given.

    When nothing lies within the radius, the nearest parties are returned anyway, with
    `within_radius` False, so the visitor sees how far the closest ones are.
    """
    if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
        raise ValueError("latitude must be within ±90 and longitude within ±180")
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    if radius_km is not None:
        within = _search(latitude, longitude, limit, campaign, cap_km=radius_km)
        if within:
            return NearbyResult(within[:limit])
        return NearbyResult(_search(latitude, longitude, limit, campaign)[:limit], False)
    return NearbyResult(_search(latitude, longitude, limit, campaign)[:limit])


def nearest_to_place(
    query: str,
    geocoder: Geocoder,
    *,
    limit: int = DEFAULT_LIMIT,
    radius_km: float | None = None,
    campaign: Campaign | None = None,
) -> tuple[Place, NearbyResult] | None:
    """Place what a visitor typed, then find the parties nearest it; None when not found."""
    place = geocoder.lookup(query)
    if place is None:
        return None
    return place, nearest(
        place.latitude, place.longitude, limit=limit, radius_km=radius_km, campaign=campaign
    )


def _points_in_box(campaign: Campaign | None, box: ColumnElement) -> list[tuple[int, float, float]]:
    """Return (id, latitude, longitude) of the public events in a box, through the index.

    The box alone is asked of the database: with the status in the same query, planners
    without statistics (SQLite before ANALYZE) pick the status index, which every public
    event matches, and read the whole table. Status and campaign are checked here instead.
    """
    rows = db.session.execute(
        select(Event.id, Event.latitude, Event.longitude, Event.status, Event.campaign_id).where(
            box
        )
    )
    return [
        (event_id, latitude, longitude)
        for event_id, latitude, longitude, status, campaign_id in rows
        if status == EventStatus.APPROVED and (campaign is None or campaign_id == campaign.id)
    ]


def _search(
    latitude: float,
    longitude: float,
    limit: int,
    campaign: Campaign | None,
    cap_km: float | None = None,
) -> list[Nearby]:
    """Grow the search circle until it holds `limit` parties (or covers the cap or the earth)."""
    radius = min(FIRST_RADIUS_KM, cap_km) if cap_km else FIRST_RADIUS_KM
    while True:
        everywhere = radius >= HALF_CIRCUMFERENCE_KM
        south, north, ranges = bounding_box(latitude, longitude, radius)
        # Great-circle distances order the candidates cheaply; the geodesic (up to ~0.6 %
        # off a sphere) is measured only for those that could still be among the nearest.
        rough = sorted(
            (great_circle_km(latitude, longitude, lat, lon), event_id, lat, lon)
            for event_id, lat, lon in _points_in_box(campaign, _in_box(south, north, ranges))
        )
        measured: list[tuple[float, int]] = []
        for sphere_km, event_id, lat, lon in rough:
            floor = sphere_km * (1 - SPHERE_ERROR)
            if not everywhere and floor > radius:
                break  # this and every later candidate lies outside the circle
            if len(measured) >= limit and floor > measured[limit - 1][0] + TIE_KM:
                break  # it cannot beat (or tie with) the nearest found so far
            km = _GEODESIC.measure((latitude, longitude), (lat, lon))
            if everywhere or km <= radius:
                measured.append((km, event_id))
                measured.sort()
        if len(measured) >= limit or everywhere or (cap_km is not None and radius >= cap_km):
            measured.sort()
            return _load(measured[:limit], campaign)
        radius = min(radius * GROWTH, cap_km or HALF_CIRCUMFERENCE_KM, HALF_CIRCUMFERENCE_KM)


def _load(measured: list[tuple[float, int]], campaign: Campaign | None) -> list[Nearby]:
    """Read the chosen events, in distance order."""
    if not measured:
        return []
    found = {e.id: e for e in public_events(campaign, ids=[i for _, i in measured])}
    return [Nearby(found[i], km) for km, i in measured if i in found]


def naive_nearest(
    latitude: float, longitude: float, limit: int = DEFAULT_LIMIT, campaign: Campaign | None = None
) -> list[Nearby]:
    """Measure the distance to every party and sort: the slow reference nearest() must equal."""
    return _measure(latitude, longitude, public_events(campaign))[:limit]


# The most parties a feed of one area carries: a subscription, not a search of everything.
AREA_FEED_LIMIT = 500
AREA_FEED_RADIUS_KM = 100.0  # a feed of "my area" without a radius: a day trip around it


def parties_within(
    latitude: float,
    longitude: float,
    radius_km: float,
    campaign: Campaign,
    limit: int = AREA_FEED_LIMIT,
) -> list[Event]:
    """Return up to `limit` public parties within the radius, nearest first (none outside)."""
    found = nearest(latitude, longitude, limit=limit, radius_km=radius_km, campaign=campaign)
    if not found.within_radius:
        return []
    order = [item.event.id for item in found.items if item.distance_km <= radius_km]
    if not order:
        return []
    loaded = db.session.scalars(
        select(Event)
        .where(Event.id.in_(order))
        .options(selectinload(Event.parts), joinedload(Event.campaign))
    )
    by_id = {event.id: event for event in loaded}
    return [by_id[event_id] for event_id in order if event_id in by_id]
