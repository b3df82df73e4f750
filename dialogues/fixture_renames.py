"""Give fixture records new slugs in a running archive, keeping their old addresses.

A fixture names a record by its slug, so a corrected slug alone would read as one record
dropped and another added. `fixture_renames.json` lists each rename (model, old slug, new slug
and why). Before `load_initial_data --update` applies the corrected fixtures, each record still
at an old slug is saved under its new one in a revision of its own whose comment gives the
reason, so the record's history shows the rename; the old address becomes a past slug (301).
The bookkeeping that tells fixture-made records from editors' work moves with it: the record's
`FixtureRecord`, and those of the rows whose natural keys or links name it (a dialogue's
participations, outcomes and citations). A record unedited since it was loaded stays unedited
under its new keys; one an editor changed stays edited, so the update still leaves it alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import reversion
from django.apps import apps
from django.db import transaction

from .fixture_sync import content_hash, loaded_hash, marker_key, stored_values
from .models import FixtureRecord, PastSlug

RENAMES = Path(__file__).with_name("fixture_renames.json")


@dataclass(frozen=True)
class Rename:
    model: str
    old: str
    new: str
    reason: str

    @property
    def comment(self) -> str:
        return f"renamed from “{self.old}” to “{self.new}”: {self.reason}"


@cache
def renames() -> tuple[Rename, ...]:
    data = json.loads(RENAMES.read_text(encoding="utf-8"))
    return tuple(Rename(r["model"], r["from"], r["to"], r["reason"]) for r in data["renames"])


@contextmanager
def renaming(using: str, *, update: bool, dry_run: bool) -> Iterator[list[str]]:
    """Apply the renames on entering, when updating; give the lines saying what was done.

    Entered inside the load's transaction and before its revision, so that the renames roll
    back with a failed load and each keeps a revision of its own. A dry run rolls them back
    too: the load's own rollback reaches only as far as its revision.
    """
    yield apply(using) if update else []
    if dry_run:
        transaction.set_rollback(True, using=using)


def apply(using: str) -> list[str]:
    """Rename every fixture-made record still at an old slug; say what was done."""
    lines = []
    for rename in renames():
        model = apps.get_model(rename.model)
        manager = model._base_manager.using(using)
        record = manager.filter(slug=rename.old).first()
        if record is None:
            continue
        name = f"{model._meta.label_lower} {rename.old}"
        if loaded_hash(model._meta.label_lower, marker_key(record.natural_key()), using) is None:
            lines.append(f"not renamed {name}: not known to have come from the fixtures")
            continue
        if manager.filter(slug=rename.new).exists():
            lines.append(f"not renamed {name}: “{rename.new}” is already taken")
            continue
        rows = [record, *_rows_naming(record, using)]
        before = [(row, _key(row), content_hash(stored_values(row))) for row in rows]
        with reversion.create_revision(using=using):
            reversion.set_comment(rename.comment)
            record.slug = rename.new
            record.save(using=using)  # keeps the old slug as a past address (signals)
        for row, old_key, old_hash in before:
            row.refresh_from_db(using=using)
            _carry(row, old_key, old_hash, using)
        lines.append(f"renamed {name} → {rename.new}: {rename.reason}")
    return lines


def keep_past_addresses(using: str) -> None:
    """Let each old slug lead to its renamed record, in an archive loaded after the rename."""
    for rename in renames():
        model = apps.get_model(rename.model)
        manager = model._base_manager.using(using)
        record = manager.filter(slug=rename.new).first()
        if record is not None and not manager.filter(slug=rename.old).exists():
            PastSlug.remember(record, rename.old, using=using)


def _rows_naming(record, using: str) -> list:
    """Rows of other models that link to `record` (their natural keys may name it)."""
    rows = []
    for relation in record._meta.related_objects:
        if relation.one_to_many and relation.related_model._meta.app_label == "dialogues":
            related = relation.related_model
            if related is FixtureRecord or not hasattr(related, "natural_key"):
                continue
            rows += related._base_manager.using(using).filter(**{relation.field.name: record})
    return rows


def _key(row) -> str:
    return marker_key(row.natural_key())


def _carry(row, old_key: str, old_hash: str, using: str) -> None:
    """Move a row's fixture bookkeeping to its new natural key, keeping edited as edited."""
    label = row._meta.label_lower
    known = loaded_hash(label, old_key, using)
    FixtureRecord.objects.using(using).filter(model=label, key=old_key).delete()
    if known is None:
        return
    new_hash = content_hash(stored_values(row)) if known == old_hash else known
    FixtureRecord.objects.using(using).update_or_create(
        model=label, key=_key(row), defaults={"content_hash": new_hash}
    )
