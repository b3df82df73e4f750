"""check_archive's rules for issue 21's records."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dialogues import integrity
from dialogues.models import Affiliation, Basis, Capacity, Level, Organisation, Place, Status
from tests.factories import add_participant, make_dialogue, make_participant

pytestmark = pytest.mark.django_db


def codes() -> set[str]:
    return {problem.code for problem in integrity.find_problems()}


def test_a_published_affiliation_without_a_citation_is_reported():
    organisation = Organisation.objects.create(slug="o", name="O", kind="ngo")
    affiliation = Affiliation.objects.create(
        participant=make_participant(), organisation=organisation, role="member"
    )
    assert "affiliation-no-citation" not in codes()  # a draft may wait for its citation
    Affiliation.objects.filter(pk=affiliation.pk).update(status=Status.PUBLISHED)
    assert "affiliation-no-citation" in codes()


def test_a_level_contradicting_the_capacities_needs_a_note():
    dialogue = make_dialogue(level=Level.TRACK_II)
    participation = add_participant(dialogue)
    participation.capacity, participation.capacity_basis = Capacity.SERVING, Basis.INFERRED
    participation.save()
    out = StringIO()
    with pytest.raises(CommandError, match="1 problem found"):
        call_command("check_archive", stdout=out)
    assert "level-contradicts-capacities" in codes()
    assert "differs from the level the capacities imply (Track I)" in out.getvalue()
    dialogue.level_note = "The essay calls it Track II although a minister came (¶3)."
    dialogue.save()
    assert "level-contradicts-capacities" not in codes()


def test_a_place_without_a_country_is_reported():
    Place.objects.create(slug="somewhere", name="Somewhere")
    assert "place-no-country" in codes()
    Place.objects.filter(slug="somewhere").update(country="NO")
    assert "place-no-country" not in codes()
