"""What follows a change to the archive: the one place that says it.

Every writer (the admin, the editorial actions, the import and its undo, the fixture loader and
its sync, the synthetic generator) changes records through the models or in bulk, and this
module decides what follows, inside the transaction that made the change:

- **the generation** (`caching.bump`) moves on once per transaction, at its first change, so
  that every cached figure keyed by it is recomputed after the commit.
- **the facet index**, keyed by the generation too, is updated in place once the transaction
  has committed: the bits of the dialogues it changed, in this process's copy and in the
  shared cache's, so that no worker rebuilds it (`_update_facet_index`). A rolled-back
  transaction never reaches it. A change it cannot follow exactly (a bulk load, a deleted
  participant, organisation, series or place, a record it does not know) leaves the index to
  be built again, as every change did before.
- **the search index** is rebuilt once for every dialogue the transaction touched, and for every
  dialogue of a participant whose name changed, when the transaction commits (or at the end of
  a `batch()`, still inside it).
- **the bookkeeping**: a renamed record's old address is kept (`PastSlug`), a dialogue,
  organisation, place or series readers could see and no longer can leaves a `Removal` for the
  changes feed, and every save stamps its record's `updated` time, the datestamp the changes
  feed and OAI-PMH list it at. What a dialogue's record shows of its places, series and
  organisations is part of it: a change to one of its places or series (`LINK_ROWS`), or a
  save of a public place, series or organisation it names, moves the dialogue's `updated` too
  (`_announce_linked`), so feeds list it again as updated.

Saves and deletions through the models reach it through the signal receivers below. A bulk
writer that bypasses them (`bulk_create`, `update`, raw SQL) calls `changed()` with the ids it
touched, inside `batch()`, and calls no effect itself.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable

from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from . import caching, era_rules
from .listing import facet_index
from .models import (
    Affiliation,
    AffiliationCitation,
    Citation,
    Conflict,
    Dialogue,
    DialogueLink,
    DialoguePlace,
    DisagreementCitation,
    Era,
    ExternalId,
    FixtureRecord,
    ImportBatch,
    ImportedRecord,
    KeepsPastSlugs,
    NameVariant,
    Organisation,
    OrganisationCitation,
    Outcome,
    Participant,
    Participation,
    PastSlug,
    Place,
    Removal,
    RevisionReason,
    Series,
    SeriesLink,
    SeriesMembership,
    Source,
    SourceDisagreement,
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
# Records the changes feed lists (and whose removals it announces) besides dialogues.
FEED_AUTHORITIES = (Organisation, Place, Series)
# A dialogue's rows that its public record shows but its own form may not save: a change to one
# (from a series' page in the admin, a merge) moves the dialogue's datestamp.
LINK_ROWS = (DialoguePlace, SeriesMembership, DialogueLink)
# Records whose names (every form) the index holds beside each dialogue linked to them.
NAMED_IN_INDEX = (Organisation, Place)
# What the facet index holds of a dialogue besides its rows above: changing one of these
# changes the facets of the dialogues it is tied to (found when the transaction commits).
FACET_ROWS = (DialoguePlace, SeriesMembership)
# Each owner, with the rows that tie it to its dialogues and the column naming it there.
FACET_OWNERS = {
    Participant: (Participation, "participant_id"),
    Organisation: (Participation, "on_behalf_of_id"),
    Series: (SeriesMembership, "series_id"),
    Place: (DialoguePlace, "place_id"),
}
# Records the facet index holds nothing of (an era's name is read afresh by every update).
FACET_NEUTRAL = (
    *(PastSlug, Removal, NameVariant, Citation, ExternalId, Source, SourceDisagreement),
    *(DisagreementCitation, OrganisationCitation, Affiliation, AffiliationCitation),
    *(DialogueLink, SeriesLink, RevisionReason, Era, Conflict),
)

_ATTRIBUTE = "_archive_changes"
logger = logging.getLogger(__name__)


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
        # The generation this transaction moves the archive to, and the token of the facet
        # index's lock for it (set by `_current`).
        self.generation: int | None = None
        self.reserved: str | None = None
        # For the facet index, kept until the commit (`reindex` may run before it, in `batch`):
        # the dialogues changed, the records whose dialogues' facets changed (model -> ids),
        # and whether the change is one the index cannot follow in place.
        self.facet_dialogues: set[int] = set()
        self.facet_owners: dict[type, set[int]] = {}
        self.facets_unknown = False

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
        return search_index.rebuild_index(None if everything else dialogues, using=self.using)

    def facet_changes(self) -> set[int] | None:
        """The dialogues whose facets this transaction changed, read after its commit; None
        when the index cannot follow it in place."""
        if self.facets_unknown:
            return None
        dialogues = set(self.facet_dialogues)
        for model, ids in self.facet_owners.items():
            rows_model, field = FACET_OWNERS[model]
            rows = rows_model.objects.using(self.using).filter(**{f"{field}__in": ids})
            dialogues.update(rows.values_list("dialogue_id", flat=True).distinct())
        return dialogues

    def commit(self) -> None:
        connection = connections[self.using]
        if getattr(connection, _ATTRIBUTE, None) is self:
            delattr(connection, _ATTRIBUTE)
        # The facet index first: until it is stored, readers of the new generation answer by
        # SQL (the lock `reserve` took tells them it is coming).
        try:
            dialogues = self.facet_changes()
        except Exception:
            logger.exception("facet index: the changes could not be read; it will be built")
            dialogues = None
        _update_facet_index(
            dialogues, using=self.using, generation=self.generation, reserved=self.reserved
        )
        self.reindex()
        caching.forget_generation()


def _update_facet_index(
    dialogues: set[int] | None,
    *,
    using: str,
    generation: int | None = None,
    reserved: str | None = None,
) -> None:
    """Bring the facet index up to date with the changed dialogues (None: all of them).

    Called once the transaction has committed. The index of the generation before it (this
    process's, else the shared cache's) is updated in place and stored as the index of
    `generation`, so that the next request of any worker reads it instead of building it. With
    no index before, or when `dialogues` is None or many, the index is left to be built.
    """
    if generation is None:
        return
    try:
        facet_index.follow(dialogues, generation=generation, using=using, reserved=reserved)
    except Exception:
        # The save has committed; a failed update only leaves the index to be built again.
        logger.exception("facet index: the update in place failed; it will be built again")


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
    changes.generation = caching.bump(using=using)
    if transaction_id is not None:
        # A change a test makes in its own body never commits: it takes no lock either.
        changes.reserved = facet_index.reserve(changes.generation, using=using)
    transaction.on_commit(changes.commit, using=using, robust=True)
    return changes


def changed(
    *,
    dialogues: Iterable[int] = (),
    participants: Iterable[int] = (),
    everything: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    facets: dict | None = None,
) -> None:
    """Note that the transaction under way changed the archive, touching these records.

    `dialogues` are dialogues whose own row or rows (participations, outcomes, citations)
    changed or went; `participants` are participants whose name changed; `everything` says
    that any dialogue may have (a bulk load). Outside a transaction the change has committed
    already, and what follows it is done at once.

    `facets` (from the receivers below) says what else the change means for the facet index:
    `{"owner": (model, pk)}` for a record whose dialogues' facets may have changed, or
    `{"unknown": True}` for one the index cannot follow in place.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        with transaction.atomic(using=using):
            changed(
                dialogues=dialogues,
                participants=participants,
                everything=everything,
                using=using,
                facets=facets,
            )
        return
    changes = _current(using)
    dialogues = [pk for pk in dialogues if pk is not None]
    participants = [pk for pk in participants if pk is not None]
    changes.dialogues.update(dialogues)
    changes.participants.update(participants)
    changes.everything |= everything
    changes.facet_dialogues.update(dialogues)
    if participants:
        changes.facet_owners.setdefault(Participant, set()).update(participants)
    changes.facets_unknown |= everything or bool((facets or {}).get("unknown"))
    if facets and "owner" in facets:
        model, pk = facets["owner"]
        changes.facet_owners.setdefault(model, set()).add(pk)


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
    elif sender in FEED_AUTHORITIES:
        removals._note_state_before(sender, instance, raw=raw, compare_always=True)
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
    elif sender in FEED_AUTHORITIES:
        removals._record_change(sender, instance, raw=raw, using=using)
        if not raw and (instance._was_public or instance.is_public):
            _announce_linked(sender, instance.pk, using=using)
    elif sender is Participation:
        removals._announce_withheld(sender, instance, raw=raw, using=using)
    elif issubclass(sender, LINK_ROWS) and not raw:
        announce_dialogues(_row_dialogues(instance), using=using)
    changed(
        using=using,
        facets=_facets(sender, instance, deleted=False),
        **_touched(sender, instance, created, using),
    )


