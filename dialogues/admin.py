"""The editors' admin.

Editors are staff in the Editors group (see migration 0002): they add, change and view records
but cannot delete them. Every changelist fetches its related rows and counts in the main query,
so a page costs the same number of queries however many rows it shows.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.utils.text import capfirst

from . import dates, era_rules
from .models import (
    Citation,
    Conflict,
    Dialogue,
    Era,
    Outcome,
    Participant,
    Participation,
    Source,
)

SHORT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 50})}}

DATE_FIELDS = ("date", "date_in_words", ("date_earliest", "date_latest"), "date_note")
DATE_READONLY = ("date_in_words", "date_earliest", "date_latest")
RECORD_FIELDSET = ("Record", {"classes": ["collapse"], "fields": [("created", "updated")]})


def with_counts(queryset, **counts):
    """Annotate counts without losing the order.

    A GROUP BY query ignores the model's default ordering, and the autocomplete views paginate
    this queryset as it is.
    """
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    return queryset.annotate(**counts).order_by(*ordering)


class PublicPageAdmin(admin.ModelAdmin):
    # A direct link rather than the content-type redirect: the public page is a plain path.
    def view_on_site(self, obj):
        return obj.get_absolute_url()


class OutcomeKindFilter(admin.ChoicesFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "outcome"


class UncertainDateAdmin(PublicPageAdmin):
    """Shared by every record with an EDTF date: the date's help, its bounds and its words."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "date":
            kwargs["widget"] = forms.TextInput(
                attrs={"size": 24, "placeholder": f"e.g. {dates.EXAMPLES[0][0]}"}
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="date in words")
    def date_in_words(self, obj):
        # Parse afresh rather than trust the stored bounds: after a refused edit the instance
        # holds the rejected text, and its words would only repeat it.
        try:
            return dates.parse(obj.date).display
        except dates.InvalidDate:
            return self.get_empty_value_display()


# --- Dialogue and its inlines -------------------------------------------------------------


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose fields have names that assistive technology can read.

    Django shows a tabular inline's labels only as column headings, which name no field, so a
    screen reader would announce each row's fields without saying what they are (WCAG 4.1.2).
    """

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        for field in formset.form.base_fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("aria-label", capfirst(field.label))
        return formset


class ParticipationInline(LabelledTabularInline):
    model = Participation
    fields = ["participant", "role", "note"]
    autocomplete_fields = ["participant"]
    formfield_overrides = SHORT_TEXT
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participant")


class OutcomeInline(LabelledTabularInline):
    model = Outcome
    fields = ["kind", "description"]
    formfield_overrides = SHORT_TEXT
    extra = 1


class CitationFormSet(BaseInlineFormSet):
    """Offer only this dialogue's own outcomes and participants to link a citation to.

    A new dialogue has none yet, so those links are made after its first save. The choices are
    read once for the whole formset instead of once per row.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._shared_choices = {}

    def _limited(self, name):
        if self.instance.pk is None:
            model = Outcome if name == "outcome" else Participant
            return model.objects.none()
        if name == "outcome":
            return Outcome.objects.filter(dialogue=self.instance)
        return Participant.objects.filter(participations__dialogue=self.instance)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name in ("outcome", "participant"):
            field = form.fields[name]
            field.queryset = self._limited(name)
            if name not in self._shared_choices:
                self._shared_choices[name] = list(field.choices)
            field.choices = self._shared_choices[name]


class CitationInline(LabelledTabularInline):
    model = Citation
    formset = CitationFormSet
    fields = ["source", "paragraph", "excerpt", "outcome", "participant"]
    autocomplete_fields = ["source"]
    formfield_overrides = SHORT_TEXT
    # A dialogue is only as good as its evidence: it cannot be saved without a citation.
    min_num = 1
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "outcome", "participant")

    def get_formset(self, request, obj=None, **kwargs):
        # The admin hands min_num to the formset but not validate_min, so without this a post
        # with no citation rows at all would pass.
        kwargs["validate_min"] = True
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name in ("outcome", "participant"):
            field.help_text = (
                f"{field.help_text} Lists this dialogue's own {db_field.verbose_name}s, "
                "so save the dialogue first."
            )
        return field


@admin.register(Dialogue)
class DialogueAdmin(UncertainDateAdmin):
    ordering = Dialogue.CHRONOLOGICAL
    list_display = [
        "title",
        "date_in_words",
        "date",
        "era",
        "conflict",
        "track",
        "participant_count",
        "citation_count",
    ]
    list_select_related = ["era", "conflict"]
    list_filter = ["era", "track", "conflict", "venue_kind", ("outcomes__kind", OutcomeKindFilter)]
    search_fields = [
        "title",
        "slug",
        "place",
        "venue",
        "summary",
        "participations__participant__name",
    ]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [*DATE_READONLY, "created", "updated"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "era", "conflict", "track"]}),
        ("Date", {"fields": DATE_FIELDS}),
        ("Place", {"fields": ["place", "venue", "venue_kind"]}),
        (None, {"fields": ["summary"]}),
        RECORD_FIELDSET,
    ]
    inlines = [ParticipationInline, OutcomeInline, CitationInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "era":
            # The era must hold the whole date, so its span is worth seeing while choosing.
            field.label_from_instance = lambda era: f"{era.name} ({era.date_display})"
        return field

    def get_queryset(self, request):
        return with_counts(
            super().get_queryset(request),
            participant_count=Count("participations", distinct=True),
            citation_count=Count("citations", distinct=True),
        )

    @admin.display(description="participants", ordering="participant_count")
    def participant_count(self, obj):
        return obj.participant_count

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count


# --- The other records --------------------------------------------------------------------


class EraForm(forms.ModelForm):
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

    @admin.display(description="dialogues", ordering="dialogue_count")
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

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "dialogue_count"]
    search_fields = ["name", "slug", "summary"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return with_counts(super().get_queryset(request), dialogue_count=Count("dialogues"))

    @admin.display(description="dialogues", ordering="dialogue_count")
    def dialogue_count(self, obj):
        return obj.dialogue_count


@admin.register(Participant)
class ParticipantAdmin(PublicPageAdmin):
    list_display = ["name", "kind", "side", "background", "dialogue_count"]
    list_filter = ["side", "kind", "background"]
    search_fields = ["name", "slug", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created", "updated"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "side", "background", "bio"]}),
        RECORD_FIELDSET,
    ]

    def get_queryset(self, request):
        return with_counts(super().get_queryset(request), dialogue_count=Count("participations"))

    @admin.display(description="dialogues", ordering="dialogue_count")
    def dialogue_count(self, obj):
        return obj.dialogue_count
