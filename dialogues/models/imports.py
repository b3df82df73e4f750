"""Bulk imports of dialogues from a spreadsheet, each one batch that can be undone as a whole.

A batch is made when a file is uploaded: its bytes are kept with it, so the dry run and the
import read the very same file, and nothing an editor did not see can slip in between. Once
imported, each record the batch created or changed is listed (`ImportedRecord`) with its
version number after the import and, for a changed record, its state before it, which is what
an undo puts back. A dry run never imported expires after `DRY_RUN_KEPT`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A dry run that was never imported is kept this long, then deleted (`expire_imports`, and
# each new upload); an imported batch keeps its file for as long as it exists.
DRY_RUN_KEPT = datetime.timedelta(days=7)


class ImportBatchQuerySet(models.QuerySet):
    def expired(self, now=None):
        """Dry runs older than DRY_RUN_KEPT that were never imported."""
        cutoff = (now or timezone.now()) - DRY_RUN_KEPT
        return self.filter(state=ImportBatch.State.CHECKED, created__lt=cutoff)


class ImportBatch(models.Model):
    class State(models.TextChoices):
        CHECKED = "checked", _("Dry run only (not imported)")
        IMPORTED = "imported", _("Imported")
        UNDONE = "undone", _("Undone")

    created = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="uploaded by",
    )
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256 of the file", max_length=64)
    content = models.BinaryField(
        editable=False,
        help_text="The uploaded file, kept so that the import reads what was checked.",
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.CHECKED)
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField("new", default=0)
    changed_count = models.PositiveIntegerField("changed", default=0)
    unchanged_count = models.PositiveIntegerField("unchanged", default=0)
    invalid_count = models.PositiveIntegerField("invalid", default=0)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    undo_reason = models.TextField(blank=True)
    report = models.JSONField(
        default=dict,
        editable=False,
        help_text="The dry run as it was shown (see imports.stored), drawn without reading the "
        "file again.",
    )

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = "import"
        verbose_name_plural = "imports"
        permissions = [("undo_importbatch", "Can undo an import")]

    def __str__(self):
        return f"Import #{self.pk}: {self.file_name}"

    @property
    def revision_comment(self) -> str:
        return f"Imported from {self.file_name} (import #{self.pk})"


class ImportedRecord(models.Model):
    """A dialogue an import created or changed, as the undo needs to know it."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="records")
    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    slug = models.SlugField(max_length=120)
    title = models.CharField(max_length=300)
    action = models.CharField(max_length=8, choices=Action.choices)
    version_after = models.PositiveIntegerField()
    # The record and its rows as they were before the import (Django's JSON serialization),
    # for a changed record only.
    before = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.slug}"
