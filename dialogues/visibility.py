"""What a record's address answers to a reader: the record, a move (301), gone (410) or nothing.

The HTML pages and the JSON API ask the same questions here, so they agree: a draft or an
embargoed dialogue is not found (404, so its existence is not revealed) except by staff, who
preview it; a withdrawn one is gone; an address a record used to have leads to it.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet

from .models import Dialogue, PastSlug


class Moved(Exception):
    """The slug is an old address of `record`."""

    def __init__(self, record: Model):
        super().__init__(record.get_absolute_url())
        self.record = record


class Gone(Exception):
    """The dialogue was withdrawn: its address answers 410 with a tombstone."""

    def __init__(self, dialogue: Dialogue):
        super().__init__(dialogue.slug)
        self.dialogue = dialogue


def can_preview(user) -> bool:
    """Staff may open a draft or an embargoed record at its address."""
    return bool(user is not None and user.is_active and user.is_staff)


def dialogue_at(slug: str, user=None, queryset: QuerySet | None = None) -> Dialogue:
    """Return the dialogue at `slug` as `user` may see it; raise Moved, Gone or DoesNotExist.

    `queryset` says what to fetch with the dialogue (`with_relations()` by default).
    """
    queryset = queryset if queryset is not None else Dialogue.objects.with_relations()
    try:
        dialogue = queryset.get(slug=slug)
    except Dialogue.DoesNotExist:
        moved = PastSlug.find(Dialogue, slug)
        # A draft's new address is no more public than the draft.
        if moved is None or not (moved.is_public or moved.is_withdrawn or can_preview(user)):
            raise
        raise Moved(moved) from None
    if dialogue.is_withdrawn:
        raise Gone(dialogue)
    if not dialogue.is_public and not can_preview(user):
        raise Dialogue.DoesNotExist(slug)
    return dialogue


def record_at(queryset: QuerySet, slug: str) -> Model:
    """Return the record of `queryset` at `slug`; raise Moved for an old slug, else DoesNotExist.

    `queryset` holds only what readers may see (e.g. `Participant.objects.public()`), so an old
    slug leads only to a record readers could open anyway.
    """
    try:
        return queryset.get(slug=slug)
    except queryset.model.DoesNotExist:
        moved = PastSlug.find(queryset.model, slug)
        if moved is None or not queryset.filter(pk=moved.pk).exists():
            raise
        raise Moved(moved) from None
