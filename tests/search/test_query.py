"""The query language: reading a user's text, and saying it back in words."""

from __future__ import annotations

import pytest

from dialogues.search.query import MAX_TERM_LENGTH, MAX_TERMS, describe, parse

# --- Describing the query -----------------------------------------------------------------

DESCRIPTIONS = [
    ("settlers", "matching “settlers”"),
    ('"track two"', "matching the phrase “track two”"),
    ("hamas -fatah", "matching “hamas” but not “fatah”"),
    ("oslo academics", "matching “oslo” and “academics”"),
    ("a b c", "matching “a”, “b” and “c”"),
    ("hamas or fatah", "matching “hamas” or “fatah”"),
    ("hamas or fatah talks", "matching either “hamas” or “fatah”, and “talks”"),
    ("-fatah", "not matching “fatah”"),
    ("-fatah -hamas", "not matching “fatah” or “hamas”"),
    ('"track two" -"two track"', "matching the phrase “track two” but not the phrase “two track”"),
    ("title:settlers", "matching the phrase “title settlers”"),
    ("settlers settlers SETTLERS", "matching “settlers”"),
    ("René", "matching “René”"),
    ("", ""),
    ("-", ""),
    ("or", ""),
    ("<script>", "matching “script”"),
]


@pytest.mark.parametrize(("q", "expected"), DESCRIPTIONS, ids=[repr(q) for q, _ in DESCRIPTIONS])
def test_describe(q, expected):
    assert describe(q) == expected


def test_long_queries_are_capped():
    parsed = parse(" ".join(f"word{i}" for i in range(100)))
    assert sum(len(phrase) for group in parsed.groups for phrase in group) == MAX_TERMS
    parsed = parse("x" * 10_000)
    assert parsed.groups == ((("x" * MAX_TERM_LENGTH,),),)
