"""Facet counts: each leaves out its own filter, counts dialogues once, and is cached."""

from __future__ import annotations

from django.http import QueryDict

from dialogues.listing.facets import FACETS, facet_counts
from dialogues.listing.filters import DialogueFilterSet


def counts(query: str) -> dict[str, dict[str, int]]:
    fs = DialogueFilterSet(QueryDict(query) or None)
    return {facet.name: {value: n for value, _, n in rows} for facet, rows in facet_counts(fs)}


def test_every_facet_is_counted_in_order(archive):
    result = counts("")
    assert list(result) == [facet.name for facet in FACETS]
    assert result["era"] == {"early": 2, "late": 2}
    assert result["outcome"] == {"became_official": 1, "walkout": 2}


def test_a_facet_leaves_out_its_own_filter(archive):
    result = counts("era=early&outcome=walkout")
    # How many walkouts in each era, whichever era is chosen.
    assert result["era"] == {"early": 1, "late": 1}
    # What outcomes the early era has, whichever outcome is chosen.
    assert result["outcome"] == {"walkout": 1}
    assert result["side"] == {"israeli": 1}


def test_a_dialogue_counts_once_however_many_participants_match(archive):
    # "first" has two Israeli participants.
    assert counts("")["side"] == {"israeli": 2, "palestinian": 2}
    assert counts("")["background"] == {"academic": 2, "journalist": 2}


def test_the_search_narrows_every_facet(archive):
    assert counts("q=water")["era"] == {"early": 2}
    assert counts("q=water")["outcome"] == {"walkout": 1}


def test_counts_are_labelled_in_the_vocabulary_order(archive):
    fs = DialogueFilterSet(None)
    outcome = dict(facet_counts(fs))
    [(facet, rows)] = [(f, r) for f, r in outcome.items() if f.name == "outcome"]
    assert [label for _, label, _ in rows] == ["Became official (Track I)", "Walkout"]
    assert facet.label == "Outcome"


def test_counts_are_cached_until_the_archive_changes(archive, django_assert_num_queries):
    counts("era=late")
    with django_assert_num_queries(1):  # looking the era up to validate it; no counting
        again = counts("era=late")
    assert again["era"] == {"early": 2, "late": 2}
    archive["dialogues"]["fourth"].delete()
    assert counts("era=late")["era"] == {"early": 2, "late": 1}
