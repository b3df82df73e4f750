"""Undo an import: delete the drafts it created and put back the records it changed."""

from __future__ import annotations

from collections import defaultdict

from django.core import serializers
from django.db import connections, models, router
from django.utils import timezone
from django.utils.translation import gettext

from .. import publishing_rights, writes
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
)
from . import rights
from .archive import chunks
from .history import record_revision
from .plan import ImportRefused

BULK = 500


def undo(batch: ImportBatch, *, user, reason: str) -> ImportBatch:
    """Undo an import: delete the drafts it created and put back the records it changed.

    Refused, naming the records, when one has been edited or published since (undoing would
    throw that work away); publish or revert those by hand first.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ImportRefused("Give a reason for undoing the import.")
    with writes.batch():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.state != ImportBatch.State.IMPORTED:
            raise ImportRefused(
                f"Import #{batch.pk} cannot be undone: it is “{batch.get_state_display()}”."
            )
        records = list(batch.records.all())
        ids = [record.dialogue_id for record in records if record.dialogue_id]
        current = {}
        for chunk in chunks(ids):
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
        if user is not None and not publishing_rights.may_decide(user):
            fields = rights.undo_changes(changed)
            if fields:
                raise ImportRefused(
                    publishing_rights.refusal(
                        fields, gettext("Undoing import #%(n)s") % {"n": batch.pk}
                    )
                )
        created = [r.dialogue_id for r in records if r.action == ImportedRecord.Action.CREATED]
        _restore(changed, now, current)
        _delete_dialogues(created)
        restored = [r.dialogue_id for r in changed]
        actor = user if user is not None and user.is_authenticated else None
        if restored:
            record_revision(
                restored, user=actor, comment=f"Undid import #{batch.pk}: {reason}", when=now
            )
        writes.changed(dialogues=ids)
        batch.state = ImportBatch.State.UNDONE
        batch.undone_at = now
        batch.undone_by = actor
        batch.undo_reason = reason
        batch.save()
    return batch


def _delete_dialogues(ids: list[int]) -> None:
    """Delete dialogues with their rows, a chunk of ids at a time, in four statements a chunk.

    `QuerySet.delete()` sends a signal for each of the dialogues and their rows, each with
    statements of its own: some 80,000 statements for a large import.
    Records pointing at a deleted dialogue are dealt with as their `on_delete` says; a relation
    this does not know (a model added later) falls back to `delete()`. The caller notes the ids
    with `writes.changed`, which reindexes them and moves the generation on once.
    """
    inline = (Citation, Outcome, Participation, DialoguePlace, SeriesMembership)
    connection = connections[router.db_for_write(Dialogue)]
    quote = connection.ops.quote_name
    for chunk in chunks(ids):
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
    for chunk in chunks(records):
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
        for model in (Citation, Outcome, Participation, DialoguePlace, SeriesMembership):
            model.objects.filter(dialogue_id__in=ids).delete()
        fields = [
            f.name
            for f in Dialogue._meta.concrete_fields
            if not f.primary_key and f.name != "created"
        ]
        Dialogue.objects.bulk_update(dialogues, fields, batch_size=BULK)
        for model in (Participation, Outcome, Citation, DialoguePlace, SeriesMembership):
            if rows[model]:
                model.objects.bulk_create(rows[model], batch_size=BULK)
