"""The records readers may see, where that depends on more than one model."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from .dialogue import Participation
from .records import Participant


def participants_public(queryset: QuerySet[Participant] | None = None) -> QuerySet[Participant]:
    """Return the participants readers may see today.

    A participant whose every participation is withheld has no page, no place in lists or the
    participant filter, and no count; one with no participation at all keeps its page.
    """
    queryset = queryset if queryset is not None else Participant.objects.all()
    theirs = Participation.objects.filter(participant=OuterRef("pk"))
    return queryset.filter(~Exists(theirs.withheld()) | Exists(theirs.disclosed()))
