"""The search tests' corpus, indexed, and a helper that says which dialogues a query finds."""

from __future__ import annotations

import pytest
from django.db import connection

from dialogues.models import Dialogue
from dialogues.search import rum
from dialogues.search.index import rebuild_index
from dialogues.search.queryset import search_queryset
from tests.factories import SEARCH_CORPUS, make_era, make_search_dialogue


@pytest.fixture
def corpus(db) -> dict[str, Dialogue]:
    era = make_era(date="1990/2010")
    dialogues = {
        slug: make_search_dialogue(slug, fields, era) for slug, fields in SEARCH_CORPUS.items()
    }
    # Inside the test's transaction nothing commits, so the on-commit reindex never runs.
    rebuild_index()
    if connection.vendor == "postgresql":
        # Whether the RUM index is there is asked once per connection: ask before the tests
        # count their queries.
        rum.available(connection)
    return dialogues


def _found(q: str, queryset=None) -> set[str]:
    queryset = Dialogue.objects.all() if queryset is None else queryset
    return set(search_queryset(queryset, q).values_list("slug", flat=True))


@pytest.fixture
def found():
    """Return a function giving the slugs a query finds (in `queryset`, or every dialogue)."""
    return _found
