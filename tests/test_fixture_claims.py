"""The archive's records say no more than their sources: rules that caught past overstatements.

Each rule reads the loaded fixtures; where a rule would be too loose to catch a correction,
the test names the record.
"""

from __future__ import annotations

import os
import re
from io import StringIO
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse

from dialogues.models import (
    Citation,
    Conflict,
    Dialogue,
    Era,
    Participant,
    Participation,
    Role,
    Source,
    SourceDisagreement,
    Track,
)
from dialogues.source_texts import normalise

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
ROOT = Path(__file__).resolve().parent.parent


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
    dialogue = Dialogue.objects.get(slug="author-curious-about-informal-talks-with-hamas")
    assert dialogue.track == Track.CONSIDERED
    assert "propos" not in dialogue.title.casefold() + dialogue.slug
    roles = set(dialogue.participations.values_list("role", flat=True))
    assert roles.isdisjoint({Role.PROPOSER, Role.PROPOSED})
    assert Participation.objects.get(dialogue=dialogue, participant__slug="yossi-alpher").role == (
        Role.INTERESTED
    )


def test_the_awc_suggestion_is_dated_only_by_the_post_that_reports_it():
    dialogue = Dialogue.objects.get(slug="awc-suggests-the-possibility-of-track-two-efforts")
    post = Source.objects.get(slug=WADLOW)
    assert dialogue.date == post.date == "2025-03-20"
    assert "does not date the suggestion" in dialogue.date_note
    # Nothing in the post says that it made the suggestion public.
    assert "public" not in dialogue.date_note
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


def test_the_awc_suggestion_keeps_the_possibility_of_everywhere_it_is_told():
    """¶6: the AWC "has suggested the possibility of Track Two efforts", no more."""
    dialogue = Dialogue.objects.get(slug="awc-suggests-the-possibility-of-track-two-efforts")
    texts = {
        "title": dialogue.title,
        "summary": dialogue.summary,
        "source": Source.objects.get(slug=WADLOW).description,
        "era": Era.objects.get(slug="gaza-ceasefire").summary,
        "bio": Participant.objects.get(slug="rene-wadlow").bio,
        "awc": Participant.objects.get(slug="association-of-world-citizens").bio,
    }
    for name, text in texts.items():
        assert "suggest" in text, name
        assert "the possibility of Track Two efforts" in text, name
    # Neither the track nor the address says more than the role does.
    assert dialogue.track != Track.PROPOSED
    assert "call" not in dialogue.slug.split("-")
    roles = set(dialogue.participations.values_list("role", flat=True))
    assert Role.SUGGESTED in roles and roles.isdisjoint({Role.PROPOSER, Role.PROPOSED})


# A note that dates a record by another record's date says so with these words.
RESTS_ON_SOURCE = "source record"


def test_uncertainty_travels_to_every_date_that_rests_on_an_uncertain_source():
    """A dialogue dated by its essay's own (uncertain) year carries the ? in its date; an era,
    which may not overlap its neighbours, says in its note that the year is uncertain."""
    followed = set()
    for dialogue in Dialogue.objects.prefetch_related("citations__source"):
        if RESTS_ON_SOURCE not in dialogue.date_note:
            continue
        followed.add(dialogue.slug)
        for source in {c.source for c in dialogue.citations.all()}:
            if "?" in source.date or "%" in source.date:
                assert "?" in dialogue.date or "%" in dialogue.date, dialogue.slug
    for era in Era.objects.prefetch_related("dialogues__citations__source"):
        if RESTS_ON_SOURCE not in era.boundary_note:
            continue
        followed.add(era.slug)
        assert "uncertain" in era.boundary_note, era.slug
    # Every record whose date is counted from the 2006 essay's year is among those followed.
    assert followed == {
        "first-contacts-with-plo-stalwarts",
        "track-ii-after-hamas-victory",
        "author-curious-about-informal-talks-with-hamas",
        "first-contacts",
        "after-hamas-victory",
        "sources-silent",
    }


def test_a_note_that_counts_from_the_essay_s_year_names_the_source_record():
    pattern = re.compile(r"essay's (own |inferred )?year|year of the (2006 )?essay", re.I)
    notes = [(d.slug, d.date_note) for d in Dialogue.objects.all()]
    notes += [(e.slug, e.boundary_note) for e in Era.objects.all()]
    for slug, note in notes:
        if pattern.search(note):
            assert RESTS_ON_SOURCE in note, slug


