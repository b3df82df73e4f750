"""Records readers could see and no longer can, other than by withdrawal: kept for mirrors.

A withdrawn dialogue stays in the database and says so itself. A published dialogue taken back
to a draft, or a public one deleted by a superuser, leaves nothing behind that a mirror could
read, so each leaves a `Removal`: which record, its last public slug, and when. The changes feed
and the OAI-PMH provider report it as removed (`deleted` in OAI-PMH) from then on, until the
record is published again, which clears it. Written through `dialogues.writes`, in the
transaction of the save or deletion itself.

A record that readers never saw (a draft deleted, an embargoed record unpublished before its
day) leaves no removal: a mirror never had it.
"""

from __future__ import annotations

import datetime

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


def _note_state_before(sender, instance, raw=False, **kwargs):
    """Before a dialogue is saved as a draft, note whether readers could see it until now.

    A dialogue saved as published without a publication time (made in code, not through
    `editorial.publish`) is given one, so that a later withdrawal is known to have been seen.
    """
    instance._was_seen = False
    if raw:
        return
    if instance.status == Status.PUBLISHED and instance.published_at is None:
        instance.published_at = timezone.now()
    if instance.pk is None or instance.status != Status.DRAFT:
        return
    before = (
        sender._base_manager.filter(pk=instance.pk)
        .values("status", "published_at", "embargo_until", "withdrawn_at", "slug", "era_id")
        .first()
    )
    if before is not None and was_seen(
        before["status"], before["published_at"], before["embargo_until"], before["withdrawn_at"]
    ):
        instance._was_seen = True
        instance._seen_as = before


def _record_change(sender, instance, raw=False, using=None, **kwargs):
    """Leave a removal when a seen dialogue becomes a draft; clear it when it is seen again."""
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
                "era_id": before["era_id"],
                "removed_at": timezone.now(),
            },
        )
    elif instance.status != Status.DRAFT:
        Removal.objects.using(using).filter(kind=kind, object_id=instance.pk).delete()
    instance._was_seen = False


def _record_deletion(sender, instance, using=None, **kwargs):
    """Leave a removal when a dialogue readers could see is deleted outright."""
    if not was_seen(
        instance.status, instance.published_at, instance.embargo_until, instance.withdrawn_at
    ):
        return
    Removal.objects.using(using).update_or_create(
        kind=sender._meta.model_name,
        object_id=instance.pk,
        defaults={"slug": instance.slug, "era_id": instance.era_id, "removed_at": timezone.now()},
    )
