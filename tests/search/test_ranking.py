"""A search in relevance order, paged by ranking only what the page may show (`ranking`)."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.http import QueryDict

from dialogues.listing import facet_index, selectors
from dialogues.listing.filters import DialogueFilterSet
from dialogues.models import OutcomeKind, Side, Status
from dialogues.search import postgres, ranking, rum, sqlite
from dialogues.search.index import rebuild_index
from tests.factories import add_outcome, add_participant, make_dialogue, make_era, make_participant

WORDS = ("water", "talks", "rights", "borders", "security")


@pytest.fixture
def archive(db):
    rng = random.Random(5)
    eras = [
        make_era(slug="early", position=1, date="1970/1989"),
        make_era(slug="late", position=2, date="1990/1999"),
    ]
    amos = make_participant(slug="amos", side=Side.ISRAELI, background="academic")
    for i in range(48):
        era = eras[i % 2]
        start = int(era.date[:4])
        # Titles and summaries that tie on score, so the order falls back to date, then id.
        dialogue = make_dialogue(
            slug=f"d-{i}",
            title=rng.choice(["Water talks", "Talks", "Meeting", "Security and water"]),
            era=era,
            date=rng.choice([f"{start + rng.randrange(9)}", f"{start + 2}/{start + 4}", ""]),
            summary=" ".join(rng.choices(WORDS, k=rng.randrange(1, 6))),
            status=rng.choice([Status.PUBLISHED] * 5 + [Status.DRAFT]),
            cite=False,
        )
        if i % 3 == 0:
            add_outcome(dialogue, OutcomeKind.WALKOUT, "Water was the sticking point.")
        if i % 4 == 0:
            add_participant(dialogue, amos)
    rebuild_index()
    assert facet_index.current(inline=True) is not None
    yield
    facet_index.forget()


QUERIES = [
    "q=water",
    "q=talks",
    "q=water+talks",
    "q=water+-security",
    "q=water+or+borders",
    'q="water+talks"',
    "q=water&era=late",
    "q=talks&outcome=walkout",
    "q=water&side=israeli",
    "q=water&participant=amos&era=early",
    "q=security&from=1975&to=1985",
    "q=nothingmatches",
]


def both_ways(query: str, slices) -> tuple[list, list]:
    filterset = DialogueFilterSet(QueryDict(query))
    ranked = selectors.dialogue_ids(filterset)
    assert isinstance(ranked, selectors.RankedIds), query
    sql = list(filterset.qs.values_list("pk", flat=True))
    return [list(ranked[a:b]) for a, b in slices], [sql[a:b] for a, b in slices]


@pytest.fixture(params=["rum", "gin"] if connection.vendor == "postgresql" else ["fts5"])
def index_kind(request, db):
    """On PostgreSQL each test runs with the RUM index and again with GIN alone (no RUM)."""
    if request.param == "gin":
        with connection.cursor() as cursor:  # rolled back with the test's transaction
            cursor.execute(f"DROP INDEX IF EXISTS {rum.RUM_INDEX}")
    rum.forget(connection)
    if request.param == "rum" and not rum.available(connection):
        pytest.skip("this PostgreSQL server lacks the rum extension (postgresql-15-rum)")
    yield request.param
    rum.forget(connection)


@pytest.mark.parametrize("share", [0.0, ranking.SPARSE_SHARE, 2.0])
@pytest.mark.parametrize("query", QUERIES)
def test_every_page_is_the_ranked_query_s_page(archive, index_kind, monkeypatch, query, share):
    # 0.0: always rank the best matches and keep the wanted; 2.0: always rank only the wanted.
    monkeypatch.setattr(ranking, "SPARSE_SHARE", share)
    monkeypatch.setattr(ranking, "RUM_SPARSE_SHARE", share)
    slices = [(0, 5), (0, 100), (3, 9), (7, 8), (40, 60)]
    by_ranking, by_sql = both_ways(query, slices)
    assert by_ranking == by_sql
    if query != "q=nothingmatches":
        assert by_sql[1], "the query should match something"


def test_too_few_wanted_among_the_first_ranked_asks_for_more(archive, index_kind, monkeypatch):
    monkeypatch.setattr(ranking, "SPARSE_SHARE", 0.0)
    monkeypatch.setattr(ranking, "RUM_SPARSE_SHARE", 0.0)
    monkeypatch.setattr(ranking, "SLACK", 0)
    backend = postgres if _vendor() == "postgresql" else sqlite
    limits = []
    original = backend.ranked_ids

    def counting(cursor, parsed, candidates, limit, offset):
        assert candidates is None
        limits.append(limit)
        return original(cursor, parsed, candidates, limit, offset)

    monkeypatch.setattr(backend, "ranked_ids", counting)
    # Drafts match too, and rank among the first: the first LIMIT cannot hold the page.
    by_ranking, by_sql = both_ways("q=water&era=late", [(0, 12)])
    assert by_ranking == by_sql and len(by_sql[0]) == 12
    assert len(limits) >= 2 and limits[1] == 4 * limits[0]


def test_a_sparse_page_ranks_only_the_wanted_ids(archive, index_kind, monkeypatch):
    monkeypatch.setattr(ranking, "RUM_SPARSE_SHARE", ranking.SPARSE_SHARE)
    backend = postgres if _vendor() == "postgresql" else sqlite
    seen = []
    original = backend.ranked_ids

    def recording(cursor, parsed, candidates, limit, offset):
        seen.append(candidates)
        return original(cursor, parsed, candidates, limit, offset)

    monkeypatch.setattr(backend, "ranked_ids", recording)
    filterset = DialogueFilterSet(QueryDict("q=water&participant=amos"))
    page = list(selectors.dialogue_ids(filterset)[0:20])
    assert page == list(filterset.qs.values_list("pk", flat=True)[:20])
    (candidates,) = seen
    assert sorted(candidates) == sorted(filterset.qs.values_list("pk", flat=True))


def test_a_query_of_exclusions_only_is_paged_by_sql(archive):
    filterset = DialogueFilterSet(QueryDict("q=-water&sort=relevance"))
    assert not isinstance(selectors.dialogue_ids(filterset), selectors.RankedIds)


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


@pytest.mark.skipif(connection.vendor != "postgresql", reason="RUM is a PostgreSQL index")
def test_with_rum_a_filter_keeping_a_quarter_reads_the_best_matches_instead(archive, monkeypatch):
    if not rum.available(connection):
        pytest.skip("this PostgreSQL server lacks the rum extension (postgresql-15-rum)")
    seen = []
    original = postgres.ranked_ids

    def recording(cursor, parsed, candidates, limit, offset):
        seen.append(candidates)
        return original(cursor, parsed, candidates, limit, offset)

    monkeypatch.setattr(postgres, "ranked_ids", recording)
    filterset = DialogueFilterSet(QueryDict("q=water&participant=amos"))
    page = list(selectors.dialogue_ids(filterset)[0:20])
    assert page == list(filterset.qs.values_list("pk", flat=True)[:20])
    assert seen and all(candidates is None for candidates in seen)


@pytest.mark.parametrize("query", ["q=water", "q=talks", "q=water+-security", "q=water&era=late"])
def test_reading_on_through_a_tie_gives_the_same_pages(archive, index_kind, monkeypatch, query):
    # No slack: the first read of the best matches ends inside a tie and must read on.
    monkeypatch.setattr(sqlite, "TIE_SLACK", 0)
    monkeypatch.setattr(rum, "TIE_SLACK", 0)
    monkeypatch.setattr(ranking, "SPARSE_SHARE", 0.0)
    monkeypatch.setattr(ranking, "RUM_SPARSE_SHARE", 0.0)
    slices = [(0, 1), (0, 5), (2, 7), (5, 30)]
    by_ranking, by_sql = both_ways(query, slices)
    assert by_ranking == by_sql
