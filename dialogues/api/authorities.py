"""The API's routes for organisations, places and series: a list of each and one record.

Published records only; an old slug answers 301 to the record's address, as dialogues do.
"""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from .. import visibility
from ..listing import authorities as lists
from ..models import Organisation, Place, Series
from .authority_serializers import OrganisationSerializer, PlaceSerializer, SeriesSerializer
from .schema import SLUG_PATTERN
from .views import ArchiveAPIView, ArchiveListView


def _list_view(name, model, serializer, queryset, plural):
    summary = f"List {plural}"

    @extend_schema_view(
        get=extend_schema(
            operation_id=f"list{plural.title()}",
            summary=summary,
            description=f"The published {plural}, by name.",
        )
    )
    class ListView(ArchiveListView):
        serializer_class = serializer

        def get_queryset(self):
            return queryset().order_by("name", "pk")

    ListView.__name__ = ListView.__qualname__ = f"{name}List"
    return ListView


def _detail_view(name, model, serializer, queryset, url_name):
    @extend_schema_view(
        get=extend_schema(
            operation_id=f"get{name}",
            summary=f"Get one {model._meta.verbose_name}",
            description=f"One published {model._meta.verbose_name}.",
            parameters=[
                OpenApiParameter(
                    "slug",
                    location=OpenApiParameter.PATH,
                    pattern=SLUG_PATTERN,
                    description=f"The {model._meta.verbose_name}'s slug.",
                )
            ],
        )
    )
    class DetailView(ArchiveAPIView):
        serializer_class = serializer

        def get(self, request, slug):
            try:
                record = visibility.record_at(queryset(), slug)
            except visibility.Moved as moved:
                url = reverse(f"dialogues:api:{url_name}", args=[moved.record.slug])
                return HttpResponsePermanentRedirect(url)
            except model.DoesNotExist as exc:
                raise NotFound from exc
            return Response(serializer(record, context={"request": request}).data)

    DetailView.__name__ = DetailView.__qualname__ = f"{name}Detail"
    return DetailView


def _organisations():
    return lists.with_names_and_ids(Organisation.objects.public())


def _places():
    return lists.with_names_and_ids(Place.objects.public())


OrganisationList = _list_view(
    "Organisation", Organisation, OrganisationSerializer, _organisations, "organisations"
)
OrganisationDetail = _detail_view(
    "Organisation", Organisation, OrganisationSerializer, _organisations, "organisation"
)
PlaceList = _list_view("Place", Place, PlaceSerializer, _places, "places")
PlaceDetail = _detail_view("Place", Place, PlaceSerializer, _places, "place")
SeriesList = _list_view("Series", Series, SeriesSerializer, lists.series_list, "series")
SeriesDetail = _detail_view("Series", Series, SeriesSerializer, lists.series_list, "series")
