"""Field-by-field differences between two versions of a record, inline rows included."""

from __future__ import annotations

from dataclasses import dataclass, field

from reversion.models import Version

from .records import INLINES, inline_versions

# Bookkeeping and values derived from others: a reader of a diff learns nothing from them.
UNSHOWN = {"id", "created", "updated", "version", "date_earliest", "date_latest", "key"}
EMPTY = "(empty)"


@dataclass
class FieldChange:
    name: str
    label: str
    before: str
    after: str


@dataclass
class RowChange:
    label: str
    status: str  # "added", "removed" or "changed"
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class Diff:
    fields: list[FieldChange]
    rows: list[RowChange]

    def __bool__(self):
        return bool(self.fields or self.rows)


def _shown_fields(model, parent_fk: str | None = None):
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in UNSHOWN and f.name != parent_fk and not f.primary_key
    ]


class _Names:
    """Reads the names of linked records once per kind, however many values need them."""

    def __init__(self, model, dicts):
        self.names = {}
        for f in _shown_fields(model):
            if f.is_relation:
                ids = {d.get(f.attname) for d in dicts} - {None}
                self.names[f.attname] = {
                    pk: str(obj) for pk, obj in f.related_model._base_manager.in_bulk(ids).items()
                }

    def show(self, f, value) -> str:
        if value in (None, ""):
            return EMPTY
        if f.is_relation:
            return self.names.get(f.attname, {}).get(value, f"(removed record {value})")
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        return str(value)


def _field_changes(model, before: dict, after: dict, parent_fk=None) -> list[FieldChange]:
    names = _Names(model, [before, after])
    changes = []
    for f in _shown_fields(model, parent_fk):
        old, new = before.get(f.attname), after.get(f.attname)
        # An empty text and no value read the same: a translation field is empty (None) until
        # a form saves it as "" without anyone writing in it.
        if old != new and not (old in (None, "") and new in (None, "")):
            label = str(f.verbose_name)
            changes.append(FieldChange(f.name, label, names.show(f, old), names.show(f, new)))
    return changes


def _row_label(model, version: Version) -> str:
    return f"{model._meta.verbose_name}: {version.object_repr}"


def compare(older: Version | None, newer: Version) -> Diff:
    """Compare two versions of one record; `older=None` shows everything `newer` holds."""
    model = newer._model
    before = older.field_dict if older is not None else {}
    fields = _field_changes(model, before, newer.field_dict)
    rows: list[RowChange] = []
    old_rows = inline_versions(older) if older is not None else {}
    new_rows = inline_versions(newer)
    for row_model, fk in INLINES.get(model, ()):
        was = {v.object_id: v for v in old_rows.get(row_model, [])}
        now = {v.object_id: v for v in new_rows.get(row_model, [])}
        for object_id, version in now.items():
            if object_id not in was:
                changes = _field_changes(row_model, {}, version.field_dict, fk)
                rows.append(RowChange(_row_label(row_model, version), "added", changes))
            else:
                changes = _field_changes(
                    row_model, was[object_id].field_dict, version.field_dict, fk
                )
                if changes:
                    rows.append(RowChange(_row_label(row_model, version), "changed", changes))
        for object_id, version in was.items():
            if object_id not in now:
                rows.append(RowChange(_row_label(row_model, version), "removed"))
    return Diff(fields, rows)
