"""Searching a queryset: the same queries give the same dialogues on SQLite and PostgreSQL.

CI runs this file once per database. Every table below is query in, slugs out.
"""

from __future__ import annotations

import random

import pytest
from django.db import NotSupportedError, connection
from django.test.utils import CaptureQueriesContext

from dialogues.models import Dialogue
from dialogues.search import rum
from dialogues.search.index import rebuild_index
from dialogues.search.query import describe
from dialogues.search.queryset import search_queryset
from dialogues.search.snippets import snippets
from dialogues.search.sqlite import FTS_TABLE
from tests.factories import SEARCH_CORPUS

EVERYTHING = frozenset(SEARCH_CORPUS)


def everything_but(*slugs: str) -> frozenset[str]:
    return EVERYTHING - set(slugs)


# --- What matches -------------------------------------------------------------------------

MATCHES = [
    # One word, in whichever field it stands.
    ("settlers", {"settlers-in-title", "settlers-in-summary"}),
    ("balcony", {"rome-balcony"}),
    ("proposal", {"london-water"}),
    ("geneva", {"geneva-seminar"}),
    ("wilson", {"geneva-seminar"}),
    ("borregaard", {"oslo-channel"}),
    ("beilin", {"geneva-seminar"}),
    ("zanzibar", set()),
    # Case does not matter.
    ("SETTLERS", {"settlers-in-title", "settlers-in-summary"}),
    ("HaMaS", {"cairo-envoys", "mecca-meeting"}),
    # Stemming, both ways round.
    ("settler", {"settlers-in-title", "settlers-in-summary"}),
    ("negotiate", {"oslo-channel"}),
    ("negotiating", {"oslo-channel"}),
    ("negotiation", {"oslo-channel"}),
    ("principle", {"oslo-channel"}),
    ("discussing", {"settlers-in-summary"}),
    # Accents are folded on both sides.
    ("Rene Wadlow", {"geneva-seminar"}),
    ("René Wadlow", {"geneva-seminar"}),
    ("rene", {"geneva-seminar"}),
    ("RENÉ", {"geneva-seminar"}),
    ("Rène", {"geneva-seminar"}),
    # Several words must all match, in any field and any order.
    ("oslo academics", {"oslo-channel"}),
    ("settlers academics", {"settlers-in-title"}),
    ("academics settlers", {"settlers-in-title"}),
    ("track two", {"harvard-workshop", "parallel-track"}),
    ("geneva refugees wadlow wilson", {"geneva-seminar"}),
    ("settlers zanzibar", set()),
    # A phrase matches adjacent words only, in order.
    ('"track two"', {"harvard-workshop"}),
    ('"two track"', set()),
    ('"Track Two Workshops"', {"harvard-workshop"}),
    ('"secret negotiation"', {"oslo-channel"}),
    ('"secret principles"', set()),
    ('"rene wadlow"', {"geneva-seminar"}),
    ('"track two" journalists', {"harvard-workshop"}),
    ('"track two" trade', set()),
    ('"track two', {"harvard-workshop"}),  # never closed: runs to the end
    # Punctuation inside a word joins its pieces into a phrase, as in the indexed text.
    ("track-two", {"harvard-workshop"}),
    ("two/track", set()),
    # A leading dash leaves out.
    ("hamas -fatah", {"cairo-envoys"}),
    ("hamas -truce", {"mecca-meeting"}),
    ("hamas -fatah -truce", set()),
    ("-fatah", everything_but("mecca-meeting", "ramallah-academics")),
    ("-fatah -hamas", everything_but("mecca-meeting", "ramallah-academics", "cairo-envoys")),
    ('-"track two"', everything_but("harvard-workshop")),
    ('track -"track two"', {"parallel-track"}),
    ("---fatah", everything_but("mecca-meeting", "ramallah-academics")),
    ("settlers -settlers", set()),
    # `or` joins the terms either side of it, in any case.
    ("hamas or fatah", {"cairo-envoys", "mecca-meeting", "ramallah-academics"}),
    ("hamas OR fatah", {"cairo-envoys", "mecca-meeting", "ramallah-academics"}),
    ("hamas Or fatah", {"cairo-envoys", "mecca-meeting", "ramallah-academics"}),
    ("balcony or proposal or wadlow", {"rome-balcony", "london-water", "geneva-seminar"}),
    ('"track two" or balcony', {"harvard-workshop", "rome-balcony"}),
    # ...and binds tighter than the implied "and" between terms.
    ("hamas or fatah met", {"mecca-meeting", "ramallah-academics"}),
    ("truce hamas or fatah", {"cairo-envoys"}),
    ("hamas or fatah -israeli", {"cairo-envoys", "mecca-meeting"}),
    # `or` next to an exclusion, or with nothing on one side, is ignored.
    ("hamas or -fatah", {"cairo-envoys"}),
    ("or hamas", {"cairo-envoys", "mecca-meeting"}),
    ("hamas or", {"cairo-envoys", "mecca-meeting"}),
    ("hamas or or fatah", {"cairo-envoys", "mecca-meeting", "ramallah-academics"}),
    # `or` quoted or dashed is a word; "-or" leaves out the one text with "or" in it.
    ('"or"', set()),
    ("-or", EVERYTHING),
    # Words no index would drop as "stop words" are still words on both databases.
    (
        "the",
        {
            "settlers-in-title",
            "settlers-in-summary",
            "harvard-workshop",
            "parallel-track",
            "rome-balcony",
            "london-water",
        },
    ),
    ('"about a truce"', {"cairo-envoys"}),
    # FTS5 syntax is plain text: no prefixes, columns, NEAR, initial-token or operators.
    ("settl*", set()),
    ("^settlers", {"settlers-in-title", "settlers-in-summary"}),
    ("title:settlers", set()),
    ("summary : settlers", set()),
    ("NEAR(hamas fatah)", set()),
    ("hamas NOT fatah", set()),
    ("hamas AND truce", set()),
    ("settlers AND land", {"settlers-in-title"}),
    ("(hamas)", {"cairo-envoys", "mecca-meeting"}),
    ("hamas + truce", {"cairo-envoys"}),
    ("{title summary}: settlers", set()),
    # Nothing to search for leaves everything in.
    ("", EVERYTHING),
    ("   ", EVERYTHING),
    ("-", EVERYTHING),
    ("or", EVERYTHING),
    ('"', EVERYTHING),
    ('-"', EVERYTHING),
    ("!!! ??? ...", EVERYTHING),
    ("🕊️", EVERYTHING),
]


