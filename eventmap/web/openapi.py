"""The OpenAPI 3.1 description of the JSON API (api_reference.py writes its page).

Every limit in the description is read from the constant the code enforces (nearby's limits,
the field lengths of rules.py, the precisions of the geocoder, the ids of params.py), so the
document cannot promise what the API refuses. The tests validate it with
openapi-spec-validator and run schemathesis against the app with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..geocoding import Precision
from ..listing import MAP_COLUMNS, MAP_COORDINATE_DIGITS, MAP_PARTS
from ..nearby import (
    DEFAULT_LIMIT,
    HALF_CIRCUMFERENCE_KM,
    MAX_LIMIT,
    MAX_QUERY,
    MIN_RADIUS_KM,
    POINT_PATTERN,
)
from ..rules import LANGUAGE_TAG_RE, MAX_LENGTHS, SLUG_RE
from ..serialize import GEOJSON_MEDIA_TYPE
from .params import MAX_ID

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
JSON = "application/json"
HTML = "text/html"
SCHEMAS = "#/components/schemas/"
# A place name: something besides white space (Python's, which strip() removes, and ECMAScript's
# alike), and no NUL, which no address may hold (params.refuse_nul).
QUERY_PATTERN = r"^[^\x00]*[^\s\x00\x1c-\x1f\x85][^\x00]*$"
# The parameters an error body may name, in the order the reference lists them.
PARAMETERS = ("campaign", "near", "q", "radius_km", "limit")


def _ref(name: str) -> dict[str, str]:
    """Point at a component schema."""
    return {"$ref": SCHEMAS + name}


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    """Allow null beside a schema (JSON Schema 2020-12 has no `nullable`)."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kind = schema["type"]
    return {**schema, "type": [kind, "null"]}


def _text(field: str, description: str, *, nullable: bool = False) -> dict[str, Any]:
    """A text property bounded by the field's limit in rules.MAX_LENGTHS."""
    schema = {"type": "string", "maxLength": MAX_LENGTHS[field], "description": description}
    return _or_null(schema) if nullable else schema


def _slug(field: str, description: str) -> dict[str, Any]:
    """A slug: lower-case letters and digits in hyphen-separated words."""
    return {
        "type": "string",
        "pattern": SLUG_RE.pattern,
        "maxLength": MAX_LENGTHS[field],
        "description": description,
    }


_PRECISION = {
    "type": ["string", "null"],
    "enum": [*(p.value for p in Precision), None],
    "description": (
        "How closely the point marks the place. "
        + "; ".join(f"{p.value}: {p.note}" for p in Precision)
        + f". {Precision.approximate_kinds().capitalize()} points are approximate."
        " Null when the event has no point."
    ),
}
_DAY = {"type": ["string", "null"], "format": "date"}
_CLOCK = {
    "type": ["string", "null"],
    "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
}
_LATITUDE = {"type": "number", "minimum": -90, "maximum": 90}
_LONGITUDE = {"type": "number", "minimum": -180, "maximum": 180}
_EVENT_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_COUNTRY = {"type": ["string", "null"], "pattern": "^[A-Z]{2}$"}


def _event_properties() -> dict[str, Any]:
    """The public properties of an event feature, as serialize.public_properties writes them."""
    return {
        "id": {**_EVENT_ID, "description": "The event's id (also the feature's id)."},
        "title": _text("title", "The party's name."),
        "location": _text("location", "The place as the organizer typed it."),
        "venue": _text("venue", "The venue, when given.", nullable=True),
        "address": _text("address", "The street address, when given.", nullable=True),
        "language": {
            "type": ["string", "null"],
            "pattern": LANGUAGE_TAG_RE.pattern,
            "maxLength": MAX_LENGTHS["language"],
            "description": "The language the title and description are written in, as the"
            " organizer said (a BCP 47 tag such as es, pt-BR or ja); null when not said. Event"
            " text is never translated.",
        },
        "country_code": {**_COUNTRY, "description": "ISO 3166-1 alpha-2 code of the country."},
        "precision": _PRECISION,
        "timezone": _text("timezone", "IANA time zone of the place.", nullable=True),
        "start": {**_DAY, "description": "First day (null while the date is to be announced)."},
        "end": {**_DAY, "description": "Last day, inclusive."},
        "start_time": {**_CLOCK, "description": "Local start time (HH:MM, 24-hour clock)."},
        "end_time": {**_CLOCK, "description": "Local end time; past midnight on a later day."},
        "date_text": _text("date_text", "The date as the organizer wrote it."),
        "when": {"type": "string", "description": "The date as people read it, parts included."},
        "time": {
            "type": ["string", "null"],
            "description": "Local time of day with its zone; null for an all-day party.",
        },
        "campaign": _slug("campaign", "The campaign's slug."),
        "url": {"type": "string", "format": "uri", "description": "The event's permalink."},
        "going": {
            "type": "integer",
            "minimum": 0,
            "description": "People confirmed going (RSVPs; for a party in parts, its busiest"
            " part). Counts only: names and addresses are never public.",
        },
        "parts": {
            "type": "array",
            "minItems": 1,
            "items": _ref("Part"),
            "description": "Only on events held in labelled parts, in order.",
        },
    }


