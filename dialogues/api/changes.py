"""`/api/changes/`: the archive's public changes since a cursor, for mirrors.

A mirror reads from the start (no `since`), stores each record listed as `created` or
`updated` (a dialogue, an organisation, a place or a series: `kind` says which), drops each one
listed as `withdrawn` or `removed` (following `merged_into` when a record was merged into
another), and keeps `next`: the cursor to
send as `since` next time, which continues strictly after the last item it was given. `more`
says whether further changes are waiting now. See `dialogues.feeds.changes` for what counts as
a public change and when.

The cursor is a position in the order of changes, signed with the site's secret key: a cursor
this site did not issue, or one altered, is refused with a 400 rather than read as some other
position.
"""

from __future__ import annotations

import datetime

from django.core import signing
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from ..feeds import changes
from ..models import Dialogue
from . import params
from .pagination import page_size_field
from .schema import ERRORS, TOO_LONG
from .views import ArchiveAPIView

SIGNER = signing.Signer(salt="dialogues.api.changes.cursor")
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
CURSOR_PATTERN = r"^[-A-Za-z0-9_:]+$"
CURSOR_MAX_LENGTH = 200
# The one `since` that is not a cursor: the beginning of the feed.
START = "0"


def make_cursor(position: changes.Position) -> str:
    # Signed without a timestamp: a cursor never expires, and the same place is the same cursor.
    return SIGNER.sign_object([position.stamp.isoformat(), position.source, position.pk])


def read_cursor(text: str) -> changes.Position:
    """Return the position a cursor names; raise ValueError when this site did not issue it."""
    try:
        stamp, source, pk = SIGNER.unsign_object(text)
        return changes.Position(datetime.datetime.fromisoformat(stamp), int(source), int(pk))
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise ValueError(text) from exc


class Parameters(serializers.Serializer):
    since = serializers.CharField(
        required=False,
        max_length=CURSOR_MAX_LENGTH,
        error_messages={
            "blank": "Give the cursor from a previous answer's `next`, or leave since out.",
            "max_length": "This is not a cursor from this archive: give a previous `next`.",
        },
    )
    page_size = page_size_field(MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)

    def validate_since(self, value):
        if value == START:
            return None  # the beginning, as when since is left out
        try:
            return read_cursor(value)
        except ValueError:
            raise ValidationError(
                "This is not a cursor from this archive, or it was altered: give the `next` of "
                "a previous answer unchanged, or leave since out to start from the beginning."
            ) from None


class ReplacementSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="The replacing record's slug.")
    url = serializers.URLField(help_text="The replacing record's page.")


class WithdrawalSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the record was withdrawn, as readers see it.")
    replaced_by = ReplacementSerializer(
        allow_null=True, help_text="The public record replacing it, if any."
    )


class MergedIntoSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The id of the record it was merged into.")
    slug = serializers.CharField(help_text="That record's slug.")
    url = serializers.URLField(help_text="That record's page.")
    api_url = serializers.URLField(help_text="That record in this API.")


class ChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        list(changes.KINDS),
        help_text=(
            "What kind of record changed: a dialogue, an organisation, a place or a series. "
            "A dialogue is listed as updated when a place, series or organisation its record "
            "shows changes."
        ),
    )
    id = serializers.IntegerField(help_text="The record's id, which a change of slug keeps.")
    slug = serializers.CharField(help_text="The record's slug (its last public one if removed).")
    type = serializers.ChoiceField(
        list(changes.TYPES),
        help_text=(
            "`created` (public for the first time, unchanged since), `updated`, `withdrawn` "
            "(see `withdrawal`) or `removed` (made a draft again, embargoed, deleted, or merged "
            "into another record: see `merged_into`). A mirror stores the first two and drops "
            "the last two."
        ),
    )
    at = serializers.DateTimeField(help_text="When the change became public.")
    title = serializers.CharField(
        allow_null=True,
        help_text="A dialogue's title, or another record's name; null when removed.",
    )
    url = serializers.URLField(
        allow_null=True,
        help_text=(
            "The record's page (410 for a withdrawn dialogue); null when removed, and for a "
            "withdrawn organisation, place or series, which have no page."
        ),
    )
    api_url = serializers.URLField(
        allow_null=True, help_text="The record in this API; null unless created or updated."
    )
    withdrawal = WithdrawalSerializer(
        allow_null=True, help_text="For a withdrawn record: why, and what replaces it."
    )
    merged_into = MergedIntoSerializer(
        allow_null=True,
        help_text=(
            "For an organisation, place or series removed by merging it into another: the "
            "public record it went to (null when that one is not public)."
        ),
    )


