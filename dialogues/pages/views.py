"""Thin views: each calls a selector, paginates and renders."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView

from ..listing import selectors
from ..listing.browse import Browse
from ..listing.filters import ParticipantFilterSet
from ..models import Dialogue, Era, Participant, Role, Source, SourceDisagreement
from . import citations, versions
from . import timeline as drawing
from .pagination import PAGE_SIZE, PaginatedDetailMixin, page_numbers, paginate


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
    browse = Browse(request.GET, page_size=PAGE_SIZE)
    # A bad page number serves the nearest page with a note, rather than an error.
    page, page_note = paginate(browse.paginator, request.GET.get("page"))
    page = browse.page(page.number)
    dialogues = page.object_list
    for dialogue in dialogues:
        dialogue.snippet = browse.snippets.get(dialogue.pk, "")
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "dialogues/dialogue_list.html",
        {
            "filterset": browse.filterset,
            "page": page,
            "dialogues": dialogues,
            "page_note": page_note,
            "page_numbers": page_numbers(page),
            "count": browse.count,
            "sentence": browse.sentence,
            "chips": browse.chips,
            "facets": browse.facets,
            "active": {k: v for k, v in request.GET.items() if k != "page"},
            "querystring": params.urlencode(),
            "sorts": browse.sorts,
            "current_sort": browse.sort,
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
        context = super().get_context_data(**kwargs)
        dialogue = self.object
        url = self.request.build_absolute_uri(dialogue.get_absolute_url())
        today = timezone.localdate()
        context["previous"], context["next"] = selectors.dialogue_neighbours(dialogue)
        context["permalink"] = url
        history = getattr(self, "history", None) or versions.record_history(self.request, dialogue)
        context.update(history.context)
        context["cite_text"] = citations.cite_text(dialogue, url, today, history.cited)
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
    if fmt not in {"bib", "json"}:
        raise Http404("Citations come as .bib (BibTeX) or .json (CSL-JSON).")
    dialogue = get_object_or_404(Dialogue.objects.with_relations(), slug=slug)
    url = request.build_absolute_uri(dialogue.get_absolute_url())
    today = timezone.localdate()
    # A download cites the version its page showed (`?version=n`), else the latest one.
    number = request.GET.get("version")
    if number is not None and not number.isdigit():
        raise Http404("A version is given by its number, e.g. ?version=2.")
    try:
        cited = versions.record_history(request, dialogue, number and int(number)).cited
    except versions.UnknownVersion as exc:
        raise Http404(f"This record has no version {number}.") from exc
    if fmt == "bib":
        body = citations.bibtex(dialogue, url, today, cited)
        content_type = "application/x-bibtex"
    else:
        item = citations.csl_json(dialogue, url, today, cited)
        body = json.dumps(item, ensure_ascii=False, indent=2)
        content_type = "application/vnd.citationstyles.csl+json"
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="trackii-{dialogue.slug}.{fmt}"'
    return response


def timeline(request):
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


class EraDetailView(PaginatedDetailMixin, DetailView):
    model = Era
    template_name = "dialogues/era_detail.html"
    context_object_name = "era"
    selector = staticmethod(selectors.era_dialogues)
    trail = (("dialogues:timeline", "Timeline"),)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
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


class ParticipantDetailView(PaginatedDetailMixin, DetailView):
    model = Participant
    template_name = "dialogues/participant_detail.html"
    context_object_name = "participant"
    selector = staticmethod(selectors.participant_dialogues)
    per_page = 50
    trail = (("dialogues:participant_list", "Participants"),)


class SourceDetailView(PaginatedDetailMixin, DetailView):
    model = Source
    template_name = "dialogues/source_detail.html"
    context_object_name = "source"
    selector = staticmethod(selectors.source_citations)
    per_page = 50
    trail = (("dialogues:about#sources", "Sources"),)
