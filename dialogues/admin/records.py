"""The admin pages of eras, sources, conflicts, participants and disagreements."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .. import era_rules
from ..models import (
    Conflict,
    DisagreementCitation,
    Era,
    Participant,
    Source,
    SourceDisagreement,
)
from .authorities import PARTICIPANT_INLINES
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
from .revisions import RecordForm
from .text_direction import TypedInAnyDirection

# --- The other records --------------------------------------------------------------------


class EraForm(RecordForm):
    """Refuse dates or a position that would leave a gap, an overlap or a dialogue outside."""

    def clean(self):
        data = super().clean()
        if "date" in data and "position" in data:
            proposed = Era(pk=self.instance.pk, name=data.get("name") or self.instance.name)
            proposed.date, proposed.position = data["date"], data["position"]
            proposed.fill_date_bounds()
            problems = era_rules.change_problems(proposed)
            if problems:
                raise ValidationError(problems)
        return data


@admin.register(Era)
class EraAdmin(UncertainDateAdmin):
    form = EraForm
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

    @admin.display(description=_("dialogues"), ordering="dialogue_count")
    def dialogue_count(self, obj):
        return obj.dialogue_count

    def get_actions(self, request):
        # Eras are deleted one at a time, each checked: see delete_view.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        era = self.get_object(request, object_id)
        problems = era_rules.deletion_problems(era) if era is not None else []
        if problems and self.has_delete_permission(request, era):
            for problem in problems:
                self.message_user(request, problem, messages.ERROR)
            return redirect("admin:dialogues_era_change", era.pk)
        return super().delete_view(request, object_id, extra_context)


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

    @admin.display(description=_("citations"), ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count


@admin.register(Conflict)
class ConflictAdmin(HistoryAdmin):
    list_display = ["name", "slug", "dialogue_count"]
    search_fields = ["name", "slug", "summary"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return with_counts(super().get_queryset(request), dialogue_count=Count("dialogues"))

    @admin.display(description=_("dialogues"), ordering="dialogue_count")
    def dialogue_count(self, obj):
        return obj.dialogue_count


@admin.register(Participant)
class ParticipantAdmin(MergeAdminMixin, PublicPageAdmin):
    list_display = ["name", "kind", "side", "background", "dialogue_count"]
    list_filter = ["side", "kind", "background"]
    search_fields = ["name", "slug", "bio", "names__name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created", "updated"]
    inlines = PARTICIPANT_INLINES
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

    @admin.display(description=_("dialogues"), ordering="dialogue_count")
    def dialogue_count(self, obj):
        return obj.dialogue_count


class DisagreementCitationInline(TypedInAnyDirection, admin.StackedInline):
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
