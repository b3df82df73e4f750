"""Write a clean import as one batch, and undo a batch.

The import reads the stored file again and checks it again inside its transaction, so what is
written is what the dry run showed, and one invalid row means nothing is written. Records are
written in bulk (a few queries per thousand rows, not several per row), so what the model's
save and the signals do is done here for the whole batch: date bounds and words, the version
number, timestamps, one revision holding every record with its rows, the search index and the
cache generation.
"""

from __future__ import annotations

import json
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.utils import timezone
from reversion.models import Revision, Version

from .. import caching
from ..models import (
    Citation,
    Dialogue,
    ImportBatch,
    ImportedRecord,
    Outcome,
    Participation,
    Status,
    citation_key,
)
from ..search.index import rebuild_index
from .plan import CHUNK, Plan, RowPlan, _unnamed_hidden, make_plan

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
    "summary",
    "embargo_until",
    "version",
    "updated",
]
BULK = 500


class ImportRefused(Exception):
    """The import or undo was not made; the message says why. Nothing was written."""

    def __init__(self, message: str, plan: Plan | None = None):
        super().__init__(message)
        self.plan = plan


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def store(name: str, content: bytes, *, user=None, progress=None) -> tuple[ImportBatch, Plan]:
    """Keep an uploaded file as a batch and make its dry run (raises UnreadableFile)."""
    plan = make_plan(name, content, progress=progress)
    batch = ImportBatch.objects.create(
        created_by=user if user is not None and user.is_authenticated else None,
        file_name=name[:255],
        sha256=plan.sha256,
        content=content,
    )
    _count(batch, plan)
    batch.save()
    return batch, plan


def _count(batch: ImportBatch, plan: Plan) -> None:
    counts = plan.counts
    batch.rows = len(plan.rows)
    batch.created_count = counts["new"]
    batch.changed_count = counts["changed"]
    batch.unchanged_count = counts["unchanged"]
    batch.invalid_count = counts["invalid"]


def dry_run(batch: ImportBatch, *, progress=None) -> Plan:
    return make_plan(batch.file_name, bytes(batch.content), progress=progress)


def run_import(batch: ImportBatch, *, user=None, progress=None) -> Plan:
    """Check the batch's file again and write it, all or nothing; return the plan written."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.state != ImportBatch.State.CHECKED:
            raise ImportRefused(
                f"Import #{batch.pk} was {batch.get_state_display().lower()} already."
            )
        plan = make_plan(batch.file_name, bytes(batch.content), progress=progress)
        if not plan.is_clean:
            raise ImportRefused(
                f"Nothing was imported: {plan.count('invalid')} row(s) are invalid now. "
                "Correct the file and upload it again.",
                plan,
            )
        new = [row for row in plan.rows if row.action == "new"]
        changed = [row for row in plan.rows if row.action == "changed"]
        _refuse_moved(changed, plan)
        now = timezone.now()
        befores = _snapshots([row.existing.pk for row in changed])
        created = _create(new, plan, now)
        _change(changed, plan, now)
        _write_rows([*new, *changed], plan, created)
        ids = [created[row.slug] for row in new] + [row.existing.pk for row in changed]
        actor = user if user is not None and user.is_authenticated else None
        if ids:
            record_revision(ids, user=actor, comment=batch.revision_comment, when=now)
            rebuild_index(ids)
            caching.bump()
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
    return plan


def _refuse_moved(changed: list[RowPlan], plan: Plan) -> None:
    """Lock the records to change and refuse if one was saved since it was read."""
    expected = {row.existing.pk: row for row in changed}
    for chunk in _chunks(expected):
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
    for chunk in _chunks(ids):
        rows = defaultdict(list)
        for model in (Participation, Outcome, Citation):
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
    for chunk in _chunks(by_pk):
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
            kept = _unnamed_hidden(existing, target.takings) if target.masked else set()
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
    for model in (Citation, Outcome, Participation):
        for chunk in _chunks(drop[model]):
            model.objects.filter(pk__in=chunk).delete()
    fields = {
        Participation: ["role", "withheld", "withheld_until", "show_side"],
        Outcome: ["description"],
        Citation: ["excerpt"],
    }
    for model in (Participation, Outcome, Citation):
        if update[model]:
            model.objects.bulk_update(update[model], fields[model], batch_size=BULK)
        if add[model]:
            model.objects.bulk_create(add[model], batch_size=BULK)


# --- History --------------------------------------------------------------------------------


def _items(model, rows, extra: int):
    """Each row of `values_list(*concrete attnames, *extra)` as Django's serializer gives it."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    label = model._meta.label_lower
    for values in rows:
        item = {
            "model": label,
            "pk": values[0],
            "fields": {field.name: values[i] for i, field in enumerate(fields, start=1)},
        }
        yield item, values[len(fields) + 1 : len(fields) + 1 + extra]


