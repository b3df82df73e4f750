"""PostgreSQL's RUM index: built by the migration when the server has it, used for ranking,
and the archive still searching through GIN when it has not."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.http import QueryDict

from dialogues.listing import facet_index, selectors
from dialogues.listing.filters import DialogueFilterSet
from dialogues.search import postgres, rum
from dialogues.search.index import rebuild_index
from dialogues.search.query import parse
from tests.factories import make_dialogue, make_era

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="RUM is a PostgreSQL extension"
)
migration = importlib.import_module("dialogues.migrations.0016_search_rum_index")


def _server_has_rum() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        return cursor.fetchone() is not None


@pytest.fixture
def with_rum(db):
    if not _server_has_rum():
        pytest.skip("this PostgreSQL server lacks the rum extension (postgresql-15-rum)")
    rum.forget(connection)
    yield
    rum.forget(connection)


@pytest.fixture
def without_rum(db):
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute(f"DROP INDEX IF EXISTS {rum.RUM_INDEX}")
    rum.forget(connection)
    yield
    rum.forget(connection)


@pytest.fixture
def titles(db):
    era = make_era(date="1990/2000")
    # The words in a summary many times over, against the words once in a title.
    make_dialogue(
        slug="in-summary",
        era=era,
        date="1991",
        title="A meeting",
        summary="Water rights and water rights, water, rights, water.",
        cite=False,
    )
    make_dialogue(
        slug="in-title",
        era=era,
        date="1995",
        title="Water rights",
        summary="A meeting on other things.",
        cite=False,
    )
    make_dialogue(
        slug="elsewhere",
        era=era,
        date="1992",
        title="Borders",
        summary="Nothing on that.",
        cite=False,
    )
    rebuild_index()
    yield
    facet_index.forget()


def _relevance_page(query: str) -> list[str]:
    filterset = DialogueFilterSet(QueryDict(query + "&sort=relevance"))
    ids = list(selectors.dialogue_ids(filterset)[0:10])
    slugs = dict(filterset.qs.model.objects.filter(pk__in=ids).values_list("pk", "slug"))
    return [slugs[pk] for pk in ids]


def test_the_migration_builds_the_index_when_the_server_has_rum(with_rum):
    assert rum.available(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [rum.RUM_INDEX])
        (definition,) = cursor.fetchone()
    assert "USING rum (search_vector)" in definition


def test_the_migration_going_back_drops_the_index_and_forward_again_builds_it(with_rum):
    editor = connection.schema_editor(atomic=False)
    migration.drop(None, editor)
    rum.forget(connection)
    assert not rum.available(connection)
    migration.create(None, editor)
    rum.forget(connection)
    assert rum.available(connection)


def test_the_ranked_query_is_served_in_order_by_the_rum_index(with_rum, titles):
    where, params = postgres._matching(parse("water rights"))
    tsquery, query_params = postgres.pg_all(parse("water rights").groups)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT id FROM dialogues_dialogue WHERE {where} "
            f"ORDER BY {rum.distance('search_vector', tsquery)} LIMIT 5",
            [*params, *query_params],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Index Scan using {rum.RUM_INDEX}" in plan and "Order By" in plan, plan
    assert "Sort Key" not in plan, plan


@pytest.mark.parametrize("path", ["with_rum", "without_rum"])
def test_title_matches_come_first_on_both_paths(request, path, titles):
    request.getfixturevalue(path)
    assert rum.available(connection) is (path == "with_rum")
    for query in ("q=water", "q=water+rights", "q=rights"):
        assert _relevance_page(query)[:2] == ["in-title", "in-summary"], (path, query)


@pytest.mark.parametrize("path", ["with_rum", "without_rum"])
def test_both_paths_find_the_same_dialogues(request, path, titles):
    request.getfixturevalue(path)
    assert set(_relevance_page("q=water+or+borders")) == {"in-title", "in-summary", "elsewhere"}
    assert _relevance_page("q=rights+or+borders+-meeting") == ["elsewhere"]


@pytest.fixture
def ties(db):
    """Thirty dialogues whose summaries score alike, on dates out of id order, some undated."""
    era = make_era(date="1970/2000")
    for i in range(30):
        date = "" if i % 7 == 3 else str(1999 - (i * 11) % 29)
        title = "Water talks" if i % 10 == 0 else "A meeting"
        make_dialogue(
            slug=f"tie-{i}",
            era=era,
            date=date,
            title=title,
            summary="They spoke of water.",
            cite=False,
        )
    rebuild_index()
    yield
    facet_index.forget()


@pytest.mark.parametrize(("slack", "most"), [(100, 20_000), (0, 20_000), (1, 8), (0, 2)])
def test_pages_through_ties_are_the_list_s_order(monkeypatch, with_rum, ties, slack, most):
    # slack 0: the first read ends inside a tie and reads on; most 8 or 2: it gives up and
    # scores every match instead. Every way, each page is the ranked queryset's page.
    monkeypatch.setattr(rum, "TIE_SLACK", slack)
    monkeypatch.setattr(rum, "MOST_ROWS", most)
    query = parse("water")
    expected = list(
        DialogueFilterSet(QueryDict("q=water&sort=relevance")).qs.values_list("pk", flat=True)
    )
    assert len(expected) == 30
    with connection.cursor() as cursor:
        for offset, limit in [(0, 5), (0, 30), (3, 4), (5, 1), (25, 10)]:
            found = postgres.ranked_ids(cursor, query, None, limit, offset)
            assert found == expected[offset : offset + limit], (offset, limit)


def test_the_generator_builds_the_rum_index_again_after_its_bulk_rebuild(with_rum):
    import io

    from django.core.management import call_command

    err = io.StringIO()
    call_command(
        "generate_synthetic", "--dialogues", "40", "--seed", "2", stdout=io.StringIO(), stderr=err
    )
    assert "RUM index 1/1" in err.getvalue()
    rum.forget(connection)
    assert rum.available(connection)
    with connection.cursor() as cursor:
        found = postgres.ranked_ids(cursor, parse("dialogue"), None, 5, 0)
    expected = list(
        DialogueFilterSet(QueryDict("q=dialogue&sort=relevance")).qs.values_list("pk", flat=True)
    )
    assert found == expected[:5]
