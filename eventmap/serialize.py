"""Turn events into CSV rows and GeoJSON features, the shapes the importer reads back."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import orjson

from .dates import format_time
from .listing import (
    MAP_COLUMNS,
    MAP_ROWS_AT_ONCE,
    PublicEvent,
    event_time,
    event_when,
    going_counts,
    map_columns,
    map_inputs,
    map_rows,
    public_keys,
    stamped_public_batches,
    stamped_public_events,
)
from .models import Campaign, Event
from .rebuilds import Writer, item_key

GEOJSON_MEDIA_TYPE = "application/geo+json"  # RFC 7946, section 12

# Columns of an event file, in the order `export` writes them. `import` accepts any subset
# that includes the required ones (see importer.REQUIRED_COLUMNS).
CSV_COLUMNS: tuple[str, ...] = (
    "campaign",
    "slug",
    "title",
    "location",
    "venue",
    "address",
    "date_text",
    "start",
    "end",
    "start_time",
    "end_time",
    "latitude",
    "longitude",
    "precision",
    "country_code",
    "region",
    "place_name",
    "timezone",
    "point_source",
    "link",
    "description",
    "language",
    "contact",
    "status",
)

# Leading characters that make a spreadsheet treat a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: str) -> str:
    """Prefix a quote to a cell a spreadsheet would run as a formula (CSV injection)."""
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def restore_formula(value: str) -> str:
    """Undo `neutralise_formula`, so an exported file imports back to the same text."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def _text(value: Any) -> str:
    """Render one value as the text of a CSV cell."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def event_record(event: Event) -> dict[str, Any]:
    """Return every stored field of an event, keyed by the file columns (for export).

    Organizer name, e-mail and edit token are not columns: they never leave the database.
    """
    return {
        "campaign": event.campaign.slug,
        "slug": event.slug,
        "title": event.title,
        "location": event.location_text,
        "venue": event.venue,
        "address": event.address,
        "date_text": event.date_text,
        "start": event.start_date,
        "end": event.end_date,
        "start_time": format_time(event.start_time) if event.start_time else None,
        "end_time": format_time(event.end_time) if event.end_time else None,
        "latitude": event.latitude,
        "longitude": event.longitude,
        "precision": event.precision.value if event.precision else None,
        "country_code": event.country_code,
        "region": event.region,
        "place_name": event.place_name,
        "timezone": event.timezone,
        "point_source": event.geocode_source,
        "link": event.link,
        "description": event.description,
        "language": event.language,
        "contact": event.contact,
        "status": event.status.value,
    }


def csv_row(event: Event) -> list[str]:
    """Return an event as CSV cells in CSV_COLUMNS order, formulas neutralised."""
    record = event_record(event)
    return [neutralise_formula(_text(record[column])) for column in CSV_COLUMNS]


def _geometry(event: Event | PublicEvent) -> dict[str, Any] | None:
    """Return a GeoJSON Point ([lon, lat], RFC 7946) or None when the event has no place."""
    if not event.is_placed:
        return None
    return {"type": "Point", "coordinates": [event.longitude, event.latitude]}


def public_properties(event: Event | PublicEvent, url: str) -> dict[str, Any]:
    """Return what anyone may see of an event: no contact, no moderation data."""
    properties: dict[str, Any] = {
        "id": event.id,
        "title": event.title,
        "location": event.location_text,
        "venue": event.venue,
        "address": event.address,
        # The language the title and description are written in (BCP 47), when it was said.
        "language": event.language,
        "country_code": event.country_code,
        "precision": event.precision.value if event.precision else None,
        "timezone": event.timezone,
        "start": _text(event.start_date) or None,
        "end": _text(event.end_date) or None,
        "start_time": format_time(event.start_time) if event.start_time else None,
        "end_time": format_time(event.end_time) if event.end_time else None,
        "date_text": event.date_text,
        "when": event_when(event),
        "time": event_time(event) or None,
        "campaign": event.campaign.slug,
        "url": url,
        # People confirmed going: the only thing of the answers anyone may see.
        "going": event.going,
    }
    if event.parts:
        properties["parts"] = [
            {
                "label": part.label,
                "start": part.start_date.isoformat(),
                "end": part.end_date.isoformat(),
            }
            for part in event.parts
        ]
    return properties


def public_feature(event: Event | PublicEvent, url: str) -> dict[str, Any]:
    """Return an event as a public GeoJSON Feature."""
    return {
        "type": "Feature",
        "id": event.id,
        "geometry": _geometry(event),
        "properties": public_properties(event, url),
    }


def full_feature(event: Event, url: str) -> dict[str, Any]:
    """Return an event as a GeoJSON Feature with every stored field, for export and re-import."""
    record = event_record(event)
    properties = public_properties(event, url)
    for column in CSV_COLUMNS:
        if column not in ("latitude", "longitude"):
            properties[column] = _text(record[column]) or None
    return {
        "type": "Feature",
        "id": event.id,
        "geometry": _geometry(event),
        "properties": properties,
    }


def feature_collection(features: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Wrap features in a GeoJSON FeatureCollection."""
    return {"type": "FeatureCollection", "features": list(features)}


