"""Search matches every recorded form of a participant's name, on SQLite and PostgreSQL, and
never a form of a name withheld from readers."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from dialogues.listing.filters import DialogueFilterSet
from dialogues.models import NameVariant
from dialogues.search.index import rebuild_index
from tests.factories import add_participant, make_dialogue, make_participant

pytestmark = pytest.mark.django_db(transaction=True)


def found(q: str) -> list[str]:
    return sorted(DialogueFilterSet(QueryDict(f"q={q}")).qs.values_list("slug", flat=True))


def test_each_recorded_form_of_a_name_finds_the_dialogue():
    qurei = make_participant(name="Ahmed Qurei", side="palestinian")
    add_participant(make_dialogue(slug="oslo-channel", title="The Oslo channel"), qurei)
    make_dialogue(slug="unrelated", title="Something else")
    assert found("Alaa") == []
    for name, language, script in (
        ("Abu Ala", "en", "Latn"),
        ("Abu Alaa", "en", "Latn"),
        ("أحمد قريع", "ar", "Arab"),
    ):
        NameVariant.objects.create(
            participant=qurei, name=name, language=language, script=script,
            kind="nom_de_guerre" if name.startswith("Abu") else "alternative",
            archive_note="Supplied by the archive for this test.",
        )  # fmt: skip
    assert found('"Abu Alaa"') == ["oslo-channel"]
    assert found('"Abu Ala"') == ["oslo-channel"]
    assert found("قريع") == ["oslo-channel"]
    assert found("Qurei") == ["oslo-channel"]


def test_a_withheld_participants_other_names_are_not_searchable():
    hidden = make_participant(name="Hidden Negotiator")
    participation = add_participant(make_dialogue(slug="secret-talks"), hidden)
    participation.withheld = True
    participation.save()
    NameVariant.objects.create(participant=hidden, name="Nom de guerre", archive_note="x")
    rebuild_index()
    assert found('"Nom de guerre"') == []
    assert found("Hidden") == []