def _feature(properties: dict[str, Any], description: str) -> dict[str, Any]:
    """A GeoJSON Feature of an event with the given properties (all but `parts` present)."""
    return {
        "type": "object",
        "description": description,
        "required": ["type", "id", "geometry", "properties"],
        "additionalProperties": False,
        "properties": {
            "type": {"const": "Feature"},
            "id": _EVENT_ID,
            "geometry": _or_null(_ref("Point")),
            "properties": {
                "type": "object",
                "required": [name for name in properties if name != "parts"],
                "additionalProperties": False,
                "properties": properties,
            },
        },
    }


def _place_point() -> dict[str, Any]:
    """What the geocoder answered for a place, without the query (a candidate's shape)."""
    return {
        "lat": {**_LATITUDE, "description": "Latitude of the point found."},
        "lon": {**_LONGITUDE, "description": "Longitude of the point found."},
        "precision": {"type": "string", "enum": [p.value for p in Precision]},
        "country_code": _COUNTRY,
        "region": {"type": ["string", "null"]},
        "display_name": {"type": "string"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    }


def _schemas() -> dict[str, Any]:
    """The component schemas: events, collections, the search member, the map feed, errors."""
    properties = _event_properties()
    nearby_properties = {
        **properties,
        "distance_km": {
            "type": "number",
            "minimum": 0,
            "description": "Geodesic distance from the point searched, in km (3 decimals).",
        },
        "approximate": {
            "type": "boolean",
            "description": (
                f"True when the point stands for a whole {Precision.approximate_kinds()}."
            ),
        },
    }
    candidate = _place_point()
    return {
        "Point": {
            "type": "object",
            "description": "A GeoJSON Point, [longitude, latitude] (RFC 7946).",
            "required": ["type", "coordinates"],
            "additionalProperties": False,
            "properties": {
                "type": {"const": "Point"},
                "coordinates": {
                    "type": "array",
                    "prefixItems": [
                        {**_LONGITUDE, "title": "longitude"},
                        {**_LATITUDE, "title": "latitude"},
                    ],
                    "items": False,
                    "minItems": 2,
                },
            },
        },
        "Part": {
            "type": "object",
            "description": "One labelled stretch of days of an event held in parts.",
            "required": ["label", "start", "end"],
            "additionalProperties": False,
            "properties": {
                "label": {"type": ["string", "null"]},
                "start": {"type": "string", "format": "date"},
                "end": {"type": "string", "format": "date"},
            },
        },
        "Event": _feature(properties, "An approved event as a GeoJSON Feature."),
        "NearbyEvent": _feature(
            nearby_properties, "An event found near a point, with its distance."
        ),
        "EventCollection": {
            "type": "object",
            "description": "Every approved event (of one campaign), in page order.",
            "required": ["type", "features"],
            "additionalProperties": False,
            "properties": {
                "type": {"const": "FeatureCollection"},
                "features": {"type": "array", "items": _ref("Event")},
            },
        },
        "NearbyCollection": {
            "type": "object",
            "description": "The events nearest a point, nearest first, and what was searched.",
            "required": ["type", "features", "search"],
            "additionalProperties": False,
            "properties": {
                "type": {"const": "FeatureCollection"},
                "features": {
                    "type": "array",
                    "maxItems": MAX_LIMIT,
                    "items": _ref("NearbyEvent"),
                },
                "search": _ref("Search"),
            },
        },
        "Search": {
            "type": "object",
            "description": "A foreign member (RFC 7946, section 6.1): the search answered.",
            "required": ["near", "radius_km", "limit", "within_radius", "place"],
            "additionalProperties": False,
            "properties": {
                "near": {
                    "type": "array",
                    "prefixItems": [
                        {**_LATITUDE, "title": "latitude"},
                        {**_LONGITUDE, "title": "longitude"},
                    ],
                    "items": False,
                    "minItems": 2,
                    "description": "The point searched from, [latitude, longitude].",
                },
                "radius_km": {
                    "type": ["number", "null"],
                    "minimum": MIN_RADIUS_KM,
                    "maximum": HALF_CIRCUMFERENCE_KM,
                },
                "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                "within_radius": {
                    "type": "boolean",
                    "description": (
                        "False when no event lies within radius_km: the nearest are given anyway."
                    ),
                },
                "place": _or_null(_ref("Place")),
            },
        },
        "Place": {
            "type": "object",
            "description": "What the geocoder found for q (null for near=).",
            "required": ["query", *candidate, "ambiguous", "candidates"],
            "additionalProperties": False,
            "properties": {
                "query": {"type": "string", "maxLength": MAX_QUERY},
                **candidate,
                "ambiguous": {"type": "boolean"},
                "candidates": {
                    "type": "array",
                    "description": "Other places the text could mean, when ambiguous.",
                    "items": {
                        "type": "object",
                        "required": list(candidate),
                        "additionalProperties": False,
                        "properties": candidate,
                    },
                },
            },
        },
        **_map_events(properties),
        "Error": {
            "type": "object",
            "description": "What was wrong with the request.",
            "required": ["error"],
            "additionalProperties": False,
            "properties": {
                "error": {"type": "string", "description": "A sentence saying what to change."},
                "parameter": {
                    "enum": [*PARAMETERS, "part"],
                    "description": "The query parameter at fault, when one is.",
                },
            },
        },
    }


