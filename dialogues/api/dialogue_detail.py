"""One dialogue as `/api/dialogues/<slug>/` gives it: the list's fields and its lineage.

The list, the JSON export and this share the status of talks, the recorded and implied level
with its evidence, the places, series and external ids, and each participant's capacity at the
table (null while the name is withheld); only the typed links to other dialogues are this
record's alone.
"""

from __future__ import annotations

from ..models import Dialogue
from ..models.authority_prefetch import dialogue_prefetches
from .authority_serializers import LinkSerializer
from .serializers import DialogueSerializer, ParticipantAtTheTableSerializer

__all__ = ["DialogueDetailSerializer", "ParticipantAtTheTableSerializer"]


class DialogueDetailSerializer(DialogueSerializer):
    """A Track II dialogue, with its lineage."""

    links = LinkSerializer(source="public_links", many=True, help_text="Its lineage.")

    @staticmethod
    def rows():
        """The dialogues with everything this reads, in a fixed number of queries."""
        return Dialogue.objects.with_relations().prefetch_related(*dialogue_prefetches())
