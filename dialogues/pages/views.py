"""Thin views: each calls a selector, paginates and renders."""

from __future__ import annotations

import json
import re

from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from .. import citations, visibility
from ..listing import authorities as authority_lists
from ..listing import facets, selectors
from ..listing.browse import Browse, without_invalid
from ..listing.filters import ParticipantFilterSet
from ..models import Dialogue, Era, Participant, Role, Source, SourceDisagreement
from ..record_text import Field
from . import versions, widgets
from .pagination import PAGE_SIZE, PaginatedDetailMixin, page_numbers, paginate
from .pictures import map_views, network_views, year_views


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
    # A bad page number serves the nearest page with a note, rather than an error. The page is
    # taken once, by `Browse.page`, as the API takes it.
    page, page_note = paginate(browse, request.GET.get("page"))
    dialogues = page.object_list
    for dialogue in dialogues:
        dialogue.snippet = browse.snippets.get(dialogue.pk, "")
    # Only valid parameters are echoed into the page's links.
    params = browse.valid_params.copy()
    params.pop("page", None)
    return render(
        request,
        "dialogues/dialogue_list.html",
        {
            "filterset": widgets.drawn_directly(browse.filterset),
            "page": page,
            "dialogues": dialogues,
            "page_note": page_note,
            "page_numbers": page_numbers(page),
            "count": browse.count,
            "sentence": browse.sentence_html,
            "chips": browse.chips,
            "facets": facets.shown(browse.facets, params),
            "active": {k: v for k, v in params.items()},
            "link_params": browse.valid_params,
            "querystring": params.urlencode(),
            "sorts": browse.sorts,
            "current_sort": browse.sort,
            "years": year_views.years_block(browse),
            "map": map_views.map_block(browse),
        },
    )


def _moved(request, url: str) -> HttpResponsePermanentRedirect:
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


def tombstone(request, dialogue: Dialogue) -> HttpResponse:
    """Answer 410 Gone for a withdrawn record: what it was, when and why, and what replaces it."""
    replacement = dialogue.replaced_by
    if replacement is not None and not replacement.is_public:
        replacement = None
    return render(
        request,
        "dialogues/dialogue_withdrawn.html",
        {"dialogue": dialogue, "replacement": replacement},
        status=410,
    )


def dialogue_or_answer(request, slug: str, address_of):
    """Return `(dialogue, None)` to show it, or `(None, response)`: a 301 or a tombstone.

    `address_of(record)` is where an old slug leads for this kind of page.
    """
    try:
        return visibility.dialogue_at(slug, request.user), None
    except visibility.Moved as moved:
        return None, _moved(request, address_of(moved.record))
    except visibility.Gone as gone:
        return None, tombstone(request, gone.dialogue)
    except Dialogue.DoesNotExist as exc:
        raise Http404(_("No dialogue has that address.")) from exc


class DialogueDetailView(DetailView):
    template_name = "dialogues/dialogue_detail.html"
    context_object_name = "dialogue"

    def get(self, request, *args, **kwargs):
        dialogue, answer = dialogue_or_answer(request, kwargs["slug"], Dialogue.get_absolute_url)
        if answer is not None:
            return answer
        self.object = dialogue
        response = self.render_to_response(self.get_context_data(object=dialogue))
        if not dialogue.is_public:
            # A staff preview must never be kept by a shared cache and served to readers.
            patch_cache_control(response, private=True, no_store=True)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dialogue = self.object
        context["preview"] = not dialogue.is_public
        url = self.request.build_absolute_uri(dialogue.get_absolute_url())
        today = timezone.localdate()
        context["previous"], context["next"] = selectors.dialogue_neighbours(dialogue)
        context["permalink"] = url
        history = getattr(self, "history", None) or versions.record_history(self.request, dialogue)
        context.update(history.context)
        context["cite_text"] = citations.cite_text(dialogue, url, today, history.cited)
        context["authorities"] = authority_lists.dialogue_authorities(dialogue)
        context["json_ld"] = citations.json_ld_script(
            authority_lists.with_places_and_ids(
                citations.event_json_ld(dialogue, url), context["authorities"]
            ),
            nonce=str(getattr(self.request, "csp_nonce", "")),
        )
        participations = dialogue.participations.all()
        context["sides"] = _group_by_side(participations)
        context["organisers"] = [p for p in participations if p.role == Role.ORGANISER]
        context["breadcrumb_trail"] = [
            (reverse("dialogues:dialogue_list"), _("Dialogues")),
            (dialogue.era.get_absolute_url(), Field(dialogue.era, "name")),
        ]
        context["accessed"] = today
        return context


SIDE_WITHHELD = gettext_lazy("Side not shown")


