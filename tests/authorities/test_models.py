"""Issue 21's records: their checks, the level capacities imply, and the track migration."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from dialogues.models import (
    Affiliation,
    AffiliationCitation,
    Basis,
    Capacity,
    Dialogue,
    DialogueLink,
    DialoguePlace,
    ExternalId,
    Level,
    NameVariant,
    Organisation,
    Place,
    Role,
    implied_level,
    places_in_words,
)
from dialogues.models.organisations import affiliations_in_order
from dialogues.models.table import FROM_TRACK
from tests.factories import add_participant, make_dialogue, make_participant, make_source


def _org(**kw):
    defaults = dict(slug="awc", name="Association of World Citizens", kind="ngo")
    return Organisation.objects.create(**{**defaults, **kw})


def _errors(record) -> dict:
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


# --- External ids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scheme, value, expected",
    [
        ("wikidata", "42", "Expected Q followed by digits"),
        ("wikidata", "Q0", "Expected Q followed by digits"),
        ("viaf", "v123", "Expected digits only"),
        ("pax_agreement", "12a", "Expected the AgtId"),
        ("ucdp_actor", "", "Expected the actor_id"),
    ],
)
@pytest.mark.django_db
def test_a_bad_id_is_refused_with_the_expected_form(scheme, value, expected):
    external = ExternalId(
        scheme=scheme,
        value=value,
        source_url="https://example.org/",
        participant=make_participant(),
    )
    message = " ".join(_errors(external).get("value", []))
    assert expected in message


@pytest.mark.django_db
def test_an_id_of_a_scheme_that_does_not_name_the_record_is_refused():
    external = ExternalId(
        scheme="geonames", value="3169070", source_url="https://example.org/",
        participant=make_participant(),
    )  # fmt: skip
    assert "names a place, not a participant" in " ".join(_errors(external)["scheme"])


@pytest.mark.django_db
def test_a_good_id_links_out_and_needs_exactly_one_record():
    participant = make_participant()
    external = ExternalId(
        scheme="wikidata", value="Q123", source_url="https://example.org/", participant=participant
    )
    external.full_clean()
    external.save()
    assert external.url == "https://www.wikidata.org/wiki/Q123"
    with transaction.atomic(), pytest.raises(IntegrityError):
        ExternalId.objects.create(scheme="wikidata", value="Q1", source_url="https://e.org/")


# --- Names ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_name_form_checks_its_language_script_and_evidence():
    participant = make_participant(name="Ahmed Qurei")
    bad = NameVariant(participant=participant, name="x", language="hebrew", script="Hbr")
    errors = _errors(bad)
    assert "BCP 47" in errors["language"][0]
    assert "ISO 15924" in errors["script"][0]
    assert "archive supplied it" in errors["archive_note"][0]

    good = NameVariant(
        participant=participant, name="أحمد قريع", language="ar", script="Arab",
        kind="alternative", archive_note="Supplied by the archive from the Latin form.",
    )  # fmt: skip
    good.full_clean()


# --- Organisations and affiliations ------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_role_may_be_held_twice_each_spell_in_order():
    person, organisation = make_participant(), _org()
    later = Affiliation.objects.create(
        participant=person, organisation=organisation, role="leader", start="2001"
    )
    earlier = Affiliation.objects.create(
        participant=person, organisation=organisation, role="leader", start="1990~", end="1995"
    )
    assert affiliations_in_order(person.affiliations.all()) == [earlier, later]
    assert earlier.start_display == "c. 1990"


@pytest.mark.django_db
def test_an_affiliation_refuses_a_bad_date_or_an_end_before_its_start():
    person, organisation = make_participant(), _org()
    bad = Affiliation(participant=person, organisation=organisation, role="member", start="soon")
    assert "not a valid EDTF date" in _errors(bad)["start"][0]
    backwards = Affiliation(
        participant=person, organisation=organisation, role="member", start="2000", end="1990"
    )
    assert "before the start" in _errors(backwards)["end"][0]


@pytest.mark.django_db
def test_an_affiliation_without_a_citation_cannot_be_published():
    affiliation = Affiliation.objects.create(
        participant=make_participant(), organisation=_org(), role="leader"
    )
    assert "no citation" in affiliation.publishing_problem()
    AffiliationCitation.objects.create(
        affiliation=affiliation, source=make_source(), paragraph=9, excerpt="is President"
    )
    assert affiliation.publishing_problem() is None


# --- Capacity and level ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "capacities, level",
    [
        ([], None),
        ([Capacity.NOT_STATED], None),
        ([Capacity.SERVING, Capacity.SERVING], Level.TRACK_I),
        ([Capacity.SERVING, Capacity.NON_OFFICIAL], Level.TRACK_1_5),
        ([Capacity.PERSONAL], Level.TRACK_1_5),
        ([Capacity.FORMER, Capacity.NON_OFFICIAL, Capacity.NOT_STATED], Level.TRACK_II),
    ],
)
def test_the_level_capacities_imply(capacities, level):
    assert implied_level(capacities) == level


@pytest.mark.django_db
def test_a_recorded_level_that_differs_from_the_capacities_needs_a_note():
    dialogue = make_dialogue(level=Level.TRACK_II)
    official = add_participant(dialogue)
    official.capacity = Capacity.SERVING
    official.capacity_basis = Basis.INFERRED
    official.capacity_note = "A minister, acting for the government."
    official.full_clean()
    official.save()
    # An author of the report does not sit at the table and counts for nothing.
    add_participant(dialogue, role=Role.AUTHOR)
    dialogue = Dialogue.objects.get(pk=dialogue.pk)
    assert dialogue.implied_level() == Level.TRACK_I
    assert "differs from the level the capacities imply (Track I)" in (
        dialogue.level_contradiction()
    )
    dialogue.level_note = "The essay calls it Track II though a minister attended (¶4)."
    assert dialogue.level_contradiction() is None


@pytest.mark.django_db
def test_a_stated_capacity_needs_its_citation_and_an_inferred_one_its_reason():
    dialogue = make_dialogue()
    participation = add_participant(dialogue)
    participation.capacity = Capacity.NON_OFFICIAL
    participation.capacity_basis = Basis.STATED
    assert "needs the dialogue's citation" in _errors(participation)["capacity_citation"][0]
    participation.capacity_basis = Basis.INFERRED
    assert "needs its reason" in _errors(participation)["capacity_note"][0]
    other = make_dialogue().citations.get()
    participation.capacity_basis, participation.capacity_citation = Basis.STATED, other
    assert "another dialogue" in _errors(participation)["capacity_citation"][0]
    participation.capacity_citation = dialogue.citations.get()
    participation.full_clean()


@pytest.mark.django_db
def test_side_at_the_time_defaults_to_the_participants_own():
    participation = add_participant(make_dialogue(), make_participant(side="israeli"))
    assert participation.side_at_meeting == "israeli"
    participation.side_then = "third_party"
    assert "Say how the side" in _errors(participation)["then_note"][0]
    assert participation.side_at_meeting == "third_party"


@pytest.mark.django_db
def test_the_migration_reads_every_track_as_talks_and_level():
    migration = importlib.import_module("dialogues.migrations.0019_track_to_talks_and_level")
    assert migration.FROM_TRACK == {k: tuple(map(str, v)) for k, v in FROM_TRACK.items()}
    era_dialogues = {track: make_dialogue(track=track) for track in FROM_TRACK}
    Dialogue.objects.update(talks="held", level="not_stated")
    migration.split_track(apps, SimpleNamespace(connection=connection))
    for track, dialogue in era_dialogues.items():
        dialogue.refresh_from_db()
        assert (dialogue.talks, dialogue.level) == FROM_TRACK[track]


# --- Places and lineage ----------------------------------------------------------------------


@pytest.mark.django_db
def test_alternative_places_read_joined_by_or():
    dialogue = make_dialogue()
    rome = Place.objects.create(slug="rome", name="Rome", country="IT")
    amman = Place.objects.create(slug="amman", name="Amman", country="JO")
    DialoguePlace.objects.create(dialogue=dialogue, place=amman, position=2)
    DialoguePlace.objects.create(dialogue=dialogue, place=rome, position=1)
    rows = dialogue.places.select_related("place")
    assert places_in_words(row.place for row in rows) == "Rome or Amman"
    assert rome.country.name == "Italy"


@pytest.mark.django_db
def test_a_link_is_stated_or_inferred_and_never_to_itself():
    first, second = make_dialogue(), make_dialogue()
    link = DialogueLink(origin=first, target=second, relation="led_to", basis=Basis.INFERRED)
    assert "needs its reason" in _errors(link)["reason"][0]
    link.basis = Basis.STATED
    assert set(_errors(link)) >= {"cited_source", "cited_paragraph", "cited_excerpt"}
    link.target = first
    assert "linked to itself" in _errors(link)["target"][0]
