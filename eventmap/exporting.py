"""Write events out as CSV or GeoJSON in the shapes `import` reads back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from .models import Event
from .serialize import CSV_COLUMNS, csv_row, feature_collection, full_feature
from .urls import event_url_builder


class RowWriter(Protocol):
    """The part of csv.writer that export uses."""

    def writerow(self, row: Iterable[Any], /) -> Any: ...  # pragma: no cover - protocol


def export_csv(events: Iterable[Event], writer: RowWriter) -> int:
    """Write a header and one row per event; return the number of events."""
    writer.writerow(CSV_COLUMNS)
    count = 0
    for event in events:
        writer.writerow(csv_row(event))
        count += 1
    return count


def export_geojson(events: Iterable[Event]) -> dict[str, Any]:
    """Return every event as a FeatureCollection with all stored fields, linked on PUBLIC_URL."""
    url_of = event_url_builder()
    return feature_collection(full_feature(event, url_of(event)) for event in events)
