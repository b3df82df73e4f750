"""While the facet index is being built, production pages say their counts and figures are
coming instead of working them out by grouped queries, and no cache keeps such a page."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from dialogues.listing import facet_index

pytestmark = pytest.mark.django_db

LIST = "/dialogues/?era=nineties"


@pytest.fixture
def building(monkeypatch):
    """The index is being built: no selection can be made from it yet."""
    monkeypatch.setattr(facet_index, "selection", lambda *args, **kwargs: None)


def page(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def drawn(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


@override_settings(FACETS_BY_SQL_WHILE_INDEXING=False)
def test_the_list_says_its_counts_and_figures_are_coming_and_is_kept_by_no_cache(
    client, small_archive, building
):
    response, _ = drawn(client, LIST)
    found = page(response)
    assert found.select_one(".facets-pending") is not None
    assert not found.select(".facet ul a")
    for kind in ("years", "map"):
        block = found.select_one(f"section.{kind}-block")
        assert "picture-pending" in block["class"]
        assert block.select_one("svg") is None
    # The cards are there: only what the index counts waits.
    assert "Oslo" in found.get_text()
    assert "no-store" in response["Cache-Control"]
    assert "ETag" not in response


@override_settings(FACETS_BY_SQL_WHILE_INDEXING=False)
def test_the_next_request_once_the_index_is_ready_draws_them(client, small_archive, monkeypatch):
    original = facet_index.selection
    monkeypatch.setattr(facet_index, "selection", lambda *args, **kwargs: None)
    assert page(client.get(LIST)).select_one(".facets-pending") is not None
    monkeypatch.setattr(facet_index, "selection", original)
    assert facet_index.current(inline=True) is not None
    response = client.get(LIST)
    found = page(response)
    assert found.select_one(".facets-pending") is None
    assert found.select(".facet ul a")
    assert found.select_one("section.years-block svg") is not None
    assert "public" in response["Cache-Control"]


def test_with_grouped_queries_allowed_the_counts_do_not_wait(client, small_archive, building):
    # The setting's default with debug on (`make run`, and these tests).
    found = page(client.get(LIST))
    assert found.select_one(".facets-pending") is None
    assert found.select(".facet ul a")


@override_settings(FACETS_BY_SQL_WHILE_INDEXING=False)
def test_waiting_runs_none_of_the_grouped_queries(client, small_archive, building):
    _, waiting = drawn(client, LIST)
    with override_settings(FACETS_BY_SQL_WHILE_INDEXING=True):
        _, grouped = drawn(client, LIST + "&sort=title")
    # Ten facets, the years and the map: each a grouped query or more when they stand in.
    assert grouped - waiting >= 10


@override_settings(FACETS_BY_SQL_WHILE_INDEXING=False)
@pytest.mark.parametrize("url", ["/eras/nineties/", "/places/"])
def test_era_and_places_pages_wait_for_their_figures_too(client, small_archive, building, url):
    response = client.get(url)
    found = page(response)
    assert found.select("section.picture-pending")
    assert "no-store" in response["Cache-Control"]
