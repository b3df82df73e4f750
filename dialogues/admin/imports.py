"""Bulk import of dialogues in the admin: upload, dry run, import, undo.

Editors upload a CSV or XLSX file; the file is kept with its batch and the dry run lists every
row. Only a clean dry run offers “Import”, which checks the same stored file again and writes
it all or not at all. Publishers (permission `undo_importbatch`) undo a batch in one action.
The page also offers the template and the editors' export, in the columns an import reads.
"""

from __future__ import annotations

import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..api import export_rows
from ..api.exports import CSV_COLUMNS, csv_lines
from ..imports import apply
from ..imports.reading import UnreadableFile
from ..models import Dialogue, ImportBatch
from . import guard
from .text_direction import TypedInAnyDirection, typed_in_any_direction

UNDO_PERMISSION = "dialogues.undo_importbatch"
# The template's example row: a comment (it starts with #), so importing the template as it is
# imports nothing.
EXAMPLE = {
    "slug": "# example (delete this row): leave slug empty for a new record",
    "title": "Meeting at the Hague",
    "date_edtf": "1994-05~",
    "date_note": "¶3 says “in the spring”.",
    "place": "The Hague",
    "summary": "Academics from both sides met for two days.",
    "era_slug": "after-oslo",
    "conflict_slug": "israeli-palestinian",
    "venue_kind_code": "university",
    "track_code": "track_ii",
    "talks_code": "held",
    "level_code": "track_ii",
    "level_note": "Inferred: no official is named among those at the table.",
    "participant_list": (
        "yair-hirschfeld | organiser\n"
        "another-slug | participant | withheld, until 2031-01-01, side shown"
    ),
    "series_list": "the-hague-meetings | 2 | inferred | The same hosts and agenda as the first.",
    "outcome_list": "understanding | They agreed on a second meeting.",
    "citation_list": "memoir-of-the-back-channel | 3 | In the spring we met at the Hague",
}


@typed_in_any_direction
class UploadForm(forms.Form):
    file = forms.FileField(
        help_text=gettext_lazy("A CSV file saved as UTF-8, or an XLSX workbook (its first sheet)."),
        error_messages={
            "required": gettext_lazy("Choose a CSV or XLSX file to check."),
            "empty": gettext_lazy(
                "The file is empty. Upload a CSV or XLSX file with a header row."
            ),
        },
    )


@typed_in_any_direction
class UndoForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        help_text=gettext_lazy("Recorded in every record's history, e.g. “wrong file uploaded”."),
        error_messages={"required": gettext_lazy("Give a reason for undoing the import.")},
        widget=forms.TextInput(attrs={"size": 60}),
    )