def compact_json(document: Any) -> bytes:
    """Write JSON compactly, non-ASCII text as it is."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _fast_json(document: Any, fallback: Any) -> bytes:
    """Write compact_json's bytes with orjson (a tenth of the time), or with json if it refuses.

    orjson writes the same text and escapes as json.dumps(ensure_ascii=False) except for
    floats (1e-05 is 0.00001 there, NaN is null), so callers hand it no bare float; it
    refuses integers beyond 64 bits and lone surrogates, which json writes (or refuses) then.
    """
    try:
        return orjson.dumps(document)
    except orjson.JSONEncodeError:
        return compact_json(fallback)


def _point_json(longitude: Any, latitude: Any) -> orjson.Fragment:
    """Write a Point geometry as compact_json writes _geometry's, floats by Python's repr."""
    if (
        type(longitude) is float
        and type(latitude) is float
        and math.isfinite(longitude)
        and math.isfinite(latitude)
    ):
        return orjson.Fragment(b'{"type":"Point","coordinates":[%r,%r]}' % (longitude, latitude))
    return orjson.Fragment(compact_json({"type": "Point", "coordinates": [longitude, latitude]}))


def feature_json(event: Event | PublicEvent, url: str) -> bytes:
    """Write public_feature(event, url) as compact_json does, byte for byte.

    Its properties hold text, whole numbers and null only, so orjson writes them as json
    does; the coordinates, the only floats, are written by Python's own repr.
    """
    feature = {
        "type": "Feature",
        "id": event.id,
        "geometry": _point_json(event.longitude, event.latitude) if event.is_placed else None,
        "properties": public_properties(event, url),
    }
    try:
        return orjson.dumps(feature)
    except orjson.JSONEncodeError:
        return compact_json(public_feature(event, url))


def _feature_key(event_id: int, stamp: str | None, campaign: str, going: int) -> int:
    """Return what a feature's bytes are known by (rebuilds): its row, campaign and count."""
    return item_key(event_id, stamp, campaign, going)


def public_collection_pieces(
    campaign: Campaign | None,
    url_of: Callable[[PublicEvent], str],
    writer: Writer,
    size: int,
) -> Iterator[bytes]:
    """Write the public FeatureCollection in pieces of `size` features, counted by `writer`.

    The features the writer's last build wrote of an unchanged event (same row, campaign
    and going count) are copied; only the others are read whole and written. `url_of` must
    depend on nothing but the event's slug and its campaign's (the caller's context).
    """
    yield writer.raw(b'{"type":"FeatureCollection","features":[')
    more = False  # whether features were written before the batch: a comma first
    if writer.previous is None:  # nothing to copy: one pass over the whole rows
        for batch in stamped_public_batches(campaign, size):
            keys = [_feature_key(e.id, stamp, e.campaign.slug, e.going) for e, stamp in batch]
            texts = [feature_json(event, url_of(event)) for event, _ in batch]
            yield writer.items_joined(keys, texts, b",", more=more)
            more = more or bool(texts)
    else:
        going = going_counts()
        for rows in public_keys(campaign, size):
            keys = [_feature_key(i, stamp, slug, going.get(i, 0)) for i, stamp, slug in rows]
            copied = writer.copied(keys)
            missing = [row[0] for row, text in zip(rows, copied, strict=True) if text is None]
            fresh = stamped_public_events(campaign, missing) if missing else {}
            texts = []
            for n, text in enumerate(copied):
                if text is None:
                    found = fresh.get(rows[n][0])
                    if found is None:  # gone since its key was read
                        continue
                    event, stamp = found
                    keys[n] = _feature_key(event.id, stamp, event.campaign.slug, event.going)
                    text = feature_json(event, url_of(event))
                texts.append((keys[n], text))
            if texts:
                yield writer.items_joined(*zip(*texts, strict=True), b",", more=more)
                more = True
    yield writer.raw(b"]}")


# Values orjson writes exactly as json does (a float is not one of them).
_PLAIN = frozenset({str, int, bool, type(None)})


def value_json(value: Any) -> bytes:
    """Write one value as compact_json does: by orjson when it is a list of plain values."""
    if type(value) is list and set(map(type, value)) <= _PLAIN:
        return _fast_json(value, value)
    return compact_json(value)


