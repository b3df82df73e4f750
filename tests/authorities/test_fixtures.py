"""Issue 21's part of the fixtures: read again from the essays, and nothing the essays lack."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from dialogues import source_texts
from dialogues.models import (
    Affiliation,
    AffiliationCitation,
    Capacity,
    Dialogue,
    DialogueLink,
    NameVariant,
    Organisation,
    OrganisationCitation,
    Participation,
    Place,
    Status,
    places_in_words,
)
from tests.test_fixtures import SOURCES

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    call_command("load_initial_data", stdout=StringIO())


def test_the_awc_is_an_organisation_and_wadlows_presidency_an_affiliation(loaded):
    awc = Organisation.objects.get(slug="association-of-world-citizens")
    assert awc.status == Status.PUBLISHED
    assert [c.paragraph for c in awc.citations.all()] == [6]
    presidency = Affiliation.objects.get(participant__slug="rene-wadlow", organisation=awc)
    assert (presidency.role, presidency.title) == ("leader", "President")
    citation = presidency.citations.get()
    assert citation.paragraph == 10
    assert (
        citation.excerpt == "Prof. René Wadlow is President of the Association of World Citizens."
    )
    assert presidency.publishing_problem() is None
    assert presidency.status == Status.PUBLISHED


def test_every_participation_has_a_capacity_with_its_reason(loaded):
    for participation in Participation.objects.select_related("dialogue", "participant"):
        where = (participation.dialogue.slug, participation.participant.slug)
        assert participation.capacity in Capacity.values, where
        # Stated or inferred, or not stated: each says why in the essay's terms.
        assert "¶" in participation.capacity_note, where
        if participation.capacity != Capacity.NOT_STATED:
            assert participation.capacity_basis == "inferred", where


def test_every_dialogue_has_a_level_with_its_evidence_and_none_contradicts_capacities(loaded):
    for dialogue in Dialogue.objects.prefetch_related("participations"):
        assert "¶" in dialogue.level_note, dialogue.slug
        assert dialogue.level_contradiction() is None, dialogue.slug
    awc = Dialogue.objects.get(slug="awc-suggests-the-possibility-of-track-two-efforts")
    assert (awc.talks, awc.level) == ("suggested", "track_ii")
    hamas = Dialogue.objects.get(slug="author-curious-about-informal-talks-with-hamas")
    assert (hamas.talks, hamas.level) == ("considered", "not_stated")


def test_rome_or_amman_is_two_places_read_as_the_essay_gives_them(loaded):
    dialogue = Dialogue.objects.get(slug="talks-after-camp-david")
    places = [row.place for row in dialogue.places.select_related("place")]
    assert places_in_words(places) == "Rome or Amman" == dialogue.place
    assert [str(place.country) for place in places] == ["IT", "JO"]
    for place in Place.objects.all():
        # Public geography the essays do not give is marked as the archive's own addition.
        assert "added by the archive" in place.geography_source
        assert f"geonames.org/{place.geonames_id}" in place.geography_source


def _passages():
    for citation in OrganisationCitation.objects.all():
        yield citation.source, citation.paragraph, citation.excerpt
    for citation in AffiliationCitation.objects.all():
        yield citation.source, citation.paragraph, citation.excerpt
    for name in NameVariant.objects.exclude(source=None):
        yield name.source, name.paragraph, name.excerpt
    for link in DialogueLink.objects.exclude(cited_source=None):
        yield link.cited_source, link.cited_paragraph, link.cited_excerpt


@pytest.mark.skipif(not SOURCES.is_dir(), reason="the source texts are not beside the project")
def test_every_new_passage_is_verbatim_in_the_paragraph_it_cites(loaded):
    texts = source_texts.read_source_texts(SOURCES)
    checked = 0
    for source, paragraph, excerpt in _passages():
        (text,) = source_texts.match_source_text(source, texts)
        paragraphs = text.paragraphs(source.first_words)
        assert source_texts.normalise(excerpt) in paragraphs[paragraph - 1], excerpt
        checked += 1
    assert checked == 4
