"""Browse: one listing per request, which the list page, the API and the downloads read from."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from dialogues.listing.browse import Browse
from dialogues.listing.facets import FACETS
from dialogues.listing.filters import DialogueFilterSet
from dialogues.models import Dialogue
from dialogues.search import query as search_query


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """Record the text of every parse of a search, by watching the query language's tokenizer."""
    tokenizer = search_query._CHUNK
    calls: list[str] = []

    class Counting:
        def finditer(self, text):
            calls.append(text)
            return tokenizer.finditer(text)

    monkeypatch.setattr(search_query, "_CHUNK", Counting())
    return calls


def browse(query: str, **kwargs) -> Browse:
    return Browse(QueryDict(query), **kwargs)


def test_a_cold_request_parses_the_search_once(client, archive, parses):
    # The cache starts empty, so the count, every facet, the snippets and the sentence are
    # all worked out in this request.
    response = client.get("/dialogues/?q=talks+or+water&era=early")
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select(".results .card-snippet mark")
    assert "matching “talks” or “water”" in page.select_one(".sentence").get_text()
    assert page.select_one("section[aria-labelledby=facet-era]") is not None
    assert parses == ["talks or water"]


def test_building_one_runs_no_query(archive, django_assert_num_queries):
    with django_assert_num_queries(0):
        listing = browse("q=talks&era=late&sort=title")
    # Validating looks the era up; nothing else is read until it is asked for.
    with django_assert_num_queries(1):
        assert listing.sort == "title"
        assert listing.searching


def test_a_download_pays_only_for_its_rows(archive, parses):
    params = QueryDict("q=talks&sort=-date")
    listing = Browse(params)
    with CaptureQueriesContext(connection) as queries:
        assert listing.errors == {}
        rows = list(listing.queryset.with_relations())
    assert [d.slug for d in rows] == ["third", "first"]
    # The same queries as the filterset applied to related rows: no count, facet or snippet.
    old = DialogueFilterSet(params, queryset=Dialogue.objects.public().with_relations())
    with CaptureQueriesContext(connection) as expected:
        list(old.qs)
    assert [q["sql"] for q in queries.captured_queries] == [
        q["sql"] for q in expected.captured_queries
    ]
    assert parses == ["talks", "talks"]  # one per listing


def test_a_page_holds_its_dialogues_in_order(archive):
    listing = browse("sort=title", page_size=3)
    assert listing.count == 4
    assert listing.paginator.num_pages == 2
    first = listing.page(1)
    assert [d.slug for d in first.object_list] == ["first", "fourth", "second"]
    assert first.has_next()
    assert [d.slug for d in listing.page(2).object_list] == ["third"]
    with pytest.raises(EmptyPage):
        listing.page(3)
    with pytest.raises(PageNotAnInteger):
        listing.page("x")


def test_page_rows_come_from_the_given_queryset(archive, django_assert_num_queries):
    listing = browse("era=late", rows=Dialogue.objects.with_relations())
    page = listing.page(1)
    with django_assert_num_queries(0):
        sources = [c.source.title for d in page.object_list for c in d.citations.all()]
    assert len(sources) == 2


def test_snippets_are_for_the_page_last_taken(archive, django_assert_num_queries):
    listing = browse("q=water", page_size=1)
    assert listing.snippets == {}
    page = listing.page(2)
    with django_assert_num_queries(1):
        found = listing.snippets
        assert listing.snippets is found
    [dialogue] = page.object_list
    assert set(found) == {dialogue.pk}
    assert "<mark>water</mark>" in found[dialogue.pk]


def test_without_a_search_there_are_no_snippets(archive, django_assert_num_queries):
    listing = browse("era=early")
    listing.page(1)
    with django_assert_num_queries(0):
        assert listing.snippets == {}


def test_errors_give_each_bad_parameter_its_messages(archive):
    listing = browse("era=nowhere&side=martian&from=1990")
    assert set(listing.errors) == {"era", "side"}
    assert all(isinstance(m, str) for messages in listing.errors.values() for m in messages)
    # The bad values are left out; the good one still filters.
    assert listing.count == 2


@pytest.mark.parametrize(
    ("query", "keys"),
    [("", ["date", "-date", "title"]), ("q=talks", ["date", "-date", "title", "relevance"])],
)
def test_relevance_is_offered_only_while_searching(query, keys, db):
    assert [key for key, _ in browse(query).sorts] == keys


def test_the_words_and_facets_describe_the_listing(archive):
    listing = browse("q=talks&era=late")
    assert listing.sentence == "1 dialogue in Late years matching “talks”"
    assert [chip.label for chip in listing.chips] == ["“talks”", "Late years"]
    facets = {facet.name: {v: n for v, _, n in rows} for facet, rows in listing.facets}
    assert facets["era"] == {"early": 1, "late": 1}


def test_facets_are_worked_out_only_when_read(archive, django_assert_num_queries):
    listing = browse("era=late")
    listing.page(1)
    assert listing.sentence.startswith("2 dialogues")
    # One grouped query per facet while no index is kept (issue 21 added six to the four).
    with django_assert_num_queries(len(FACETS)):
        assert len(listing.facets) == len(FACETS) == 10
    with django_assert_num_queries(0):
        listing.facets  # noqa: B018  (kept from the first read)


def test_no_parameters_list_everything_by_date(archive):
    listing = Browse(None)
    assert not listing.filterset.is_bound
    assert listing.chips == []
    assert [d.slug for d in listing.page(1).object_list] == ["first", "second", "third", "fourth"]