def _group_by_side(participations):
    groups: dict[str, list] = {}
    withheld = str(SIDE_WITHHELD)
    for participation in participations:
        side = str(participation.participant.get_side_display() or withheld)
        groups.setdefault(side, []).append(participation)
    # A withheld participant whose side is withheld too comes last, under its own heading.
    return sorted(groups.items(), key=lambda item: (item[0] == withheld, item[0]))


VERSION_NUMBER = re.compile(r"[0-9]{1,9}")


def dialogue_citation(request, slug, fmt):
    """Serve the record's citation as BibTeX or CSL-JSON, for reference managers."""
    if fmt not in {"bib", "json"}:
        raise Http404(_("Citations come as .bib (BibTeX) or .json (CSL-JSON)."))
    dialogue, answer = dialogue_or_answer(
        request, slug, lambda moved: reverse("dialogues:dialogue_citation", args=[moved.slug, fmt])
    )
    if answer is not None:
        return answer
    url = request.build_absolute_uri(dialogue.get_absolute_url())
    today = timezone.localdate()
    # A download cites the version its page showed (`?version=n`), else the latest one.
    number = request.GET.get("version")
    # ASCII digits only: str.isdigit() accepts "²", which int() refuses.
    if number is not None and not VERSION_NUMBER.fullmatch(number):
        raise Http404(_("A version is given by its number, e.g. ?version=2."))
    try:
        cited = versions.record_history(request, dialogue, number and int(number)).cited
    except versions.UnknownVersion as exc:
        raise Http404(_("This record has no version %(number)s.") % {"number": number}) from exc
    if fmt == "bib":
        body = citations.bibtex(dialogue, url, today, cited)
        content_type = "application/x-bibtex"
    else:
        item = citations.csl_json(dialogue, url, today, cited)
        body = json.dumps(item, ensure_ascii=False, indent=2)
        content_type = "application/vnd.citationstyles.csl+json"
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="trackii-{dialogue.slug}.{fmt}"'
    if not dialogue.is_public:
        patch_cache_control(response, private=True, no_store=True)
    return response


class OldAddressMixin:
    """Find the record among those readers may see; an old slug redirects (301) to it."""

    def public_queryset(self):
        return self.model._default_manager.all()

    def get(self, request, *args, **kwargs):
        try:
            self.object = visibility.record_at(self.public_queryset(), kwargs["slug"])
        except visibility.Moved as moved:
            return _moved(request, moved.record.get_absolute_url())
        except self.model.DoesNotExist as exc:
            raise Http404(
                _("No %(kind)s has that address.") % {"kind": self.model._meta.verbose_name}
            ) from exc
        return self.render_to_response(self.get_context_data(object=self.object))


class EraDetailView(OldAddressMixin, PaginatedDetailMixin, DetailView):
    model = Era
    template_name = "dialogues/era_detail.html"
    context_object_name = "era"
    selector = staticmethod(selectors.era_dialogues)
    trail = (("dialogues:timeline", gettext_lazy("Timeline")),)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["previous"], context["next"] = selectors.era_neighbours(self.object)
        context["years"] = year_views.era_years_block(self.object)
        context["map"] = map_views.era_map_block(self.object)
        return context


def participant_list(request):
    filterset = ParticipantFilterSet(request.GET or None, queryset=Participant.objects.public())
    page, page_note = paginate(
        selectors.participants_page(filterset.qs), request.GET.get("page"), per_page=50
    )
    page.object_list = selectors.with_counts(page.object_list)
    link_params = without_invalid(request.GET, filterset)
    params = link_params.copy()
    params.pop("page", None)
    return render(
        request,
        "dialogues/participant_list.html",
        {
            "filterset": widgets.drawn_directly(filterset),
            "page": page,
            "page_note": page_note,
            "page_numbers": page_numbers(page),
            "link_params": link_params,
            "querystring": params.urlencode(),
        },
    )


class ParticipantDetailView(OldAddressMixin, PaginatedDetailMixin, DetailView):
    model = Participant

    def public_queryset(self):
        # A participant with no public dialogue has no public page.
        return Participant.objects.public()

    template_name = "dialogues/participant_detail.html"
    context_object_name = "participant"
    selector = staticmethod(selectors.participant_dialogues)
    per_page = 50
    trail = (("dialogues:participant_list", gettext_lazy("Participants")),)

    def get_queryset(self):
        # Withheld in every dialogue: no page, the same 404 as a slug that never existed.
        return Participant.objects.public()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["affiliations"] = authority_lists.participant_affiliations(self.object)
        context["network"] = network_views.participant_network(self.object)
        return context


class SourceDetailView(OldAddressMixin, PaginatedDetailMixin, DetailView):
    model = Source
    template_name = "dialogues/source_detail.html"
    context_object_name = "source"
    selector = staticmethod(selectors.source_citations)
    per_page = 50
    trail = (("dialogues:about#sources", gettext_lazy("Sources")),)
