"""Apply corrected fixtures to an archive that already holds them, sparing editors' work.

Every record saved from the fixtures gets a `FixtureRecord`: its natural key and a hash of all
its fields as stored right after loading. On `load_initial_data --update`, a record whose
stored fields still hash to that value has not been touched since, so the corrected fixture
may overwrite it; one whose hash differs was edited by someone and is left alone and reported.
A fixture-made record that is no longer in the fixtures is removed on the same terms.

Archives loaded before records were tracked have no `FixtureRecord`s. For them,
`fixture_baseline.json` holds the hashes of every record the first release's fixtures made,
as it stands after the migration that added tracking: a record that still matches is unedited.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import ProtectedError

from .fixtures_loader import FixtureError, Record, prepare_record, write_record
from .models import FixtureRecord, UncertainDate

# Derived or bookkeeping columns: they change without anyone editing the record. A record's
# status and embargo are the publishers' decisions, never the fixtures' content; `version`
# counts saves (see models.versioning).
UNTRACKED_FIELDS = {
    "created",
    "updated",
    "date_earliest",
    "date_latest",
    "date_display",
    "status",
    "review_requested",
    "published_at",
    "embargo_until",
    "withdrawn_at",
    "withdrawal_reason",
    "replaced_by",
    "version",
}
BASELINE = Path(__file__).with_name("fixture_baseline.json")


@cache
def baseline() -> dict[tuple[str, str], str]:
    """Map (model, natural key as JSON) to the hash of the record as first released."""
    data = json.loads(BASELINE.read_text(encoding="utf-8"))
    return {(r["model"], marker_key(r["key"])): r["hash"] for r in data["records"]}


def loaded_hash(label: str, key: str, using: str) -> str | None:
    """Return the hash the record had when the fixtures last wrote it, or None if unknown."""
    marker = FixtureRecord.objects.using(using).filter(model=label, key=key).first()
    return marker.content_hash if marker else baseline().get((label, key))


def stored_values(instance) -> dict:
    """Return the record's fields as the fixtures write them (natural keys, JSON values)."""
    (row,) = serializers.serialize(
        "python", [instance], use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    # Values left at their field's default are left out, so a field added later leaves the hash
    # of every record it was added to as it was: adding a column is not an edit.
    fields = {
        name: value
        for name, value in row["fields"].items()
        if name not in UNTRACKED_FIELDS and not _is_default(instance, name, value)
    }
    return json.loads(json.dumps(fields, cls=DjangoJSONEncoder))


def _is_default(instance, name: str, value) -> bool:
    if value in ("", None, []):
        return True
    field = instance._meta.get_field(name)
    return field.has_default() and not callable(field.default) and value == field.default


def content_hash(values: dict) -> str:
    text = json.dumps(values, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def marker_key(record_key) -> str:
    return json.dumps(list(record_key), ensure_ascii=False)


def track(record: Record, using: str) -> None:
    """Remember the record as loaded from the fixtures, with the hash of its stored fields."""
    instance = record.model._base_manager.using(using).get(pk=record.obj.object.pk)
    FixtureRecord.objects.using(using).update_or_create(
        model=record.label,
        key=marker_key(record.key),
        defaults={"content_hash": content_hash(stored_values(instance))},
    )


def update_record(record: Record, seen: dict, using: str, *, force: bool) -> None:
    """Save the fixture's corrections to one record, unless an editor changed it since loading.

    Sets `record.status` and `record.changes` (field -> (stored, fixture)) for the report.
    """
    obj = prepare_record(record, seen, using)
    if not record.existed:
        write_record(record, using)
        record.status, record.changes = "new", {}
        track(record, using)
        return
    stored = record.model._base_manager.using(using).get(pk=obj.object.pk)
    current = stored_values(stored)
    wanted = _fixture_values(obj.object)
    record.changes = {
        name: (current.get(name), wanted.get(name))
        for name in record.fields
        if name in wanted and current.get(name) != wanted.get(name)
    }
    known = loaded_hash(record.label, marker_key(record.key), using)
    if not force and record.changes:
        if known is None:
            record.status = "untracked"
            return
        if known != content_hash(current):
            record.status = "edited"
            return
    if record.changes:
        write_record(record, using, fields=list(record.changes))
        record.status = "updated"
    else:
        record.status = "unchanged"
    track(record, using)


def _fixture_values(instance) -> dict:
    if isinstance(instance, UncertainDate):
        instance.fill_date_bounds()  # the date is stored normalised; compare like with like
    return stored_values(instance)


def remove_dropped(records: list[Record], using: str, *, force: bool) -> list[str]:
    """Delete fixture-made records that the fixtures no longer hold; say what was done.

    The fixtures are taken to be the whole set: a record made from them that they no longer
    hold was dropped on purpose. Records edited since they were loaded are kept.
    """
    loaded = {(r.label, marker_key(r.key)) for r in records}
    lines = []
    markers = FixtureRecord.objects.using(using).all()
    known = dict(baseline())
    known.update({(m.model, m.key): m.content_hash for m in markers})
    for label, key_json in sorted(set(known) - loaded):
        model = apps.get_model(label)
        key = json.loads(key_json)
        name = f"{label} {' / '.join(map(str, key))}"
        marker = markers.filter(model=label, key=key_json)
        try:
            instance = model._default_manager.db_manager(using).get_by_natural_key(*key)
        except model.DoesNotExist:
            marker.delete()
            continue
        if not force and known[label, key_json] != content_hash(stored_values(instance)):
            lines.append(f"kept {name}: no longer in the fixtures, but edited since it was loaded")
            continue
        try:
            instance.delete()
        except ProtectedError:
            raise FixtureError(
                f"{name} is no longer in the fixtures but other records still refer to it; "
                "remove or re-point them first."
            ) from None
        marker.delete()
        lines.append(f"removed {name}: no longer in the fixtures")
    return lines


def describe(records: list[Record]) -> list[str]:
    """Say, record by record, what an update did or would do: field, before → after."""
    lines = []
    for record in records:
        name = f"{record.label} {' / '.join(map(str, record.key))}"
        if record.status == "new":
            lines.append(f"new {name}")
        elif record.status == "updated":
            for field, (before, after) in record.changes.items():
                lines.append(f"changed {name}: {field}: {_short(before)} → {_short(after)}")
        elif record.status in ("edited", "untracked"):
            why = (
                "edited since it was loaded"
                if record.status == "edited"
                else "not known to have come from the fixtures"
            )
            fields = ", ".join(record.changes)
            lines.append(f"skipped {name}: {why}; the fixtures would change {fields}")
    return lines


def _short(value, limit: int = 70) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f"“{value}”"
    return text if len(text) <= limit else text[: limit - 2] + "…”"
