"""The About page's account of the archive's method is true of the fixtures, and every episode
the sources describe is either a record or named on that page under a rule that leaves it out.

Each sentence of the method carries a `data-rule`; `CHECKS` holds a check for each, and a
sentence without a check (or a check without a sentence) fails.
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
    EXCERPT_MAX_WORDS,
    Citation,
    Conflict,
    Dialogue,
    Era,
    Participant,
    Participation,
    Role,
    SourceDisagreement,
)
from dialogues.quoted_notes import QUOTED
from dialogues.source_texts import normalise

pytestmark = pytest.mark.django_db

A = "alpher-2006-time-to-hang-up-my-track-ii-shoes"
W = "wadlow-2025-track-two-after-the-gaza-ceasefire"
HAMAS = "author-curious-about-informal-talks-with-hamas"
AWC = "awc-suggests-the-possibility-of-track-two-efforts"
ROOT = Path(__file__).resolve().parent.parent
# The source texts are kept beside the project, not in it; CI provides them.
SOURCES = Path(os.environ.get("TRACKII_SOURCES_DIR", ROOT.parent / "shared" / "seeds"))
PARAGRAPH = re.compile(r"¶\d+")
INFERENCE = re.compile(r"\binferred\b|\binference\b|archive's reading", re.I)
QUALIFIERS = ["usually", "nearly always", "appeared to", "tend to", "sometimes", "occasionally",
              "at least some", "can be", "in some instances", "some 30"]  # fmt: skip

# Every episode the two essays describe, from a reading of both, paragraph by paragraph:
# (name, source, paragraph, the dialogue that records it) or (name, source, paragraph, None,
# the About page's rule that leaves it out).
RECORDED = [
    ("first contacts with PLO stalwarts", A, 1, "first-contacts-with-plo-stalwarts"),
    ("meetings pick up steam in the late 1980s", A, 1, "track-ii-gathers-steam-late-1980s"),
    ("Fatah and settler leaders, 1995", A, 2, "fatah-and-settler-leaders-1995"),
    ("the Oslo talks, begun as Track II", A, 4, "oslo-talks"),
    ("meetings in Rome or Amman after Camp David", A, 7, "talks-after-camp-david"),
    ("the author's walkout", A, 8, "talks-after-camp-david"),
    ("the author's return after refusing for a while", A, 8, "track-ii-improves-2004-2005"),
    ("the improvement around 2004-2005", A, 9, "track-ii-improves-2004-2005"),
    ("the Palestinian side's soul-searching", A, 9, "track-ii-improves-2004-2005"),
    ("meetings since Hamas's victory", A, 10, "track-ii-after-hamas-victory"),
    ("their organisers", A, 11, "track-ii-after-hamas-victory"),
    ("at least some of the Palestinian participants", A, 12, "track-ii-after-hamas-victory"),
    ("plotting how Fatah will retake power", A, 13, "track-ii-after-hamas-victory"),
    ("disengagement, not on the agenda", A, 14, "track-ii-after-hamas-victory"),
    ("moderate Palestinians and Dovish Israelis", A, 15, "track-ii-after-hamas-victory"),
    ("new Track II talks to reactivate the process", A, 16, "track-ii-after-hamas-victory"),
    ("Hamas refusing to talk, in some instances", A, 17, HAMAS),
    ("the author's curiosity about talking with Hamas", A, 18, HAMAS),
    ("the AWC suggests the possibility of Track Two", W, 6, AWC),
]  # fmt: skip
LEFT_OUT = {
    "alpher-p7-camp-david": ("official", "¶7"),
    "alpher-p16-olmert-pledge": ("official", "¶16"),
    "wadlow-p3-government-led-talks": ("official", "¶3"),
    "wadlow-p6-governmental-negotiations": ("official", "¶6"),
    "alpher-p1-several-decades": ("undated", "¶1"),
    "alpher-p2-many-others": ("undated", "¶2"),
    "alpher-p4-economic-proposals": ("undated", "¶4"),
    "alpher-p5-other-peoples": ("undated", "¶5"),
    "wadlow-p6-earlier-awc-proposal": ("undated", "¶6"),
    "alpher-p10-hamas-elections": ("not-talks", "¶10"),
    "wadlow-p1-ceasefire": ("not-talks", "¶1"),
    "wadlow-p2-renewed-fighting": ("not-talks", "¶2"),
    "coining-of-track-ii": ("not-talks", "¶3"),
}
# Who the essays name as taking part in, organising, suggesting or wishing for each dialogue.
PARTICIPANTS = {
    "first-contacts-with-plo-stalwarts": {"israeli-intellectuals", "plo-stalwarts"},
    "track-ii-gathers-steam-late-1980s": {"israeli-intellectuals", "plo-stalwarts"},
    "oslo-talks": set(),
    "fatah-and-settler-leaders-1995": {
        "yossi-alpher", "fatah-leaders", "west-bank-settler-leaders",
    },
    "talks-after-camp-david": {"yossi-alpher", "palestinian-track-ii-colleagues"},
    "track-ii-improves-2004-2005": {"yossi-alpher", "palestinian-side-2004-2005"},
    "track-ii-after-hamas-victory": {
        "yossi-alpher", "european-and-american-organisers", "left-leaning-israeli-organisers",
        "left-leaning-palestinian-organisers", "friends-of-the-peace-process", "fatah-stalwarts",
        "palestinian-participants-after-hamas-victory", "moderate-palestinians", "dovish-israelis",
    },
    HAMAS: {"yossi-alpher", "hamas-adherents"},
    AWC: {"association-of-world-citizens", "rene-wadlow"},
}  # fmt: skip


@pytest.fixture(autouse=True)
def loaded():
    call_command("load_initial_data", stdout=StringIO())


@pytest.fixture
def about(client):
    return BeautifulSoup(client.get(reverse("dialogues:about")).content, "html.parser")


# --- The method, sentence by sentence ------------------------------------------------------


def check_cites():
    for dialogue in Dialogue.objects.prefetch_related("citations"):
        assert dialogue.citations.exists(), dialogue.slug
    for era in Era.objects.all():
        assert PARAGRAPH.search(era.summary + era.boundary_note), era.slug
    for conflict in Conflict.objects.all():
        assert PARAGRAPH.search(conflict.summary), conflict.slug
    for participant in Participant.objects.all():
        assert PARAGRAPH.search(participant.side_note + participant.bio), participant.slug


def check_dialogues():
    for name, source, paragraph, slug in RECORDED:
        cited = Citation.objects.filter(dialogue__slug=slug, source__slug=source)
        assert cited.filter(paragraph=paragraph).exists(), (name, slug, paragraph)


def check_participants():
    for slug, expected in PARTICIPANTS.items():
        named = set(
            Participation.objects.filter(dialogue__slug=slug).values_list(
                "participant__slug", flat=True
            )
        )
        assert named == expected, slug
    assert Dialogue.objects.count() == len(PARTICIPANTS)
    # No role says "proposed" where no passage the dialogue cites speaks of a proposal.
    for participation in Participation.objects.filter(role__in=[Role.PROPOSER, Role.PROPOSED]):
        excerpts = participation.dialogue.citations.values_list("excerpt", flat=True)
        assert any("propos" in excerpt for excerpt in excerpts), participation
    for participation in Participation.objects.exclude(note=""):
        if INFERENCE.search(participation.note):
            assert PARAGRAPH.search(participation.note), participation


def check_backgrounds():
    for participant in Participant.objects.exclude(background=""):
        cited = Citation.objects.filter(participant=participant).exists()
        note = participant.background_note
        assert note.startswith("Stated") and cited or note.startswith("Inferred"), participant


def check_summaries():
    for dialogue in Dialogue.objects.prefetch_related("citations", "outcomes", "participations"):
        text = " ".join(
            [dialogue.title, dialogue.summary, dialogue.date_note]
            + [o.description for o in dialogue.outcomes.all()]
            + [p.note for p in dialogue.participations.all()]
        ).casefold()
        for citation in dialogue.citations.all():
            for word in QUALIFIERS:
                if re.search(rf"\b{word}\b", citation.excerpt, re.IGNORECASE):
                    assert word in text, (dialogue.slug, word)
        for part in (dialogue.summary, dialogue.date_note):
            if INFERENCE.search(part):
                assert PARAGRAPH.search(part), dialogue.slug


def check_quotations():
    for citation in Citation.objects.all():
        assert citation.paragraph >= 1
        assert len(citation.excerpt.split()) <= EXCERPT_MAX_WORDS, citation
    if SOURCES.is_dir():
        out = StringIO()
        call_command("check_archive", "--sources", str(SOURCES), stdout=out)
        assert out.getvalue().startswith("No problems found"), out.getvalue()


def check_dates():
    for dialogue in Dialogue.objects.prefetch_related("citations__source"):
        assert PARAGRAPH.search(dialogue.date_note), dialogue.slug
        if "source record" in dialogue.date_note:
            sources = {c.source for c in dialogue.citations.all()}
            if any("?" in s.date for s in sources):
                assert "?" in dialogue.date or "%" in dialogue.date, dialogue.slug


def check_differ():
    for point in SourceDisagreement.objects.with_citations():
        sides = list(point.citations.all())
        assert len({side.source_id for side in sides}) >= 2, point.slug
        assert all(side.paragraph >= 1 and side.excerpt for side in sides), point.slug


CHECKS = {
    "cites": check_cites,
    "dialogues": check_dialogues,
    "participants": check_participants,
    "backgrounds": check_backgrounds,
    "summaries": check_summaries,
    "quotations": check_quotations,
    "dates": check_dates,
    "differ": check_differ,
}


def test_every_sentence_of_the_method_has_a_check(about):
    sentences = {li["data-rule"] for li in about.select("ul#method li[data-rule]")}
    assert sentences == set(CHECKS)


@pytest.mark.parametrize("rule", sorted(CHECKS))
def test_the_method_is_true_of_the_fixtures(rule, about):
    assert about.select_one(f'#method li[data-rule="{rule}"]').get_text(strip=True)
    CHECKS[rule]()


# --- Episodes: recorded, or left out by a rule the About page states ----------------------


def check_every_episode_is_recorded_or_left_out_by_a_rule(about):
    named = {}
    section = about.find(id="left-out").find_parent("section")
    for li in section.select("li[data-episode]"):
        rule = li.find_parent(attrs={"data-rule": True})
        assert rule is not None and rule.select_one("p.rule").get_text(strip=True), li
        named[li["data-episode"]] = (rule["data-rule"], li.get_text(" ", strip=True))
    assert set(named) == set(LEFT_OUT)
    for episode, (rule, paragraph) in LEFT_OUT.items():
        assert named[episode][0] == rule, episode
        assert paragraph in named[episode][1], episode


def test_every_episode_is_a_record_or_named_as_left_out(about):
    check_dialogues()
    check_every_episode_is_recorded_or_left_out_by_a_rule(about)


def test_an_episode_neither_recorded_nor_named_fails(about):
    # The check is not vacuous: drop one record's citation, or one named episode, and it fails.
    Citation.objects.filter(dialogue__slug="track-ii-after-hamas-victory", paragraph=14).delete()
    with pytest.raises(AssertionError):
        check_dialogues()
    about.select_one('li[data-episode="alpher-p16-olmert-pledge"]').decompose()
    with pytest.raises(AssertionError):
        check_every_episode_is_recorded_or_left_out_by_a_rule(about)


# --- What Track II is: both definitions, each attributed -----------------------------------


def test_the_about_page_attributes_each_definition(about):
    section = about.find(id="what").find_parent("section")
    text = section.get_text(" ", strip=True)
    for sentence in re.split(r"(?<=\.)\s+(?=[A-Z])", text):
        if "political nature" in sentence:
            assert "2006 essay" in sentence and "paragraph 3" in sentence
        if "middle-level-leadership" in sentence:
            assert "2025 post" in sentence and "paragraph 4" in sentence
    assert "political nature" in text and "middle-level-leadership" in text
    assert not text.startswith("“Track II” names")


@pytest.mark.parametrize("slug", ["what-track-ii-is", "who-takes-part"])
def test_the_new_disagreements_quote_each_essay_with_its_paragraph(slug, about):
    point = SourceDisagreement.objects.with_citations().get(slug=slug)
    sides = {side.source.slug: side for side in point.citations.all()}
    assert set(sides) == {A, W}
    assert sides[A].paragraph == 3 and sides[W].paragraph == 4
    block = about.find(id=f"differ-{slug}").find_parent("section")
    quotes = [q.get_text(" ", strip=True) for q in block.find_all("blockquote")]
    for side in sides.values():
        assert len(side.excerpt.split()) <= EXCERPT_MAX_WORDS
        assert any(side.excerpt in quote for quote in quotes)


@pytest.mark.skipif(not SOURCES.is_dir(), reason="the source texts are not beside the project")
def test_the_about_page_quotes_the_sources_verbatim(about):
    texts = " ".join(
        normalise(path.read_text(encoding="utf-8")) for path in SOURCES.glob("*.txt")
    ).casefold()
    section = about.find(id="left-out").find_parent("section")
    quotations = QUOTED.findall(section.get_text(" ", strip=True))
    quotations += re.findall(r"“([^”]+)”", about.find(id="what").find_parent("section").text)
    assert len(quotations) >= 8
    for quotation in quotations:
        text = quotation[0] if isinstance(quotation, tuple) else quotation
        if text in ("Track I",):
            continue  # a name, not a quotation
        assert normalise(text).casefold() in texts, text
