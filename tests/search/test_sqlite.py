"""The SQLite backend: FTS5 queries built from a parsed query, ranked with bm25."""

from __future__ import annotations

import pytest
from django.db import connection

from dialogues.models import Dialogue
from dialogues.search.columns import COLUMNS
from dialogues.search.query import parse
from dialogues.search.sqlite import BM25_WEIGHTS, FTS_TABLE, fts_match, fts_phrase, search

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="runs FTS5 on SQLite")


@pytest.mark.parametrize(
    ("q", "match"),
    [
        ("settlers", '("settlers")'),
        ('"track two" talks', '("track two") AND ("talks")'),
        ("hamas or fatah met", '("hamas" OR "fatah") AND ("met")'),
        ("hamas -truce -fatah", '(("hamas")) NOT ("truce" OR "fatah")'),
        ("NEAR(a b)", '("NEAR a") AND ("b")'),
    ],
)
def test_the_fts_query_quotes_every_phrase(q, match):
    assert fts_match(parse(q)) == match


def test_a_quote_in_a_phrase_is_doubled():
    assert fts_phrase(('a"b',)) == '"a""b"'


def test_every_column_has_a_bm25_weight_and_titles_weigh_most():
    assert set(BM25_WEIGHTS) == set(COLUMNS)
    assert max(BM25_WEIGHTS, key=BM25_WEIGHTS.get) == "title"


@sqlite_only
def test_a_search_joins_the_index_and_ranks_with_bm25(db):
    sql = str(search(Dialogue.objects.all(), parse("hamas")).query)
    assert f'INNER JOIN "{FTS_TABLE}"' in sql
    assert "-bm25(" in sql


@sqlite_only
def test_a_search_that_only_leaves_out_needs_no_join(db):
    sql = str(search(Dialogue.objects.all(), parse("-hamas")).query)
    assert "INNER JOIN" not in sql
    assert f'NOT ("dialogues_dialogue"."id" IN (SELECT rowid FROM {FTS_TABLE}' in sql
