"""Records readers could see and no longer can, other than by withdrawal: kept for mirrors.

A withdrawn dialogue stays in the database and says so itself. A published dialogue taken back
to a draft, put under an embargo that has not lifted, or deleted by a superuser, leaves nothing
behind that a mirror could read, so each leaves a `Removal`: which record, its last public slug,
and when. The changes feed and the OAI-PMH provider report it as removed (`deleted` in OAI-PMH)
from then on, until the record is public again (published, or its embargo lifted), which
supersedes it. Written through `dialogues.writes`, in the transaction of the save or deletion
itself. Organisations, places and series leave one the same way (the changes feed lists them);
one merged into another leaves one naming the record it went to (`merged_into`).

A name newly withheld takes nothing down but the name: the dialogue's `updated` moves, so the
changes feed lists it again as `updated` (drawn with the name masked) and OAI-PMH gives it a new
datestamp.

A record that readers never saw (a draft deleted, an embargoed record unpublished before its
day) leaves no removal: a mirror never had it.

A write that sends no save signal (`bulk_update`, `QuerySet.update`, as an import writes) runs
inside `announced(ids)`, which compares the dialogues' states before and after it and does what
the receivers would have done for each: a removal for a seen record now hidden (an embargo set),
none for one public again (an embargo lifted), and a new datestamp for a dialogue with a name
newly withheld.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager

from django.db import models
from django.utils import timezone

from .publishing import Status


class Removal(models.Model):
    kind = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    slug = models.SlugField(max_length=120)
    # The era the record was in, so that a harvest of one era's set hears of its removal too;
    # a plain number, since the record (and even the era) may be gone.
    era_id = models.PositiveBigIntegerField(null=True, blank=True)
    # For a record merged into another of its kind: that record's id (it may be merged on, or
    # hidden, in its turn: readers of the removal check it when they read it).
    merged_into = models.PositiveBigIntegerField(null=True, blank=True)
    removed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [models.Index(fields=["removed_at", "id"], name="removal_in_order")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="one_removal_per_record")
        ]

    def __str__(self):
        return f"{self.kind} {self.slug} removed {self.removed_at:%Y-%m-%d}"


def was_seen(status, published_at, embargo_until, withdrawn_at, today=None) -> bool:
    """Say whether readers saw a dialogue in this state: public now, or public before it was
    withdrawn (a withdrawn record is shown as withdrawn only if it was public first)."""
    today = today or timezone.localdate()

    def lifted_by(day: datetime.date) -> bool:
        return embargo_until is None or embargo_until <= day

    if status == Status.PUBLISHED:
        return lifted_by(today)
    if status == Status.WITHDRAWN:
        return (
            published_at is not None
            and withdrawn_at is not None
            and lifted_by(timezone.localdate(withdrawn_at))
        )
    return False


def hidden_now(status, embargo_until, today=None) -> bool:
    """Say whether a dialogue in this state is out of readers' sight without being withdrawn:
    a draft, or published under an embargo that has not lifted."""
    today = today or timezone.localdate()
    if status == Status.DRAFT:
        return True
    return status == Status.PUBLISHED and embargo_until is not None and embargo_until > today


_VISIBILITY = ("status", "published_at", "embargo_until", "withdrawn_at", "slug")


def _state_fields(model) -> tuple[str, ...]:
    """The fields a removal of this kind of record is written from (only dialogues have an era)."""
    has_era = any(field.name == "era" for field in model._meta.concrete_fields)
    return (*_VISIBILITY, "era_id") if has_era else _VISIBILITY


def _note_state_before(sender, instance, raw=False, *, compare_always=False, **kwargs):
    """Before a dialogue (or an organisation, place or series) is hidden (a draft, or
    embargoed), note whether readers could see it until now. With `compare_always`, also note
    whether it was public until now when it stays in sight (`_was_public`): the dialogues
    linked to an organisation, place or series are announced when it changes.

    A dialogue saved as published without a publication time (made in code, not through
    `editorial.publish`) is given one, so that a later withdrawal is known to have been seen.
    """
    instance._was_seen = False
    instance._was_public = False
    if raw:
        return
    if instance.status == Status.PUBLISHED and instance.published_at is None:
        instance.published_at = timezone.now()
    if instance.pk is None:
        return
    hidden = hidden_now(instance.status, instance.embargo_until)
    if not hidden and not compare_always:
        return
    before = sender._base_manager.filter(pk=instance.pk).values(*_state_fields(sender)).first()
    if before is None:
        return
    instance._was_public = not hidden_now(before["status"], before["embargo_until"]) and (
        before["status"] == Status.PUBLISHED
    )
    if hidden and was_seen(
        before["status"], before["published_at"], before["embargo_until"], before["withdrawn_at"]
    ):
        instance._was_seen = True
        instance._seen_as = before


def _record_change(sender, instance, raw=False, using=None, **kwargs):
    """Leave a removal when a seen dialogue is hidden; clear it when it is no longer hidden."""
    if raw:
        return
    kind = sender._meta.model_name
    if getattr(instance, "_was_seen", False):
        before = instance._seen_as
        Removal.objects.using(using).update_or_create(
            kind=kind,
            object_id=instance.pk,
            defaults={
                "slug": before["slug"],
                "era_id": before.get("era_id"),
                "merged_into": None,
                "removed_at": timezone.now(),
            },
        )
    elif not hidden_now(instance.status, instance.embargo_until):
        Removal.objects.using(using).filter(kind=kind, object_id=instance.pk).delete()
    instance._was_seen = False


def _record_deletion(sender, instance, using=None, **kwargs):
    """Leave a removal when a record readers could see is deleted outright."""
    if not was_seen(
        instance.status, instance.published_at, instance.embargo_until, instance.withdrawn_at
    ):
        return
    Removal.objects.using(using).update_or_create(
        kind=sender._meta.model_name,
        object_id=instance.pk,
        defaults={
            "slug": instance.slug,
            "era_id": getattr(instance, "era_id", None),
            "merged_into": None,
            "removed_at": timezone.now(),
        },
    )


def _note_withheld_before(sender, instance, raw=False, **kwargs):
    """Before a participation is saved, note whether its name was withheld until now."""
    from .disclosure import is_withheld

    instance._was_withheld = True
    if raw or instance.pk is None:
        return
    before = sender._base_manager.filter(pk=instance.pk).values_list("withheld", "withheld_until")
    instance._was_withheld = any(is_withheld(*row) for row in before)


def _announce_withheld(sender, instance, raw=False, using=None, **kwargs):
    """A name newly withheld moves its dialogue's datestamp, so mirrors hear of it."""
    from .dialogue import Dialogue
    from .disclosure import is_withheld

    if raw or getattr(instance, "_was_withheld", True):
        return
    if is_withheld(instance.withheld, instance.withheld_until):
        Dialogue.objects.using(using).filter(pk=instance.dialogue_id).update(updated=timezone.now())


