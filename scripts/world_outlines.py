"""Convert world-atlas's countries-110m.json (TopoJSON) into the map's basemap.

    python -m scripts.world_outlines path/to/countries-110m.json

writes dialogues/pages/pictures/data/countries-110m.json: each country's outline as an SVG path in
tenths of a degree (x = longitude, y = minus latitude), its bounding box in degrees, and its name.
The source is the npm package `world-atlas` 2.x (ISC), whose data is Natural Earth's 1:110m
Admin 0 countries (public domain); see dialogues/pages/pictures/data/NOTICE.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "dialogues/pages/pictures/data/countries-110m.json"


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (kx, ky), (dx, dy) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for qx, qy in arc:
            x, y = x + qx, y + qy
            points.append((x * kx + dx, y * ky + dy))
        decoded.append(points)
    return decoded


def _ring(indexes: list[int], arcs) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _path(rings) -> str:
    parts = []
    for ring in rings:
        cells = []
        for lon, lat in ring:
            cell = (round(lon * 10), round(-lat * 10))
            if not cells or cells[-1] != cell:
                cells.append(cell)
        if len(cells) >= 3:
            parts.append("M" + "L".join(f"{x} {y}" for x, y in cells) + "Z")
    return "".join(parts)


def convert(source: Path) -> list[dict]:
    topology = json.loads(source.read_text())
    arcs = _arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        kind = geometry.get("type")
        polygons = geometry["arcs"] if kind == "MultiPolygon" else [geometry.get("arcs", [])]
        if kind not in {"Polygon", "MultiPolygon"}:
            continue
        rings = [_ring(ring, arcs) for polygon in polygons for ring in polygon]
        lons = [lon for ring in rings for lon, _ in ring]
        lats = [lat for ring in rings for _, lat in ring]
        countries.append(
            {
                "name": geometry.get("properties", {}).get("name", ""),
                "bbox": [
                    round(min(lons), 1),
                    round(min(lats), 1),
                    round(max(lons), 1),
                    round(max(lats), 1),
                ],
                "d": _path(rings),
            }
        )
    return countries


if __name__ == "__main__":
    found = convert(Path(sys.argv[1]))
    OUT.write_text(json.dumps({"countries": found}, separators=(",", ":")) + "\n")
    print(f"{len(found)} countries, {OUT.stat().st_size} bytes")
