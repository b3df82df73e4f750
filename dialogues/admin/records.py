"""The admin pages of eras, sources, conflicts, participants and disagreements."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import Count

from ..models import (
    Conflict,
    DisagreementCitation,
    Era,
    Participant,
    Source,
    SourceDisagreement,
)
from .base import (
    DATE_FIELDS,
    DATE_READONLY,
    RECORD_FIELDSET,
    SHORT_TEXT,
    HistoryAdmin,
    PublicPageAdmin,
    UncertainDateAdmin,
    with_counts,
)
from .publishing import MergeAdminMixin

# --- The other records --------------------------------------------------------------------


@admin.register(Era)
class EraAdmin(UncertainDateAdmin):
    list_display = [
        "position",
        "name",
        "date_in_words",
        "date",
        "date_earliest",
        "date_latest",
        "dialogue_count",
    ]
    list_display_links = ["name"]
    search_fields = ["name", "slug", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = DATE_READONLY
    fieldsets = [
        (None, {"fields": ["name", "slug", "position"]}),
        ("Date", {"fields": DATE_FIELDS}),
        (None, {"fields": ["summary", "boundary_note"]}),
    ]

    def get_queryset(self, request):
        return with_counts(super().get_queryset(request), dialogue_count=Count("dialogues"))

    @admin.display(description="dialogues", ordering="dialogue_count")
    def dialogue_count(self, obj):
        return obj.dialogue_count


@admin.register(Source)
class SourceAdmin(UncertainDateAdmin):
    list_display = ["title", "author", "publication", "date_in_words", "date", "citation_count"]
    list_filter = [("url", admin.EmptyFieldListFilter)]
    search_fields = ["title", "slug", "author", "publication", "description"]
    prepopulated_fields = {"slug": ["title"]}
    # An address typed without a scheme is completed with https, as browsers now do.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = [*DATE_READONLY, "created", "updated"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "author", "author_role", "publication", "url"]}),
        ("Date", {"fields": DATE_FIELDS}),
        (None, {"fields": ["first_words", "description"]}),
        RECORD_FIELDSET,
    ]

    def get_queryset(self, request):
        return with_counts(super().get_queryset(request), citation_count=Count("citations"))

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count


@admin.register(Conflict)
class ConflictAdmin(HistoryAdmin):
    list_display = ["name", "slug", "dialogue_count"]
    search_fields = ["name", "slug", "summary"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return with_counts(super().get_queryset(request), dialogue_count=Count("dialogues"))

    @admin.display(description="dialogues", ordering="dialogue_count")
    def dialogue_count(self, obj):
        return obj.dialogue_count


@admin.register(Participant)
class ParticipantAdmin(MergeAdminMixin, PublicPageAdmin):
    list_display = ["name", "kind", "side", "background", "dialogue_count"]
    list_filter = ["side", "kind", "background"]
    search_fields = ["name", "slug", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created", "updated"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "kind",
                    "side",
                    "side_note",
                    "background",
                    "background_note",
                    "bio",
                ]
            },
        ),
        RECORD_FIELDSET,
    ]

    def get_queryset(self, request):
        return with_counts(super().get_queryset(request), dialogue_count=Count("participations"))

    @admin.display(description="dialogues", ordering="dialogue_count")
    def dialogue_count(self, obj):
        return obj.dialogue_count


class DisagreementCitationInline(admin.StackedInline):
    model = DisagreementCitation
    fields = ["key", "source", "paragraph", "excerpt", "says"]
    autocomplete_fields = ["source"]
    formfield_overrides = SHORT_TEXT
    # A disagreement needs at least two sides to be one.
    min_num = 2
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["validate_min"] = True
        return super().get_formset(request, obj, **kwargs)


@admin.register(SourceDisagreement)
class SourceDisagreementAdmin(HistoryAdmin):
    list_display = ["topic", "slug"]
    search_fields = ["topic", "slug", "note"]
    prepopulated_fields = {"slug": ["topic"]}
    formfield_overrides = SHORT_TEXT
    inlines = [DisagreementCitationInline]
