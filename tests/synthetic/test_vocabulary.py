"""The vocabulary: word frequencies, topical words, and names and places with accents."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest

import synthetic
from dialogues.models import Dialogue, Participant
from tests.synthetic.helpers import generate, slope


@pytest.mark.django_db
def test_summary_word_frequencies_follow_zipf_s_law():
    generate(500)

    words = Counter(
        word
        for summary in Dialogue.objects.values_list("summary", flat=True)
        for word in re.findall(r"[^\W\d_]+", summary.casefold())
    )
    frequencies = sorted(words.values(), reverse=True)
    # The tail of a finite sample is flattened by words seen once or twice; fit the rest.
    reliable = [frequency for frequency in frequencies if frequency >= 5]
    assert len(reliable) >= 100
    assert -1.4 <= slope(reliable) <= -0.7
    # A vocabulary of thousands of words, not a handful.
    assert len(words) > 1000


@pytest.mark.django_db
def test_topical_words_are_among_the_common_ones():
    generate(300)

    text = " ".join(Dialogue.objects.values_list("summary", flat=True)).casefold()
    counts = Counter(re.findall(r"[^\W\d_]+", text))
    common = {word for word, _ in counts.most_common(400)}
    assert len(common & {word.casefold() for word in synthetic.TOPICAL_WORDS}) >= 20


@pytest.mark.django_db
def test_names_and_places_include_accented_letters():
    generate(500)

    def accented(text: str) -> bool:
        return any(unicodedata.decomposition(char) for char in text)

    assert any(map(accented, Participant.objects.values_list("name", flat=True)))
    assert any(map(accented, Dialogue.objects.values_list("place", flat=True)))
