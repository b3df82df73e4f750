"""The admin pages of organisations, affiliations, places and series, and the inlines that tie
names, external ids, places, series and lineage to the records that already had pages.

Organisations, affiliations, places and series are published like dialogues: drafts until a
publisher publishes them, with the status changed only by the actions. An affiliation is
published only with at least one citation.
"""

from __future__ import annotations

import reversion
from django import forms
from django.contrib import admin, messages
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import editorial
from .. import publishing_rights as rights
from ..models import (
    Affiliation,
    AffiliationCitation,
    DialogueLink,
    DialoguePlace,
    ExternalId,
    NameVariant,
    Organisation,
    OrganisationCitation,
    Place,
    Series,
    SeriesLink,
    SeriesMembership,
    Status,
)
from .base import RECORD_FIELDSET, SHORT_TEXT, LabelledTabularInline, PublicPageAdmin
from .publishing import PUBLISH, WITHDRAW
from .text_direction import TypedInAnyDirection

STATUS_FIELDS = ["status", "published_at", "withdrawn_at", "withdrawal_reason"]
EVIDENCE = ["basis", ("cited_source", "cited_paragraph"), "cited_excerpt", "reason"]


# --- Inlines ------------------------------------------------------------------------------


class NameVariantInline(TypedInAnyDirection, admin.StackedInline):
    model = NameVariant
    fields = [
        ("name", "kind"),
        ("language", "script", "transliteration"),
        ("source", "paragraph"),
        "excerpt",
        "archive_note",
    ]
    autocomplete_fields = ["source"]
    formfield_overrides = SHORT_TEXT
    extra = 0
    verbose_name_plural = "names in other forms (languages, scripts, noms de guerre)"


class ExternalIdInline(LabelledTabularInline):
    model = ExternalId
    fields = ["scheme", "value", "source_url", "source_note"]
    formfield_overrides = {**SHORT_TEXT, models.URLField: {"assume_scheme": "https"}}
    extra = 0


class OrganisationCitationInline(LabelledTabularInline):
    model = OrganisationCitation
    fields = ["source", "paragraph", "excerpt"]
    autocomplete_fields = ["source"]
    formfield_overrides = SHORT_TEXT
    extra = 0


class AffiliationCitationInline(OrganisationCitationInline):
    model = AffiliationCitation


class DialoguePlaceInline(LabelledTabularInline):
    model = DialoguePlace
    fields = ["place", "position"]
    autocomplete_fields = ["place"]
    extra = 0
    verbose_name_plural = "places (several are alternatives, read as “Rome or Amman”)"


class MembershipInline(TypedInAnyDirection, admin.StackedInline):
    model = SeriesMembership
    fields = [("series", "dialogue", "position"), *EVIDENCE]
    autocomplete_fields = ["series", "dialogue", "cited_source"]
    formfield_overrides = SHORT_TEXT
    extra = 0


class DialogueLinkInline(TypedInAnyDirection, admin.StackedInline):
    model = DialogueLink
    fk_name = "origin"
    fields = [("relation", "target"), *EVIDENCE]
    autocomplete_fields = ["target", "cited_source"]
    formfield_overrides = SHORT_TEXT
    extra = 0
    verbose_name_plural = "lineage: this dialogue continued as, led to, split from or ran beside"


class SeriesLinkInline(DialogueLinkInline):
    model = SeriesLink
    verbose_name_plural = "lineage: this series continued as, led to, split from or ran beside"


class AffiliationInline(LabelledTabularInline):
    """A person's affiliations, each opened on its own page for its citations."""

    model = Affiliation
    fields = ["organisation", "role", "title", "start", "end", "status"]
    readonly_fields = ["status"]
    autocomplete_fields = ["organisation"]
    show_change_link = True
    extra = 0


# --- Publishing ---------------------------------------------------------------------------


def _set_status(request, record, status, reason=""):
    with reversion.create_revision():
        reversion.set_user(request.user)
        reversion.set_comment(f"{Status(status).label}{': ' + reason if reason else ''}")
        record.status = status
        now = timezone.now()
        record.published_at = now if status == Status.PUBLISHED else record.published_at
        record.withdrawn_at = now if status == Status.WITHDRAWN else None
        record.withdrawal_reason = reason
        if status == Status.DRAFT:
            record.published_at = None
        record.save()