@pytest.mark.parametrize(("q", "expected"), MATCHES, ids=[repr(q) for q, _ in MATCHES])
def test_search_finds(corpus, found, q, expected):
    assert found(q) == set(expected)


def test_the_stop_word_row_is_exhaustive(corpus):
    # "the" is the one query above whose expectation was read off the corpus; check it was
    # read right, so a wrong table cannot agree with a wrong search.
    with_the = {
        slug
        for slug, fields in SEARCH_CORPUS.items()
        if any("the" in str(value).lower().split() for value in fields.values())
    }
    assert dict(MATCHES)["the"] == with_the


# --- Ranking ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "first", "second"),
    [
        ("settlers", "settlers-in-title", "settlers-in-summary"),
        ("settler", "settlers-in-title", "settlers-in-summary"),
        ("hamas", "mecca-meeting", "cairo-envoys"),
    ],
)
def test_title_match_ranks_above_summary_match(corpus, q, first, second):
    if q == "hamas":
        # Give one of two summary matches the word in its title as well.
        Dialogue.objects.filter(slug="mecca-meeting").update(title="Hamas at Mecca")
        rebuild_index([corpus["mecca-meeting"].pk])
    ranked = search_queryset(Dialogue.objects.all(), q).order_by("-search_rank")
    rows = list(ranked.values_list("slug", "search_rank"))
    assert [slug for slug, _ in rows] == [first, second]
    assert rows[0][1] > rows[1][1] > 0
    assert all(isinstance(rank, float) for _, rank in rows)


def test_rank_is_zero_without_positive_terms(corpus):
    for q in ("", "-fatah", "!!!"):
        ranks = set(
            search_queryset(Dialogue.objects.all(), q).values_list("search_rank", flat=True)
        )
        assert ranks == {0.0}


# --- Composing with other querysets -------------------------------------------------------


