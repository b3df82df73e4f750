"""Every dialogue matching the browse page's filters, as a streamed CSV or JSON download.

The rows are read in chunks with their relations prefetched, so the number of queries does not
grow with the number of rows and the whole archive is never held in memory at once. The JSON
items are the API's dialogue objects, from the same serializer.
"""

from __future__ import annotations

import csv
import json

from django.http import HttpResponse, HttpResponseNotFound, StreamingHttpResponse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework.generics import GenericAPIView

from ..listing.browse import Browse
from ..listing.filters import DialogueFilterSet
from ..models import Dialogue
from . import params
from .schema import DIALOGUE_PARAMETERS, ERRORS, TOO_LONG
from .serializers import DialogueSerializer
from .views import ReadOnlyAPIView

CHUNK_SIZE = 500
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
MULTI_VALUE_SEPARATOR = " | "

# The documented column order of the CSV export (the README lists it too).
CSV_COLUMNS = (
    "slug",
    "title",
    "url",
    "date_edtf",
    "date_display",
    "date_earliest",
    "date_latest",
    "date_note",
    "era",
    "conflict",
    "place",
    "venue",
    "venue_kind",
    "track",
    "participants",
    "outcomes",
    "sources",
    "summary",
)

# A spreadsheet runs a cell that starts with one of these as a formula; tab and carriage return
# are on OWASP's list too, since some programs strip them and then read what follows.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@extend_schema_view(
    get=extend_schema(
        operation_id="exportDialogues",
        summary="Export dialogues",
        description=(
            "Every matching dialogue (not one page), in the chosen order, streamed as a download "
            "named `trackii-dialogues-YYYY-MM-DD`. Takes the same filters as /api/dialogues/; "
            "`page` and `page_size` are ignored."
        ),
        tags=["Exports"],
        filters=True,
        parameters=[
            OpenApiParameter(
                "Content-Disposition",
                location=OpenApiParameter.HEADER,
                response=[200],
                description="`attachment` with the file's name.",
            )
        ],
        responses={
            (200, MEDIA_TYPES["csv"]): OpenApiResponse(
                OpenApiTypes.STR, description="The download."
            ),
            (200, MEDIA_TYPES["json"]): OpenApiResponse(
                DialogueSerializer(many=True), description="The download."
            ),
            (400, "text/plain"): OpenApiResponse(
                OpenApiTypes.STR,
                description=(
                    "A parameter is not valid, or is given more than once: a plain-text list of "
                    "the errors."
                ),
            ),
            (404, "text/plain"): OpenApiResponse(
                OpenApiTypes.STR,
                description="A slug names no record: a plain-text list of the errors.",
            ),
            405: ERRORS[405],
            (414, "text/html"): TOO_LONG,
        },
    )
)
class DialogueExport(ReadOnlyAPIView, GenericAPIView):
    """Stream every dialogue matching the GET filters as CSV or JSON; ignore `page`."""

    queryset = Dialogue.objects.with_relations()
    filter_backends = [DjangoFilterBackend]
    filterset_class = DialogueFilterSet
    parameter_docs = DIALOGUE_PARAMETERS

    def get(self, request, fmt):
        if fmt not in CONTENT_TYPES:
            return HttpResponseNotFound(
                "No such export format. Use export.csv or export.json.",
                content_type="text/plain; charset=utf-8",
            )
        repeats = params.repeated(request.GET, DialogueFilterSet.base_filters)
        browse = Browse(request.GET)
        if repeats or browse.errors:
            errors = {**browse.errors, **repeats}
            status = 404 if params.only_unknown_slugs(browse.filterset, errors) else 400
            return HttpResponse(
                _error_text(errors), status=status, content_type="text/plain; charset=utf-8"
            )
        dialogues = browse.queryset.with_relations().iterator(chunk_size=CHUNK_SIZE)
        rows = _csv_lines(dialogues, request) if fmt == "csv" else _json_pieces(dialogues, request)
        response = StreamingHttpResponse(rows, content_type=CONTENT_TYPES[fmt])
        filename = f"trackii-dialogues-{timezone.localdate().isoformat()}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _error_text(errors) -> str:
    lines = ["The export was not made: some parameters are not valid.", ""]
    for field, messages in errors.items():
        lines.extend(f"{field}: {message}" for message in messages)
    return "\n".join(lines) + "\n"


# --- CSV ------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() hands back the line, so csv.writer can feed a stream."""

    def write(self, value):
        return value


def csv_row(dialogue: Dialogue, request) -> list[str]:
    """Return the cells of one dialogue in CSV_COLUMNS order, guarded against formulas.

    A spreadsheet's row is flat and in words (labels, not codes), so it is not the API's shape.
    """
    sources = dict.fromkeys(f"{c.source.title} ¶{c.paragraph}" for c in dialogue.citations.all())
    cells = {
        "slug": dialogue.slug,
        "title": dialogue.title,
        "url": request.build_absolute_uri(dialogue.get_absolute_url()),
        "date_edtf": dialogue.date,
        "date_display": dialogue.date_display,
        "date_earliest": _iso(dialogue.date_earliest),
        "date_latest": _iso(dialogue.date_latest),
        "date_note": dialogue.date_note,
        "era": dialogue.era.name,
        "conflict": dialogue.conflict.name,
        "place": dialogue.place,
        "venue": dialogue.venue,
        "venue_kind": dialogue.get_venue_kind_display(),
        "track": dialogue.get_track_display(),
        "participants": MULTI_VALUE_SEPARATOR.join(
            f"{p.participant.name} ({p.participant.get_side_display()}; {p.get_role_display()})"
            for p in dialogue.participations.all()
        ),
        "outcomes": MULTI_VALUE_SEPARATOR.join(
            o.get_kind_display() for o in dialogue.outcomes.all()
        ),
        # The same paragraph cited for two excerpts is one reference in a spreadsheet cell.
        "sources": MULTI_VALUE_SEPARATOR.join(sources),
        "summary": dialogue.summary,
    }
    return [defuse_formula(cells[column]) for column in CSV_COLUMNS]


def defuse_formula(value: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with a quote, so it shows as text."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _iso(day) -> str:
    return day.isoformat() if day else ""


def _csv_lines(dialogues, request):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for dialogue in dialogues:
        yield writer.writerow(csv_row(dialogue, request))


# --- JSON -----------------------------------------------------------------------------------


def _json_pieces(dialogues, request):
    """Yield a JSON array piece by piece: the same objects as the API's dialogue list."""
    serializer = DialogueSerializer(context={"request": request})
    yield "["
    separator = ""
    for dialogue in dialogues:
        yield separator + json.dumps(serializer.to_representation(dialogue), ensure_ascii=False)
        separator = ",\n"
    yield "]\n"
