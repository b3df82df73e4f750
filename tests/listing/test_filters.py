"""The FilterSet behind every list of dialogues: validation, filtering, sorting, cache keys."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from dialogues.listing.filters import SORTS, DialogueFilterSet, ParticipantFilterSet
from dialogues.models import Participant
from dialogues.search import query as search_query


def filterset(query: str) -> DialogueFilterSet:
    return DialogueFilterSet(QueryDict(query) or None)


def slugs(fs: DialogueFilterSet) -> list[str]:
    return list(fs.qs.values_list("slug", flat=True))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["first", "second", "third", "fourth"]),
        ("era=late", ["third", "fourth"]),
        ("side=israeli", ["first", "second"]),
        ("background=journalist", ["first", "third"]),
        ("participant=leila", ["first", "third"]),
        ("outcome=walkout&era=early", ["second"]),
        ("place=rom", ["second"]),
        ("from=1977&to=1990", ["first", "second"]),
        ("from=1977&to=1990&match=within", ["second"]),
        ("q=talks", ["first", "third"]),
        ("q=talks&sort=-date", ["third", "first"]),
        ("sort=title", ["first", "fourth", "second", "third"]),
    ],
)
def test_filters_and_sorts_select_the_dialogues(archive, query, expected):
    assert slugs(filterset(query)) == expected


def test_a_dialogue_with_several_matching_participants_is_listed_once(archive):
    # "first" has two Israeli participants; a join would list it twice.
    assert slugs(filterset("side=israeli")).count("first") == 1


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("era=nowhere", "era", "There is no era “nowhere”"),
        ("side=martian", "side", "Accepted: israeli, palestinian"),
        ("from=someday", "from", "Enter a year such as 1995"),
        ("q=" + "x" * 10_001, "q", "use at most 10,000 characters"),
    ],
)
def test_a_bad_value_is_an_error_with_a_message_and_is_left_out(archive, query, field, words):
    fs = filterset(query)
    assert words in " ".join(fs.errors[field])
    assert field not in fs.cleaned
    assert len(slugs(fs)) == 4


@pytest.mark.parametrize(
    ("query", "sort"),
    [
        ("", "date"),
        ("q=talks", "relevance"),
        ("sort=relevance", "date"),
        ("q=talks&sort=title", "title"),
        ("sort=-date", "-date"),
        ("sort=sideways", "date"),
    ],
)
def test_relevance_is_the_sort_only_while_searching(query, sort, db):
    fs = filterset(query)
    assert fs.active_sort == sort
    assert fs.ordering() == SORTS[sort][1]


def test_the_search_is_parsed_once_for_the_list_and_every_facet(archive, monkeypatch):
    tokenizer = search_query._CHUNK
    calls = []

    class Counting:
        def finditer(self, text):
            calls.append(text)
            return tokenizer.finditer(text)

    monkeypatch.setattr(search_query, "_CHUNK", Counting())
    fs = filterset("q=talks+-water&era=late")
    assert slugs(fs) == ["third"]
    for name in ("era", "outcome", "side", "background", "q"):
        fs.filter_queryset(fs.queryset, without=name).count()
    assert fs.query is fs.query
    assert fs.query.groups == ((("talks",),),)
    assert calls == ["talks -water"]


def test_without_a_search_the_query_is_empty(db):
    assert filterset("era=late").query.is_empty
    assert not filterset("q=%20%20").searching


def test_filter_queryset_can_leave_one_filter_out(archive):
    fs = filterset("era=early&outcome=walkout")
    without_era = fs.filter_queryset(fs.queryset, without="era")
    assert sorted(without_era.values_list("slug", flat=True)) == ["second", "third"]


def test_the_cache_key_names_the_filters_but_not_the_sort(archive):
    fs = filterset("sort=title&era=late&q=talks")
    assert fs.cache_key() == (("era", "late"), ("q", "talks"))
    assert fs.cache_key(without="era") == (("q", "talks"),)
    assert filterset("era=late&sort=-date").cache_key() == filterset("era=late").cache_key()


def test_dates_are_read_from_from_and_to(db):
    fs = filterset("from=1990&to=1995")
    assert str(fs.cleaned["from"]) == "1990-01-01"
    assert str(fs.cleaned["to"]) == "1995-12-31"
    assert {"from", "to"} <= set(fs.form.fields)


def test_participants_filter_by_side_background_and_kind(archive):
    fs = ParticipantFilterSet(QueryDict("side=israeli"), queryset=Participant.objects.all())
    assert sorted(fs.qs.values_list("slug", flat=True)) == ["amos", "dan"]
    fs = ParticipantFilterSet(QueryDict("kind=robot"), queryset=Participant.objects.all())
    assert "kind" in fs.errors
