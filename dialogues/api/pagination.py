"""Pages of a list: `page` and `page_size` are checked like any filter, and a page past the
last is a 404 naming the last page, not an empty list."""

from __future__ import annotations

import re

from django.core.paginator import EmptyPage
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

DEFAULT_PAGE_SIZE = 20
PAGE_PARAMETERS = ("page", "page_size")
MAX_PAGE_SIZE = 100


class WholeNumberField(serializers.IntegerField):
    """Digits only: DRF's own field also takes ` 5`, `5.` and `5.0`, which are not integers."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not re.fullmatch(r"[0-9]+", data):
            self.fail("invalid")
        return super().to_internal_value(data)


def page_size_field(maximum: int, default: int) -> WholeNumberField:
    """An optional `page_size` from 1 to `maximum`, `default` when left out."""
    return WholeNumberField(
        required=False,
        min_value=1,
        max_value=maximum,
        default=default,
        error_messages={
            "invalid": f"Enter a page size: a whole number from 1 to {maximum}.",
            "max_string_length": f"Enter a page size: a whole number from 1 to {maximum}.",
            "min_value": f"The page size must be from 1 to {maximum}.",
            "max_value": f"The page size must be from 1 to {maximum}.",
        },
    )


class PageParameters(serializers.Serializer):
    page = WholeNumberField(
        required=False,
        min_value=1,
        default=1,
        error_messages={
            "invalid": "Enter a page number: a whole number, 1 or more.",
            "max_string_length": "Enter a page number: a whole number, 1 or more.",
            "min_value": "Pages are numbered from 1.",
        },
    )
    page_size = page_size_field(MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)


class ArchivePagination(PageNumberPagination):
    """`{count, next, previous, results}`, with links that keep every other parameter.

    A view may page something other than its queryset (the dialogue list pages ids) by
    defining `get_paginator(queryset, size)`.
    """

    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = "page_size"

    def parameter_errors(self, request) -> dict:
        """Read `page` and `page_size`; return their errors by name (empty when valid)."""
        # A plain dict, not the QueryDict: DRF reads an empty value in a QueryDict as "not given",
        # and the document says `page=` is not a page number.
        query = request.query_params
        given = {name: query[name] for name in PAGE_PARAMETERS if name in query}
        params = PageParameters(data=given)
        if not params.is_valid():
            return params.errors
        self.number = params.validated_data["page"]
        self.size = params.validated_data["page_size"]
        return {}

    def paginate_queryset(self, queryset, request, view=None):
        """Return one page's rows; call `parameter_errors` first and only when it found none."""
        self.request = request
        get_paginator = getattr(view, "get_paginator", None)
        paginator = (
            get_paginator(queryset, self.size)
            if get_paginator
            else self.django_paginator_class(queryset, self.size)
        )
        try:
            self.page = paginator.page(self.number)
        except EmptyPage as exc:
            raise NotFound(
                {
                    "page": [
                        f"There is no page {self.number}: the last page is {paginator.num_pages}."
                    ]
                }
            ) from exc
        return self.page.object_list

    def get_next_link(self):
        return self._link(self.page.next_page_number()) if self.page.has_next() else None

    def get_previous_link(self):
        return self._link(self.page.previous_page_number()) if self.page.has_previous() else None

    def _link(self, number: int) -> str:
        # Unlike DRF's own links, the first page keeps `page=1`, and the order of the other
        # parameters is the reader's.
        params = self.request.query_params.copy()
        params["page"] = str(number)
        return self.request.build_absolute_uri(f"{self.request.path}?{params.urlencode()}")

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        def link(which, end):
            return {
                "type": ["string", "null"],
                "format": "uri",
                "description": f"The {which} page, with the same parameters; null on the {end}.",
            }

        return {
            "type": "object",
            "properties": {
                "count": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "How many records match, on all pages.",
                },
                "next": link("next", "last"),
                "previous": link("previous", "first"),
                "results": schema,
            },
            "required": ["count", "next", "previous", "results"],
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": (
                    "Which page, from 1. A page past the last is a 404 that names the last page."
                ),
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"How many records a page holds, at most {MAX_PAGE_SIZE}.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_PAGE_SIZE,
                    "default": DEFAULT_PAGE_SIZE,
                },
            },
        ]
