"""What follows a change to the archive: the one place that says it.

Every writer (the admin, the editorial actions, the import and its undo, the fixture loader and
its sync, the synthetic generator) changes records through the models or in bulk, and this
module decides what follows, inside the transaction that made the change:

- **the generation** (`caching.bump`) moves on once per transaction, at its first change, so
  that every cached figure keyed by it is recomputed after the commit. The facet index is keyed
  by the generation too: moving it on is, for now, the facet index's update
  (`_update_facet_index`).
- **the search index** is rebuilt once for every dialogue the transaction touched, and for every
  dialogue of a participant whose name changed, when the transaction commits (or at the end of
  a `batch()`, still inside it).
- **the bookkeeping**: a renamed record's old address is kept (`PastSlug`), a dialogue readers
  could see and no longer can leaves a `Removal` for the changes feed, and every save stamps its
  record's `updated` time, the datestamp the changes feed and OAI-PMH list it at.

Saves and deletions through the models reach it through the signal receivers below. A bulk
writer that bypasses them (`bulk_create`, `update`, raw SQL) calls `changed()` with the ids it
touched, inside `batch()`, and calls no effect itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from . import caching, era_rules
from .models import (
    Citation,
    Dialogue,
    Era,
    FixtureRecord,
    ImportBatch,
    ImportedRecord,
    KeepsPastSlugs,
    NameVariant,
    Outcome,
    Participant,
    Participation,
    PastSlug,
    Timestamped,
    UncertainDate,
    WithheldPair,
    removals,
    withheld_pairs,
)
from .search import index as search_index

# Records about writes rather than of the archive: saving them changes nothing a reader sees.
NOT_ARCHIVE = (ImportBatch, ImportedRecord, FixtureRecord, WithheldPair)
# The rows of a dialogue: a change to one is a change to its dialogue's index row.
DIALOGUE_ROWS = (Participation, Outcome, Citation)

_ATTRIBUTE = "_archive_changes"


class _Changes:
    """What one transaction has changed so far, on one connection, and what still has to follow.

    Registered with `transaction.on_commit` when made; a savepoint rolled back past that moment
    drops the registration, and the next change starts a new one (and moves the generation on
    again, since the rollback undid that too).
    """

    def __init__(self, using: str, transaction_id):
        self.using = using
        self.transaction_id = transaction_id
        self.dialogues: set[int] = set()
        self.participants: set[int] = set()
        self.everything = False

    def is_registered(self) -> bool:
        connection = connections[self.using]
        return any(callback == self.commit for _, callback, _ in connection.run_on_commit)

    def reindex(self) -> int:
        """Rebuild the index rows of every dialogue touched so far, once; forget them.

        Return how many dialogues were indexed."""
        dialogues, participants = self.dialogues, self.participants
        if not (dialogues or participants or self.everything):
            return 0
        everything, self.everything = self.everything, False
        self.dialogues, self.participants = set(), set()
        if participants and not everything:
            dialogues |= set(
                Participation.objects.using(self.using)
                .filter(participant_id__in=participants)
                .values_list("dialogue_id", flat=True)
            )
        indexed = search_index.rebuild_index(None if everything else dialogues, using=self.using)
        _update_facet_index(None if everything else dialogues, using=self.using)
        return indexed

    def commit(self) -> None:
        connection = connections[self.using]
        if getattr(connection, _ATTRIBUTE, None) is self:
            delattr(connection, _ATTRIBUTE)
        self.reindex()
        caching.forget_generation()


def _update_facet_index(dialogues: set[int] | None, *, using: str) -> None:
    """Bring the facet index up to date with the changed dialogues (None: all of them).

    The facet index is keyed by the generation, which this transaction has moved on already:
    each worker rebuilds its index on its next filtered request. An update in place of the
    changed dialogues' bits belongs here.
    """


def _transaction_id(connection):
    """Name the transaction under way: its outermost atomic block, by its savepoint if any.

    The blocks a test case wraps around each test are not counted: a change made directly in a
    test's body stands for a change made outside any transaction (None), as it would be in the
    code under test. Savepoint names are never reused on a connection.
    """
    for depth, block in enumerate(connection.atomic_blocks):
        if not getattr(block, "_from_testcase", False):
            return connection.savepoint_ids[depth - 1] if depth else "outermost"
    return None


def _current(using: str) -> _Changes:
    """Return the changes of the transaction under way, starting them at its first change."""
    connection = connections[using]
    changes = getattr(connection, _ATTRIBUTE, None)
    transaction_id = _transaction_id(connection)
    if (
        changes is not None
        and transaction_id is not None
        and changes.transaction_id == transaction_id
        and changes.is_registered()
    ):
        return changes
    changes = _Changes(using, transaction_id)
    setattr(connection, _ATTRIBUTE, changes)
    caching.bump(using=using)
    transaction.on_commit(changes.commit, using=using, robust=True)
    return changes


def changed(
    *,
    dialogues: Iterable[int] = (),
    participants: Iterable[int] = (),
    everything: bool = False,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Note that the transaction under way changed the archive, touching these records.

    `dialogues` are dialogues whose own row or rows (participations, outcomes, citations)
    changed or went; `participants` are participants whose name changed; `everything` says
    that any dialogue may have (a bulk load). Outside a transaction the change has committed
    already, and what follows it is done at once.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        with transaction.atomic(using=using):
            changed(
                dialogues=dialogues, participants=participants, everything=everything, using=using
            )
        return
    changes = _current(using)
    changes.dialogues.update(pk for pk in dialogues if pk is not None)
    changes.participants.update(pk for pk in participants if pk is not None)
    changes.everything |= everything


def flush(using: str = DEFAULT_DB_ALIAS) -> int:
    """Rebuild now, inside the transaction, the index rows the changes so far call for.

    Return how many dialogues were indexed. `batch()` does this at its end; a bulk writer that
    reports the figure, or that must analyse the tables after, calls it itself.
    """
    changes = getattr(connections[using], _ATTRIBUTE, None)
    if changes is None or not changes.is_registered():
        return 0
    return changes.reindex()


@contextlib.contextmanager
def batch(using: str = DEFAULT_DB_ALIAS):
    """Run a block of writes as one transaction whose search index is rebuilt at its end.

    The block's changes (through the models, or noted with `changed()`) move the generation on
    once, and the index rows of every dialogue they touched are rebuilt once, before the
    transaction commits, so the block's writes and their index commit together.
    """
    with transaction.atomic(using=using):
        yield
        # A block that asked for its rollback (a dry run) leaves nothing to index.
        if not transaction.get_rollback(using=using):
            flush(using)


def merged(keep, lose_pk: int, lose_slug: str) -> None:
    """Lead the addresses of a record merged into `keep` (its own and past ones) to it: a
    participant, organisation, place or series."""
    kind = keep._meta.model_name
    PastSlug.objects.filter(kind=kind, object_id=lose_pk).update(object_id=keep.pk)
    PastSlug.remember(keep, lose_slug)


# --- The receivers: saves and deletions through the models --------------------------------


def _is_archive(sender) -> bool:
    return sender._meta.app_label == "dialogues" and not issubclass(sender, NOT_ARCHIVE)


@receiver(pre_save, dispatch_uid="archive-before-save")
def before_save(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    """Fill derived fields and note what the save will have to compare with.

    A save stamps its record's `updated` time; a raw save (a fixture) keeps the fixture's,
    unless it is a correction that names `updated` among the fields it writes.
    """
    if isinstance(instance, UncertainDate):
        instance.fill_date_bounds()
    if isinstance(instance, Timestamped) and (not raw or "updated" in (update_fields or ())):
        instance.updated = timezone.now()
    if sender is Dialogue:
        removals._note_state_before(sender, instance, raw=raw)
    elif sender is Participation:
        removals._note_withheld_before(sender, instance, raw=raw)
    elif sender is Participant:
        _note_participant_name(instance, using, raw)


def _note_participant_name(instance, using, raw) -> None:
    # Only a new name changes the index; one lookup here spares reindexing every dialogue a
    # participant took part in whenever their bio is edited. A raw save (a fixture) cannot be
    # compared cheaply in bulk, so it is treated as changed.
    if raw or instance.pk is None:
        instance._search_name_changed = raw
        return
    old = Participant.objects.using(using).filter(pk=instance.pk).values_list("name", flat=True)
    instance._search_name_changed = list(old) != [instance.name]


@receiver(post_save, dispatch_uid="archive-saved")
def after_save(sender, instance, created=False, raw=False, using=None, **kwargs):
    if not _is_archive(sender):
        return
    using = using or DEFAULT_DB_ALIAS
    if isinstance(instance, KeepsPastSlugs) and not raw:
        _keep_past_slug(instance, using)
    if sender is Dialogue:
        removals._record_change(sender, instance, raw=raw, using=using)
    elif sender is Participation:
        removals._announce_withheld(sender, instance, raw=raw, using=using)
    changed(using=using, **_touched(sender, instance, created))


@receiver(post_delete, dispatch_uid="archive-deleted")
def after_delete(sender, instance, using=None, **kwargs):
    if not _is_archive(sender):
        return
    using = using or DEFAULT_DB_ALIAS
    if sender is Dialogue:
        removals._record_deletion(sender, instance, using=using)
    elif sender is Participation:
        withheld_pairs._keep_pair(sender, instance, using=using)
    changed(using=using, **_touched(sender, instance, created=False))


def _touched(sender, instance, created: bool) -> dict:
    if sender is Dialogue:
        return {"dialogues": [instance.pk]}
    if issubclass(sender, DIALOGUE_ROWS):
        return {"dialogues": [instance.dialogue_id]}
    if sender is Participant and not created and getattr(instance, "_search_name_changed", True):
        return {"participants": [instance.pk]}
    if sender is NameVariant and instance.participant_id:
        # Another form of a participant's name is searchable in every dialogue they took part in.
        return {"participants": [instance.participant_id]}
    return {}


def _keep_past_slug(instance, using: str) -> None:
    """Leave the old address of a renamed record leading to it (Geniza's PastPersonSlug)."""
    old = getattr(instance, "_loaded_slug", None)
    if old and old != instance.slug:
        PastSlug.remember(instance, old, using=using)
        # The new slug is live now; a past address with the same name would never be reached.
        PastSlug.objects.using(using).filter(
            kind=instance._meta.model_name, slug=instance.slug
        ).delete()
    instance._loaded_slug = instance.slug


@receiver(pre_delete, sender=Era, dispatch_uid="era-timeline-before")
def note_the_timeline(sender, instance, **kwargs):
    era_rules.remember_timeline(instance)


@receiver(post_delete, sender=Era, dispatch_uid="era-timeline-after")
def keep_the_timeline_whole(sender, instance, **kwargs):
    era_rules.refuse_broken_timeline(instance)


request_started.connect(caching.start_request, dispatch_uid="archive-generation")