class ChangesSerializer(serializers.Serializer):
    next = serializers.CharField(
        allow_null=True,
        help_text=(
            "The cursor to send as `since` to continue after this page; null only when nothing "
            "has been listed yet (then ask again without `since`)."
        ),
    )
    more = serializers.BooleanField(help_text="Whether more changes follow right now.")
    results = ChangeSerializer(many=True)


@extend_schema_view(
    get=extend_schema(
        operation_id="getChanges",
        summary="Public changes since a cursor",
        description=(
            "The archive's public changes in the order they became public: dialogues, "
            "organisations, places and series created, updated, withdrawn or removed. Each "
            "record appears once, at its latest change. "
            "Changes of the last few seconds are listed once they are settled."
        ),
        parameters=[
            OpenApiParameter(
                "since",
                {"type": "string", "pattern": CURSOR_PATTERN, "maxLength": CURSOR_MAX_LENGTH},
                description=(
                    "The `next` cursor of a previous answer: list what changed after it. Leave "
                    "out, or give `0`, to start from the beginning. Any other value is a cursor, "
                    "opaque and signed: one this archive did not issue is refused with a 400."
                ),
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                description=f"How many changes to list, 1 to {MAX_PAGE_SIZE} (default "
                f"{DEFAULT_PAGE_SIZE}).",
            ),
        ],
        responses={
            200: OpenApiResponse(ChangesSerializer, description="One page of changes."),
            400: ERRORS[400],
            405: ERRORS[405],
            (414, "text/html"): TOO_LONG,
        },
    )
)
class ChangeList(ArchiveAPIView):
    serializer_class = ChangesSerializer

    def get(self, request):
        errors = params.repeated(request.query_params, ["since", "page_size"])
        if errors:
            raise ValidationError(errors)
        given = {
            name: request.query_params[name]
            for name in ("since", "page_size")
            if name in request.query_params
        }
        checked = Parameters(data=given)
        if not checked.is_valid():
            raise ValidationError(checked.errors)
        after = checked.validated_data.get("since")
        size = checked.validated_data["page_size"]
        rows = Dialogue.objects.select_related("replaced_by")
        selection = changes.Selection(kinds=changes.KINDS).bounded()
        found, more = changes.page(selection, after, size, dialogues=rows)
        last = found[-1].position if found else after
        body = {
            "next": make_cursor(last) if last is not None else None,
            "more": more,
            "results": [self.describe(change) for change in found],
        }
        return Response(ChangesSerializer(body).data)

    def describe(self, change: changes.Change) -> dict:
        request = self.request
        record = change.record
        item = {
            "kind": change.kind,
            "id": change.record_id,
            "slug": change.slug,
            "type": change.type,
            "at": change.stamp,
            "title": None,
            "url": None,
            "api_url": None,
            "withdrawal": None,
            "merged_into": None,
        }
        if record is None:
            if change.merged_into is not None:
                target = change.merged_into
                item["merged_into"] = {
                    "id": target.pk,
                    "slug": target.slug,
                    "url": request.build_absolute_uri(target.get_absolute_url()),
                    "api_url": self._api_url(change.kind, target.slug),
                }
            return item
        dialogue = change.dialogue
        item["title"] = dialogue.title if dialogue is not None else record.name
        if change.type == changes.WITHDRAWN:
            replacement = dialogue.replaced_by if dialogue is not None else None
            shown = replacement is not None and replacement.is_public
            item["withdrawal"] = {
                "reason": record.withdrawal_reason or "No reason was given.",
                "replaced_by": {
                    "slug": replacement.slug,
                    "url": request.build_absolute_uri(replacement.get_absolute_url()),
                }
                if shown
                else None,
            }
            if dialogue is not None:
                item["url"] = request.build_absolute_uri(dialogue.get_absolute_url())
        else:
            item["url"] = request.build_absolute_uri(record.get_absolute_url())
            item["api_url"] = self._api_url(change.kind, record.slug)
        return item

    def _api_url(self, kind: str, slug: str) -> str:
        return self.request.build_absolute_uri(reverse(f"dialogues:api:{kind}", args=[slug]))
