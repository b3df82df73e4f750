"""The API's views: thin DRF views over the selectors, answering only GET and HEAD.

Every answer may be read from any origin. CSRF checks are off (DRF's views are exempt, and no
authentication is configured) because nothing here changes state; left on, a POST would get
the middleware's HTML 403 instead of this API's JSON 405.
"""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import visibility
from ..listing import selectors
from ..listing.browse import Browse
from ..listing.filters import DialogueFilterSet, ParticipantFilterSet
from ..models import Dialogue, Participant, Source
from ..models.authority_prefetch import dialogue_prefetches
from . import params
from .dialogue_detail import DialogueDetailSerializer
from .errors import Withdrawn
from .pagination import DEFAULT_PAGE_SIZE, PAGE_PARAMETERS, ArchivePagination
from .schema import (
    DIALOGUE_PARAMETERS,
    ERRORS,
    PARTICIPANT_PARAMETERS,
    SLUG_PATTERN,
    TOO_LONG,
    ArchiveAutoSchema,
    document,
)
from .serializers import (
    DialogueSerializer,
    EraSerializer,
    ParticipantSerializer,
    SourceSerializer,
)


class SpacedJSONRenderer(JSONRenderer):
    # Spaced like Django's JsonResponse, as this API has always answered.
    compact = False


