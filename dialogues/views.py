"""Thin views: each calls a selector, paginates and renders."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView

from . import querytext, selectors
from .filters import SORTS, ParticipantFilterSet, facet_counts
from .models import Dialogue, Era, Participant, Role, Source, SourceDisagreement

PAGE_SIZE = 20


def paginate(queryset_or_paginator, raw_page, per_page=PAGE_SIZE):
    """Return (page, note). A bad page number serves the nearest valid page with a note."""
    paginator = queryset_or_paginator
    if not isinstance(paginator, Paginator):
        paginator = Paginator(queryset_or_paginator, per_page)
    raw = (raw_page or "1").strip()
    note = ""
    try:
        number = int(raw)
    except ValueError:
        number = 1
        note = f"“{raw[:20]}” is not a page number; showing page 1."
    else:
        if number < 1:
            note = f"Pages start at 1; showing page 1 instead of {number}."
            number = 1
        elif number > paginator.num_pages:
            note = (
                f"There {'is' if paginator.num_pages == 1 else 'are'} only "
                f"{paginator.num_pages} page{'s' if paginator.num_pages != 1 else ''}; "
                f"showing the last instead of page {number:,}."
            )
            number = paginator.num_pages
    return paginator.page(number), note


def page_numbers(page, around=2):
    """Page numbers to link, with None where a run is left out: 1 … 4 5 [6] 7 8 … 20."""
    last = page.paginator.num_pages
    wanted = {1, last} | set(range(page.number - around, page.number + around + 1))
    numbers, previous = [], 0
    for n in sorted(x for x in wanted if 1 <= x <= last):
        if n - previous > 1:
            numbers.append(None)
        numbers.append(n)
        previous = n
    return numbers


def home(request):
    return render(
        request,
        "dialogues/home.html",
        {
            "eras": selectors.era_list_cached(),
            "counts": selectors.archive_counts(),
            "recent": selectors.recent_dialogues(),
        },
    )


def about(request):
    disagreements = SourceDisagreement.objects.with_citations()
    return render(
        request,
        "dialogues/about.html",
        {"sources": Source.objects.all(), "disagreements": disagreements},
    )


def dialogue_list(request):
    filterset = selectors.dialogue_list(data=request.GET)
    paginator = selectors.dialogue_paginator(filterset, PAGE_SIZE)
    page, page_note = paginate(paginator, request.GET.get("page"))
    dialogues = selectors.dialogues_in_order(
        page.object_list, selectors.dialogue_cards(Dialogue.objects.all())
    )
    if filterset.searching and dialogues:
        from . import search

        found = search.snippets([d.pk for d in dialogues], filterset.cleaned["q"])
        for dialogue in dialogues:
            dialogue.snippet = found.get(dialogue.pk, "")
    params = request.GET.copy()
    params.pop("page", None)
    count = page.paginator.count
    return render(
        request,
        "dialogues/dialogue_list.html",
        {
            "filterset": filterset,
            "page": page,
            "dialogues": dialogues,
            "page_note": page_note,
            "page_numbers": page_numbers(page),
            "count": count,
            "sentence": querytext.sentence(filterset, count),
            "chips": querytext.chips(filterset, request.GET),
            "facets": facet_counts(filterset),
            "active": {k: v for k, v in request.GET.items() if k != "page"},
            "querystring": params.urlencode(),
            "sorts": [
                (key, label)
                for key, (label, _) in SORTS.items()
                if key != "relevance" or filterset.searching
            ],
            "current_sort": filterset.active_sort,
        },
    )


class DialogueDetailView(DetailView):
    template_name = "dialogues/dialogue_detail.html"
    context_object_name = "dialogue"

    def get_object(self, queryset=None):
        try:
            return selectors.dialogue_get(slug=self.kwargs["slug"])
        except Dialogue.DoesNotExist as exc:
            raise Http404("No dialogue has that address.") from exc

    def get_context_data(self, **kwargs):
        from . import citations

        context = super().get_context_data(**kwargs)
        dialogue = self.object
        url = self.request.build_absolute_uri(dialogue.get_absolute_url())
        today = timezone.localdate()
        context["previous"], context["next"] = selectors.dialogue_neighbours(dialogue)
        context["permalink"] = url
        context["cite_text"] = citations.cite_text(dialogue, url, today)
        context["json_ld"] = citations.json_ld_script(citations.event_json_ld(dialogue, url))
        participations = dialogue.participations.all()
        context["sides"] = _group_by_side(participations)
        context["organisers"] = [p for p in participations if p.role == Role.ORGANISER]
        context["breadcrumb_trail"] = [
            (reverse("dialogues:dialogue_list"), "Dialogues"),
            (dialogue.era.get_absolute_url(), dialogue.era.name),
        ]
        context["accessed"] = today
        return context


def _group_by_side(participations):
    groups: dict[str, list] = {}
    for participation in participations:
        groups.setdefault(participation.participant.get_side_display(), []).append(participation)
    return sorted(groups.items())


def dialogue_citation(request, slug, fmt):
    """Serve the record's citation as BibTeX or CSL-JSON, for reference managers."""
    from . import citations

    if fmt not in {"bib", "json"}:
        raise Http404("Citations come as .bib (BibTeX) or .json (CSL-JSON).")
    dialogue = get_object_or_404(Dialogue.objects.with_relations(), slug=slug)
    url = request.build_absolute_uri(dialogue.get_absolute_url())
    today = timezone.localdate()
    if fmt == "bib":
        body, content_type = citations.bibtex(dialogue, url, today), "application/x-bibtex"
    else:
        body = json.dumps(citations.csl_json(dialogue, url, today), ensure_ascii=False, indent=2)
        content_type = "application/vnd.citationstyles.csl+json"
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="trackii-{dialogue.slug}.{fmt}"'
    return response


