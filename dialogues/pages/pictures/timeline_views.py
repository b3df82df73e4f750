"""The timeline page, one era's stretch of it at a larger scale, and the figure's download.

`/timeline/` draws every era; `/timeline/?era=<slug>` draws that era alone, so its dialogues
spread over the whole width. Both are drawn once per generation and day (`fragments`).
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from ...listing import selectors
from ...record_text import Field
from .. import fragments
from .. import timeline as drawing
from . import download


def _era_of(request):
    """The era named by `?era=`, or None for every era; 404 with a message for an unknown one."""
    slug = request.GET.get("era")
    if not slug:
        return None
    eras, _dialogues = selectors.timeline_data()
    for era in eras:
        if era.slug == slug:
            return era
    raise Http404(_("No era has that name. Choose one from the timeline, e.g. ?era=<era's slug>."))


def _context(slug: str | None) -> dict:
    eras, dialogues = selectors.timeline_data()
    first = 1
    if slug:
        drawn = [era for era in eras if drawing._drawable(era)]
        first = next((n for n, era in enumerate(drawn, start=1) if era.slug == slug), 1)
        eras = [era for era in eras if era.slug == slug]
    svg = drawing.timeline_svg(eras, dialogues, first_number=first)
    return {"eras": eras, "svg": svg, "zoomed": bool(slug)}


def _svg(slug: str | None) -> str:
    def draw():
        return str(_context(slug)["svg"])

    return fragments.rendered_value("timeline-svg", (slug,), draw)


def timeline(request):
    era = _era_of(request)
    slug = era.slug if era else None
    body = fragments.rendered(
        "timeline", (slug,), "dialogues/_timeline_body.html", lambda: _context(slug)
    )
    query = f"?era={slug}" if slug else ""
    return render(
        request,
        "dialogues/timeline.html",
        {
            "body": body,
            "era": era,
            "eras": selectors.era_list_cached(),
            "download": reverse("dialogues:timeline_figure") + query,
            "download_png": reverse("dialogues:timeline_figure_png") + query,
            "trail": [(reverse("dialogues:timeline"), _("Timeline"))] if era else None,
            "current": Field(era, "name") if era else _("Timeline"),
        },
    )


@download.figure_view
def timeline_figure(request, fmt: str):
    era = _era_of(request)
    slug = era.slug if era else None
    caption = (
        _("Timeline of %(era)s") % {"era": drawing.in_page_language(era, "name")}
        if era
        else _("Timeline of Track II dialogues, era by era")
    )
    address = request.build_absolute_uri(
        reverse("dialogues:timeline") + (f"?era={slug}" if slug else "")
    )
    return download.figure_response(
        request,
        _svg(slug),
        fmt=fmt,
        name=f"timeline-{slug}" if slug else "timeline",
        caption=caption,
        filters=_("era: %(era)s") % {"era": drawing.in_page_language(era, "name")} if era else "",
        address=address,
    )
