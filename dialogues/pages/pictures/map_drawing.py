"""The map's geometry: Natural Earth's country outlines, framed on the places it shows.

The projection is equirectangular, with x shrunk by the cosine of the middle latitude so that
shapes near the frame's middle keep their proportions; coordinates are in tenths of a degree,
as the basemap stores them (`data/countries-110m.json`, see `data/NOTICE`). The frame is the
bounding box of the places drawn, with a margin, widened to a fixed aspect: a dialogue in Oslo
and one in Jerusalem give a map of both. Only the countries that meet the frame are drawn.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy, ngettext

from .places import MAX_PAIRS, PlaceCounts

DATA = Path(__file__).resolve().parent / "data" / "countries-110m.json"
ASPECT = 1.6  # width / height of the frame
MIN_SPAN = 8.0  # degrees of latitude, so one place alone still shows its region
MARGIN = 0.25  # of the places' span, on each side
# At most this many places carry their name on the map: those with the most dialogues. Every
# place keeps its name in its tooltip and in the table.
LABELLED = 15
# A dot's radius in pixels: its area grows with the place's dialogues, against the largest. The
# largest dot shrinks as places crowd the map (a few places get 16 px; 200 get about 3.4 px).
MAX_RADIUS = 16.0
CROWD = 48.0  # the largest radius is at most CROWD / sqrt(places on the map)
RULE = gettext_lazy(
    "A filled dot is a place where dialogues met; a hollow ring is one of several places a "
    "dialogue may have met in, joined to the others by a dashed line. Dots grow with the "
    "number of dialogues."
)


def thinning_rule(counts: PlaceCounts) -> str:
    """The sentences that say which pairs of alternatives were left out, if any were."""
    parts = []
    if counts.pair_places:
        parts.append(
            gettext(
                "Pairs of places are looked for among the %(k)s places most often named as one "
                "of several."
            )
            % {"k": counts.pair_places}
        )
    if counts.pairs_left_out:
        parts.append(
            ngettext(
                "Only the %(k)s pairs of places named together most often are joined; %(n)s "
                "more pair is left out.",
                "Only the %(k)s pairs of places named together most often are joined; %(n)s "
                "more pairs are left out.",
                counts.pairs_left_out,
            )
            % {"k": MAX_PAIRS, "n": counts.pairs_left_out}
        )
    return " ".join(parts)


def _radius(n: int, largest: int, places: int) -> float:
    biggest = max(min(MAX_RADIUS, CROWD / math.sqrt(max(places, 1))), 2.5)
    smallest = biggest / 4
    return smallest + (biggest - smallest) * math.sqrt(n / max(largest, 1))


@cache
def countries() -> list[dict]:
    return json.loads(DATA.read_text())["countries"]


def _frame(points: list[tuple[float, float]]) -> tuple[float, float, float, float, float]:
    """(west, south, east, north, cos) framing `points` (lon, lat) with the margin and aspect."""
    if points:
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    else:
        west, east, south, north = -170.0, 170.0, -60.0, 75.0
    middle = (south + north) / 2
    factor = max(math.cos(math.radians(middle)), 0.2)
    height = max(north - south, MIN_SPAN) * (1 + 2 * MARGIN)
    width = max((east - west) * factor * (1 + 2 * MARGIN), height * ASPECT)
    height = max(height, width / ASPECT)
    centre_x, centre_y = (west + east) / 2, middle
    half_w, half_h = width / factor / 2, height / 2
    return centre_x - half_w, centre_y - half_h, centre_x + half_w, centre_y + half_h, factor


def _meets(bbox, west, south, east, north) -> bool:
    return bbox[0] <= east and bbox[2] >= west and bbox[1] <= north and bbox[3] >= south


def drawing(counts: PlaceCounts, *, id_prefix="map") -> dict:
    mapped = counts.mapped
    west, south, east, north, factor = _frame([(p.lon, p.lat) for p in mapped])
    x0, y0 = west * 10 * factor, -north * 10
    width, height = (east - west) * 10 * factor, (north - south) * 10
    unit = width / 600  # one pixel of a figure drawn 600 wide
    rule = " ".join(part for part in (str(RULE), thinning_rule(counts)) if part)

    def at(lon, lat):
        return round(lon * 10 * factor, 1), round(-lat * 10, 1)

    places = []
    largest = max((p.sure + p.alternative for p in mapped), default=1)
    for rank, place in enumerate(sorted(mapped, key=lambda p: (-(p.sure + p.alternative), p.name))):
        x, y = at(place.lon, place.lat)
        radius = _radius(place.sure + place.alternative, largest, len(mapped))
        places.append(
            {
                "pk": place.pk,
                "href": place.url,
                "x": x,
                "y": y,
                "r": round(unit * radius, 2),
                "filled": place.sure > 0,
                "tooltip": _tooltip(place),
                "label": place.name if rank < LABELLED else "",
                "label_x": round(x + unit * (radius + 3), 1),
                "label_y": round(y + unit * 4, 1),
            }
        )
    if len(mapped) > LABELLED:
        rule = " ".join(
            [
                rule,
                gettext(
                    "The %(k)s places with the most dialogues are named on the map; the table "
                    "lists every place."
                )
                % {"k": LABELLED},
            ]
        )
    by_pk = {p["pk"]: p for p in places}
    lines = [
        {
            "x1": by_pk[a]["x"],
            "y1": by_pk[a]["y"],
            "x2": by_pk[b]["x"],
            "y2": by_pk[b]["y"],
            "a": a,
            "b": b,
            "n": n,
        }
        for a, b, n in counts.pairs
        if a in by_pk and b in by_pk
    ]
    outlines = [c["d"] for c in countries() if _meets(c["bbox"], west, south, east, north)]
    return {
        "title_id": f"{id_prefix}-title",
        "desc_id": f"{id_prefix}-desc",
        "title": gettext("Where the dialogues met"),
        "desc": ngettext(
            "%(n)s place on a map of country outlines (Natural Earth).",
            "%(n)s places on a map of country outlines (Natural Earth).",
            len(places),
        )
        % {"n": len(places)}
        + f" {rule}",
        "view": f"{round(x0, 1)} {round(y0, 1)} {round(width, 1)} {round(height, 1)}",
        "factor": round(factor, 4),
        "outlines": outlines,
        "places": places,
        "lines": lines,
        "font": round(unit * 12, 2),
        "stroke": round(unit * 1.5, 2),
        "dash": f"{round(unit * 5, 2)} {round(unit * 4, 2)}",
        "rule": rule,
    }


def _tooltip(place) -> str:
    parts = []
    if place.sure:
        parts.append(
            ngettext("%(n)s dialogue held here", "%(n)s dialogues held here", place.sure)
            % {"n": place.sure}
        )
    if place.alternative:
        parts.append(gettext("named as one of several places by %(n)s") % {"n": place.alternative})
    return f"{place.name}: {'; '.join(parts)}"


def map_svg(figure: dict) -> str:
    return mark_safe(render_to_string("pictures/_map_svg.html", {"m": figure}).strip())