def test_composes_with_filters_counts_values_and_subqueries(corpus):
    base = Dialogue.objects.filter(title__startswith="Settlers")
    qs = search_queryset(base, "settlers")
    assert qs.count() == 1
    assert list(qs.values_list("slug", flat=True)) == ["settlers-in-title"]

    qs = search_queryset(Dialogue.objects.all(), "settlers or hamas")
    narrowed = qs.filter(summary__icontains="envoys")
    assert list(narrowed.values_list("slug", flat=True)) == ["cairo-envoys"]
    assert qs.exclude(slug="cairo-envoys").count() == 3
    assert qs.order_by("-search_rank", "slug").count() == 4

    outer = Dialogue.objects.filter(pk__in=qs.values("pk")).order_by("slug")
    assert list(outer.values_list("slug", flat=True)) == [
        "cairo-envoys",
        "mecca-meeting",
        "settlers-in-summary",
        "settlers-in-title",
    ]
    # The rank also survives being read through a subquery on the same table.
    ordered = qs.filter(pk__in=Dialogue.objects.filter(slug__contains="settlers").values("pk"))
    assert list(ordered.order_by("-search_rank").values_list("slug", flat=True)) == [
        "settlers-in-title",
        "settlers-in-summary",
    ]


def test_composes_with_joins_without_duplicates(corpus):
    base = Dialogue.objects.filter(participations__participant__side="israeli")
    qs = search_queryset(base, "rene or beilin")
    assert list(qs.values_list("slug", flat=True)) == ["geneva-seminar"] * 2
    assert search_queryset(base.distinct(), "rene or beilin").count() == 1


def test_search_is_lazy_and_chains(corpus):
    qs = search_queryset(Dialogue.objects.all(), "hamas")
    again = search_queryset(qs, "-truce")
    assert set(again.values_list("slug", flat=True)) == {"mecca-meeting"}


def test_chained_searches_match_both_and_rank_by_the_last(corpus):
    qs = search_queryset(Dialogue.objects.all(), "hamas or fatah")
    both = search_queryset(qs, "met")
    alone = dict(search_queryset(Dialogue.objects.all(), "met").values_list("slug", "search_rank"))
    rows = dict(both.values_list("slug", "search_rank"))
    assert set(rows) == {"mecca-meeting", "ramallah-academics"}
    assert rows == {slug: pytest.approx(alone[slug]) for slug in rows}


def test_leaving_words_out_keeps_the_rank_of_what_is_left(corpus):
    plain = dict(
        search_queryset(Dialogue.objects.all(), "hamas").values_list("slug", "search_rank")
    )
    fewer = search_queryset(Dialogue.objects.all(), "hamas -truce")
    assert dict(fewer.values_list("slug", "search_rank")) == {
        "mecca-meeting": pytest.approx(plain["mecca-meeting"])
    }


def test_combining_with_or_is_right_or_refused(corpus):
    qs = search_queryset(Dialogue.objects.all(), "balcony") | Dialogue.objects.filter(
        slug="london-water"
    )
    if connection.vendor == "sqlite":
        # The match is an inner join there, which cannot become one branch of an OR.
        with pytest.raises(NotSupportedError):
            list(qs)
    else:
        assert set(qs.values_list("slug", flat=True)) == {"rome-balcony", "london-water"}


# --- Cost ---------------------------------------------------------------------------------
# A common word matches most of a large archive, so the rank must come from one pass over the
# matches, and only where it is used.


def _rank_function() -> str:
    if connection.vendor != "postgresql":
        return "bm25"
    return "<=>" if rum.available(connection) else "ts_rank"


def test_counting_computes_no_rank(corpus):
    qs = search_queryset(Dialogue.objects.all(), "settlers or hamas -truce").order_by(
        "-search_rank", "date_earliest", "pk"
    )
    with CaptureQueriesContext(connection) as queries:
        assert qs.count() == 3
        assert Dialogue.objects.filter(pk__in=qs.values("pk")).count() == 3
    assert len(queries) == 2
    assert not [q["sql"] for q in queries.captured_queries if _rank_function() in q["sql"]]


