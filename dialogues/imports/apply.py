"""Write a clean import as one batch, and undo a batch.

The import reads the stored file again and checks it again inside its transaction, so what is
written is what the dry run showed, and one invalid row means nothing is written. Records are
written in bulk (a few queries per thousand rows, not several per row), so what the model's
save and the signals do is done here for the whole batch: date bounds and words, the version
number, timestamps, and one revision holding every record with its rows; `dialogues.writes`
decides the rest (the search index, the cache generation) for the batch as a whole.
"""

from __future__ import annotations

from collections import defaultdict

from django.core import serializers
from django.utils import timezone

from .. import progress as progress_bars
from .. import writes
from ..models import (
    Citation,
    Dialogue,
    DialoguePlace,
    ImportBatch,
    ImportedRecord,
    Outcome,
    Participation,
    SeriesMembership,
    Status,
    citation_key,
    removals,
)
from . import cells, stored
from .archive import chunks, unnamed_hidden
from .checks import RowPlan
from .history import record_revision
from .plan import ImportRefused, Plan, make_plan
from .undo import undo  # noqa: F401  (the admin and the command call apply.undo)

DIALOGUE_FIELDS = [
    "title",
    "date",
    "date_earliest",
    "date_latest",
    "date_display",
    "date_note",
    "era",
    "conflict",
    "place",
    "venue",
    "venue_kind",
    "track",
    "talks",
    "level",
    "level_note",
    "summary",
    "embargo_until",
    *cells.TRANSLATION_COLUMNS,
    "version",
    "updated",
]


BULK = 500


def store(name: str, content: bytes, *, user=None, progress=None) -> tuple[ImportBatch, Plan]:
    """Keep an uploaded file as a batch with its dry run (raises UnreadableFile).

    Dry runs kept past their time are deleted first (`ImportBatch.objects.expired`).
    """
    plan = make_plan(name, content, progress=progress, user=user)
    return keep(name, content, plan, user=user), plan


def keep(name: str, content: bytes, plan: Plan, *, user=None) -> ImportBatch:
    """Keep a file whose dry run is `plan` as a batch."""
    ImportBatch.objects.expired().delete()
    batch = ImportBatch(
        created_by=user if user is not None and user.is_authenticated else None,
        file_name=name[:255],
        sha256=plan.sha256,
        content=content,
        report=stored.dump(plan),
    )
    _count(batch, plan)
    batch.save()
    return batch


def _count(batch: ImportBatch, plan: Plan) -> None:
    counts = plan.counts
    batch.rows = len(plan.rows)
    batch.created_count = counts["new"]
    batch.changed_count = counts["changed"]
    batch.unchanged_count = counts["unchanged"]
    batch.invalid_count = counts["invalid"]


def dry_run(batch: ImportBatch) -> Plan:
    """The dry run as it was shown at upload, without reading the file again."""
    if batch.report:
        return stored.load(batch.report)
    # A batch kept from before reports were stored: read once more, storing nothing.
    return make_plan(batch.file_name, bytes(batch.content))


# The steps of writing an import once its rows are checked, as `steps` hears of them.
IMPORT_STEPS = 5