def timeline(request):
    from . import timeline as drawing

    eras, dialogues = selectors.timeline_data()
    return render(
        request,
        "dialogues/timeline.html",
        {
            "eras": eras,
            "svg": drawing.timeline_svg(eras, dialogues),
            "text": drawing.timeline_text(eras, dialogues),
        },
    )


class EraDetailView(DetailView):
    model = Era
    template_name = "dialogues/era_detail.html"
    context_object_name = "era"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"], context["page_note"] = paginate(
            selectors.era_dialogues(self.object), self.request.GET.get("page")
        )
        context["page_numbers"] = page_numbers(context["page"])
        context["era_trail"] = [(reverse("dialogues:timeline"), "Timeline")]
        context["previous"], context["next"] = selectors.era_neighbours(self.object)
        return context


def participant_list(request):
    filterset = ParticipantFilterSet(request.GET or None, queryset=Participant.objects.all())
    page, page_note = paginate(
        selectors.participants_page(filterset.qs), request.GET.get("page"), per_page=50
    )
    page.object_list = selectors.with_counts(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "dialogues/participant_list.html",
        {
            "filterset": filterset,
            "page": page,
            "page_note": page_note,
            "page_numbers": page_numbers(page),
            "querystring": params.urlencode(),
        },
    )


class ParticipantDetailView(DetailView):
    model = Participant
    template_name = "dialogues/participant_detail.html"
    context_object_name = "participant"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"], context["page_note"] = paginate(
            selectors.participant_dialogues(self.object), self.request.GET.get("page"), 50
        )
        context["page_numbers"] = page_numbers(context["page"])
        context["participant_trail"] = [(reverse("dialogues:participant_list"), "Participants")]
        return context


class SourceDetailView(DetailView):
    model = Source
    template_name = "dialogues/source_detail.html"
    context_object_name = "source"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page"], context["page_note"] = paginate(
            selectors.source_citations(self.object), self.request.GET.get("page"), 50
        )
        context["page_numbers"] = page_numbers(context["page"])
        context["source_trail"] = [(reverse("dialogues:about") + "#sources", "Sources")]
        return context