class SimplePublishingMixin:
    """Publish, return to draft and withdraw, for publishers; the status is never typed."""

    actions = ["publish_selected", "unpublish_selected", "withdraw_selected"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *STATUS_FIELDS]

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH)

    def has_withdraw_permission(self, request):
        return request.user.has_perm(WITHDRAW)

    def publishing_problem(self, record) -> str | None:
        return None

    @admin.action(description=_("Publish selected records"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        done = 0
        for record in queryset:
            problem = self.publishing_problem(record)
            if problem:
                self.message_user(request, problem, messages.ERROR)
                continue
            _set_status(request, record, Status.PUBLISHED)
            done += 1
        self.message_user(request, gettext("Published %(n)s record(s).") % {"n": done})

    @admin.action(description=_("Return selected records to draft"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        for record in queryset:
            _set_status(request, record, Status.DRAFT)
        self.message_user(
            request, gettext("Returned %(n)s record(s) to draft.") % {"n": queryset.count()}
        )

    @admin.action(description=_("Withdraw selected records"), permissions=["withdraw"])
    def withdraw_selected(self, request, queryset):
        for record in queryset:
            _set_status(request, record, Status.WITHDRAWN, "withdrawn by a publisher")
        self.message_user(request, gettext("Withdrew %(n)s record(s).") % {"n": queryset.count()})


class MergeRecordsForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=None,
        widget=forms.RadioSelect,
        label=_("Keep"),
        error_messages={"required": _("Choose the record to keep.")},
    )

    def __init__(self, *args, records, **kwargs):
        super().__init__(*args, **kwargs)
        model = type(records[0])
        self.fields["keep"].queryset = model.objects.filter(pk__in=[r.pk for r in records])


class AuthorityAdmin(SimplePublishingMixin, PublicPageAdmin):
    """Organisations, places and series: published like dialogues, and merged two into one."""

    actions = [*SimplePublishingMixin.actions, "merge_selected"]
    search_fields = ["name", "slug", "names__name"]
    prepopulated_fields = {"slug": ["name"]}
    list_filter = ["status"]
    readonly_fields = ["created", "updated"]
    formfield_overrides = SHORT_TEXT

    def has_merge_permission(self, request):
        # A merge changes what readers see on two public pages: a publisher's act.
        return rights.may_decide(request.user)

    @admin.action(description=_("Merge the two selected records…"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        records = list(queryset.order_by("name", "pk"))
        plural = str(self.model._meta.verbose_name_plural)
        if len(records) != 2:
            self.message_user(
                request,
                gettext("Select exactly two %(records)s to merge.") % {"records": plural},
                messages.ERROR,
            )
            return None
        form = MergeRecordsForm(records=records)
        if "apply" in request.POST:
            form = MergeRecordsForm(request.POST, records=records)
            if form.is_valid():
                keep = form.cleaned_data["keep"]
                (lose,) = [r for r in records if r.pk != keep.pk]
                lose_name = str(lose)
                editorial.merge_records(keep, lose, user=request.user)
                self.message_user(
                    request,
                    gettext("Merged “%(lose)s” into “%(keep)s”.")
                    % {"lose": lose_name, "keep": keep},
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Merge %(records)s") % {"records": plural},
            "records": records,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/dialogues/merge_records.html", context)


# --- Records ------------------------------------------------------------------------------


@admin.register(Organisation)
class OrganisationAdmin(AuthorityAdmin):
    list_display = ["name", "kind", "country", "status"]
    list_filter = ["status", "kind", "country"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "country", "description"]}),
        ("Publishing", {"fields": STATUS_FIELDS}),
        RECORD_FIELDSET,
    ]
    inlines = [OrganisationCitationInline, NameVariantInline, ExternalIdInline]


@admin.register(Affiliation)
class AffiliationAdmin(SimplePublishingMixin, PublicPageAdmin):
    list_display = ["participant", "organisation", "role", "title", "start", "end", "status"]
    list_filter = ["status", "role"]
    list_select_related = ["participant", "organisation"]
    search_fields = ["participant__name", "organisation__name", "title"]
    autocomplete_fields = ["participant", "organisation"]
    readonly_fields = ["created", "updated"]
    formfield_overrides = SHORT_TEXT
    fieldsets = [
        (None, {"fields": ["participant", "organisation", "role", "title"]}),
        ("Dates (EDTF)", {"fields": [("start", "end"), "note"]}),
        ("Publishing", {"fields": STATUS_FIELDS}),
        RECORD_FIELDSET,
    ]
    inlines = [AffiliationCitationInline]

    def view_on_site(self, obj):
        return obj.participant.get_absolute_url()

    def publishing_problem(self, record):
        return record.publishing_problem()


@admin.register(Place)
class PlaceAdmin(AuthorityAdmin):
    list_display = ["name", "country", "latitude", "longitude", "geonames_id", "status"]
    list_filter = ["status", "country"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "country"]}),
        (
            "Geography",
            {"fields": [("latitude", "longitude"), "geonames_id", "geography_source"]},
        ),
        ("Publishing", {"fields": STATUS_FIELDS}),
        RECORD_FIELDSET,
    ]
    inlines = [NameVariantInline, ExternalIdInline]


@admin.register(Series)
class SeriesAdmin(AuthorityAdmin):
    search_fields = ["name", "slug", "description"]
    list_display = ["name", "kind", "status"]
    list_filter = ["status", "kind"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "description"]}),
        ("Publishing", {"fields": STATUS_FIELDS}),
        RECORD_FIELDSET,
    ]
    inlines = [MembershipInline, SeriesLinkInline]


# The inlines the dialogue's and the participant's pages gain (see dialogue.py, records.py).
DIALOGUE_INLINES = [DialoguePlaceInline, MembershipInline, DialogueLinkInline, ExternalIdInline]
PARTICIPANT_INLINES = [NameVariantInline, AffiliationInline, ExternalIdInline]
