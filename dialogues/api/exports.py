"""Every dialogue matching the browse page's filters, as a streamed CSV or JSON download.

The rows are read in chunks with their relations prefetched, so the number of queries does not
grow with the number of rows and the whole archive is never held in memory at once. The JSON
items are the API's dialogue objects, from the same serializer.

A download cut off on the way (a dropped connection, a killed worker) must be recognisable, and
a streamed response's length is not known in advance. So the number of rows is counted first
and sent in the `X-Total-Count` header, before the body: the CSV is then plain RFC 4180 (a
header row and one line per dialogue, nothing else, which every CSV reader reads), and a client
compares its row count with the header. The JSON array's closing `]` is its last character.
A chunked response cut off before its last chunk is an error in every HTTP client too. When the
client goes away, the server stops at its next write, and closing the row generator closes the
database cursor (a server-side cursor on PostgreSQL) at once.
"""

from __future__ import annotations

import csv
import json
from contextlib import closing

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

from ..imports.cells import IMPORT_COLUMNS, TRANSLATION_COLUMNS
from ..listing.browse import Browse
from ..listing.filters import DialogueFilterSet
from ..models import Dialogue
from . import export_rows, export_shapes, params
from .schema import DIALOGUE_PARAMETERS, ERRORS, TOO_LONG
from .serializers import DialogueSerializer
from .views import ReadOnlyAPIView

CHUNK_SIZE = export_rows.CHUNK_SIZE
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
MULTI_VALUE_SEPARATOR = " | "
# The response header that says how many dialogues the body holds.
TOTAL_COUNT_HEADER = "X-Total-Count"

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
    # Issue 21: the status of talks and the level (recorded and implied) in words, the places
    # (read "A or B"), their countries and coordinates, the series, the external ids and each
    # named participant's capacity at the table.
    "talks",
    "level",
    "implied_level",
    "level_note",
    "places",
    "countries",
    "coordinates",
    "series",
    "external_ids",
    "capacities",
    "participants",
    "outcomes",
    "sources",
    "summary",
    # The archive's translations, one column per field and language (`title_he`, `title_ar`,
    # …), empty where there is none; an import reads them back.
    *TRANSLATION_COLUMNS,
    # Added for imports: codes and slugs, and the related rows one a line
    # (see `dialogues.imports.cells`), so that a downloaded file can be imported again.
    *IMPORT_COLUMNS,
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
            "`page` and `page_size` are ignored. The CSV is RFC 4180: a header row, then one "
            "line per dialogue. The `X-Total-Count` header gives the number of dialogues; a "
            "download with fewer rows, or a JSON array that does not end with `]`, was cut off."
        ),
        tags=["Exports"],
        filters=True,
        parameters=[
            OpenApiParameter(
                "Content-Disposition",
                location=OpenApiParameter.HEADER,
                response=[200],
                description="`attachment` with the file's name.",
            ),
            OpenApiParameter(
                TOTAL_COUNT_HEADER,
                type=int,
                location=OpenApiParameter.HEADER,
                response=[200],
                description="How many dialogues the download holds (CSV rows after the header, "
                "JSON array items).",
            ),
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

    # Read only by the schema generator; get() builds its rows per request, on the day's terms.
    queryset = Dialogue.objects.all()
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
        # Counted before the first byte, so that it can go in a header; the same queryset gives
        # the rows (a save between the two can change both: the client then downloads again).
        total = browse.queryset.order_by().count()
        rows = export_rows.rows(browse.queryset, chunk_size=CHUNK_SIZE)
        pieces = _csv_lines(rows, request) if fmt == "csv" else _json_pieces(rows, request)
        response = StreamingHttpResponse(pieces, content_type=CONTENT_TYPES[fmt])
        response[TOTAL_COUNT_HEADER] = str(total)
        # A script on another site may read the count, as it may read the body.
        response["Access-Control-Expose-Headers"] = TOTAL_COUNT_HEADER
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


def defuse_formula(value: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with a quote, so it shows as text."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _csv_lines(rows, request):
    """Yield the header row, then a line per dialogue (RFC 4180, nothing after the rows).

    A spreadsheet's row is flat and in words (labels, not codes), so it is not the API's shape.
    """
    return csv_lines(rows, export_rows.url_maker(request))


def csv_lines(rows, url):
    """Yield the CSV of `rows` (see `_csv_lines`), with `url` giving a record's address."""
    writer = csv.writer(_Echo())
    with closing(rows):
        yield writer.writerow(CSV_COLUMNS)
        for row in rows:
            cells = export_shapes.csv_cells(row, url, MULTI_VALUE_SEPARATOR)
            yield writer.writerow([defuse_formula(cells[column]) for column in CSV_COLUMNS])


# --- JSON -----------------------------------------------------------------------------------


def _json_pieces(rows, request):
    """Yield a JSON array piece by piece: the same objects as the API's dialogue list."""
    url = export_rows.url_maker(request)
    separator = ""
    with closing(rows):
        yield "["
        for row in rows:
            item = export_shapes.api_item(row, url)
            # Vocabulary labels are lazy, said in the language of the address (/he/, /ar/).
            yield separator + json.dumps(item, ensure_ascii=False, default=str)
            separator = ",\n"
    # No newline after it: the closing bracket is the last byte of a complete download.
    yield "]"
