"""The read-only JSON API: dialogues, eras, participants and sources.

The shapes returned here are a published contract, described by `openapi.py` and served at
`/api/openapi.json`: change one and the other together. Every bad parameter becomes a 400 with
a message per field, never an exception, and every response may be read from any origin.
"""

from __future__ import annotations

import functools

from django import forms
from django.core.exceptions import TooManyFieldsSent
from django.core.paginator import EmptyPage, Paginator
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .listing import selectors
from .listing.filters import DialogueFilterSet, ParticipantFilterSet
from .models import Dialogue, Participant, Source

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
ALLOWED_METHODS = ("GET", "HEAD")


# --- Serializers ----------------------------------------------------------------------------


def date_data(record) -> dict:
    """Describe an UncertainDate record's date: EDTF, words, ISO bounds and note."""
    return {
        "edtf": record.date,
        "display": record.date_display,
        "earliest": _iso(record.date_earliest),
        "latest": _iso(record.date_latest),
        "note": record.date_note,
    }


def _iso(day):
    return day.isoformat() if day else None


def dialogue_data(dialogue: Dialogue, request) -> dict:
    """Describe one dialogue; fetch it `with_relations()` so this runs no query."""
    return {
        "slug": dialogue.slug,
        "title": dialogue.title,
        "url": request.build_absolute_uri(dialogue.get_absolute_url()),
        "date": date_data(dialogue),
        "era": {"slug": dialogue.era.slug, "name": dialogue.era.name},
        "conflict": {"slug": dialogue.conflict.slug, "name": dialogue.conflict.name},
        "place": dialogue.place,
        "venue": dialogue.venue or dialogue.get_venue_kind_display(),
        "track": dialogue.track,
        "summary": dialogue.summary,
        "participants": [
            {
                "slug": p.participant.slug,
                "name": p.participant.name,
                "kind": p.participant.kind,
                "side": p.participant.side,
                "background": p.participant.background,
                "role": p.role,
            }
            for p in dialogue.participations.all()
        ],
        "outcomes": [
            {"kind": o.kind, "label": o.get_kind_display(), "description": o.description}
            for o in dialogue.outcomes.all()
        ],
        "sources": [
            {
                "slug": c.source.slug,
                "title": c.source.title,
                "author": c.source.author,
                "excerpt": c.excerpt,
                "locator": c.locator,
            }
            for c in dialogue.citations.all()
        ],
    }


def era_data(era, request) -> dict:
    """Describe one era; it must carry a `dialogue_count` annotation."""
    return {
        "slug": era.slug,
        "name": era.name,
        "date": date_data(era),
        "summary": era.summary,
        "dialogue_count": era.dialogue_count,
        "url": request.build_absolute_uri(era.get_absolute_url()),
    }


def participant_data(participant, request) -> dict:
    """Describe one participant; it must carry a `dialogue_count` annotation."""
    return {
        "slug": participant.slug,
        "name": participant.name,
        "kind": participant.kind,
        "side": participant.side,
        "background": participant.background,
        "bio": participant.bio,
        "dialogue_count": participant.dialogue_count,
        "url": request.build_absolute_uri(participant.get_absolute_url()),
    }


def source_data(source, request) -> dict:
    """Describe one source; `url` is its page in the archive."""
    return {
        "slug": source.slug,
        "title": source.title,
        "author": source.author,
        "publication": source.publication,
        "date": date_data(source),
        "url": request.build_absolute_uri(source.get_absolute_url()),
    }


# --- Parameters -----------------------------------------------------------------------------


class PageForm(forms.Form):
    page = forms.IntegerField(
        required=False,
        min_value=1,
        error_messages={
            "invalid": "Enter a page number: a whole number, 1 or more.",
            "min_value": "Pages are numbered from 1.",
        },
    )
    page_size = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        error_messages={
            "invalid": f"Enter a page size: a whole number from 1 to {MAX_PAGE_SIZE}.",
            "min_value": f"The page size must be from 1 to {MAX_PAGE_SIZE}.",
            "max_value": f"The page size must be from 1 to {MAX_PAGE_SIZE}.",
        },
    )


