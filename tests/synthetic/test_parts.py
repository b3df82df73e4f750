"""The parts of dialogues: participations, outcomes and citations, and how they connect."""

from __future__ import annotations

from collections import Counter

import pytest

from dialogues.models import Citation, Dialogue, Participant, Participation
from tests.synthetic.helpers import generate


@pytest.mark.django_db
def test_references_between_records_are_consistent():
    generate(400)

    for citation in Citation.objects.select_related("outcome"):
        if citation.outcome_id:
            assert citation.outcome.dialogue_id == citation.dialogue_id
    took_part = set(Participation.objects.values_list("dialogue_id", "participant_id"))
    cited = Citation.objects.exclude(participant=None).values_list("dialogue_id", "participant_id")
    assert cited and set(cited) <= took_part
    assert not Participant.objects.filter(participations=None).exists()
    assert not Dialogue.objects.filter(citations=None).exists()


@pytest.mark.django_db
def test_participant_activity_follows_a_power_law():
    generate(1000)

    activity = sorted(
        Counter(Participation.objects.values_list("participant_id", flat=True)).values(),
        reverse=True,
    )
    assert len(activity) == Participant.objects.count()  # everyone takes part at least once
    total = sum(activity)
    top = activity[: max(1, len(activity) // 100)]
    assert sum(top) / total > 0.10
    # Most participants take part only a little: the median is well below the mean, where an
    # even spread would put it close to the mean.
    median = activity[len(activity) // 2]
    assert median < 0.75 * total / len(activity)