@admin.register(ImportBatch)
class ImportBatchAdmin(TypedInAnyDirection, admin.ModelAdmin):
    list_display = [
        "__str__",
        "state",
        "created",
        "created_by",
        "rows",
        "created_count",
        "changed_count",
        "unchanged_count",
        "invalid_count",
        "undone_at",
    ]
    list_filter = ["state"]
    readonly_fields = [
        "file_name",
        "sha256",
        "state",
        "created",
        "created_by",
        "imported_at",
        "imported_by",
        "rows",
        "created_count",
        "changed_count",
        "unchanged_count",
        "invalid_count",
        "undone_at",
        "undone_by",
        "undo_reason",
    ]
    fields = readonly_fields
    change_list_template = "admin/imports/change_list.html"
    change_form_template = "admin/imports/change_form.html"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A superuser may delete a dry run or an undone import with its file; an imported
        # batch stays, since its undo needs it.
        if obj is not None and obj.state == ImportBatch.State.IMPORTED:
            return False
        return request.user.is_active and request.user.is_superuser

    def delete_queryset(self, request, queryset):
        kept = queryset.filter(state=ImportBatch.State.IMPORTED)
        if kept.exists():
            self.message_user(
                request,
                _("%(n)s imported batch(es) were kept: an import's record is what its undo needs.")
                % {"n": kept.count()},
                messages.WARNING,
            )
        queryset.exclude(state=ImportBatch.State.IMPORTED).delete()

    def has_undo_permission(self, request) -> bool:
        return request.user.is_active and (
            request.user.is_superuser or request.user.has_perm(UNDO_PERMISSION)
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.upload_view), name="dialogues_importbatch_upload"),
            path("template.csv", wrap(self.template_view), name="dialogues_importbatch_template"),
            path("export.csv", wrap(self.export_view), name="dialogues_importbatch_export"),
            path(
                "<int:pk>/dry-run/", wrap(self.dry_run_view), name="dialogues_importbatch_dry_run"
            ),
            path("<int:pk>/undo/", wrap(self.undo_view), name="dialogues_importbatch_undo"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:dialogues_importbatch_upload"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "records": list(batch.records.all()[:500]) if batch else [],
            "can_undo": batch is not None
            and batch.state == ImportBatch.State.IMPORTED
            and self.has_undo_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _context(self, request, **kwargs):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **kwargs}

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm()
        problem = None
        if request.method == "POST":
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                try:
                    batch, _created = apply.store(upload.name, upload.read(), user=request.user)
                except UnreadableFile as exc:
                    problem = str(exc)
                else:
                    return HttpResponseRedirect(
                        reverse("admin:dialogues_importbatch_dry_run", args=[batch.pk])
                    )
        context = self._context(request, title=_("Import dialogues"), form=form, problem=problem)
        return TemplateResponse(request, "admin/imports/upload.html", context)

    def dry_run_view(self, request, pk):
        if not self.has_add_permission(request):
            raise PermissionDenied
        batch = get_object_or_404(ImportBatch, pk=pk)
        refused = None
        if request.method == "POST" and batch.state == ImportBatch.State.CHECKED:
            try:
                plan = apply.run_import(batch, user=request.user)
            except apply.ImportRefused as exc:
                refused = str(exc)
            else:
                self.message_user(
                    request,
                    _(
                        "Imported as import #%(pk)s: %(new)s new draft(s), %(changed)s changed, "
                        "%(unchanged)s unchanged."
                    )
                    % {
                        "pk": batch.pk,
                        "new": plan.count("new"),
                        "changed": plan.count("changed"),
                        "unchanged": plan.count("unchanged"),
                    },
                )
                return HttpResponseRedirect(
                    reverse("admin:dialogues_importbatch_change", args=[batch.pk])
                )
        try:
            plan = apply.dry_run(batch)
        except UnreadableFile as exc:  # only a batch stored before its report could be
            plan, refused = None, str(exc)
        context = self._context(
            request,
            title=_("Dry run of import #%(pk)s: %(name)s")
            % {"pk": batch.pk, "name": batch.file_name},
            batch=batch,
            plan=plan,
            refused=refused,
            can_import=plan is not None
            and plan.is_clean
            and plan.has_changes
            and batch.state == ImportBatch.State.CHECKED,
        )
        return TemplateResponse(request, "admin/imports/dry_run.html", context)

    def undo_view(self, request, pk):
        if not self.has_undo_permission(request):
            return guard.refused(
                request,
                self.admin_site,
                _(
                    "Only a publisher may undo an import: undoing puts records back as they "
                    "were, which readers see. Nothing was undone."
                ),
            )
        batch = get_object_or_404(ImportBatch, pk=pk)
        form, refused = UndoForm(), None
        if request.method == "POST":
            form = UndoForm(request.POST)
            if form.is_valid():
                try:
                    apply.undo(batch, user=request.user, reason=form.cleaned_data["reason"])
                except apply.ImportRefused as exc:
                    refused = str(exc)
                else:
                    self.message_user(request, _("Import #%(pk)s was undone.") % {"pk": batch.pk})
                    return HttpResponseRedirect(
                        reverse("admin:dialogues_importbatch_change", args=[batch.pk])
                    )
        context = self._context(
            request,
            title=_("Undo import #%(pk)s: %(name)s") % {"pk": batch.pk, "name": batch.file_name},
            batch=batch,
            form=form,
            refused=refused,
            records=batch.records.all()[:500],
        )
        return TemplateResponse(request, "admin/imports/undo.html", context)

    def template_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="trackii-import-template.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        writer.writerow([EXAMPLE.get(column, "") for column in CSV_COLUMNS])
        return response

    def export_view(self, request):
        """Every record as editors see it (drafts, withdrawn records and withheld names too)."""
        if not self.has_view_permission(request) or not request.user.has_perm(
            "dialogues.view_dialogue"
        ):
            raise PermissionDenied
        rows = export_rows.rows(Dialogue.objects.chronological(), reveal=True)
        url = export_rows.url_maker(request)
        response = StreamingHttpResponse(
            csv_lines(rows, url), content_type="text/csv; charset=utf-8"
        )
        filename = f"trackii-dialogues-editors-{timezone.localdate().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
