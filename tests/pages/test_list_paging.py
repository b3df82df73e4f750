"""The list page takes its page once, through the call the API makes, within a tight budget."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from dialogues.listing import selectors
from dialogues.listing.browse import Browse
from dialogues.search import rebuild_index
from tests.factories import make_archive

SEARCHED = {"q": "talks", "side": "israeli", "sort": "relevance"}
# What one searched, filtered page needs: the generation; the count; the page's ids; its rows
# with their participations and outcomes; the snippets; ten facets (era, outcome, side,
# background, level, capacity, organisation, series, place, country); the years' figure; the
# map (the places' counts, sure and alternative in one query, their pairs of alternatives, and
# the dialogues with and without a place); the era and
# conflict choices of the filter form. Paging is one of them (the page's ids). On a larger
# archive the facets and the years come from the facet index instead.
LIST_BUDGET = 24
PAGE_IDS = 'SELECT "dialogues_dialogue"."id" AS "pk" FROM'


@pytest.fixture
def archive(db):
    archive = make_archive()
    rebuild_index()  # the test's transaction never commits: index what is there
    return archive


@pytest.fixture
def pagings(monkeypatch):
    """Count the pages taken: by `Browse.page`, and by the paginator beneath it."""
    taken = {"browse": 0, "paginator": 0}
    browse_page, paginator_page = Browse.page, selectors.KnownCountPaginator.page

    def counting_browse(self, number):
        taken["browse"] += 1
        return browse_page(self, number)

    def counting_paginator(self, number):
        taken["paginator"] += 1
        return paginator_page(self, number)

    monkeypatch.setattr(Browse, "page", counting_browse)
    monkeypatch.setattr(selectors.KnownCountPaginator, "page", counting_paginator)
    return taken


@pytest.mark.parametrize(
    "url", [reverse("dialogues:dialogue_list"), reverse("dialogues:api:dialogue_list")]
)
def test_the_list_page_and_the_api_take_their_page_once_through_browse(
    client, archive, pagings, url
):
    response = client.get(url, SEARCHED)

    assert response.status_code == 200
    assert pagings == {"browse": 1, "paginator": 1}


def test_a_bad_page_number_still_takes_one_page(client, archive, pagings):
    response = client.get(reverse("dialogues:dialogue_list"), {**SEARCHED, "page": "99"})

    assert response.status_code == 200
    assert "showing the last instead of page 99" in response.content.decode()
    assert pagings == {"browse": 1, "paginator": 1}


def test_a_searched_filtered_list_page_runs_what_one_paging_needs(
    client, archive, django_assert_num_queries
):
    with django_assert_num_queries(LIST_BUDGET) as queries:
        response = client.get(reverse("dialogues:dialogue_list"), SEARCHED)

    cards = BeautifulSoup(response.content, "html.parser").select("ol.results > li, .card")
    assert response.context["count"] == 3 and cards
    ids = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(PAGE_IDS)]
    assert len(ids) == 1, ids  # the page's ids, taken once