# The map feed is copied a chunk of events at a time: each column's values of a chunk lie
# side by side in the body. A chunk ends after an event whose id the mixing below sends to 0
# (one in MAP_CHUNK on average, wherever the event is in the order), so that a party added,
# moved or removed changes only its own chunk and the next build copies the others.
MAP_CHUNK = 1000
MAP_CHUNK_MOST = 4 * MAP_CHUNK  # events of a chunk at most: bounded reads by id
_MIX = 2654435761  # Knuth's multiplicative hash: ids in a row end chunks far apart


def _ends_chunk(event_id: int, size: int) -> bool:
    """Tell whether a map chunk ends after this event."""
    return size >= MAP_CHUNK_MOST or (event_id * _MIX) % 4294967296 % MAP_CHUNK == 0


def _chunked(rows: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
    """Cut rows (each starting with its event's id) into map chunks, in order."""
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if _ends_chunk(row[0], len(chunk)):
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _map_key(row: Sequence[Any], going: dict[int, int], photos: dict[int, int]) -> tuple:
    """Return what an event's map values depend on: its id, row, campaign, count and photos.

    `row` is map_rows' (id first; campaign's slug, slug and updated_at last) or public_keys'.
    """
    if len(row) == 3:  # public_keys: id, updated_at, campaign's slug
        event_id, stamp, campaign = row
    else:
        event_id, stamp, campaign = row[0], row[-1], row[-3]
    return (event_id, stamp, campaign, going.get(event_id, 0), photos.get(event_id, 0))


def map_feed_pieces(
    campaign: Campaign | None,
    link_pattern: str,
    writer: Writer,
    columns: Sequence[str] = MAP_COLUMNS,
) -> Iterator[bytes]:
    """Write the map feed (compact_json of `columns`' lists) in pieces counted by `writer`.

    `columns`: MAP_COLUMNS for the whole feed, or one of listing.MAP_PARTS for a part.

    A chunk's values are copied from the writer's last build when none of its events
    changed (same rows, campaigns, going counts and photos) and no event joined or left it;
    the other chunks are read whole. `link_pattern` makes each event's address.
    """
    inputs = going, photos = map_inputs(campaign)
    spans: dict[Any, str] = {}
    # Each chunk: the key of what its events depend on, and each column's text when written
    # anew (None: copied). Only the text is kept, a few bytes a value, not the values.
    chunks: list[tuple[int, dict[str, bytes] | None]] = []

    def texts_of(values: dict[str, list[Any]]) -> dict[str, bytes]:
        return {name: value_json(values[name])[1:-1] for name in columns}

    if writer.previous is None:  # nothing to copy: one pass over the whole rows
        rows = (row for batch in map_rows(campaign, MAP_ROWS_AT_ONCE) for row in batch)
        for chunk in _chunked(rows):
            keys = item_key(*(_map_key(row, going, photos) for row in chunk))
            chunks.append(
                (keys, texts_of(map_columns(campaign, chunk, inputs, spans, link_pattern)))
            )
    else:
        keyed = (
            _map_key(row, going, photos)
            for batch in public_keys(campaign, MAP_ROWS_AT_ONCE)
            for row in batch
        )
        for chunk in _chunked(keyed):
            keys = item_key(*chunk)
            if all(writer.has(item_key(keys, n)) for n in range(len(columns))):
                chunks.append((keys, None))
                continue
            ids = [key[0] for key in chunk]
            read = {row[0]: row for batch in map_rows(campaign, len(ids), ids) for row in batch}
            rows_now = [read[i] for i in ids if i in read]  # some may be gone meanwhile
            if rows_now:
                keys = item_key(*(_map_key(row, going, photos) for row in rows_now))
                values = map_columns(campaign, rows_now, inputs, spans, link_pattern)
                chunks.append((keys, texts_of(values)))
    yield writer.raw(b"{")
    for n, name in enumerate(columns):
        yield writer.raw((b"," if n else b"") + compact_json(name) + b":[")
        keys = [item_key(chunk_keys, n) for chunk_keys, _ in chunks]
        copied = iter(
            writer.copied([k for k, (_, c) in zip(keys, chunks, strict=True) if c is None])
        )
        # Each column's text goes once written: the body is never held whole.
        texts = [next(copied) if new is None else new.pop(name) for _, new in chunks]
        written = [(key, text) for key, text in zip(keys, texts, strict=True) if text]
        if written:
            yield writer.items_joined(*zip(*written, strict=True), b",", more=False)
        yield writer.raw(b"]")
    yield writer.raw(b"}")
