"""One dialogue as `/api/dialogues/<slug>/` gives it: the list's fields, and issue 21's.

The status of talks, the recorded and implied level with its evidence, the places, series,
lineage and external ids, and each participant's capacity at the table (null while the name
is withheld). Lists and exports keep the shorter shape until their chunked readers learn these.
"""

from __future__ import annotations

from rest_framework import serializers

from ..models import Dialogue, Level, TalksStatus
from ..models.authority_prefetch import dialogue_prefetches
from .authority_serializers import (
    CapacitySerializer,
    ExternalIdSerializer,
    LinkSerializer,
    MembershipSerializer,
    PlaceRefSerializer,
)
from .serializers import DialogueParticipantSerializer, DialogueSerializer


class ParticipantAtTheTableSerializer(DialogueParticipantSerializer):
    """Someone who took part in a dialogue, in what role, and in what capacity.

    A confidential participant comes with `name_withheld` true, the name “A participant whose
    name is withheld”, no slug, kind or capacity, and a side only where the archive may show it.
    """

    at_the_table = CapacitySerializer(source="*", allow_null=True)


class DialogueDetailSerializer(DialogueSerializer):
    """A Track II dialogue, with its level, places, series, lineage and external ids."""

    participants = ParticipantAtTheTableSerializer(
        source="participations", many=True, help_text="By side, then name."
    )
    talks = serializers.ChoiceField(
        choices=TalksStatus.choices, help_text="Whether talks were held, proposed or considered."
    )
    level = serializers.ChoiceField(choices=Level.choices, help_text="The recorded level.")
    implied_level = serializers.SerializerMethodField(
        help_text="The level the capacities at the table imply; null when none is stated."
    )
    level_note = serializers.CharField(help_text="The evidence for the level.")
    places = PlaceRefSerializer(
        source="public_places", many=True, help_text="Its places; several are alternatives."
    )
    series = MembershipSerializer(source="public_memberships", many=True)
    links = LinkSerializer(source="public_links", many=True, help_text="Its lineage.")
    external_ids = ExternalIdSerializer(many=True, help_text="Its ids in other datasets.")

    @staticmethod
    def rows():
        """The dialogues with everything this reads, in a fixed number of queries."""
        return Dialogue.objects.with_relations().prefetch_related(*dialogue_prefetches())

    def get_implied_level(self, dialogue) -> str | None:
        return dialogue.implied_level()