def _rows(model, chunk, *extra):
    attnames = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    key = "pk" if model is Dialogue else "dialogue_id"
    queryset = model.objects.filter(**{f"{key}__in": chunk}).order_by("pk")
    return queryset.values_list("pk", *attnames, *extra)


def record_revision(ids, *, user, comment: str, when) -> Revision:
    """Save one revision holding each dialogue and its rows as they are now.

    What `reversion.create_revision()` with `add_to_revision` saves, made in bulk: following
    each dialogue's rows one query at a time, naming each participation with two more, and
    building a model instance for every row, would cost tens of thousands of queries and most
    of a large import's time. The data is Django's JSON serialization, as reversion stores it.
    """
    revision = Revision.objects.create(date_created=when, user=user, comment=comment)
    roles = dict(Participation._meta.get_field("role").choices)
    kinds = dict(Outcome._meta.get_field("kind").choices)
    # What each row's name (`object_repr`, its __str__) is made from, read in the same query.
    extras = {
        Dialogue: ("title",),
        Participation: ("participant__name",),
        Outcome: (),
        Citation: ("source__title",),
    }
    versions = []
    for chunk in _chunks(ids):
        names = {}
        for model in (Dialogue, Participation, Outcome, Citation):
            extra = extras[model]
            content_type = ContentType.objects.get_for_model(model)
            db = router.db_for_write(model)
            for item, more in _items(model, _rows(model, chunk, *extra), len(extra)):
                fields = item["fields"]
                if model is Dialogue:
                    names[item["pk"]] = shown = more[0]
                elif model is Participation:
                    role = roles.get(fields["role"], fields["role"])
                    shown = f"{more[0]} in {names[fields['dialogue']]} ({role})"
                elif model is Outcome:
                    shown = str(kinds.get(fields["kind"], fields["kind"]))
                else:
                    shown = f"{more[0]} ¶{fields['paragraph']}"
                versions.append(
                    (
                        revision.pk,
                        str(item["pk"]),
                        content_type.pk,
                        db,
                        "json",
                        json.dumps([item], cls=DjangoJSONEncoder, ensure_ascii=False),
                        shown,
                    )
                )
    _insert_versions(versions)
    return revision


def _insert_versions(rows: list[tuple]) -> None:
    """Insert reversion's Version rows with one prepared statement.

    `bulk_create` builds SQL and a model instance for each of the tens of thousands of rows a
    large import records, which took longer than writing the records themselves.
    """
    meta = Version._meta
    names = ("revision", "object_id", "content_type", "db", "format", "serialized_data")
    columns = [meta.get_field(name).column for name in (*names, "object_repr")]
    connection = connections[router.db_for_write(Version)]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


# --- Undo -----------------------------------------------------------------------------------


