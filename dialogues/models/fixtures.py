"""Which records came from the fixtures, so corrected fixtures can reach them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

# --- What the fixtures put in ----------------------------------------------------------


class FixtureRecord(models.Model):
    """A record that came from the fixtures, and a hash of its fields as they were loaded.

    `load_initial_data --update` compares a record's current fields with this hash: a record
    whose fields no longer match was edited since it was loaded, and is left alone.
    """

    model = models.CharField(max_length=100)
    key = models.CharField(max_length=400, help_text="The record's natural key, as JSON.")
    content_hash = models.CharField(max_length=64)
    loaded = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="one_fixture_record_per_key")
        ]

    def __str__(self):
        return f"{self.model} {self.key}"