def test_the_ranked_page_is_one_select(corpus):
    era = corpus["settlers-in-title"].era
    qs = search_queryset(Dialogue.objects.filter(era=era), "settlers or hamas -truce")
    with CaptureQueriesContext(connection) as queries:
        page = list(
            qs.order_by("-search_rank", "date_earliest", "pk").values_list("slug", flat=True)[:20]
        )
    assert page[0] == "settlers-in-title"
    assert set(page) == {"settlers-in-title", "settlers-in-summary", "mecca-meeting"}
    # No subquery, so nothing is looked up again for each matching row.
    [sql] = [q["sql"] for q in queries.captured_queries]
    assert sql.upper().count("SELECT") == 1
    assert sql.count(_rank_function()) == 1


def test_the_full_text_index_serves_the_search(corpus):
    era = corpus["settlers-in-title"].era
    # On SQLite the other filters come along: the index must lead whatever else narrows the
    # rows. PostgreSQL is free to start from whichever index is narrower.
    base = Dialogue.objects.filter(era=era) if connection.vendor == "sqlite" else None
    for q, ordered in [("settlers -hamas", False), ("settlers", True)]:
        qs = search_queryset(base if base is not None else Dialogue.objects.all(), q)
        if ordered:
            qs = qs.order_by("-search_rank")
        sql, params = qs.values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # A dozen rows are read faster than any index, and any index of them serves
                # as well as another: leave the planner only bitmap scans, which need a
                # condition an index can answer.
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_indexscan = off")
                cursor.execute(f"EXPLAIN {sql}", params)
                plan = [row[0] for row in cursor.fetchall()]
                # The GIN index, or the RUM index where the database has it: both answer @@.
                indexes = ("dialogue_search_vector", rum.RUM_INDEX)
                assert any(index in line for line in plan for index in indexes), plan
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plan = [row[-1] for row in cursor.fetchall()]
                # Looking each dialogue of the era up in the index instead would rerun the
                # MATCH once per dialogue.
                assert plan[0].startswith(f"SCAN {FTS_TABLE} VIRTUAL TABLE INDEX"), plan


# --- Queries that must not break anything -------------------------------------------------

BAD_QUERIES = [
    '"',
    '""',
    '"""',
    '-"',
    '"unbalanced',
    'unbalanced"',
    "-",
    "--",
    "- -",
    "or",
    "OR OR OR",
    "-or",
    "and",
    "AND",
    "NOT",
    "NOT hamas",
    "hamas NOT",
    "title:foo",
    ":",
    "title:",
    "-title:foo",
    "NEAR(a b)",
    "NEAR(a b, 2)",
    "NEAR/2",
    "a*",
    "*",
    "^a",
    "^",
    "(",
    ")",
    "((a)",
    "a + b",
    "{title}: a",
    "'; DROP TABLE dialogues_dialogue; --",
    "1' OR '1'='1",
    "%",
    "%s %s %(x)s",
    "_",
    "\\",
    "a & b | !c <-> d",
    "a:* & b:B",
    "🕊️ ☮️",
    "🇮🇱🇵🇸",
    "\x00",
    "hamas\x00fatah",
    "\u200b",
    "\ufeff",
    "\U0010ffff",
    "\udcff",
    "ﬁnance",
    "x" * 10_000,
    "hamas " * 2_000,
    "-hamas " * 2_000,
    '"' * 10_000,
    "a" * 3000 + " b",
    " ".join(f"w{i}" for i in range(500)),
    "ש׳לום سلام",
]


@pytest.mark.parametrize("q", BAD_QUERIES, ids=[repr(q[:30]) for q in BAD_QUERIES])
def test_bad_queries_return_normally(corpus, q):
    qs = search_queryset(Dialogue.objects.all(), q)
    count = qs.count()
    assert 0 <= count <= len(corpus)
    assert len(list(qs.order_by("-search_rank").values_list("slug", "search_rank"))) == count
    assert Dialogue.objects.filter(pk__in=qs.values("pk")).count() == count
    assert isinstance(describe(q), str)
    ids = [dialogue.pk for dialogue in corpus.values()]
    assert set(snippets(ids, q)) <= set(ids)


def test_random_text_never_raises(corpus):
    alphabet = "ab \"-:*^()orORNEAR\x00é🕊️\\%'_,."
    rng = random.Random(20240601)
    for _ in range(150):
        q = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        qs = search_queryset(Dialogue.objects.all(), q)
        assert qs.count() <= len(corpus), q
