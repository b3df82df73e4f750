"""Dialogues by year on the list and era pages, and the figure's download.

The block (figure, rule, table) depends only on the valid filters, so it is drawn once per
generation, day and combination of filters (`fragments`), and its weights come from the facet
index (`years.year_weights`): no query of its own once the index is built.
"""

from __future__ import annotations

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext

from ...listing.browse import Browse
from .. import fragments
from . import download, pending
from .histogram import histogram, histogram_svg
from .years import year_weights

NOT_LINKED = ("page",)


def _params(params: QueryDict) -> QueryDict:
    params = params.copy()
    for key in NOT_LINKED:
        params.pop(key, None)
    return params


def _figure(browse: Browse, id_prefix: str) -> dict:
    base = reverse("dialogues:dialogue_list")
    return histogram(
        year_weights(browse.filterset), _params(browse.valid_params), base, id_prefix=id_prefix
    )


def _key(browse: Browse, id_prefix: str) -> tuple:
    return (id_prefix, tuple(sorted(_params(browse.valid_params).lists())))


def years_block(browse: Browse, *, id_prefix: str = "years") -> str:
    """The histogram, its rule, its table and its download link, for `browse`'s filters."""
    if pending.waiting(browse):
        return pending.block("years", id_prefix, gettext("Dialogues by year"))
    params = _params(browse.valid_params)
    query = f"?{params.urlencode()}" if params else ""

    def context() -> dict:
        figure = _figure(browse, id_prefix)
        return {
            "h": figure,
            "svg": histogram_svg(figure),
            "download": reverse("dialogues:years_figure") + query,
            "download_png": reverse("dialogues:years_figure_png") + query,
        }

    return fragments.rendered("years", _key(browse, id_prefix), "pictures/_years.html", context)


def era_years_block(era) -> str:
    return years_block(Browse(QueryDict(f"era={era.slug}")), id_prefix="era-years")


def filters_in_words(browse: Browse) -> str:
    return "; ".join(chip.label for chip in browse.chips)


@download.figure_view
def years_figure(request, fmt: str):
    browse = Browse(request.GET)
    figure = _figure(browse, "years")

    def draw() -> str:
        return str(histogram_svg(figure))

    svg = fragments.rendered_value("years-svg", _key(browse, "years"), draw)
    params = _params(browse.valid_params)
    address = request.build_absolute_uri(
        reverse("dialogues:dialogue_list") + (f"?{params.urlencode()}" if params else "")
    )
    return download.figure_response(
        request,
        svg,
        fmt=fmt,
        name="dialogues-by-year",
        caption=f"{figure['title']}. {figure['desc']}",
        filters=filters_in_words(browse),
        address=address,
    )