class JSONOnly(BaseContentNegotiation):
    """Answer JSON whatever the Accept header asks for, as a plain JSON endpoint does."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return None


class ReadOnlyAPIView(APIView):
    """GET and HEAD only, errors in JSON, no sessions."""

    http_method_names = ["get", "head"]
    renderer_classes = [SpacedJSONRenderer]
    parser_classes = []
    authentication_classes = []
    permission_classes = []
    content_negotiation_class = JSONOnly
    schema = ArchiveAutoSchema()

    @property
    def default_response_headers(self):
        # `Allow` goes on a 405 only (see errors.py).
        return {}


class ArchiveAPIView(ReadOnlyAPIView):
    """A route of the API: readable from any origin."""

    @property
    def default_response_headers(self):
        return {"Access-Control-Allow-Origin": "*"}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Parsed now, so that too many parameters is the same 400 on every route.
        request.query_params  # noqa: B018


class ArchiveListView(ArchiveAPIView, generics.GenericAPIView):
    """One page of records; every bad filter and page parameter is named in one 400."""

    pagination_class = ArchivePagination

    def parameter_names(self) -> list[str]:
        """The query parameters this route reads, each of which may be given once."""
        filterset = getattr(self, "filterset_class", None)
        return [*(filterset.base_filters if filterset else ()), *PAGE_PARAMETERS]

    def check_repeats(self, request):
        errors = params.repeated(request.query_params, self.parameter_names())
        if errors:
            raise ValidationError(errors)

    def get(self, request, *args, **kwargs):
        self.check_repeats(request)
        errors = {}
        queryset = self.get_queryset()
        try:
            queryset = self.filter_queryset(queryset)
        except ValidationError as exc:
            errors.update(exc.detail)
        errors.update(self.paginator.parameter_errors(request))
        if errors:
            raise ValidationError(errors)
        rows = self.fetch(self.paginate_queryset(queryset))
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def fetch(self, rows):
        """Turn a page of rows into the records to serialize."""
        return rows


@extend_schema_view(
    get=extend_schema(
        operation_id="listDialogues",
        summary="List dialogues",
        description="The dialogues matching every filter given, as on the browse page.",
    )
)
class DialogueList(ArchiveListView):
    serializer_class = DialogueSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = DialogueFilterSet
    parameter_docs = DIALOGUE_PARAMETERS

    def get_queryset(self):
        # Read by the schema generator, which describes the FilterSet's parameters from it.
        return Dialogue.objects.public()

    def get(self, request, *args, **kwargs):
        # The filters, the search and the paging all come from the one Browse the list page
        # uses too; the FilterSet above only describes the parameters in the schema.
        self.check_repeats(request)
        page_errors = self.paginator.parameter_errors(request)
        self.browse = Browse(
            request.query_params,
            page_size=getattr(self.paginator, "size", DEFAULT_PAGE_SIZE),
            rows=Dialogue.objects.with_relations().prefetch_related(*dialogue_prefetches()),
        )
        errors = {**self.browse.errors, **page_errors}
        if errors and params.only_unknown_slugs(self.browse.filterset, errors):
            raise NotFound(errors)
        if errors:
            raise ValidationError(errors)
        rows = self.paginate_queryset(self.browse.queryset)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def get_paginator(self, queryset, size):
        # Browse pages ids, read off an index, and fetches only that page's rows.
        return self.browse


@extend_schema_view(
    get=extend_schema(
        operation_id="getDialogue",
        summary="Get one dialogue",
        description="One dialogue, with its participants, outcomes and citations.",
        parameters=[
            OpenApiParameter(
                "slug",
                location=OpenApiParameter.PATH,
                pattern=SLUG_PATTERN,
                description="The dialogue's slug.",
            )
        ],
    )
)
class DialogueDetail(ArchiveAPIView):
    serializer_class = DialogueDetailSerializer
    # The schema documents a 301 (an old slug) and a 410 (a withdrawn record) for this route.
    moves_and_withdraws = True

    def get(self, request, slug):
        # No staff preview here: the API has no sessions, so it shows public records only.
        try:
            dialogue = visibility.dialogue_at(slug, queryset=DialogueDetailSerializer.rows())
        except visibility.Moved as moved:
            url = reverse("dialogues:api:dialogue", args=[moved.record.slug])
            return HttpResponsePermanentRedirect(url)
        except visibility.Gone as gone:
            replacement = gone.dialogue.replaced_by
            url = None
            if replacement is not None and replacement.is_public:
                url = request.build_absolute_uri(
                    reverse("dialogues:api:dialogue", args=[replacement.slug])
                )
            raise Withdrawn(gone.dialogue, url) from None
        except Dialogue.DoesNotExist as exc:
            raise NotFound from exc
        return Response(DialogueDetailSerializer(dialogue, context={"request": request}).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="listEras", summary="List eras", description="The eras in timeline order."
    )
)
class EraList(ArchiveListView):
    serializer_class = EraSerializer

    def get_queryset(self):
        return selectors.era_list()


@extend_schema_view(
    get=extend_schema(
        operation_id="listParticipants",
        summary="List participants",
        description="The participants, by name.",
    )
)
class ParticipantList(ArchiveListView):
    serializer_class = ParticipantSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ParticipantFilterSet
    parameter_docs = PARTICIPANT_PARAMETERS

    def get_queryset(self):
        return Participant.objects.public()

    def filter_queryset(self, queryset):
        # The primary key breaks ties between namesakes, so that pages never overlap.
        return selectors.participants_page(super().filter_queryset(queryset))

    def fetch(self, rows):
        return selectors.with_counts(rows)


@extend_schema_view(
    get=extend_schema(
        operation_id="listSources", summary="List sources", description="The sources, oldest first."
    )
)
class SourceList(ArchiveListView):
    serializer_class = SourceSerializer

    def get_queryset(self):
        return Source.objects.order_by("date_earliest", "title", "pk")


@extend_schema_view(
    get=extend_schema(
        operation_id="getOpenAPIDocument",
        summary="This document",
        description="This OpenAPI document, naming as its server the origin it was asked from.",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The OpenAPI document."),
            405: ERRORS[405],
            (414, "text/html"): TOO_LONG,
        },
    )
)
class OpenAPIDocument(ArchiveAPIView):
    """The OpenAPI document, generated from these views on every request."""

    def get(self, request):
        return Response(document(request))


class NotFoundView(ArchiveAPIView):
    """Any other address under /api/: a JSON 404 rather than the site's HTML page."""

    schema = None

    def get(self, request, *args, **kwargs):
        raise NotFound