def _map_events(properties: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The map feed and its parts: one list per listing.MAP_COLUMNS (or MAP_PARTS) name."""
    digits = f"rounded to {MAP_COORDINATE_DIGITS} decimals"
    columns: dict[str, dict[str, Any]] = {
        "id": _EVENT_ID,
        "lat": {**_LATITUDE, "type": ["number", "null"], "description": f"Latitude, {digits}."},
        "lon": {**_LONGITUDE, "type": ["number", "null"], "description": f"Longitude, {digits}."},
        "precision": _PRECISION,
        "country": _COUNTRY,
        "start": _DAY,
        "end": _DAY,
        "title": properties["title"],
        "location": properties["location"],
        "when": properties["when"],
        "url": {"type": "string", "format": "uri-reference", "description": "Permalink path."},
        "going": properties["going"],
        "photos": {
            "type": "integer",
            "minimum": 0,
            "description": "Published photos of the party (the map's memories layer).",
        },
    }
    if tuple(columns) != MAP_COLUMNS:  # pragma: no cover - a new column needs its schema here
        raise RuntimeError(f"describe the map feed's columns {MAP_COLUMNS}")

    def lists(names: tuple[str, ...], what: str) -> dict[str, Any]:
        return {
            "type": "object",
            "description": (
                f"{what} of the approved events in page order, one list per field; the n-th"
                " item of every list belongs to the n-th event, so all lists have the same"
                " length."
            ),
            "required": list(names),
            "additionalProperties": False,
            "properties": {name: {"type": "array", "items": columns[name]} for name in names},
        }

    return {
        "MapEvents": lists(MAP_COLUMNS, "What the map shows"),
        **{
            _part_schema(part): lists(names, f"The {part} part (?part={part})")
            for part, names in MAP_PARTS.items()
        },
    }


def _part_schema(part: str) -> str:
    """Name the schema of a part of the map feed: MapPoints, MapLabels."""
    return f"Map{part.capitalize()}"


def _parameters(campaign_example: str) -> dict[str, Any]:
    """The query parameters, each bounded as the API checks it."""
    return {
        "campaign": {
            "name": "campaign",
            "in": "query",
            "description": "Only the events of the campaign with this slug (404 when none).",
            "schema": _slug("campaign", "A campaign's slug."),
            "example": campaign_example,
        },
        "near": {
            "name": "near",
            "in": "query",
            "description": (
                "Search from this point, LAT,LON in decimal degrees (latitude within ±90,"
                " longitude within ±180). Not with q."
            ),
            "schema": {
                "type": "string",
                "pattern": POINT_PATTERN,
            },
            "example": "48.14,11.58",
        },
        "q": {
            "name": "q",
            "in": "query",
            "description": (
                "Search from the place with this name, found by the geocoder (404 when it finds"
                " nothing). Not blank; white space around it is ignored. Not with near."
            ),
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_QUERY,
                "pattern": QUERY_PATTERN,
            },
            "example": "Munich",
        },
        "radius_km": {
            "name": "radius_km",
            "in": "query",
            "description": (
                "Only events within this many kilometres; when none is, the nearest anyway"
                " (search.within_radius is then false). Only with near or q."
            ),
            "schema": {
                "type": "number",
                "minimum": MIN_RADIUS_KM,
                "maximum": HALF_CIRCUMFERENCE_KM,
            },
            "example": 500,
        },
        "limit": {
            "name": "limit",
            "in": "query",
            "description": "How many events at most, nearest first. Only with near or q.",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_LIMIT,
                "default": DEFAULT_LIMIT,
            },
            "example": 5,
        },
    }


def _error(description: str) -> dict[str, Any]:
    """A response with a JSON error body."""
    return {"description": description, "content": {JSON: {"schema": _ref("Error")}}}


_CORS = {
    "description": "Any site may read the API (no credentials).",
    "required": True,
    "schema": {"const": "*"},
}
_ETAG = {
    "description": "The version of the data; send it back in If-None-Match to revalidate.",
    "schema": {"type": "string"},
}
_NOT_MODIFIED = {
    "description": "Not Modified: the If-None-Match ETag is still the current one.",
    "headers": {"ETag": _ETAG},
}


def _paths() -> dict[str, Any]:
    """The operations of the API."""
    campaign = {"$ref": "#/components/parameters/campaign"}
    return {
        "/api/events": {
            "get": {
                "operationId": "listEvents",
                "summary": "Approved events as GeoJSON, or the nearest ones to a point or place",
                "description": (
                    "Without near or q: every approved event (of one campaign), written once per"
                    " version of the data and sent with an ETag. With near=LAT,LON or q=PLACE:"
                    f" the events nearest it, nearest first ({DEFAULT_LIMIT} unless limit says),"
                    " each with distance_km and approximate, and the search member."
                ),
                "parameters": [
                    campaign,
                    *({"$ref": f"#/components/parameters/{name}"} for name in PARAMETERS[1:]),
                ],
                "responses": {
                    "200": {
                        "description": "The events (nearest first when searching).",
                        "headers": {"Access-Control-Allow-Origin": _CORS, "ETag": _ETAG},
                        "content": {
                            GEOJSON_MEDIA_TYPE: {
                                "schema": {
                                    "oneOf": [_ref("EventCollection"), _ref("NearbyCollection")]
                                },
                            }
                        },
                    },
                    "304": _NOT_MODIFIED,
                    "400": _error(
                        "A parameter out of bounds or misplaced: near and q together, radius_km"
                        " or limit without either (the body names the parameter)."
                    ),
                    "404": _error("No campaign with that slug, or no place found for q."),
                },
            }
        },
        "/api/map-events": {
            "get": {
                "operationId": "mapEvents",
                "summary": "What the map page shows of the approved events, as parallel lists",
                "description": (
                    "The map page's own feed, a third of the GeoJSON's size. Other clients"
                    " should use /api/events."
                ),
                "parameters": [
                    campaign,
                    {
                        "name": "part",
                        "in": "query",
                        "description": (
                            "Only one part, each a collection of its own with its own ETag:"
                            + "; ".join(
                                f" {part}, the ids with {', '.join(names[1:])}"
                                for part, names in MAP_PARTS.items()
                            )
                            + ". Without it, every field."
                        ),
                        "schema": {"enum": list(MAP_PARTS)},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "One list per field (of the part, when one is asked).",
                        "headers": {
                            "Access-Control-Allow-Origin": _CORS,
                            "ETag": {**_ETAG, "required": True},
                        },
                        "content": {
                            JSON: {
                                "schema": {
                                    "oneOf": [
                                        _ref("MapEvents"),
                                        *(_ref(_part_schema(part)) for part in MAP_PARTS),
                                    ]
                                }
                            }
                        },
                    },
                    "304": _NOT_MODIFIED,
                    "400": _error("An unknown part, or a parameter holds a NUL character."),
                    "404": _error("No campaign with that slug."),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This description (OpenAPI 3.1)",
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "headers": {"Access-Control-Allow-Origin": _CORS},
                        "content": {
                            JSON: {
                                "schema": {
                                    "type": "object",
                                    "required": ["openapi", "info", "paths"],
                                    "properties": {"openapi": {"const": OPENAPI_VERSION}},
                                }
                            }
                        },
                    }
                },
            }
        },
        "/api/": {
            "get": {
                "operationId": "reference",
                "summary": "The readable reference of this API (HTML)",
                "responses": {
                    "200": {
                        "description": "The reference page.",
                        "content": {HTML: {"schema": {"type": "string"}}},
                    }
                },
            }
        },
    }


def openapi_document(public_url: str, campaign_example: str) -> dict[str, Any]:
    """Return the OpenAPI 3.1 description of the API served at `public_url`."""
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "eventmap API",
            "version": API_VERSION,
            "summary": "Approved community celebrations as GeoJSON, nearest-first search.",
            "description": (
                "Read-only and public: no key, no credentials, CORS open to every site."
                " Organizer names, e-mail addresses and contacts are never in it."
            ),
        },
        "servers": [{"url": public_url.rstrip("/") or "/"}],
        "paths": _paths(),
        "components": {"schemas": _schemas(), "parameters": _parameters(campaign_example)},
    }
