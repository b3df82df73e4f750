"""Full-text search: the same queries give the same dialogues on SQLite and on PostgreSQL.

CI runs this file once per database. Every table below is query in, slugs out.
"""

from __future__ import annotations

import importlib
import random
import re

import pytest
from django.db import NotSupportedError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import SafeData

from dialogues import search
from dialogues.models import Citation, Dialogue, OutcomeKind, Participant
from tests.factories import (
    add_outcome,
    add_participant,
    make_dialogue,
    make_era,
    make_participant,
    make_source,
)

# slug -> fields. Words are chosen so each query below has exactly one right answer.
CORPUS = {
    "settlers-in-title": dict(
        title="Settlers and the land question",
        summary="A quiet exchange about borders between academics.",
    ),
    "settlers-in-summary": dict(
        title="Jerusalem roundtable",
        summary="Delegates discussed settlers near the city at length.",
    ),
    "oslo-channel": dict(
        title="Oslo back channel",
        summary="Secret negotiations between academics led to a declaration of principles.",
        place="Oslo",
        venue="Borregaard estate",
    ),
    "geneva-seminar": dict(
        title="Geneva seminar",
        summary="Participants compared notes on refugees.",
        place="Geneva",
        venue="Palais Wilson",
        people=["René Wadlow", "Yossi Beilin"],
    ),
    "harvard-workshop": dict(
        title="Harvard workshop",
        summary="The first track two workshop brought journalists together.",
    ),
    "parallel-track": dict(
        title="Economic talks",
        summary="The two sides agreed to a parallel track for trade.",
    ),
    "cairo-envoys": dict(
        title="Cairo envoys",
        summary="Talks with Hamas envoys about a truce.",
    ),
    "mecca-meeting": dict(
        title="Mecca meeting",
        summary="Hamas and Fatah representatives met.",
    ),
    "ramallah-academics": dict(
        title="Ramallah academics",
        summary="Fatah officials met Israeli scholars.",
    ),
    "london-water": dict(
        title="London meeting",
        summary="Unremarkable in itself.",
        outcome="The group drafted a water sharing proposal.",
    ),
    "rome-balcony": dict(
        title="Rome gathering",
        summary="Little is known.",
        excerpt="the delegates shook hands on the balcony",
    ),
    "markup-summary": dict(
        title="Markup test",
        summary="Notes with <b>bold</b> claims about ceasefire terms & more.",
    ),
}
EVERYTHING = frozenset(CORPUS)


def everything_but(*slugs: str) -> frozenset[str]:
    return EVERYTHING - set(slugs)


def build(slug: str, fields: dict, era) -> Dialogue:
    fields = dict(fields)
    people = fields.pop("people", [])
    outcome = fields.pop("outcome", None)
    excerpt = fields.pop("excerpt", None)
    dialogue = make_dialogue(era=era, cite=False, slug=slug, **fields)
    for name in people:
        add_participant(dialogue, name=name)
    if outcome:
        add_outcome(dialogue, kind=OutcomeKind.PROPOSAL, description=outcome)
    if excerpt:
        Citation.objects.create(
            dialogue=dialogue, source=make_source(), excerpt=excerpt, paragraph=3
        )
    return dialogue


@pytest.fixture
def corpus(db) -> dict[str, Dialogue]:
    era = make_era(date="1990/2010")
    dialogues = {slug: build(slug, fields, era) for slug, fields in CORPUS.items()}
    # Inside the test's transaction nothing commits, so the on-commit reindex never runs.
    search.rebuild_index()
    return dialogues


def found(q: str, queryset=None) -> set[str]:
    queryset = Dialogue.objects.all() if queryset is None else queryset
    return set(search.search_queryset(queryset, q).values_list("slug", flat=True))


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
def test_search_finds(corpus, q, expected):
    assert found(q) == set(expected)


