"""What publishers do to records: publish, unpublish, withdraw, and merge two participants.

Each is one function taking the acting `user`, running in one transaction and saving through
the models (never `QuerySet.update`), so signals fire: the search index follows, cached
figures are dropped, and a history of revisions can wrap the call.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from . import caching
from .models import Citation, Dialogue, Participant, PastSlug, Status

PUBLISHING_FIELDS = [
    "status",
    "review_requested",
    "published_at",
    "withdrawn_at",
    "withdrawal_reason",
    "replaced_by",
    "updated",
]


def _save(dialogue: Dialogue) -> None:
    dialogue.save(update_fields=PUBLISHING_FIELDS)
    # The signal bumps the cache too; bumped here again so that a caller saving with a signal
    # disconnected (a bulk tool, say) still leaves no stale count behind.
    caching.bump()


@transaction.atomic
def publish(dialogue: Dialogue, *, user) -> Dialogue:
    """Make the dialogue public (at once, or on its embargo date if it has one)."""
    dialogue.status = Status.PUBLISHED
    dialogue.review_requested = False
    dialogue.published_at = dialogue.published_at or timezone.now()
    dialogue.withdrawn_at = None
    dialogue.withdrawal_reason = ""
    dialogue.replaced_by = None
    _save(dialogue)
    return dialogue


@transaction.atomic
def unpublish(dialogue: Dialogue, *, user) -> Dialogue:
    """Take the dialogue back to a draft: it disappears as if it had never been published."""
    dialogue.status = Status.DRAFT
    dialogue.published_at = None
    dialogue.withdrawn_at = None
    dialogue.withdrawal_reason = ""
    dialogue.replaced_by = None
    _save(dialogue)
    return dialogue


@transaction.atomic
def withdraw(
    dialogue: Dialogue, *, user, reason: str, replaced_by: Dialogue | None = None
) -> Dialogue:
    """Withdraw the dialogue: its address answers 410 with `reason` and the replacement."""
    if replaced_by is not None and replaced_by.pk == dialogue.pk:
        raise ValueError("A record cannot replace itself.")
    dialogue.status = Status.WITHDRAWN
    dialogue.review_requested = False
    dialogue.withdrawn_at = timezone.now()
    dialogue.withdrawal_reason = reason.strip()
    dialogue.replaced_by = replaced_by
    _save(dialogue)
    return dialogue


@transaction.atomic
def merge_participants(keep: Participant, lose: Participant, *, user) -> Participant:
    """Merge `lose` into `keep`: move its participations and citations, then delete it.

    Where both took part in the same dialogue, `keep`'s row stays and `lose`'s note is added
    to it. `lose`'s address (and any it used to have) leads to `keep` from then on.
    """
    if keep.pk == lose.pk:
        raise ValueError("Choose two different participants to merge.")
    kept_rows = {p.dialogue_id: p for p in keep.participations.all()}
    for row in lose.participations.select_related("dialogue"):
        twin = kept_rows.get(row.dialogue_id)
        if twin is None:
            row.participant = keep
            row.save()
            continue
        if row.note and row.note not in twin.note:
            twin.note = "\n\n".join(filter(None, [twin.note, row.note]))
            twin.save()
        row.delete()
    for citation in Citation.objects.filter(participant=lose):
        citation.participant = keep
        citation.save()
    kind = Participant._meta.model_name
    PastSlug.objects.filter(kind=kind, object_id=lose.pk).update(object_id=keep.pk)
    lose_slug = lose.slug
    lose.delete()
    PastSlug.remember(keep, lose_slug)
    caching.bump()
    return keep