def run_import(
    batch: ImportBatch,
    *,
    user=None,
    progress=None,
    steps: progress_bars.Report = progress_bars.silent,
) -> Plan:
    """Check the batch's file again and write it, all or nothing; return the plan written.

    `progress(done, total)` hears of the rows checked, `steps("import steps", done, total)` of
    the writing after them: the new records, the changed ones and their rows, the history, the
    search index, the batch's own records.
    """
    with writes.batch():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.state != ImportBatch.State.CHECKED:
            raise ImportRefused(
                f"Import #{batch.pk} was {batch.get_state_display().lower()} already."
            )
        plan = make_plan(batch.file_name, bytes(batch.content), progress=progress, user=user)
        if not plan.is_clean:
            raise ImportRefused(
                f"Nothing was imported: {plan.count('invalid')} row(s) are invalid now. "
                "Correct the file and upload it again.",
                plan,
            )
        moved = stored.saved_since(plan, batch.report) if batch.report else []
        if moved:
            shown = "; ".join(moved[:10]) + (
                f"; and {len(moved) - 10} more" if len(moved) > 10 else ""
            )
            raise ImportRefused(
                f"Nothing was imported: records were saved after the dry run, and importing "
                f"would overwrite that work unseen. {shown}. Upload the file again for a new "
                "dry run.",
                plan,
            )
        new = [row for row in plan.rows if row.action == "new"]
        changed = [row for row in plan.rows if row.action == "changed"]
        _refuse_moved(changed, plan)
        now = timezone.now()
        steps("import steps", 0, IMPORT_STEPS)
        befores = _snapshots([row.existing.pk for row in changed])
        created = _create(new, plan, now)
        steps("import steps", 1, IMPORT_STEPS)
        # Bulk writes send no save signals: mirrors hear of an embargo set or lifted and of a
        # name withheld as they do of an admin's save (a new record is a draft: nothing seen).
        with removals.announced(row.existing.pk for row in changed):
            _change(changed, plan, now)
            _write_rows([*new, *changed], plan, created)
        steps("import steps", 2, IMPORT_STEPS)
        ids = [created[row.slug] for row in new] + [row.existing.pk for row in changed]
        actor = user if user is not None and user.is_authenticated else None
        if ids:
            record_revision(ids, user=actor, comment=batch.revision_comment, when=now)
            writes.changed(dialogues=ids)
        steps("import steps", 3, IMPORT_STEPS)
        # The search index, which `batch()` would rebuild at its end anyway: now, so that the
        # longest step of a large import is shown as one.
        writes.flush()
        steps("import steps", 4, IMPORT_STEPS)
        versions = (
            dict(Dialogue.objects.filter(pk__in=ids).values_list("pk", "version")) if ids else {}
        )
        ImportedRecord.objects.bulk_create(
            [
                ImportedRecord(
                    batch=batch,
                    dialogue_id=created[row.slug],
                    slug=row.slug,
                    title=row.title,
                    action=ImportedRecord.Action.CREATED,
                    version_after=versions[created[row.slug]],
                )
                for row in new
            ]
            + [
                ImportedRecord(
                    batch=batch,
                    dialogue_id=row.existing.pk,
                    slug=row.slug,
                    title=row.title,
                    action=ImportedRecord.Action.CHANGED,
                    version_after=versions[row.existing.pk],
                    before=befores[row.existing.pk],
                )
                for row in changed
            ],
            batch_size=BULK,
        )
        _count(batch, plan)
        batch.state = ImportBatch.State.IMPORTED
        batch.imported_at = now
        batch.imported_by = actor
        batch.save()
        steps("import steps", 5, IMPORT_STEPS)
    return plan


def _refuse_moved(changed: list[RowPlan], plan: Plan) -> None:
    """Lock the records to change and refuse if one was saved since it was read."""
    expected = {row.existing.pk: row for row in changed}
    for chunk in chunks(expected):
        for pk, version in (
            Dialogue.objects.select_for_update().filter(pk__in=chunk).values_list("pk", "version")
        ):
            if version != expected[pk].existing.version:
                raise ImportRefused(
                    f"“{expected[pk].title}” was saved by someone else during the import. "
                    "Nothing was imported; run the dry run again.",
                    plan,
                )


def _snapshots(ids: list[int]) -> dict[int, str]:
    """Each dialogue with its rows, serialized as they are now (what an undo puts back)."""
    snapshots = {}
    for chunk in chunks(ids):
        rows = defaultdict(list)
        for model in (Participation, Outcome, Citation, DialoguePlace, SeriesMembership):
            for obj in model.objects.filter(dialogue_id__in=chunk).order_by("pk"):
                rows[obj.dialogue_id].append(obj)
        for dialogue in Dialogue.objects.filter(pk__in=chunk):
            snapshots[dialogue.pk] = serializers.serialize("json", [dialogue, *rows[dialogue.pk]])
    return snapshots


def _set_fields(dialogue: Dialogue, row: RowPlan, plan: Plan) -> None:
    lookups = plan.lookups
    for name, value in row.target.fields.items():
        if name == "_bounds":
            dialogue.date = value.edtf
            dialogue.date_earliest, dialogue.date_latest = value.earliest, value.latest
            dialogue.date_display = value.display
        elif name == "era":
            dialogue.era_id = lookups.eras[value].pk
        elif name == "conflict":
            dialogue.conflict_id = lookups.conflicts[value]
        elif name != "date":
            setattr(dialogue, name, value)


def _create(rows: list[RowPlan], plan: Plan, now) -> dict[str, int]:
    dialogues = []
    for row in rows:
        dialogue = Dialogue(slug=row.slug, status=Status.DRAFT, created=now, updated=now, version=1)
        _set_fields(dialogue, row, plan)
        dialogues.append(dialogue)
    Dialogue.objects.bulk_create(dialogues, batch_size=BULK)
    return {dialogue.slug: dialogue.pk for dialogue in dialogues}


def _change(rows: list[RowPlan], plan: Plan, now) -> None:
    by_pk = {row.existing.pk: row for row in rows}
    for chunk in chunks(by_pk):
        dialogues = list(Dialogue.objects.filter(pk__in=chunk))
        for dialogue in dialogues:
            row = by_pk[dialogue.pk]
            _set_fields(dialogue, row, plan)
            # The record moves on by one version, as an admin save does.
            dialogue.version = row.existing.version + 1
            dialogue.updated = now
        Dialogue.objects.bulk_update(dialogues, DIALOGUE_FIELDS, batch_size=BULK)


