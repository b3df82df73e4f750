"""The map on /places/, the list page and era pages, and its download.

The map follows the list's filters (`Browse`): the places of the dialogues the list shows. It
is drawn once per generation, day and filters (`fragments`).
"""

from __future__ import annotations

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext

from ...listing.browse import Browse
from .. import fragments
from . import download, pending
from .map_drawing import drawing, map_svg
from .places import counts_for
from .year_views import filters_in_words


def _params(browse: Browse) -> QueryDict:
    params = browse.valid_params.copy()
    for key in ("page", "sort"):
        params.pop(key, None)
    return params


def _key(browse: Browse, id_prefix: str) -> tuple:
    return (id_prefix, tuple(sorted(_params(browse).lists())))


def _alternatives(counts) -> list[dict]:
    places = counts.places
    return [
        {"a_name": places[a].name, "b_name": places[b].name, "a": a, "b": b, "n": n}
        for a, b, n in counts.pairs
        if a in places and b in places
    ]


def _context(browse: Browse, id_prefix: str, query: str) -> dict:
    counts = counts_for(browse)
    figure = drawing(counts, id_prefix=id_prefix)
    rows = sorted(counts.places.values(), key=lambda p: (-(p.sure + p.alternative), p.name))
    return {
        "m": figure,
        "svg": map_svg(figure) if counts.mapped else "",
        "rows": rows,
        "alternatives": _alternatives(counts),
        "pairs_left_out": counts.pairs_left_out,
        "unplaced": counts.unplaced,
        "total": counts.total,
        "download": reverse("dialogues:map_figure") + query,
        "download_png": reverse("dialogues:map_figure_png") + query,
    }


def map_block(browse: Browse, *, id_prefix: str = "map") -> str:
    if pending.waiting(browse):
        return pending.block("map", id_prefix, gettext("Where they met"))
    params = _params(browse)
    query = f"?{params.urlencode()}" if params else ""
    return fragments.rendered(
        "map",
        _key(browse, id_prefix),
        "pictures/_map.html",
        lambda: _context(browse, id_prefix, query),
    )


def era_map_block(era) -> str:
    return map_block(Browse(QueryDict(f"era={era.slug}")), id_prefix="era-map")


def places_map_block() -> str:
    return map_block(Browse(QueryDict()), id_prefix="places-map")


@download.figure_view
def map_figure(request, fmt: str):
    browse = Browse(request.GET)

    def draw() -> tuple[str, str]:
        figure = drawing(counts_for(browse))
        return str(map_svg(figure)), str(figure["rule"])

    svg, rule = fragments.rendered_value("map-svg", _key(browse, "map"), draw)
    params = _params(browse)
    return download.figure_response(
        request,
        svg,
        fmt=fmt,
        name="places",
        caption=" ".join(
            part
            for part in (
                gettext(
                    "Where the dialogues met. Country outlines: Natural Earth (public domain)."
                ),
                rule,
            )
            if part
        ),
        filters=filters_in_words(browse),
        address=request.build_absolute_uri(
            reverse("dialogues:dialogue_list") + (f"?{params.urlencode()}" if params else "")
        ),
    )
