"""The PostgreSQL backend: websearch_to_tsquery per phrase, a weighted tsvector, ts_rank."""

from __future__ import annotations

import pytest
from django.db import connection

from dialogues.models import Dialogue
from dialogues.search import rum
from dialogues.search.columns import COLUMNS
from dialogues.search.postgres import PG_WEIGHTS, TS_CONFIG, pg_all, pg_any, search, vector
from dialogues.search.query import parse

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="runs tsvector queries on PostgreSQL"
)


def test_each_phrase_is_one_quoted_websearch_query():
    sql, params = pg_any([("track", "two"), ("talks",)])
    assert sql.count(f"websearch_to_tsquery('{TS_CONFIG}', %s)") == 2
    assert " || " in sql
    assert params == ['"track two"', '"talks"']


def test_groups_are_joined_with_and():
    sql, params = pg_all(parse("hamas or fatah met").groups)
    assert sql.count(" && ") == 1 and sql.count(" || ") == 1
    assert params == ['"hamas"', '"fatah"', '"met"']


def test_the_vector_gives_every_column_its_weight():
    assert set(PG_WEIGHTS) == set(COLUMNS)
    assert PG_WEIGHTS["title"] == "A"
    sql = vector()
    for weight in "ABCD":
        assert sql.count(f"'{weight}')") == 1


@postgres_only
def test_a_search_matches_and_ranks_on_the_rows_own_vector(db):
    sql = str(search(Dialogue.objects.all(), parse("hamas -truce")).query)
    assert '"dialogues_dialogue".search_vector @@' in sql
    assert "NOT coalesce(" in sql
    # RUM's distance where the database has its index, ts_rank where it has not.
    assert ("<=>" if rum.available(connection) else "ts_rank(") in sql