def _write_rows(rows: list[RowPlan], plan: Plan, created: dict[str, int]) -> None:
    lookups = plan.lookups
    drop = defaultdict(list)
    update = defaultdict(list)
    add = defaultdict(list)
    for row in rows:
        target, existing = row.target, row.existing
        dialogue_id = existing.pk if existing else created[row.slug]
        if target.takings is not None:
            kept = unnamed_hidden(existing, target.takings) if target.masked else set()
            have = existing.takings if existing else {}
            for slug, (pk, _) in have.items():
                if pk not in kept and slug not in target.takings:
                    drop[Participation].append(pk)
            for slug, taking in target.takings.items():
                flags = dict(
                    role=taking.role,
                    withheld=taking.withheld,
                    withheld_until=taking.until,
                    show_side=taking.show_side,
                )
                if slug in have:
                    pk, old = have[slug]
                    if old != taking:
                        update[Participation].append(Participation(pk=pk, **flags))
                else:
                    add[Participation].append(
                        Participation(
                            dialogue_id=dialogue_id,
                            participant_id=lookups.participants[slug],
                            **flags,
                        )
                    )
        if target.outcomes is not None:
            have = existing.outcomes if existing else {}
            keys = set(existing.outcome_keys.values()) if existing else set()
            for kind, (pk, _) in have.items():
                if kind not in target.outcomes:
                    drop[Outcome].append(pk)
                    keys.discard(existing.outcome_keys[pk])
            for kind, description in target.outcomes.items():
                if kind in have:
                    if have[kind][1] != description:
                        update[Outcome].append(Outcome(pk=have[kind][0], description=description))
                    continue
                key, n = kind, 2
                while key in keys:
                    key, n = f"{kind}-{n}", n + 1
                keys.add(key)
                add[Outcome].append(
                    Outcome(dialogue_id=dialogue_id, kind=kind, key=key, description=description)
                )
        if target.places is not None:
            have = existing.place_rows if existing else {}
            for slug, pk in have.items():
                if slug not in target.places:
                    drop[DialoguePlace].append(pk)
            # The cell's order is the reading order: "Rome or Amman" is 1, then 2.
            for position, slug in enumerate(target.places, start=1):
                if slug in have:
                    update[DialoguePlace].append(DialoguePlace(pk=have[slug], position=position))
                else:
                    add[DialoguePlace].append(
                        DialoguePlace(
                            dialogue_id=dialogue_id,
                            place_id=lookups.places[slug],
                            position=position,
                        )
                    )
        if target.memberships is not None:
            have = existing.memberships if existing else {}
            for slug, (pk, membership) in have.items():
                if target.memberships.get(slug) != membership:
                    drop[SeriesMembership].append(pk)
            # A changed membership is deleted and added again: every deletion comes first, so
            # positions may be exchanged within a series without meeting each other.
            for slug, membership in target.memberships.items():
                if slug in have and have[slug][1] == membership:
                    continue
                add[SeriesMembership].append(
                    SeriesMembership(
                        series_id=lookups.series[slug],
                        dialogue_id=dialogue_id,
                        position=membership.position,
                        basis=membership.basis,
                        cited_source_id=lookups.sources.get(membership.source),
                        cited_paragraph=membership.paragraph,
                        cited_excerpt=membership.excerpt,
                        reason=membership.reason,
                    )
                )
        matches = row.citation_matches if existing else {}
        keys = set()
        if existing:
            matched = set(matches.values())
            for pk, *_ in existing.citations:
                if pk in matched:
                    keys.add(existing.citation_keys[pk])
                else:
                    drop[Citation].append(pk)
            old = {pk: excerpt for pk, _, _, excerpt in existing.citations}
        for index, (source, paragraph, excerpt) in enumerate(target.citations):
            if index in matches:
                if old[matches[index]] != excerpt:
                    update[Citation].append(Citation(pk=matches[index], excerpt=excerpt))
                continue
            base = key = citation_key(paragraph, excerpt)
            n = 2
            while key in keys:
                key, n = f"{base}-{n}", n + 1
            keys.add(key)
            add[Citation].append(
                Citation(
                    dialogue_id=dialogue_id,
                    source_id=lookups.sources[source],
                    paragraph=paragraph,
                    excerpt=excerpt,
                    key=key,
                )
            )
    for model in (Citation, Outcome, Participation, DialoguePlace, SeriesMembership):
        for chunk in chunks(drop[model]):
            model.objects.filter(pk__in=chunk).delete()
    fields = {
        Participation: ["role", "withheld", "withheld_until", "show_side"],
        Outcome: ["description"],
        Citation: ["excerpt"],
        DialoguePlace: ["position"],
    }
    for model in (Participation, Outcome, Citation, DialoguePlace, SeriesMembership):
        if update[model]:
            model.objects.bulk_update(update[model], fields[model], batch_size=BULK)
        if add[model]:
            model.objects.bulk_create(add[model], batch_size=BULK)
