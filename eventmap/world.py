"""The world's land outline (Natural Earth through world-atlas, from the locked npm folder).

The share cards draw it on the server with no network. world-atlas ships TopoJSON: shared,
delta-encoded arcs that each ring lists by index (~i for arc i reversed); decoding them here
is a few lines, and the rings are read once per process.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

NODE_MODULES = Path(__file__).resolve().parent.parent / "assets" / "node_modules"
LAND = NODE_MODULES / "world-atlas" / "land-110m.json"

Ring = tuple[tuple[float, float], ...]  # (longitude, latitude) pairs


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Return every arc as absolute (longitude, latitude) points."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(x), float(y)) for x, y, *_ in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indexes: Sequence[int], arcs: list[list[tuple[float, float]]]) -> Ring:
    """Join a ring's arcs, dropping the point each arc shares with the one before.

    Longitudes are unwrapped: a ring that crosses the antimeridian (Fiji, Chukotka) goes on
    past 180° instead of jumping back to -180°, which would draw a band across the world.
    """
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    unwrapped: list[tuple[float, float]] = []
    offset = 0.0
    for longitude, latitude in points:
        if unwrapped:
            step = longitude + offset - unwrapped[-1][0]
            if step > 180.0:
                offset -= 360.0
            elif step < -180.0:
                offset += 360.0
        unwrapped.append((longitude + offset, latitude))
    return tuple(unwrapped)


@lru_cache(maxsize=1)
def land_rings(path: Path = LAND) -> tuple[Ring, ...]:
    """Return the outer and inner rings of the land, empty when the file is not installed."""
    try:
        topology = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    arcs = _decode_arcs(topology)
    rings: list[Ring] = []
    for shape in topology.get("objects", {}).values():
        geometries = shape.get("geometries", [shape])
        for geometry in geometries:
            if geometry.get("type") == "Polygon":
                polygons = [geometry["arcs"]]
            elif geometry.get("type") == "MultiPolygon":
                polygons = geometry["arcs"]
            else:
                continue
            for polygon in polygons:
                rings.extend(_ring(ring, arcs) for ring in polygon)
    return tuple(rings)
