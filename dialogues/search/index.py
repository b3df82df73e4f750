"""The search index: rebuilding it, and the signal receivers that keep it fresh.

The receivers reindex the affected dialogues once their transaction commits.
`QuerySet.update()`, `bulk_create()` and raw SQL send no signals: call `rebuild_index()` after
them.

Withheld names are left out of the index (`columns.texts`), and the index notes which
participations each row was built without (the table `dialogues_search_withheld`). Every search
first calls `refresh_disclosures()`, which compares those notes with the participations as they
are today and rebuilds the rows that differ: an embargo that has lapsed (its date has come, or
its flag was cleared even by an `update()`) puts the name into the index before the search
reads it, and a participation newly withheld is taken out. So a name becomes searchable on its
date without anyone acting, and there is no scheduled job.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from ..models import (
    Citation,
    Dialogue,
    NameVariant,
    Outcome,
    Participant,
    Participation,
    withheld_sql,
)
from ..models.disclosure import today
from . import postgres, sqlite
from .columns import ID_CHUNK, id_filter

WITHHELD_TABLE = "dialogues_search_withheld"


def rebuild_index(ids: Iterable[int] | None = None, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Reindex every dialogue, or only those with the given ids; return how many were indexed.

    Ids of dialogues that no longer exist are dropped from the index. Each batch of up to
    ID_CHUNK ids (or the whole archive) is one DELETE and one INSERT … SELECT on SQLite, one
    UPDATE on PostgreSQL, however many dialogues it holds.
    """
    vendor = connections[using].vendor
    if ids is None:
        batches = [None]
    else:
        wanted = sorted({int(pk) for pk in ids})
        batches = [wanted[i : i + ID_CHUNK] for i in range(0, len(wanted), ID_CHUNK)]
    indexed = 0
    day = today()
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for batch in batches:
            if vendor == "postgresql":
                indexed += postgres.rebuild(cursor, batch, day)
            elif vendor == "sqlite":
                indexed += sqlite.rebuild(cursor, batch, day)
            _note_withheld(cursor, batch, day)
    return indexed


def _note_withheld(cursor, batch: list[int] | None, day) -> None:
    """Record which participations the index rows of `batch` were built without."""
    where, params = id_filter("dialogue_id", batch)
    cursor.execute(f"DELETE FROM {WITHHELD_TABLE} {where}", params)
    where, params = id_filter("pp.dialogue_id", batch)
    hidden = withheld_sql("pp", day)
    condition = f"{where} AND {hidden}" if where else f"WHERE {hidden}"
    cursor.execute(
        f"INSERT INTO {WITHHELD_TABLE} (participation_id, dialogue_id) "
        f"SELECT pp.id, pp.dialogue_id FROM dialogues_participation pp {condition}",
        params,
    )


def stale_dialogues(*, using: str = DEFAULT_DB_ALIAS) -> set[int]:
    """Return the ids of dialogues whose index row disagrees with today's disclosures.

    Both halves read only withheld rows (the notes, and the participations' partial index),
    so the check costs the same however large the archive is.
    """
    hidden = withheld_sql("pp", today())
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"""
            SELECT w.dialogue_id FROM {WITHHELD_TABLE} w
            LEFT JOIN dialogues_participation pp ON pp.id = w.participation_id
            WHERE pp.id IS NULL OR pp.dialogue_id <> w.dialogue_id OR NOT {hidden}
            UNION
            SELECT pp.dialogue_id FROM dialogues_participation pp
            WHERE pp.withheld AND {hidden} AND NOT EXISTS (
                SELECT 1 FROM {WITHHELD_TABLE} w WHERE w.participation_id = pp.id
            )
            """
        )
        return {row[0] for row in cursor.fetchall()}


def refresh_disclosures(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Rebuild the index rows whose withheld names are not those of today; return how many."""
    stale = stale_dialogues(using=using)
    if stale:
        rebuild_index(stale, using=using)
    return len(stale)


# --- Freshness ----------------------------------------------------------------------------

# Ids waiting for the current transaction to commit, per connection (each thread has its own).
_PENDING_ATTRIBUTE = "_search_pending"


def _pending(using: str) -> dict[str, set[int]]:
    connection = connections[using]
    pending = getattr(connection, _PENDING_ATTRIBUTE, None)
    if pending is None:
        pending = {"dialogues": set(), "participants": set()}
        setattr(connection, _PENDING_ATTRIBUTE, pending)
    return pending


def _queue(using: str, *, dialogues=(), participants=()) -> None:
    pending = _pending(using)
    pending["dialogues"].update(pk for pk in dialogues if pk is not None)
    pending["participants"].update(pk for pk in participants if pk is not None)
    # A callback per change, not per transaction: one registered inside a savepoint that rolls
    # back is discarded, and a later change must not rely on it. After the first has run and
    # emptied the queue, the rest find nothing to do.
    transaction.on_commit(partial(_flush, using), using=using, robust=True)


def _flush(using: str) -> None:
    pending = _pending(using)
    dialogues, participants = pending["dialogues"], pending["participants"]
    if not dialogues and not participants:
        return
    pending["dialogues"], pending["participants"] = set(), set()
    if participants:
        dialogues |= set(
            Participation.objects.using(using)
            .filter(participant_id__in=participants)
            .values_list("dialogue_id", flat=True)
        )
    rebuild_index(dialogues, using=using)


@receiver(post_save, sender=Dialogue, dispatch_uid="search_dialogue_saved")
@receiver(post_delete, sender=Dialogue, dispatch_uid="search_dialogue_deleted")
def _dialogue_changed(sender, instance, using, **kwargs):
    _queue(using, dialogues=[instance.pk])


@receiver(post_save, sender=Participation, dispatch_uid="search_participation_saved")
@receiver(post_delete, sender=Participation, dispatch_uid="search_participation_deleted")
@receiver(post_save, sender=Outcome, dispatch_uid="search_outcome_saved")
@receiver(post_delete, sender=Outcome, dispatch_uid="search_outcome_deleted")
@receiver(post_save, sender=Citation, dispatch_uid="search_citation_saved")
@receiver(post_delete, sender=Citation, dispatch_uid="search_citation_deleted")
def _part_changed(sender, instance, using, **kwargs):
    _queue(using, dialogues=[instance.dialogue_id])


@receiver(pre_save, sender=Participant, dispatch_uid="search_participant_saving")
def _note_participant_name(sender, instance, using, raw=False, **kwargs):
    # Only a new name changes the index; one lookup here spares reindexing every dialogue a
    # participant took part in whenever their bio is edited. A raw save (a fixture) cannot be
    # compared cheaply in bulk, so it is treated as changed.
    if raw or instance.pk is None:
        instance._search_name_changed = raw
        return
    old = sender.objects.using(using).filter(pk=instance.pk).values_list("name", flat=True)
    instance._search_name_changed = list(old) != [instance.name]


@receiver(post_save, sender=Participant, dispatch_uid="search_participant_saved")
def _participant_saved(sender, instance, using, created, **kwargs):
    if not created and getattr(instance, "_search_name_changed", True):
        _queue(using, participants=[instance.pk])


@receiver(post_save, sender=NameVariant, dispatch_uid="search_name_form_saved")
@receiver(post_delete, sender=NameVariant, dispatch_uid="search_name_form_deleted")
def _name_form_changed(sender, instance, using, **kwargs):
    # Another form of a participant's name is searchable in every dialogue they took part in.
    if instance.participant_id:
        _queue(using, participants=[instance.participant_id])
