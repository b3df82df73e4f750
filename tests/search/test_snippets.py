"""Snippets: the matching stretch of each result's text, escaped, with the matches marked."""

from __future__ import annotations

import re

import pytest
from django.utils.safestring import SafeData

from dialogues.search.index import rebuild_index
from dialogues.search.snippets import snippets
from tests.factories import make_dialogue

# --- Snippets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "slug", "marked"),
    [
        ("ceasefire", "markup-summary", "ceasefire"),
        ("negotiate", "oslo-channel", "negotiations"),
        ("Rene", "geneva-seminar", "René"),
        ("balcony", "rome-balcony", "balcony"),
        ("proposal", "london-water", "proposal"),
        ('"track two"', "harvard-workshop", "track"),
        ("settlers", "settlers-in-summary", "settlers"),
    ],
)
def test_snippets_mark_the_matched_words(corpus, q, slug, marked):
    pk = corpus[slug].pk
    result = snippets([pk], q)
    assert set(result) == {pk}
    assert isinstance(result[pk], SafeData)
    # A phrase may be marked as one stretch or word by word; either way the word is inside.
    assert re.search(rf"<mark>[^<]*\b{marked}\b[^<]*</mark>", result[pk]), result[pk]


def test_snippets_escape_the_text(corpus):
    pk = corpus["markup-summary"].pk
    html = snippets([pk], "bold claims")[pk]
    assert "<b>" not in html
    assert "&lt;b&gt;" in html
    assert "&amp;" in html
    assert "<mark>claims</mark>" in html
    assert html.count("<mark>") == html.count("</mark>") == 2


def test_snippets_of_long_texts_are_cut_around_the_match(corpus):
    before = " ".join(f"lorem{i}" for i in range(40))
    after = " ".join(f"ipsum{i}" for i in range(40))
    summary = f"{before} the quokka accord {after}."
    dialogue = make_dialogue(era=corpus["oslo-channel"].era, cite=False, summary=summary)
    rebuild_index([dialogue.pk])
    html = snippets([dialogue.pk], "quokka")[dialogue.pk]
    assert "<mark>quokka</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    assert "lorem0 " not in html and "ipsum39" not in html
    assert len(html) < len(summary) / 2


def test_snippets_cover_a_page_in_one_query(corpus, django_assert_num_queries):
    ids = [dialogue.pk for dialogue in corpus.values()]
    with django_assert_num_queries(1):
        result = snippets(ids, "settlers or hamas")
    slugs = {dialogue.pk: slug for slug, dialogue in corpus.items()}
    assert {slugs[pk] for pk in result} == {
        "settlers-in-title",
        "settlers-in-summary",
        "cairo-envoys",
        "mecca-meeting",
    }
    assert all("<mark>" in html for html in result.values())


@pytest.mark.parametrize("q", ["", "-settlers", '"', "🕊️"])
def test_snippets_without_words_to_find_are_empty(corpus, q):
    assert snippets([corpus["settlers-in-title"].pk], q) == {}