def undo(batch: ImportBatch, *, user, reason: str) -> ImportBatch:
    """Undo an import: delete the drafts it created and put back the records it changed.

    Refused, naming the records, when one has been edited or published since (undoing would
    throw that work away); publish or revert those by hand first.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ImportRefused("Give a reason for undoing the import.")
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.state != ImportBatch.State.IMPORTED:
            raise ImportRefused(
                f"Import #{batch.pk} cannot be undone: it is “{batch.get_state_display()}”."
            )
        records = list(batch.records.all())
        ids = [record.dialogue_id for record in records if record.dialogue_id]
        current = {}
        for chunk in _chunks(ids):
            current.update(
                (pk, (version, status))
                for pk, version, status in Dialogue.objects.select_for_update()
                .filter(pk__in=chunk)
                .values_list("pk", "version", "status")
            )
        blocked = []
        for record in records:
            state = current.get(record.dialogue_id)
            if state is None:
                blocked.append(f"“{record.title}” ({record.slug}) has been deleted")
            elif record.action == ImportedRecord.Action.CREATED and state[1] != Status.DRAFT:
                blocked.append(f"“{record.title}” ({record.slug}) has been published since")
            elif state[0] != record.version_after:
                blocked.append(f"“{record.title}” ({record.slug}) has been edited since")
        if blocked:
            shown = "; ".join(blocked[:10]) + (
                f"; and {len(blocked) - 10} more" if len(blocked) > 10 else ""
            )
            raise ImportRefused(
                f"Import #{batch.pk} was not undone, because undoing it would throw away later "
                f"work: {shown}. Revert or unpublish these by hand, or leave the import as it is."
            )
        now = timezone.now()
        changed = [r for r in records if r.action == ImportedRecord.Action.CHANGED]
        created = [r.dialogue_id for r in records if r.action == ImportedRecord.Action.CREATED]
        _restore(changed, now, current)
        _delete_dialogues(created)
        restored = [r.dialogue_id for r in changed]
        actor = user if user is not None and user.is_authenticated else None
        if restored:
            record_revision(
                restored, user=actor, comment=f"Undid import #{batch.pk}: {reason}", when=now
            )
        rebuild_index(ids)
        caching.bump()
        batch.state = ImportBatch.State.UNDONE
        batch.undone_at = now
        batch.undone_by = actor
        batch.undo_reason = reason
        batch.save()
    return batch


def _delete_dialogues(ids: list[int]) -> None:
    """Delete dialogues with their rows, a chunk of ids at a time, in four statements a chunk.

    `QuerySet.delete()` sends a signal for each of the dialogues and their rows, and each signal
    moves the cache generation on in its own UPDATE: some 80,000 statements for a large import.
    Records pointing at a deleted dialogue are dealt with as their `on_delete` says; a relation
    this does not know (a model added later) falls back to `delete()`. The caller rebuilds the
    index and moves the generation on once.
    """
    inline = (Citation, Outcome, Participation)
    connection = connections[router.db_for_write(Dialogue)]
    quote = connection.ops.quote_name
    for chunk in _chunks(ids):
        known = True
        # Hidden relations too (`related_name="+"`, as an ImportedRecord's).
        relations = [
            f
            for f in Dialogue._meta.get_fields(include_hidden=True)
            if f.is_relation and f.auto_created and not f.concrete
        ]
        for relation in relations:
            if relation.related_model in inline:
                continue
            if relation.on_delete is models.SET_NULL:
                name = relation.field.name
                relation.related_model._base_manager.filter(**{f"{name}__in": chunk}).update(
                    **{name: None}
                )
            else:
                known = False
        if not known:
            Dialogue.objects.filter(pk__in=chunk).delete()
            continue
        marks = ", ".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            for model in inline:
                column = model._meta.get_field("dialogue").column
                cursor.execute(
                    f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(column)} IN ({marks})",
                    chunk,
                )
            cursor.execute(
                f"DELETE FROM {quote(Dialogue._meta.db_table)} WHERE id IN ({marks})", chunk
            )


def _restore(records: list[ImportedRecord], now, current) -> None:
    """Put each dialogue and its rows back as the snapshot has them, keeping their ids."""
    for chunk in _chunks(records):
        ids = [record.dialogue_id for record in chunk]
        dialogues, rows = [], defaultdict(list)
        for record in chunk:
            for item in serializers.deserialize("json", record.before):
                obj = item.object
                if isinstance(obj, Dialogue):
                    obj.version = current[obj.pk][0] + 1
                    obj.updated = now
                    dialogues.append(obj)
                else:
                    rows[type(obj)].append(obj)
        for model in (Citation, Outcome, Participation):
            model.objects.filter(dialogue_id__in=ids).delete()
        fields = [
            f.name
            for f in Dialogue._meta.concrete_fields
            if not f.primary_key and f.name != "created"
        ]
        Dialogue.objects.bulk_update(dialogues, fields, batch_size=BULK)
        for model in (Participation, Outcome, Citation):
            if rows[model]:
                model.objects.bulk_create(rows[model], batch_size=BULK)
