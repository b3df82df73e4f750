"""The histogram of dialogues by year, stacked by track: geometry, links and its table.

Time runs the way the page reads, as on the timeline: left to right in English, right to left
in Hebrew and Arabic (earliest year at the right, the counts' scale on the right too), in the
page and its download alike; the SVG sets `direction` to match. The table stays in
chronological order in every language. Each year's column is one link that sets `from` and
`to` to that year; the table beside it gives the same numbers and, for each year, "from here"
and "to here" links that set one end of a range, which is how a range is chosen without
JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from .years import RULE, STACKS, YearWeights

# Drawn for the list's results column: about as wide in units as in pixels, so text stays legible.
WIDTH = 560
PLOT_HEIGHT = 170
LEFT, RIGHT, TOP = 44, 10, 12
PLOT_BOTTOM = TOP + PLOT_HEIGHT
LEGEND_TOP = PLOT_BOTTOM + 34
LEGEND_LINE = 15
# The light scheme's fills, one per track; the page's stylesheet repaints them per scheme.
FILLS = ("#1f5f8b", "#7a9e3c", "#c9822b", "#8a6bb0", "#8c8c8c")


def _plural(amount) -> int:
    """The number that chooses a plural form: the amount itself when whole; a share of a
    dialogue (0.5) takes the form most languages give fractions, as English "dialogues" does."""
    return int(amount) if amount == int(amount) else 100


def amount(value: float) -> str:
    """A weight in words: whole numbers plainly, parts to one decimal."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def year_steps(first: int, last: int) -> int:
    span = last - first
    return 1 if span <= 10 else 5 if span <= 50 else 10


@dataclass(frozen=True)
class Column:
    year: int
    href: str
    tooltip: str
    x: float
    width: float
    parts: list[tuple[float, float, int, str]]  # (y, height, stack, fill) bottom-up


def _with(params: QueryDict, **values) -> str:
    query = params.copy()
    for key in ("page", *values):
        query.pop(key, None)
    for key, value in values.items():
        if value is not None:
            query[key] = str(value)
    return "?" + query.urlencode()


def _mirrored(figure: dict) -> dict:
    """The figure with every x reflected across the middle, so the years run right to left.

    Text anchors stay: under `direction="rtl"` "start" and "end" swap sides, as the figure does.
    """

    def flip(x):
        return round(WIDTH - x, 1)

    return {
        **figure,
        "direction": "rtl",
        "columns": [
            replace(column, x=flip(column.x + column.width)) for column in figure["columns"]
        ],
        "labels": [(flip(x), year) for x, year in figure["labels"]],
        "legend": [
            (flip(x + 10), flip(text_x), box_y, y, n, fill, label)
            for x, text_x, box_y, y, n, fill, label in figure["legend"]
        ],
        "left": flip(figure["right"]),
        "right": flip(figure["left"]),
        "value_x": flip(figure["value_x"]),
    }


def histogram(
    weights: YearWeights, params: QueryDict, base: str, *, id_prefix="years", rtl=None
) -> dict:
    """Everything the template needs: columns, axis labels, legend and the table's rows.

    `rtl` runs the years right to left; by default it follows the active language's direction.
    """
    if rtl is None:
        rtl = translation.get_language_bidi()
    params = params.copy()
    years = sorted(y for y, stack in weights.years.items() if sum(stack.values()) > 0)
    first, last = (years[0], years[-1]) if years else (0, 0)
    count = last - first + 1 if years else 0
    plot = WIDTH - LEFT - RIGHT
    step = plot / max(count, 1)
    peak = max((sum(weights.years[y].values()) for y in years), default=0)
    scale = (PLOT_BOTTOM - TOP) / peak if peak else 0
    used = [n for n, (key, _) in enumerate(STACKS) if any(weights.years[y].get(key) for y in years)]
    columns, rows = [], []
    for year in years:
        stack = weights.years[year]
        x = LEFT + (year - first) * step
        bottom, parts = PLOT_BOTTOM, []
        for n, (key, _) in enumerate(STACKS):
            height = stack.get(key, 0) * scale
            if height > 0:
                bottom -= height
                parts.append((round(bottom, 1), round(height, 1), n, FILLS[n]))
        total = sum(stack.values())
        columns.append(
            Column(
                year=year,
                href=base + _with(params, **{"from": year, "to": year}),
                tooltip=ngettext(
                    "%(year)s: %(amount)s dialogue",
                    "%(year)s: %(amount)s dialogues",
                    _plural(total),
                )
                % {"year": year, "amount": amount(total)},
                x=round(x + step * 0.1, 1),
                width=round(max(step * 0.8, 1), 1),
                parts=parts,
            )
        )
        rows.append(
            {
                "year": year,
                "cells": [amount(stack.get(STACKS[n][0], 0)) for n in used],
                "total": amount(total),
                "href": columns[-1].href,
                "from_href": base + _with(params, **{"from": year}),
                "to_href": base + _with(params, **{"to": year}),
            }
        )
    label_step = year_steps(first, last)
    labels = [
        (round(LEFT + (y - first + 0.5) * step, 1), y)
        for y in range(first, last + 1)
        if count and (y % label_step == 0 or count == 1)
    ]
    legend_x, legend_y = LEFT, LEGEND_TOP
    legend = []
    for n in used:
        room = 26 + 6.2 * len(STACKS[n][1])
        if legend_x + room > WIDTH and legend_x > LEFT:
            legend_x, legend_y = LEFT, legend_y + LEGEND_LINE
        legend.append((legend_x, legend_x + 14, legend_y - 9, legend_y, n, FILLS[n], STACKS[n][1]))
        legend_x += room
    height = legend_y + 8
    figure = {
        "width": WIDTH,
        "direction": "ltr",
        "height": height,
        "title_id": f"{id_prefix}-title",
        "desc_id": f"{id_prefix}-desc",
        "title": (
            gettext("Dialogues by year, %(first)s–%(last)s, stacked by track")
            % {"first": first, "last": last}
            if years
            else gettext("Dialogues by year")
        ),
        "desc": f"{RULE} "
        + gettext("Highest year: %(peak)s. Each column sets the years to that year.")
        % {"peak": amount(peak)},
        "columns": columns,
        "labels": labels,
        "legend": legend,
        "plot_bottom": PLOT_BOTTOM,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "label_y": PLOT_BOTTOM + 14,
        "value_x": LEFT - 4,
        "peak_y": TOP + 4,
        # On the axis, whole dialogues from 100 up, so that the label fits its margin (the exact
        # weight is in the description and the table).
        "peak": amount(round(peak) if peak >= 100 else peak),
        "top": TOP,
        "rule": RULE,
        "undated": weights.undated,
        "headers": [STACKS[n][1] for n in used],
        "rows": rows,
    }
    return _mirrored(figure) if rtl else figure


def histogram_svg(figure: dict) -> str:
    return mark_safe(render_to_string("pictures/_histogram_svg.html", {"h": figure}).strip())
