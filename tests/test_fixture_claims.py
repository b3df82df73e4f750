"""The archive's records say no more than their sources: rules that caught past overstatements.

Each rule reads the loaded fixtures; where a rule would be too loose to catch a correction,
the test names the record.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse

from dialogues.models import (
    Citation,
    Dialogue,
    Participant,
    Participation,
    Role,
    Source,
    SourceDisagreement,
    Track,
)

pytestmark = pytest.mark.django_db

ALPHER = "alpher-2006-time-to-hang-up-my-track-ii-shoes"
WADLOW = "wadlow-2025-track-two-after-the-gaza-ceasefire"
# Words that limit a claim; where a cited passage has one, the record must keep it.
QUALIFIERS = [
    "usually",
    "nearly always",
    "appeared to",
    "tend to",
    "sometimes",
    "occasionally",
    "at least some",
    "can be",
    "in some instances",
]
PARAGRAPH_REF = re.compile(r"¶(\d+)")


@pytest.fixture(autouse=True)
def loaded():
    call_command("load_initial_data", stdout=StringIO())


def record_text(dialogue) -> str:
    """Everything the archive says about a dialogue in its own words."""
    parts = [dialogue.title, dialogue.summary, dialogue.date_note]
    parts += [o.description for o in dialogue.outcomes.all()]
    parts += [p.note for p in dialogue.participations.all()]
    return " ".join(parts).casefold()


def test_no_participant_has_a_background_without_a_citation_or_a_note():
    for participant in Participant.objects.exclude(background=""):
        cited = Citation.objects.filter(participant=participant).exists()
        assert cited or participant.background_note.strip(), participant.slug


def test_every_participant_says_how_its_side_is_known_with_a_paragraph():
    # No source states a side outright for most participants; each note says whether the side
    # is stated or inferred, and from which paragraph.
    for participant in Participant.objects.all():
        note = participant.side_note
        assert note.startswith(("Stated", "Inferred")), participant.slug
        assert PARAGRAPH_REF.search(note), participant.slug


@pytest.mark.parametrize(
    "slug",
    ["yossi-alpher", "west-bank-settler-leaders", "association-of-world-citizens", "rene-wadlow"],
)
def test_sides_no_source_states_are_marked_inferred(slug):
    assert Participant.objects.get(slug=slug).side_note.startswith("Inferred")


def test_the_participant_page_shows_how_side_and_background_are_known(client):
    page = BeautifulSoup(client.get("/participants/rene-wadlow/").content, "html.parser")
    notes = {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in page.select("dl.participant-notes dt")
    }
    assert notes["How the side is known"].startswith("Inferred: President of the Association")
    assert notes["How the background is known"].startswith("Inferred:")


@pytest.mark.parametrize(
    "slug",
    [
        "yossi-alpher",
        "israeli-intellectuals",
        "plo-stalwarts",
        "fatah-leaders",
        "west-bank-settler-leaders",
        "fatah-stalwarts",
    ],
)
def test_backgrounds_the_essays_never_give_are_left_empty(slug):
    assert Participant.objects.get(slug=slug).background == ""


def test_an_inferred_background_says_so():
    for participant in Participant.objects.exclude(background_note=""):
        note = participant.background_note
        assert note.startswith(("Stated:", "Inferred")), participant.slug


def test_every_date_note_points_to_a_passage_the_dialogue_cites():
    for dialogue in Dialogue.objects.prefetch_related("citations"):
        named = {int(n) for n in PARAGRAPH_REF.findall(dialogue.date_note)}
        assert named, f"{dialogue.slug}: the date note names no paragraph"
        cited = {c.paragraph for c in dialogue.citations.all()}
        assert named <= cited, f"{dialogue.slug}: ¶{sorted(named - cited)} not cited"


def test_a_date_note_that_states_a_span_matches_the_stored_bounds():
    checked = 0
    for dialogue in Dialogue.objects.all():
        for start, end in re.findall(r"\b(\d{4}) to (\d{4})\b", dialogue.date_note):
            checked += 1
            bounds = (dialogue.date_earliest.year, dialogue.date_latest.year)
            assert (int(start), int(end)) == bounds, dialogue.slug
    assert checked  # the first contacts' note states its span


def test_a_padded_year_is_named_as_the_archive_s_convention():
    """Where an approximate date's extra year sets an era's start, both notes say so."""
    for dialogue in Dialogue.objects.select_related("era"):
        if "~" not in dialogue.date and "?" not in dialogue.date:
            continue
        if dialogue.date_earliest == dialogue.era.date_earliest:
            assert "convention" in dialogue.date_note, dialogue.slug
            assert "convention" in dialogue.era.boundary_note, dialogue.era.slug


def test_qualifiers_in_cited_passages_survive_into_the_record():
    for dialogue in Dialogue.objects.prefetch_related("citations", "outcomes", "participations"):
        text = record_text(dialogue)
        for citation in dialogue.citations.all():
            for word in QUALIFIERS:
                if re.search(rf"\b{word}\b", citation.excerpt, re.IGNORECASE):
                    assert word in text, f"{dialogue.slug} drops “{word}”"


def test_talks_only_wished_for_are_not_recorded_as_proposed():
    dialogue = Dialogue.objects.get(slug="proposed-talks-with-hamas")
    assert dialogue.track == Track.CONSIDERED
    assert "propos" not in dialogue.title.casefold()
    roles = set(dialogue.participations.values_list("role", flat=True))
    assert roles.isdisjoint({Role.PROPOSER, Role.PROPOSED})
    assert Participation.objects.get(dialogue=dialogue, participant__slug="yossi-alpher").role == (
        Role.INTERESTED
    )


def test_the_awc_suggestion_is_dated_only_by_the_post_that_made_it_public():
    dialogue = Dialogue.objects.get(slug="awc-call-for-track-two-after-gaza-ceasefire")
    post = Source.objects.get(slug=WADLOW)
    assert dialogue.date == post.date == "2025-03-20"
    assert "does not date the suggestion" in dialogue.date_note
    for text in (
        dialogue.summary,
        Participant.objects.get(slug="association-of-world-citizens").bio,
    ):
        assert "after israeli airstrikes" not in text.casefold()
        assert "in march 2025" not in text.casefold()


def test_the_2006_essay_is_dated_as_uncertain_naming_the_outside_facts():
    essay = Source.objects.get(slug=ALPHER)
    assert essay.date.endswith("?")
    assert "outside" in essay.date_note
    assert "January 2006" in essay.date_note and "Olmert" in essay.date_note


def test_no_dialogue_names_a_place_its_source_does_not_give():
    # "The Oslo talks" names the talks, not where they were held.
    assert Dialogue.objects.get(slug="oslo-talks").place == ""


def test_every_disagreement_has_sides_from_different_sources():
    for point in SourceDisagreement.objects.with_citations():
        sources = {side.source_id for side in point.citations.all()}
        assert len(sources) >= 2, point.slug


def test_the_about_page_shows_both_versions_of_each_disagreement(client):
    page = BeautifulSoup(client.get(reverse("dialogues:about")).content, "html.parser")
    section = page.find(id="differ").find_parent("section")
    for point in SourceDisagreement.objects.with_citations():
        block = section.find(id=f"differ-{point.slug}").find_parent("section")
        quotes = [q.get_text(" ", strip=True) for q in block.find_all("blockquote")]
        for side in point.citations.all():
            assert any(side.excerpt in quote for quote in quotes), (point.slug, side.key)
            links = {a["href"] for a in block.find_all("a")}
            assert side.source.get_absolute_url() in links
            assert f"paragraph {side.paragraph}" in block.get_text(" ", strip=True)
    text = section.get_text(" ", strip=True)
    assert "in 1982" in text and "several decades ago" in text


def test_the_about_page_describes_paragraphs_as_the_checker_counts_them(client):
    page = BeautifulSoup(client.get(reverse("dialogues:about")).content, "html.parser")
    text = page.find(id="paragraphs").get_text(" ", strip=True)
    assert "page furniture" not in text
    assert "captions" in text and "closing lines" in text
