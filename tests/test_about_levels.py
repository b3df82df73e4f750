"""The About page defines each level, quoting the sources verbatim with the paragraph they come
from, and says where a definition is the archive's own because the sources are silent."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from dialogues.models import Level
from dialogues.source_texts import normalise, read_source_texts

ROOT = Path(__file__).resolve().parent.parent
SOURCES = Path(os.environ.get("TRACKII_SOURCES_DIR", ROOT.parent / "shared" / "seeds"))
# The first words of each source's first paragraph, as the fixtures' sources give them.
FIRST_WORDS = {
    "2006 essay": "Israelis and Palestinians have been conducting informal talks",
    "2025 post": "On March 18, 2025, Israeli airstrikes",
}
# A quotation, then the next "(paragraph N)" after it.
QUOTED_WITH_PARAGRAPH = re.compile(r"“([^”]+)”[^“]*?\(paragraph (\d+)\)")

pytestmark = pytest.mark.django_db


@pytest.fixture
def levels(client):
    page = BeautifulSoup(client.get(reverse("dialogues:about")).content, "html.parser")
    section = page.find(id="levels")
    assert section is not None
    return section.find_parent("section")


def test_every_level_is_defined(levels):
    defined = {dd["data-level"] for dd in levels.select("dd[data-level]")}
    assert defined == set(Level.values)
    assert levels.find(id="implied-level") is not None


@pytest.mark.parametrize("level", [Level.TRACK_1_5, Level.TRACK_III])
def test_a_level_the_sources_never_name_is_the_archive_s_own(levels, level):
    text = levels.select_one(f"dd[data-level={level}]").get_text(" ", strip=True)
    assert "Neither source uses this term" in text
    assert "archive's own definition" in text


@pytest.mark.parametrize("level", [Level.TRACK_I, Level.TRACK_II])
def test_a_level_the_sources_name_cites_both_of_them(levels, level):
    text = levels.select_one(f"dd[data-level={level}]").get_text(" ", strip=True)
    assert "2006 essay" in text and "2025 post" in text
    assert "archive's own definition" not in text


@pytest.mark.skipif(not SOURCES.is_dir(), reason="the source texts are not beside the project")
def test_each_quotation_is_verbatim_in_the_paragraph_it_cites(levels):
    texts = read_source_texts(SOURCES)
    paragraphs = {}
    for label, first_words in FIRST_WORDS.items():
        found = [t.paragraphs(first_words) for t in texts]
        (paragraphs[label],) = [p for p in found if p]
    checked = 0
    for dd in levels.select("dd[data-level]"):
        text = dd.get_text(" ", strip=True)
        for sentence in re.split(r"(?<=[.)])\s+(?=[A-Z])", text):
            source = next((label for label in FIRST_WORDS if label in sentence), None)
            for quotation, number in QUOTED_WITH_PARAGRAPH.findall(sentence):
                assert source is not None, sentence
                paragraph = paragraphs[source][int(number) - 1]
                assert normalise(quotation) in normalise(paragraph), (quotation, source, number)
                checked += 1
    assert checked >= 6