@receiver(post_delete, dispatch_uid="archive-deleted")
def after_delete(sender, instance, using=None, **kwargs):
    if not _is_archive(sender):
        return
    using = using or DEFAULT_DB_ALIAS
    if sender is Dialogue or sender in FEED_AUTHORITIES:
        removals._record_deletion(sender, instance, using=using)
    elif sender is Participation:
        withheld_pairs._keep_pair(sender, instance, using=using)
    elif issubclass(sender, LINK_ROWS):
        announce_dialogues(_row_dialogues(instance), using=using)
    changed(
        using=using,
        facets=_facets(sender, instance, deleted=True),
        **_touched(sender, instance, False, using),
    )


def announce_dialogues(ids: Iterable[int], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Move these dialogues' datestamps to now: what their public records show has changed
    without a save of their own (a place renamed or unpublished, a series merged)."""
    ids = sorted({pk for pk in ids if pk is not None})
    now = timezone.now()
    for start in range(0, len(ids), 500):
        Dialogue._base_manager.using(using).filter(pk__in=ids[start : start + 500]).update(
            updated=now
        )


def _row_dialogues(row) -> list[int]:
    if isinstance(row, DialogueLink):
        return [row.origin_id, row.target_id]
    return [row.dialogue_id]


def _announce_linked(sender, pk: int, *, using: str) -> None:
    """Announce the dialogues whose records show this organisation, place or series."""
    if sender is Series:
        rows = SeriesMembership.objects.using(using).filter(series_id=pk)
        announce_dialogues(rows.values_list("dialogue_id", flat=True), using=using)
    else:
        announce_dialogues(_linked_dialogues(sender._meta.model_name, pk, using=using), using=using)


def merged(keep, lose_pk: int, lose_slug: str) -> None:
    """Lead the addresses of a record merged into `keep` (its own and past ones) to it: a
    participant, organisation, place or series. The removal the merged record left, if readers
    saw it, names `keep`."""
    kind = keep._meta.model_name
    PastSlug.objects.filter(kind=kind, object_id=lose_pk).update(object_id=keep.pk)
    PastSlug.remember(keep, lose_slug)
    Removal.objects.filter(kind=kind, object_id=lose_pk).update(merged_into=keep.pk)
    # Removals of records merged into the one merged now lead on to `keep`.
    Removal.objects.filter(kind=kind, merged_into=lose_pk).update(merged_into=keep.pk)


def _touched(sender, instance, created: bool, using: str = DEFAULT_DB_ALIAS) -> dict:
    if sender is Dialogue:
        return {"dialogues": [instance.pk]}
    if issubclass(sender, DIALOGUE_ROWS):
        return {"dialogues": [instance.dialogue_id]}
    if issubclass(sender, FACET_ROWS):
        # Not in the search index's rows, but in the facet index's (a place's country, a
        # series); the search index row is rebuilt along, which is harmless.
        return {"dialogues": [instance.dialogue_id]}
    if sender is Participant and not created and getattr(instance, "_search_name_changed", True):
        return {"participants": [instance.pk]}
    if sender is NameVariant and instance.participant_id:
        # Another form of a participant's name is searchable in every dialogue they took part in.
        return {"participants": [instance.participant_id]}
    # An organisation's or a place's names (and whether it is public) are searchable in every
    # dialogue linked to it: a save of the record or of one of its forms reindexes those.
    owner = None
    if sender is NameVariant:
        owner = instance.organisation_id and ("organisation", instance.organisation_id)
        owner = owner or (instance.place_id and ("place", instance.place_id))
    elif issubclass(sender, NAMED_IN_INDEX) and not created:
        owner = (sender._meta.model_name, instance.pk)
    if owner:
        return {"dialogues": _linked_dialogues(*owner, using=using)}
    return {}


def _linked_dialogues(kind: str, pk: int, *, using: str) -> list[int]:
    if kind == "organisation":
        rows = Participation.objects.using(using).filter(on_behalf_of_id=pk)
    else:
        rows = DialoguePlace.objects.using(using).filter(place_id=pk)
    return list(rows.values_list("dialogue_id", flat=True).distinct())


def _facets(sender, instance, *, deleted: bool) -> dict:
    """What a save or deletion through the models means for the facet index (see `changed`)."""
    if sender is Dialogue or issubclass(sender, DIALOGUE_ROWS) or issubclass(sender, FACET_ROWS):
        return {}  # its dialogue is noted as changed (`_touched`, and below)
    if issubclass(sender, FACET_NEUTRAL):
        return {}
    if sender in FACET_OWNERS and not deleted:
        return {"owner": (sender, instance.pk)}
    # A deleted owner's rows are gone or changed by the time of the commit, without signals.
    return {"unknown": True}


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
