"""The network's geometry: nodes placed by the seeded layout, lines weighted, a few names shown.

Every node is a link to its page, named by a `<title>` with its dialogues; only the best
connected are labelled on the figure (`LABELLED`), so names do not pile up; the list beside it
names every node and its strongest ties.
"""

from __future__ import annotations

import math

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from ...models import Side
from .network import Network, layout

SIDES = [value for value, _ in Side.choices]
FILLS = ("#1f5f8b", "#5f7f2c", "#a8651a", "#7a5aa3", "#737373")
LABELLED = 12
# Above this many lines the figure keeps each node's strongest ties only, and says so.
MAX_LINES = 150
KEPT_TIES = 3


def _thinned(graph: Network) -> list[tuple[str, str, int]]:
    kept = set()
    for key in graph.nodes:
        for other, _ in graph.strongest(key, KEPT_TIES):
            kept.add(tuple(sorted((key, other.key))))
    return [(a, b, w) for a, b, w in graph.edges if (a, b) in kept]


def _r(value: float) -> float:
    return round(value, 1)


def _wrapped(words: str, room: int) -> list[str]:
    lines: list[str] = []
    for word in words.split():
        if lines and len(lines[-1]) + 1 + len(word) <= room:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _overlaps(box, boxes) -> bool:
    return any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes)


def _label(name, x, radius, width, rank, y, boxes, discs=()):
    """A label for one of the best connected nodes, on a side with room, where it clears the
    labels already placed and the other nodes (`discs`, their bounding boxes); else none (the
    node's title and the list still name it). The right side is tried first, then the left."""
    if rank >= LABELLED:
        return "", "start", 0
    size = 6.2 * len(name)
    sides = [
        (x + radius + 3, "start", x + radius + 3),
        (x - radius - 3 - size, "end", x - radius - 3),
    ]
    for left, anchor, label_x in sides:
        box = (left, y - 10, left + size, y + 4)
        if left < 0 or left + size > width:
            continue
        if _overlaps(box, boxes) or _overlaps(box, discs):
            continue
        boxes.append(box)
        return name, anchor, _r(label_x)
    return "", "start", 0


def dialogues_in_words(n: int) -> str:
    return ngettext("%(n)s dialogue", "%(n)s dialogues", n) % {"n": n}


def drawing(graph: Network, *, width=1000, height=620, id_prefix="network", rule="") -> dict:
    margin = 16
    lines = graph.edges
    if len(lines) > MAX_LINES:
        lines = _thinned(graph)
        rule += " " + gettext(
            "Lines: each node's %(kept)s strongest ties (%(shown)s of %(total)s)."
        ) % {"kept": KEPT_TIES, "shown": len(lines), "total": len(graph.edges)}
    # About 7 pixels a letter at 11 pixels: Hebrew and Arabic letters run wider than Latin ones.
    rule_lines = _wrapped(rule, int((width - 16) / 7))
    plot_height = height - 16 * len(rule_lines) - 24
    placed = layout(graph)

    def at(key):
        x, y = placed[key]
        return _r(margin + x * (width - 2 * margin)), _r(margin + y * (plot_height - 2 * margin))

    ranked = sorted(graph.nodes.values(), key=lambda n: (-n.dialogues, n.name))
    most = max((n.dialogues for n in ranked), default=1) or 1
    boxes: list[tuple[float, float, float, float]] = []
    radii = {node.key: _r(4 + 8 * math.sqrt(node.dialogues / most)) for node in ranked}
    discs = {
        node.key: (
            x - radii[node.key],
            y - radii[node.key],
            x + radii[node.key],
            y + radii[node.key],
        )
        for node in ranked
        for x, y in [at(node.key)]
    }
    nodes = []
    for rank, node in enumerate(ranked):
        x, y = at(node.key)
        radius = radii[node.key]
        others = [disc for key, disc in discs.items() if key != node.key]
        label, anchor, label_x = _label(node.name, x, radius, width, rank, y, boxes, others)
        stack = SIDES.index(node.side) % len(FILLS) if node.side in SIDES else 4
        nodes.append(
            {
                "key": node.key,
                "href": node.url,
                "tooltip": f"{node.name} ({dialogues_in_words(node.dialogues)})",
                "person": node.kind == "person",
                "x": x,
                "y": y,
                "r": radius,
                "side": 2 * radius,
                "corner_x": _r(x - radius),
                "corner_y": _r(y - radius),
                "stack": stack,
                "fill": FILLS[stack],
                "label": label,
                "anchor": anchor,
                "label_x": label_x,
                "label_y": _r(y + 4),
            }
        )
    edges = []
    for a, b, weight in lines:
        (x1, y1), (x2, y2) = at(a), at(b)
        edges.append(
            {
                "x1": x1,
                "y1": y1,
                "x2": x2,
                "y2": y2,
                "w": _r(min(0.8 + math.log2(weight), 5)),
                "a": a,
                "b": b,
                "weight": weight,
            }
        )
    shown_people = sum(1 for n in graph.nodes.values() if n.kind == "person")
    legend, legend_x = [], 8.0
    legend_y = plot_height - 4
    for value, label in Side.choices:
        if any(n.side == value and n.kind == "person" for n in graph.nodes.values()):
            stack = SIDES.index(value) % len(FILLS)
            legend.append(
                {
                    "x": legend_x,
                    "cx": legend_x + 5,
                    "text_x": legend_x + 14,
                    "stack": stack,
                    "fill": FILLS[stack],
                    "label": label,
                    "person": True,
                }
            )
            legend_x += 24 + 6.2 * len(label)
    if shown_people < len(graph.nodes):
        legend.append(
            {
                "x": legend_x,
                "cx": legend_x + 5,
                "text_x": legend_x + 14,
                "label": gettext("Organisation"),
                "person": False,
            }
        )
    return {
        "width": width,
        "height": height,
        "title_id": f"{id_prefix}-title",
        "desc_id": f"{id_prefix}-desc",
        "title": gettext("Who met whom"),
        "desc": gettext("%(people)s people and %(organisations)s organisations, %(ties)s ties.")
        % {
            "people": shown_people,
            "organisations": len(graph.nodes) - shown_people,
            "ties": len(edges),
        }
        + f" {rule}",
        "nodes": nodes,
        "edges": edges,
        "legend": legend,
        "legend_y": legend_y,
        "legend_top": legend_y - 9,
        "legend_cy": legend_y - 4,
        "rule_lines": [(plot_height + 14 + 16 * n, line) for n, line in enumerate(rule_lines)],
        "rule": rule,
    }


def text(graph: Network, ties: int = 5) -> list[dict]:
    """Each node, most dialogues first, with its strongest ties."""
    ranked = sorted(graph.nodes.values(), key=lambda n: (-n.dialogues, n.name))
    return [
        {
            "key": node.key,
            "name": node.name,
            "url": node.url,
            "kind": node.kind,
            "side": str(Side(node.side).label) if node.side in SIDES else "",
            "dialogues": node.dialogues,
            "ties": [
                (other.name, other.url, weight) for other, weight in graph.strongest(node.key, ties)
            ],
        }
        for node in ranked
    ]


def network_svg(figure: dict) -> str:
    return mark_safe(render_to_string("pictures/_network_svg.html", {"n": figure}).strip())