def test_the_stop_word_row_is_exhaustive(corpus):
    # "the" is the one query above whose expectation was read off the corpus; check it was
    # read right, so a wrong table cannot agree with a wrong search.
    with_the = {
        slug
        for slug, fields in CORPUS.items()
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
        search.rebuild_index([corpus["mecca-meeting"].pk])
    ranked = search.search_queryset(Dialogue.objects.all(), q).order_by("-search_rank")
    rows = list(ranked.values_list("slug", "search_rank"))
    assert [slug for slug, _ in rows] == [first, second]
    assert rows[0][1] > rows[1][1] > 0
    assert all(isinstance(rank, float) for _, rank in rows)


def test_rank_is_zero_without_positive_terms(corpus):
    for q in ("", "-fatah", "!!!"):
        ranks = set(
            search.search_queryset(Dialogue.objects.all(), q).values_list("search_rank", flat=True)
        )
        assert ranks == {0.0}


# --- Composing with other querysets -------------------------------------------------------


def test_composes_with_filters_counts_values_and_subqueries(corpus):
    base = Dialogue.objects.filter(title__startswith="Settlers")
    qs = search.search_queryset(base, "settlers")
    assert qs.count() == 1
    assert list(qs.values_list("slug", flat=True)) == ["settlers-in-title"]

    qs = search.search_queryset(Dialogue.objects.all(), "settlers or hamas")
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
    qs = search.search_queryset(base, "rene or beilin")
    assert list(qs.values_list("slug", flat=True)) == ["geneva-seminar"] * 2
    assert search.search_queryset(base.distinct(), "rene or beilin").count() == 1


def test_search_is_lazy_and_chains(corpus):
    qs = search.search_queryset(Dialogue.objects.all(), "hamas")
    again = search.search_queryset(qs, "-truce")
    assert set(again.values_list("slug", flat=True)) == {"mecca-meeting"}


def test_chained_searches_match_both_and_rank_by_the_last(corpus):
    qs = search.search_queryset(Dialogue.objects.all(), "hamas or fatah")
    both = search.search_queryset(qs, "met")
    alone = dict(
        search.search_queryset(Dialogue.objects.all(), "met").values_list("slug", "search_rank")
    )
    rows = dict(both.values_list("slug", "search_rank"))
    assert set(rows) == {"mecca-meeting", "ramallah-academics"}
    assert rows == {slug: pytest.approx(alone[slug]) for slug in rows}


def test_leaving_words_out_keeps_the_rank_of_what_is_left(corpus):
    plain = dict(
        search.search_queryset(Dialogue.objects.all(), "hamas").values_list("slug", "search_rank")
    )
    fewer = search.search_queryset(Dialogue.objects.all(), "hamas -truce")
    assert dict(fewer.values_list("slug", "search_rank")) == {
        "mecca-meeting": pytest.approx(plain["mecca-meeting"])
    }


def test_combining_with_or_is_right_or_refused(corpus):
    qs = search.search_queryset(Dialogue.objects.all(), "balcony") | Dialogue.objects.filter(
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
    return "ts_rank" if connection.vendor == "postgresql" else "bm25"


def test_counting_computes_no_rank(corpus):
    qs = search.search_queryset(Dialogue.objects.all(), "settlers or hamas -truce").order_by(
        "-search_rank", "date_earliest", "pk"
    )
    with CaptureQueriesContext(connection) as queries:
        assert qs.count() == 3
        assert Dialogue.objects.filter(pk__in=qs.values("pk")).count() == 3
    assert len(queries) == 2
    assert not [q["sql"] for q in queries.captured_queries if _rank_function() in q["sql"]]


def test_the_ranked_page_is_one_select(corpus):
    era = corpus["settlers-in-title"].era
    qs = search.search_queryset(Dialogue.objects.filter(era=era), "settlers or hamas -truce")
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
        qs = search.search_queryset(base if base is not None else Dialogue.objects.all(), q)
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
                assert any("dialogue_search_vector" in line for line in plan), plan
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plan = [row[-1] for row in cursor.fetchall()]
                # Looking each dialogue of the era up in the index instead would rerun the
                # MATCH once per dialogue.
                assert plan[0].startswith(f"SCAN {search.FTS_TABLE} VIRTUAL TABLE INDEX"), plan


# --- Snippets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "slug", "marked"),
    [
        ("ceasefire", "markup-summary", "ceasefire"),
        ("negotiate", "oslo-channel", "negotiations"),
        ("Rene", "geneva-seminar", "René"),
        ("balcony", "rome-balcony", "balcony"),
        ("proposal", "london-water", "proposal"),
        ('"track two"', "harvard-workshop", "track"),
        ("settlers", "settlers-in-summary", "settlers"),
    ],
)
def test_snippets_mark_the_matched_words(corpus, q, slug, marked):
    pk = corpus[slug].pk
    result = search.snippets([pk], q)
    assert set(result) == {pk}
    assert isinstance(result[pk], SafeData)
    # A phrase may be marked as one stretch or word by word; either way the word is inside.
    assert re.search(rf"<mark>[^<]*\b{marked}\b[^<]*</mark>", result[pk]), result[pk]


def test_snippets_escape_the_text(corpus):
    pk = corpus["markup-summary"].pk
    html = search.snippets([pk], "bold claims")[pk]
    assert "<b>" not in html
    assert "&lt;b&gt;" in html
    assert "&amp;" in html
    assert "<mark>claims</mark>" in html
    assert html.count("<mark>") == html.count("</mark>") == 2


def test_snippets_of_long_texts_are_cut_around_the_match(corpus):
    before = " ".join(f"lorem{i}" for i in range(40))
    after = " ".join(f"ipsum{i}" for i in range(40))
    summary = f"{before} the quokka accord {after}."
    dialogue = make_dialogue(era=corpus["oslo-channel"].era, cite=False, summary=summary)
    search.rebuild_index([dialogue.pk])
    html = search.snippets([dialogue.pk], "quokka")[dialogue.pk]
    assert "<mark>quokka</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    assert "lorem0 " not in html and "ipsum39" not in html
    assert len(html) < len(summary) / 2


def test_snippets_cover_a_page_in_one_query(corpus, django_assert_num_queries):
    ids = [dialogue.pk for dialogue in corpus.values()]
    with django_assert_num_queries(1):
        result = search.snippets(ids, "settlers or hamas")
    slugs = {dialogue.pk: slug for slug, dialogue in corpus.items()}
    assert {slugs[pk] for pk in result} == {
        "settlers-in-title",
        "settlers-in-summary",
        "cairo-envoys",
        "mecca-meeting",
    }
    assert all("<mark>" in html for html in result.values())


@pytest.mark.parametrize("q", ["", "-settlers", '"', "🕊️"])
def test_snippets_without_words_to_find_are_empty(corpus, q):
    assert search.snippets([corpus["settlers-in-title"].pk], q) == {}


# --- Describing the query -----------------------------------------------------------------

DESCRIPTIONS = [
    ("settlers", "matching “settlers”"),
    ('"track two"', "matching the phrase “track two”"),
    ("hamas -fatah", "matching “hamas” but not “fatah”"),
    ("oslo academics", "matching “oslo” and “academics”"),
    ("a b c", "matching “a”, “b” and “c”"),
    ("hamas or fatah", "matching “hamas” or “fatah”"),
    ("hamas or fatah talks", "matching either “hamas” or “fatah”, and “talks”"),
    ("-fatah", "not matching “fatah”"),
    ("-fatah -hamas", "not matching “fatah” or “hamas”"),
    ('"track two" -"two track"', "matching the phrase “track two” but not the phrase “two track”"),
    ("title:settlers", "matching the phrase “title settlers”"),
    ("settlers settlers SETTLERS", "matching “settlers”"),
    ("René", "matching “René”"),
    ("", ""),
    ("-", ""),
    ("or", ""),
    ("<script>", "matching “script”"),
]


@pytest.mark.parametrize(("q", "expected"), DESCRIPTIONS, ids=[repr(q) for q, _ in DESCRIPTIONS])
def test_describe(q, expected):
    assert search.describe(q) == expected


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
    qs = search.search_queryset(Dialogue.objects.all(), q)
    count = qs.count()
    assert 0 <= count <= len(CORPUS)
    assert len(list(qs.order_by("-search_rank").values_list("slug", "search_rank"))) == count
    assert Dialogue.objects.filter(pk__in=qs.values("pk")).count() == count
    assert isinstance(search.describe(q), str)
    ids = [dialogue.pk for dialogue in corpus.values()]
    assert set(search.snippets(ids, q)) <= set(ids)


def test_random_text_never_raises(corpus):
    alphabet = "ab \"-:*^()orORNEAR\x00é🕊️\\%'_,."
    rng = random.Random(20240601)
    for _ in range(150):
        q = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        qs = search.search_queryset(Dialogue.objects.all(), q)
        assert qs.count() <= len(CORPUS), q


def test_long_queries_are_capped():
    parsed = search.parse(" ".join(f"word{i}" for i in range(100)))
    assert sum(len(phrase) for group in parsed.groups for phrase in group) == search.MAX_TERMS
    parsed = search.parse("x" * 10_000)
    assert parsed.groups == ((("x" * search.MAX_TERM_LENGTH,),),)


# --- Keeping the index current ------------------------------------------------------------


def test_rebuild_index_only_touches_the_given_ids(corpus):
    changed = [corpus["cairo-envoys"], corpus["mecca-meeting"]]
    # update() sends no signals, so only an explicit rebuild can bring these in.
    Dialogue.objects.filter(pk__in=[d.pk for d in changed]).update(title="Okapi conference")
    assert found("okapi") == set()

    assert search.rebuild_index([changed[0].pk]) == 1
    assert found("okapi") == {"cairo-envoys"}
    # The other one still answers to its old title and not yet to the new one.
    assert found("mecca") == {"mecca-meeting"}

    assert search.rebuild_index([d.pk for d in changed] + [10**9]) == 2
    assert found("okapi") == {"cairo-envoys", "mecca-meeting"}
    assert found("mecca") == set()
    assert search.rebuild_index() == len(CORPUS)


def test_rebuild_index_drops_deleted_dialogues(corpus):
    pk = corpus["rome-balcony"].pk
    Dialogue.objects.filter(pk=pk).delete()
    assert search.rebuild_index([pk]) == 0
    assert search.snippets([pk], "balcony") == {}


@pytest.mark.django_db(transaction=True)
def test_saving_in_a_transaction_reindexes_on_commit():
    # No rebuild_index() here: only the signal receivers can make these pass.
    with transaction.atomic():
        era = make_era(date="1990/2010")
        dialogue = make_dialogue(era=era, cite=False, title="Zebra talks", summary="Quiet.")
        # Inline rows are saved after the dialogue, as in the admin.
        add_participant(dialogue, name="Amira Quillfeather")
        add_outcome(dialogue, description="An aquifer accord.")
        Citation.objects.create(
            dialogue=dialogue, source=make_source(), excerpt="by the lighthouse", paragraph=2
        )
        # Before the commit nothing is indexed yet.
        assert found("zebra") == set()
    for q in ("zebra", "quillfeather", "aquifer", "lighthouse"):
        assert found(q) == {dialogue.slug}, q

    with transaction.atomic():
        dialogue.title = "Okapi talks"
        dialogue.save()
    assert found("okapi") == {dialogue.slug}
    assert found("zebra") == set()

    participant = Participant.objects.get(name="Amira Quillfeather")
    with transaction.atomic():
        participant.name = "Amira Thistlewood"
        participant.save()
    assert found("thistlewood") == {dialogue.slug}
    assert found("quillfeather") == set()

    # A rolled-back change leaves the index as it was.
    with pytest.raises(RuntimeError), transaction.atomic():
        dialogue.outcomes.all().delete()
        raise RuntimeError
    assert found("aquifer") == {dialogue.slug}

    with transaction.atomic():
        dialogue.outcomes.all().delete()
        dialogue.citations.all().delete()
    assert found("aquifer") == set()
    assert found("lighthouse") == set()

    pk = dialogue.pk
    with transaction.atomic():
        dialogue.delete()
    assert search.snippets([pk], "okapi") == {}


@pytest.mark.django_db(transaction=True)
def test_changes_in_one_transaction_reindex_once(monkeypatch):
    calls = []
    real = search.rebuild_index

    def counting(ids=None, **kwargs):
        calls.append(sorted(ids))
        return real(ids, **kwargs)

    monkeypatch.setattr(search, "rebuild_index", counting)
    with transaction.atomic():
        era = make_era(date="1990/2010")
        first = make_dialogue(era=era, cite=False, title="Walrus talks")
        second = make_dialogue(era=era, cite=False, title="Narwhal talks")
        for dialogue in (first, second):
            add_participant(dialogue, participant=make_participant(name="Ida Pemberton"))
            add_outcome(dialogue)
        first.save()
    assert calls == [sorted([first.pk, second.pk])]
    assert found("walrus or narwhal") == {first.slug, second.slug}


@pytest.mark.django_db(transaction=True)
def test_editing_a_bio_does_not_reindex(monkeypatch):
    dialogue = make_dialogue(era=make_era(date="1990/2010"), cite=False)
    participant = add_participant(dialogue, name="Noor Halabi").participant
    calls = []
    monkeypatch.setattr(search, "rebuild_index", lambda ids=None, **kw: calls.append(ids))
    participant.bio = "Economist."
    participant.save()
    assert calls == []
    participant.name = "Noor al-Halabi"
    participant.save()
    assert calls == [{dialogue.pk}]


def _index_contents(cursor) -> list[tuple]:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT id, search_vector::text FROM dialogues_dialogue ORDER BY id")
    else:
        cursor.execute(f"SELECT rowid, * FROM {search.FTS_TABLE} ORDER BY rowid")
    return cursor.fetchall()


def test_migration_fills_the_index_as_rebuild_index_does(corpus):
    # The migration keeps its own copy of the indexing SQL; the two must not drift apart.
    migration = importlib.import_module("dialogues.migrations.0003_search_index")
    with connection.cursor() as cursor:
        rebuilt = _index_contents(cursor)
        if connection.vendor == "postgresql":
            cursor.execute("UPDATE dialogues_dialogue SET search_vector = NULL")
            cursor.execute(
                f"UPDATE dialogues_dialogue AS d SET search_vector = {migration.PG_VECTOR}"
            )
        else:
            cursor.execute(f"DELETE FROM {search.FTS_TABLE}")
            cursor.execute(migration.SQLITE_FILL)
        migrated = _index_contents(cursor)
    assert len(rebuilt) == len(CORPUS)
    assert all(row[1] for row in rebuilt)
    assert migrated == rebuilt
