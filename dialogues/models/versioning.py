"""Optimistic locking: every archive record carries a version number checked in the UPDATE.

Two editors who open the same record both start from the same number. The first save moves
it on; the second save names the number it started from, finds no row with it, and is refused
instead of silently overwriting (AtoM's serial number, ArchivesSpace's lock_version).
"""

from __future__ import annotations

from django.db import models


class StaleRecord(Exception):
    """The record was saved by someone else since the version the caller started from."""

    def __init__(self, obj, expected: int):
        super().__init__(f"{obj._meta.verbose_name} {obj.pk} is no longer at version {expected}")
        self.obj = obj
        self.expected = expected


class Versioned(models.Model):
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Goes up by one with every save; an edit made from an older number is refused.",
    )

    class Meta:
        abstract = True

    def save(self, *args, expected_version: int | None = None, **kwargs):
        """Save, moving the version on in the same UPDATE that checks it.

        With `expected_version` the row is claimed only if it still has that number, and
        `StaleRecord` is raised otherwise; without it (loads, scripts) the number just goes up.
        """
        if self._state.adding or self.pk is None:
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or self._state.db
        rows = type(self)._base_manager.using(using).filter(pk=self.pk)
        if expected_version is not None:
            if not rows.filter(version=expected_version).update(version=expected_version + 1):
                raise StaleRecord(self, expected_version)
            self.version = expected_version + 1
        else:
            rows.update(version=models.F("version") + 1)
            self.version = rows.values_list("version", flat=True).get()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        return super().save(*args, **kwargs)