def test_the_essay_s_uncertainty_shows_in_the_dates_readers_see():
    for slug in ("track-ii-after-hamas-victory", "author-curious-about-informal-talks-with-hamas"):
        assert Dialogue.objects.get(slug=slug).date_display == "2006?"
    assert Dialogue.objects.get(slug="first-contacts-with-plo-stalwarts").date_display == (
        "c. 1976?"
    )


INFERENCE = re.compile(r"\binferred\b|\binference\b|archive's reading", re.I)


def test_every_inference_names_the_paragraph_it_rests_on():
    texts = []
    for p in Participant.objects.all():
        texts += [(p.slug, p.side_note), (p.slug, p.background_note), (p.slug, p.bio)]
    for p in Participation.objects.select_related("dialogue", "participant"):
        texts.append((f"{p.dialogue.slug}/{p.participant.slug}", p.note))
    for d in Dialogue.objects.all():
        texts += [(d.slug, d.summary), (d.slug, d.date_note)]
    texts += [(c.slug, c.summary) for c in Conflict.objects.all()]
    checked = 0
    for name, text in texts:
        if INFERENCE.search(text):
            checked += 1
            assert PARAGRAPH_REF.search(text), name
    assert checked


def test_the_late_1980s_meetings_do_not_put_the_author_in_them():
    """¶2 "Since then, I have been involved…" does not place him in the 1987–89 meetings."""
    dialogue = Dialogue.objects.get(slug="track-ii-gathers-steam-late-1980s")
    assert not dialogue.participations.filter(participant__slug="yossi-alpher").exists()
    assert "names no participants" not in dialogue.summary
    for participation in dialogue.participations.all():
        assert participation.note.startswith("Inferred"), participation.participant.slug


def test_the_early_post_oslo_summary_does_not_lend_its_end_to_the_essay():
    era = Era.objects.get(slug="early-post-oslo")
    assert "these years" not in era.summary
    assert "“early post-Oslo years”" in era.summary
    assert "archive's own boundary" in era.summary


def test_a_side_marked_inferred_gives_a_reason_beyond_the_name():
    note = Participant.objects.get(slug="west-bank-settler-leaders").side_note
    assert "because" in note and note.count("¶") >= 2


def test_the_conflict_says_the_2025_parties_are_inferred():
    summary = Conflict.objects.get(slug="israeli-palestinian").summary
    assert "Both sources are about" not in summary
    assert "inference" in summary and "¶1" in summary


def test_no_bio_or_summary_calls_a_source_silent_where_it_speaks():
    # The 2006 essay does describe Hamas adherents (¶17–¶18); the 2025 post does describe the
    # AWC (¶6–¶10); the sources mention undated things that may fall in 2007–2024.
    assert (
        "does not describe them further" not in Participant.objects.get(slug="hamas-adherents").bio
    )
    assert (
        "does not describe it further"
        not in Participant.objects.get(slug="association-of-world-citizens").background_note
    )
    assert "say nothing about" not in Era.objects.get(slug="sources-silent").summary


def test_summaries_keep_the_qualifiers_of_what_they_retell():
    camp_david = Dialogue.objects.get(slug="talks-after-camp-david")
    assert "what he considered to be the mistakes" in camp_david.summary
    assert "ending in a walkout" not in camp_david.title
    assert "Many well-meaning" in Participant.objects.get(slug="friends-of-the-peace-process").bio
    awc = Dialogue.objects.get(slug="awc-suggests-the-possibility-of-track-two-efforts")
    assert "basic views or philosophies" in awc.summary  # ¶8: not all their views


SOURCES = Path(os.environ.get("TRACKII_SOURCES_DIR", ROOT.parent / "shared" / "seeds"))


@pytest.mark.skipif(not SOURCES.is_dir(), reason="the source texts are not beside the project")
def test_a_name_the_sources_do_not_use_says_it_is_the_archive_s():
    texts = " ".join(normalise(p.read_text(encoding="utf-8")) for p in SOURCES.glob("*.txt"))
    texts = texts.casefold()
    named = [(p.slug, p.name, p.bio) for p in Participant.objects.all()]
    named += [(c.slug, c.name, c.summary) for c in Conflict.objects.all()]
    supplied = 0
    for slug, name, text in named:
        if normalise(name).casefold() not in texts:
            supplied += 1
            assert "The name is the archive's" in text, slug
    assert supplied