_STATE = ("status", "published_at", "embargo_until", "withdrawn_at", "slug", "era_id")
_CHUNK = 500


def _pieces(ids: list) -> list[list]:
    return [ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK)]


def _states(ids: list) -> tuple[dict, set]:
    """The dialogues' visibility fields, and their pairs withheld today, as they are now."""
    from .dialogue import Dialogue, Participation

    states, withheld = {}, set()
    for piece in _pieces(ids):
        for row in Dialogue._base_manager.filter(pk__in=piece).values("pk", *_STATE):
            states[row.pop("pk")] = row
        withheld.update(
            Participation.objects.filter(dialogue_id__in=piece)
            .withheld()
            .values_list("dialogue_id", "participant_id")
        )
    return states, withheld


@contextmanager
def announced(dialogue_ids):
    """Announce what a write without save signals to these dialogues takes down, as the signals
    announce an admin's save: call the write inside it, in the same transaction."""
    from .dialogue import Dialogue

    ids = list(dict.fromkeys(dialogue_ids))
    before, withheld_before = _states(ids)
    yield
    after, withheld_after = _states(ids)
    now = timezone.now()
    kind = Dialogue._meta.model_name
    for pk, state in after.items():
        old = before.get(pk)
        hidden = hidden_now(state["status"], state["embargo_until"])
        seen = old is not None and was_seen(
            old["status"], old["published_at"], old["embargo_until"], old["withdrawn_at"]
        )
        if hidden and seen:
            Removal.objects.update_or_create(
                kind=kind,
                object_id=pk,
                defaults={"slug": old["slug"], "era_id": old["era_id"], "removed_at": now},
            )
        elif not hidden:
            Removal.objects.filter(kind=kind, object_id=pk).delete()
    newly = {dialogue for dialogue, _ in withheld_after - withheld_before}
    for piece in _pieces(sorted(newly)):
        Dialogue.objects.filter(pk__in=piece).update(updated=now)
