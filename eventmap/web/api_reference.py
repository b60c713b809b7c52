"""The API's reference page: the OpenAPI description digested for a template.

The page says in words what each schema allows (types, bounds, choices), so it cannot drift
from the document: it is written from it on each request.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from .openapi import SCHEMAS

# Requests the page shows with curl, per operation: what they do and their query.
REQUEST_EXAMPLES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "listEvents": (
        ("Every approved event", ()),
        ("One campaign's events", ("campaign",)),
        ("The events nearest a point", ("near", "limit")),
        ("The events within a distance of a place", ("q", "radius_km")),
    ),
    "mapEvents": (("One campaign's map feed", ("campaign",)),),
    "openapi": (("This description", ()),),
}


# Longer patterns are left to openapi.json: the description says the same in words.
SHORT_PATTERN = 32
# Shapes the page lists as another one plus some fields.
EXTENDS = {"NearbyEvent": "Event"}


def schema_text(schema: Mapping[str, Any]) -> str:
    """Say in a few words what a schema allows: its type, bounds, pattern and choices."""
    if "$ref" in schema:
        return str(schema["$ref"]).removeprefix(SCHEMAS)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(schema_text(option) for option in schema[key])
    if "const" in schema:
        return json.dumps(schema["const"])
    kinds = schema.get("type", "")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    if kinds == ["null"]:
        return "null"
    nullable = "null" in kinds
    head = " or ".join(kind for kind in kinds if kind != "null") or "value"
    if head == "array" and "prefixItems" in schema:
        items = schema["prefixItems"]
        head = "[" + ", ".join(item.get("title", "") or schema_text(item) for item in items) + "]"
        head += (
            " (" + "; ".join(f"{i['title']}: {schema_text(i)}" for i in items if "title" in i) + ")"
        )
    elif head == "array" and "items" in schema:
        head = f"list of {schema_text(schema['items'])}"
    if "format" in schema:
        head += f" ({schema['format']})"
    words = [head]
    if "enum" in schema:
        choices = [json.dumps(value) for value in schema["enum"] if value is not None]
        words.append("one of " + ", ".join(choices))
    words.extend(_bounds(schema))
    if "pattern" in schema and len(schema["pattern"]) <= SHORT_PATTERN:
        words.append(f"matching {schema['pattern']}")
    elif "pattern" in schema:
        words.append("as described (the exact pattern is in openapi.json)")
    if "default" in schema:
        words.append(f"default {schema['default']}")
    text = ", ".join(words)
    return text + (", or null" if nullable else "")


def _bounds(schema: Mapping[str, Any]) -> Iterable[str]:
    """Say the numeric, length and size bounds of a schema."""
    if "minimum" in schema and "maximum" in schema:
        yield f"from {schema['minimum']:,} to {schema['maximum']:,}"
    elif "minimum" in schema:
        yield f"at least {schema['minimum']:,}"
    elif "maximum" in schema:
        yield f"at most {schema['maximum']:,}"
    if "minLength" in schema and "maxLength" in schema:
        yield f"{schema['minLength']} to {schema['maxLength']:,} characters"
    elif "maxLength" in schema:
        yield f"at most {schema['maxLength']:,} characters"
    if "maxItems" in schema:
        yield f"at most {schema['maxItems']:,} items"


def _resolve(document: Mapping[str, Any], item: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow a local $ref of the document (a parameter's, say)."""
    if "$ref" not in item:
        return item
    node: Any = document
    for key in str(item["$ref"]).removeprefix("#/").split("/"):
        node = node[key]
    return node


def _fields(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    """List the fields of an object schema, a Feature's properties after its own."""
    rows = []
    required = set(schema.get("required", ()))
    for field, value in schema.get("properties", {}).items():
        if field == "properties" and "properties" in value:  # a GeoJSON Feature's properties
            inner = set(value.get("required", ()))
            rows.extend(
                {
                    "name": f"properties.{name}",
                    "schema": schema_text(item),
                    "required": name in inner,
                    "description": item.get("description", ""),
                }
                for name, item in value["properties"].items()
            )
            continue
        rows.append(
            {
                "name": field,
                "schema": schema_text(value),
                "required": field in required,
                "description": value.get("description", ""),
            }
        )
    return rows


def reference(document: Mapping[str, Any]) -> dict[str, Any]:
    """Digest the document for the reference page: operations, parameters, responses, schemas."""
    base = document["servers"][0]["url"].rstrip("/")
    operations = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            parameters = [_resolve(document, p) for p in operation.get("parameters", ())]
            by_name = {p["name"]: p for p in parameters}
            examples = []
            for summary, names in REQUEST_EXAMPLES.get(operation["operationId"], ()):
                query = urlencode([(name, by_name[name]["example"]) for name in names], safe=",")
                url = base + path + (f"?{query}" if query else "")
                examples.append({"summary": summary, "command": f"curl '{url}'"})
            operations.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation["summary"],
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "schema": schema_text(p["schema"]),
                            "description": p.get("description", ""),
                        }
                        for p in parameters
                    ],
                    "responses": [
                        {
                            "status": status,
                            "description": response["description"],
                            "content": [
                                {"type": kind, "schema": schema_text(body.get("schema", {}))}
                                for kind, body in response.get("content", {}).items()
                            ],
                        }
                        for status, response in operation["responses"].items()
                    ],
                    "examples": examples,
                }
            )
    schemas = []
    shown: dict[str, list[dict[str, Any]]] = {}
    for name, schema in document["components"]["schemas"].items():
        parent = EXTENDS.get(name)
        fields = [
            field for field in _fields(schema) if parent is None or field not in shown[parent]
        ]
        shown[name] = fields
        schemas.append(
            {
                "name": name,
                "description": schema.get("description", ""),
                "extends": parent,
                "fields": fields,
            }
        )
    return {
        "info": document["info"],
        "openapi_version": document["openapi"],
        "base": base,
        "operations": operations,
        "schemas": schemas,
    }
