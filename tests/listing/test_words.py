"""The list in words: the sentence above the results and the chips that remove a filter."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from dialogues.listing.filters import DialogueFilterSet
from dialogues.listing.words import chips, sentence


def filterset(query: str) -> DialogueFilterSet:
    return DialogueFilterSet(QueryDict(query) or None)


@pytest.mark.parametrize(
    ("query", "count", "words"),
    [
        ("", 1, "1 dialogue"),
        ("", 1234, "1,234 dialogues"),
        ("era=late&outcome=walkout", 1, "1 dialogue in Late years with a walkout"),
        ("side=palestinian", 2, "2 dialogues with Palestinian participants"),
        (
            "background=academic",
            2,
            "2 dialogues with participants whose background is Academic",
        ),
        ("participant=leila&place=rom", 0, "0 dialogues with Leila at a place matching “rom”"),
        ("from=1980&to=1990", 1, "1 dialogue that may date between 1980-01-01 and 1990-12-31"),
        ("from=1980&match=within", 3, "3 dialogues dated wholly on or after 1980-01-01"),
        ("to=1980", 1, "1 dialogue that may date on or before 1980-12-31"),
        ("q=water+-rome", 1, "1 dialogue matching “water” but not “rome”"),
        (
            "q=%21%21%21",
            4,
            "4 dialogues (the search has no words to look for, so it is left out)",
        ),
        ("era=nowhere", 4, "4 dialogues"),
    ],
)
def test_the_sentence_says_what_the_list_shows(archive, query, count, words):
    assert sentence(filterset(query), count) == words


def test_the_sentence_describes_the_parsed_query(archive, monkeypatch):
    fs = filterset("q=water")
    fs.query  # noqa: B018  (parsed here, once)
    # The sentence reads the filterset's parsed query; with the tokenizer gone, parsing again
    # would raise.
    monkeypatch.setattr("dialogues.search.query._CHUNK", None)
    assert sentence(fs, 2).endswith("matching “water”")


def chip_links(query: str) -> dict[str, str]:
    params = QueryDict(query)
    return {chip.name: chip.remove_url for chip in chips(filterset(query), params)}


def test_each_active_filter_gets_a_chip_linking_to_the_list_without_it(archive):
    links = chip_links("era=late&outcome=walkout&page=3&sort=title")
    assert set(links) == {"era", "outcome"}
    assert links["era"] == "?outcome=walkout&sort=title"
    assert links["outcome"] == "?era=late&sort=title"


def test_removing_the_last_date_also_removes_match(archive):
    assert chip_links("from=1980&match=within")["from"] == "?"
    assert chip_links("from=1980&to=1990&match=within")["from"] == "?to=1990&match=within"


def test_the_default_match_and_bad_values_get_no_chip(archive):
    assert set(chip_links("from=1980&match=overlap&era=nowhere")) == {"from"}


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("era=late", "Late years"),
        ("side=israeli", "Israeli participants"),
        ("outcome=walkout", "Walkout"),
        ("place=Rome", "place “Rome”"),
        ("q=water", "“water”"),
        ("from=1980", "from 1980-01-01"),
        ("from=1980&match=within", "wholly within the dates"),
    ],
)
def test_chips_say_the_filter_in_words(archive, query, label):
    labels = [chip.label for chip in chips(filterset(query), QueryDict(query))]
    assert label in labels