def form_errors(form) -> dict[str, list[str]]:
    """Return a form's errors as {field: [message, …]}."""
    return {
        field: [error["message"] for error in errors]
        for field, errors in form.errors.get_json_data().items()
    }


# --- Responses ------------------------------------------------------------------------------


def error_response(status: int, errors: dict[str, list[str]]) -> JsonResponse:
    return JsonResponse(
        {"errors": errors}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def not_found_response() -> JsonResponse:
    return error_response(404, {"detail": ["not found"]})


def api_view(view):
    """Answer only GET and HEAD, and let any origin read the answer.

    CSRF checks are off because nothing here changes state; left on, a POST would get the
    middleware's HTML 403 instead of this API's JSON 405.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method in ALLOWED_METHODS:
            try:
                request.GET  # noqa: B018  (parsed now, so that too many fields fail here)
            except TooManyFieldsSent:
                response = error_response(400, {"detail": ["There are too many parameters."]})
            else:
                response = view(request, *args, **kwargs)
        else:
            response = error_response(
                405, {"detail": [f"{request.method} is not allowed: use GET or HEAD."]}
            )
            response["Allow"] = ", ".join(ALLOWED_METHODS)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return csrf_exempt(wrapped)


def json_response(data) -> JsonResponse:
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def paginated_response(
    request, queryset, serialize, errors=None, *, paginate=None, fetch=None
) -> JsonResponse:
    """Return one page of `queryset` in the list envelope, or a 400 naming every bad parameter.

    `errors` are those already found in the caller's filters, so that one answer lists them all;
    the queryset is lazy, so nothing is queried when there are any. `paginate(size)` may supply
    the paginator, and `fetch(rows)` turn a page of rows (or ids) into what is serialised.
    """
    errors = dict(errors or {})
    form = PageForm(request.GET)
    errors.update(form_errors(form))
    if errors:
        return error_response(400, errors)
    number = form.cleaned_data["page"] or 1
    size = form.cleaned_data["page_size"] or DEFAULT_PAGE_SIZE
    paginator = paginate(size) if paginate else Paginator(queryset, size)
    try:
        page = paginator.page(number)
    except EmptyPage:
        return error_response(
            400, {"page": [f"There is no page {number}: the last page is {paginator.num_pages}."]}
        )
    return json_response(
        {
            "count": paginator.count,
            "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
            "previous": (
                _page_url(request, page.previous_page_number()) if page.has_previous() else None
            ),
            "results": [
                serialize(item, request)
                for item in (fetch(page.object_list) if fetch else page.object_list)
            ],
        }
    )


def _page_url(request, number: int) -> str:
    params = request.GET.copy()
    params["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


# --- Views ----------------------------------------------------------------------------------


@api_view
def dialogue_list(request):
    filterset = DialogueFilterSet(request.GET or None, queryset=Dialogue.objects.all())
    return paginated_response(
        request,
        filterset.qs,
        dialogue_data,
        form_errors(filterset.form),
        # The paginator pages ids; the page's rows and relations are fetched afterwards.
        paginate=lambda size: selectors.dialogue_paginator(filterset, size),
        fetch=lambda ids: selectors.dialogues_in_order(ids, Dialogue.objects.with_relations()),
    )


@api_view
def dialogue_detail(request, slug):
    try:
        dialogue = selectors.dialogue_get(slug=slug)
    except Dialogue.DoesNotExist:
        return not_found_response()
    return json_response(dialogue_data(dialogue, request))


@api_view
def era_list(request):
    return paginated_response(request, selectors.era_list(), era_data)


@api_view
def participant_list(request):
    filterset = ParticipantFilterSet(request.GET or None, queryset=Participant.objects.all())
    # The primary key breaks ties between namesakes, so that pages never overlap.
    queryset = selectors.participants_page(filterset.qs)
    return paginated_response(
        request,
        queryset,
        participant_data,
        form_errors(filterset.form),
        fetch=selectors.with_counts,
    )


@api_view
def source_list(request):
    return paginated_response(
        request, Source.objects.order_by("date_earliest", "title", "pk"), source_data
    )


@api_view
def openapi_document(request):
    from . import openapi

    return json_response(openapi.document(request))


@api_view
def not_found(request, *args, **kwargs):
    return not_found_response()
