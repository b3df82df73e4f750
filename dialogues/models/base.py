"""What every record shares: natural keys by slug, uncertain dates and timestamps."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .. import dates

# --- Shared pieces ------------------------------------------------------------------------


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class UncertainDate(models.Model):
    """An EDTF date with its computed bounds and a note on how it was arrived at.

    The bounds are filled in `pre_save` (see writes.py) rather than in `save()`, because
    fixtures are loaded with raw saves that skip `save()` but still send the signal.
    """

    date = models.CharField(
        "date",
        max_length=64,
        help_text=dates.HELP_TEXT,
    )
    date_earliest = models.DateField(
        "earliest possible day", editable=False, null=True, db_index=True
    )
    date_latest = models.DateField("latest possible day", editable=False, null=True)
    # Stored, like the bounds, because reading the EDTF costs milliseconds: an export of the
    # whole archive would spend minutes re-parsing what was known at the last save.
    date_display = models.CharField("date in words", max_length=100, editable=False, blank=True)
    date_note = models.TextField(
        "how the date was found",
        blank=True,
        help_text="If the date is inferred or loose, say from what, quoting the source's words.",
    )

    class Meta:
        abstract = True

    def fill_date_bounds(self) -> None:
        """Set the bounds and words from the EDTF string; an invalid one has no bounds."""
        try:
            bounds = dates.parse(self.date)
        except dates.InvalidDate:
            self.date_earliest = self.date_latest = None
            self.date_display = self.date or ""
            return
        self.date = bounds.edtf
        self.date_earliest, self.date_latest = bounds.earliest, bounds.latest
        self.date_display = bounds.display

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "date" not in (exclude or ()) and "date" not in errors:
            try:
                dates.parse(self.date)
            except dates.InvalidDate:
                # Stale bounds from the last save would mislead the checks in clean().
                self.date_earliest = self.date_latest = None
                label = self._meta.get_field("date").verbose_name.capitalize()
                errors["date"] = [
                    ValidationError(dates.invalid_message(self.date, label), code="invalid_edtf")
                ]
        if errors:
            raise ValidationError(errors)
        self.fill_date_bounds()


class Timestamped(models.Model):
    created = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True
