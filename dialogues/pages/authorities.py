"""Public pages of organisations, places and series: a list of each and a page per record.

Only published records have pages; an old slug answers 301 (see `OldAddressMixin`). Each page
gives the record's other names, its external ids as links and as JSON-LD `sameAs`.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from .. import citations
from ..listing import authorities as lists
from ..models import Organisation, Place, Series
from .pagination import PaginatedDetailMixin, page_numbers, paginate
from .pictures import map_views, network_views
from .views import OldAddressMixin

KINDS = {
    "organisation": (
        gettext_lazy("Organisations"),
        "dialogues:organisation_list",
        lists.organisations,
    ),
    "place": (gettext_lazy("Places"), "dialogues:place_list", lists.place_records),
    "series": (gettext_lazy("Series"), "dialogues:series_list", lists.series_records),
}


def _list(request, kind: str, **extra):
    title, _, selector = KINDS[kind]
    page, page_note = paginate(selector(), request.GET.get("page"), per_page=50)
    if kind in ("place", "series"):
        page.object_list = list(page.object_list)
        lists.count_dialogues(kind, page.object_list)
    return render(
        request,
        "dialogues/authority_list.html",
        {
            "kind": kind,
            "title": title,
            "page": page,
            "page_note": page_note,
            "page_numbers": page_numbers(page),
            **extra,
        },
    )


def organisation_list(request):
    return _list(request, "organisation")


def place_list(request):
    return _list(request, "place", map=map_views.places_map_block())


def series_list(request):
    return _list(request, "series")


class AuthorityDetailView(OldAddressMixin, PaginatedDetailMixin, DetailView):
    per_page = 50
    schema_type = "Thing"

    def public_queryset(self):
        return lists.with_names_and_ids(self.model.objects.public())

    def json_ld(self) -> dict:
        record = self.object
        data = {
            "@context": "https://schema.org",
            "@type": self.schema_type,
            "name": record.name,
            "url": self.request.build_absolute_uri(record.get_absolute_url()),
        }
        alternates = [name.name for name in record.names.all()]
        if alternates:
            data["alternateName"] = alternates
        same_as = lists.same_as(record)
        if same_as:
            data["sameAs"] = same_as
        return data

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["json_ld"] = citations.json_ld_script(
            self.json_ld(), nonce=str(getattr(self.request, "csp_nonce", ""))
        )
        return context


class OrganisationDetailView(AuthorityDetailView):
    model = Organisation
    template_name = "dialogues/organisation_detail.html"
    context_object_name = "organisation"
    selector = staticmethod(lists.organisation_dialogues)
    trail = (("dialogues:organisation_list", gettext_lazy("Organisations")),)
    schema_type = "Organization"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["affiliations"] = lists.organisation_affiliations(self.object)
        context["citations"] = self.object.citations.select_related("source")
        context["network"] = network_views.organisation_network(self.object)
        return context


class PlaceDetailView(AuthorityDetailView):
    model = Place
    template_name = "dialogues/place_detail.html"
    context_object_name = "place"
    selector = staticmethod(lists.place_dialogues)
    trail = (("dialogues:place_list", gettext_lazy("Places")),)
    schema_type = "Place"

    def json_ld(self) -> dict:
        data = super().json_ld()
        place = self.object
        if place.latitude is not None and place.longitude is not None:
            data["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": float(place.latitude),
                "longitude": float(place.longitude),
            }
        if place.country:
            data["address"] = {"@type": "PostalAddress", "addressCountry": place.country.code}
        return data


class SeriesDetailView(AuthorityDetailView):
    model = Series
    template_name = "dialogues/series_detail.html"
    context_object_name = "series"
    selector = staticmethod(lists.series_members)
    trail = (("dialogues:series_list", gettext_lazy("Series")),)

    def public_queryset(self):
        return Series.objects.public()

    def json_ld(self) -> dict:
        return {
            "@context": "https://schema.org",
            "@type": "EventSeries",
            "name": self.object.name,
            "url": self.request.build_absolute_uri(self.object.get_absolute_url()),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["links_out"], context["links_in"] = lists.series_lineage(self.object)
        return context
