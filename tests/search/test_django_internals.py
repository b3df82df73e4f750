"""Django's private query API, exercised directly: an upgrade that changes it fails here.

The search joins its FTS5 index through an object standing in for Django's `Join`, and reads
the alias of a resolved column. These tests pin down every piece of that API it relies on, so
that a change shows up as a failure naming the piece, not as a wrong search result.
"""

from __future__ import annotations

import inspect
import re

import django
import pytest
from django.db import NotSupportedError, connection
from django.db.models import F
from django.db.models.expressions import Col
from django.db.models.sql.constants import INNER, LOUTER
from django.db.models.sql.datastructures import Join
from django.db.models.sql.query import Query

from dialogues.models import Dialogue
from dialogues.search._django_internals import (
    CHECKED_DJANGO_VERSIONS,
    FtsJoin,
    column_alias,
    join_fts,
)
from dialogues.search.index import rebuild_index
from tests.factories import make_dialogue

TABLE = "dialogues_dialogue_fts"

# What Django 5.2's Join holds and offers; FtsJoin must answer to all that Query reads.
JOIN_ATTRIBUTES_5_2 = {
    "table_name",
    "parent_alias",
    "table_alias",
    "join_type",
    "join_cols",
    "join_field",
    "join_fields",
    "nullable",
    "filtered_relation",
}
JOIN_METHODS_5_2 = {"as_sql", "demote", "identity", "promote", "relabeled_clone"}
# join_field and the rest describe a model relation, which an index table does not have;
# Query reads them only for joins it made itself from a relation path.
READ_OF_EVERY_JOIN = {
    "table_name",
    "parent_alias",
    "table_alias",
    "join_type",
    "nullable",
    "filtered_relation",
}


def _sql(queryset) -> str:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql % tuple(repr(p) for p in params)


def test_the_running_django_is_one_the_internals_were_checked_against():
    # Checking a new version means running this file on it; then add it to the tuple.
    assert django.VERSION[:2] in CHECKED_DJANGO_VERSIONS


def test_a_real_join_still_has_the_shape_fts_join_imitates(db):
    query = Dialogue.objects.filter(era__name="x").query
    [join] = [entry for entry in query.alias_map.values() if isinstance(entry, Join)]
    assert set(vars(join)) == JOIN_ATTRIBUTES_5_2
    assert {n for n in dir(Join) if not n.startswith("__")} == JOIN_METHODS_5_2
    assert list(inspect.signature(Join.__init__).parameters) == [
        "self",
        "table_name",
        "parent_alias",
        "table_alias",
        "join_type",
        "join_field",
        "nullable",
        "filtered_relation",
    ]
    assert list(inspect.signature(Join.relabeled_clone).parameters) == ["self", "change_map"]
    assert list(inspect.signature(Query.join).parameters) == ["self", "join", "reuse"]
    assert join.promote().join_type == LOUTER
    assert join.promote().demote().join_type == INNER


def test_fts_join_offers_what_query_reads_of_a_join():
    fts = FtsJoin(TABLE, "dialogues_dialogue", None, "id", '"x"')
    for name in READ_OF_EVERY_JOIN | JOIN_METHODS_5_2:
        assert hasattr(fts, name), name
    assert fts.join_type == INNER
    # Once promoted under an OR it stays refused; demoting a fresh one changes nothing.
    assert fts.promote().either and fts.promote().demote().either
    assert not fts.demote().either
    assert fts.relabeled_clone({"dialogues_dialogue": "U0"}).parent_alias == "U0"
    assert fts == fts.relabeled_clone({}) and hash(fts) == hash(fts.relabeled_clone({}))


def test_query_join_takes_the_fts_join_as_an_inner_join(db):
    queryset, alias = join_fts(Dialogue.objects.all(), TABLE, '"hamas"')
    entry = queryset.query.alias_map[alias]
    assert isinstance(entry, FtsJoin)
    assert entry.table_alias == alias == TABLE
    assert entry.join_type == INNER and entry.drives
    sql = _sql(queryset)
    assert f'INNER JOIN "{TABLE}" ON (+"{TABLE}".rowid = "dialogues_dialogue"."id"' in sql
    assert "MATCH '\"hamas\"'" in sql


def test_a_second_join_gets_its_own_alias_and_does_not_drive(db):
    first, alias = join_fts(Dialogue.objects.all(), TABLE, '"hamas"')
    second, other = join_fts(first, TABLE, '"met"')
    assert other != alias
    assert not second.query.alias_map[other].drives
    # The first queryset is left as it was.
    assert other not in first.query.alias_map


def test_a_searched_queryset_is_relabelled_inside_a_subquery(db):
    queryset, _ = join_fts(Dialogue.objects.all(), TABLE, '"hamas"')
    sql = _sql(Dialogue.objects.filter(pk__in=queryset.values("pk")))
    renamed = re.search(rf'INNER JOIN "{TABLE}" (\w+) ON \(\+(\w+)\.rowid = (\w+)\."id"', sql)
    assert renamed, sql
    assert renamed.group(1) == renamed.group(2) != TABLE
    assert renamed.group(3) != "dialogues_dialogue"


def test_or_promotes_the_join_and_is_refused(db):
    queryset, alias = join_fts(Dialogue.objects.all(), TABLE, '"hamas"')
    combined = queryset | Dialogue.objects.filter(slug="x")
    entry = next(e for e in combined.query.alias_map.values() if isinstance(e, FtsJoin))
    assert entry.either
    with pytest.raises(NotSupportedError):
        combined.query.get_compiler(using=combined.db).as_sql()


def test_a_resolved_column_names_its_table_alias(db):
    column = Dialogue.objects.annotate(x=F("pk")).query.annotations["x"]
    assert isinstance(column, Col)
    assert column_alias(column) == "dialogues_dialogue"
    assert column_alias(column.relabeled_clone({"dialogues_dialogue": "U0"})) == "U0"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table exists on SQLite only")
def test_the_joined_index_runs(db):
    make_dialogue(slug="okapi", title="Okapi talks", cite=False)
    rebuild_index()
    queryset, _ = join_fts(Dialogue.objects.all(), TABLE, '"okapi"')
    assert list(queryset.values_list("slug", flat=True)) == ["okapi"]
