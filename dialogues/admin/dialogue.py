"""The dialogue's admin page, with its participations, outcomes and citations inline."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .. import publishing_rights as rights
from ..models import (
    Citation,
    Dialogue,
    Outcome,
    Participant,
    Participation,
)
from ..models.withheld_pairs import former_state
from . import changes
from .authorities import DIALOGUE_INLINES
from .base import (
    DATE_FIELDS,
    DATE_READONLY,
    RECORD_FIELDSET,
    SHORT_TEXT,
    LabelledTabularInline,
    OutcomeKindFilter,
    UncertainDateAdmin,
    with_counts,
)
from .publishing import PublishingAdminMixin

FORMERLY_WITHHELD = (
    "This person's name was withheld in this dialogue before their row was removed, and adding "
    "them back shows more of it"
)


class ParticipationFormSet(BaseInlineFormSet):
    """Refuse, row by row, a change that shows more of a withheld name, unless a publisher's."""

    may_decide = False

    def clean(self):
        super().clean()
        if self.may_decide:
            return
        # A row removed and the same person added again in one save is one row changed.
        removed = {
            form.initial.get("participant"): form.initial
            for form in self.forms
            if form.instance.pk is not None and self._should_delete_form(form)
        }
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            cleaned = getattr(form, "cleaned_data", {})
            if form.instance.pk is None:
                # Or a row withheld in an earlier save and deleted since (`WithheldPair`).
                person = cleaned.get("participant")
                before = removed.get(person.pk if person is not None else None)
                where = "Showing more of a withheld name"
                if before is None and person is not None:
                    before = former_state(self.instance.pk, person.pk)
                    where = FORMERLY_WITHHELD
            else:
                before, where = form.initial, "Showing more of a withheld name"
            if before is None:
                continue
            for name in rights.participation_reveals(before, {**form.initial, **cleaned}):
                form.add_error(name, rights.refusal([name], where))


AT_THE_TABLE_FIELDS = [
    "capacity",
    "capacity_basis",
    "capacity_citation",
    "capacity_note",
    "on_behalf_of",
    "side_then",
    "background_then",
    "then_note",
]


class ParticipationInline(LabelledTabularInline):
    model = Participation
    formset = ParticipationFormSet
    fields = [
        "participant",
        "role",
        "note",
        "withheld",
        "withheld_until",
        "show_side",
        "disclosure",
        *AT_THE_TABLE_FIELDS,
    ]
    readonly_fields = ["disclosure"]
    autocomplete_fields = ["participant", "on_behalf_of"]
    formfield_overrides = SHORT_TEXT
    extra = 1

    @admin.display(description=_("Readers see"))
    def disclosure(self, participation):
        """Say, beside the name editors see, what readers see today."""
        if participation.pk is None or not participation.withheld:
            return "the name"
        day = participation.withheld_until
        words = f"{day.day} {day:%B %Y}" if day else ""
        if not participation.is_withheld:
            return f"the name (withheld until {words}, now past)"
        until = f"withheld until {words}" if day else "withheld with no end date"
        side = "side shown" if participation.show_side else "side hidden too"
        return f"no name: {until}; {side}"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participant")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only this dialogue's own citations can state a capacity; a new one has none yet.
        field = formset.form.base_fields["capacity_citation"]
        field.queryset = Citation.objects.filter(dialogue=obj) if obj else Citation.objects.none()
        return type(formset.__name__, (formset,), {"may_decide": rights.may_decide(request.user)})


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

    # Django's own words ("Please submit at least 1 form.") do not say what is missing.
    default_error_messages = {
        "too_few_forms": "Add at least one citation: every dialogue rests on a cited passage "
        "(a source, a paragraph number and a short verbatim excerpt).",
    }

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
class DialogueAdmin(PublishingAdminMixin, UncertainDateAdmin):
    ordering = Dialogue.CHRONOLOGICAL
    list_display = [
        "title",
        "status",
        "review_requested",
        "date_in_words",
        "date",
        "era",
        "conflict",
        "track",
        "level",
        "participant_count",
        "citation_count",
    ]
    list_select_related = ["era", "conflict"]
    list_filter = [
        "status",
        "review_requested",
        "era",
        "track",
        "talks",
        "level",
        "conflict",
        "venue_kind",
        ("outcomes__kind", OutcomeKindFilter),
    ]
    search_fields = [
        "title",
        "slug",
        "place",
        "venue",
        "summary",
        "participations__participant__name",
    ]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [*DATE_READONLY, "created", "updated", "implied_level"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "era", "conflict", "track"]}),
        ("Talks and level", {"fields": ["talks", ("level", "implied_level"), "level_note"]}),
        ("Date", {"fields": DATE_FIELDS}),
        ("Place", {"fields": ["place", "venue", "venue_kind"]}),
        (None, {"fields": ["summary"]}),
        (
            "Publishing",
            {
                "fields": [
                    ("status", "review_requested"),
                    "embargo_until",
                    ("published_at", "withdrawn_at"),
                    "withdrawal_reason",
                    "replaced_by",
                ]
            },
        ),
        RECORD_FIELDSET,
    ]
    inlines = [ParticipationInline, OutcomeInline, CitationInline, *DIALOGUE_INLINES]

    @admin.display(description=_("level the capacities imply"))
    def implied_level(self, obj):
        return obj.implied_level_display if obj.pk else "—"

    def get_urls(self):
        # The archive-wide history pages live here, under the record that has most of them.
        wrap = self.admin_site.admin_view
        return [
            path(
                "recent-changes/",
                wrap(lambda request: changes.recent_changes(request, self)),
                name="dialogues_recent_changes",
            ),
            path(
                "revisions/<int:version_id>/",
                wrap(lambda request, version_id: changes.version_diff(request, self, version_id)),
                name="dialogues_version_diff",
            ),
            *super().get_urls(),
        ]

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

    @admin.display(description=_("participants"), ordering="participant_count")
    def participant_count(self, obj):
        return obj.participant_count

    @admin.display(description=_("citations"), ordering="citation_count")
    def citation_count(self, obj):
        return obj.citation_count
