"""The benchmark's pure parts: sizes, wrk's report, the targets, and the URL lists.

No load is run here: `make bench` does that. These check what decides its figures.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter

import pytest

from bench import checks as checks_module
from bench import cli, cold, databases, datasette_compare, load, report, server, targets, workload
from bench.rawsql import shape
from bench.replay import _qmark
from dialogues import search
from dialogues.models import OutcomeKind
from tests.factories import add_outcome, add_participant, make_dialogue, make_era

# --- Sizes and options ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10k", 10_000),
        ("100k", 100_000),
        ("1m", 1_000_000),
        ("1M", 1_000_000),
        ("5000", 5_000),
        ("2.5k", 2_500),
        (" 10K ", 10_000),
    ],
)
def test_parse_size_reads_numbers_with_suffixes(text, expected):
    assert cli.parse_size(text) == expected


@pytest.mark.parametrize(
    "text", ["10x", "", "k", "-5", "0", "1.5", "0.0005k", "20m", "10 k", "1e4"]
)
def test_parse_size_refuses_anything_else_with_a_reason(text):
    with pytest.raises(ValueError) as excinfo:
        cli.parse_size(text)
    assert str(excinfo.value)


@pytest.mark.parametrize(
    ("n", "label"), [(10_000, "10k"), (100_000, "100k"), (1_000_000, "1m"), (5_500, "5500")]
)
def test_size_label_is_canonical(n, label):
    assert cli.size_label(n) == label
    assert cli.parse_size(label) == n


def test_parse_sizes_splits_on_spaces_and_commas_and_drops_repeats():
    assert cli.parse_sizes("10k 100k") == [10_000, 100_000]
    assert cli.parse_sizes("10k,100k, 10000") == [10_000, 100_000]


def test_parse_dbs_knows_aliases():
    assert cli.parse_dbs("sqlite postgres") == ["sqlite", "postgres"]
    assert cli.parse_dbs("pg,SQLite3 postgresql") == ["postgres", "sqlite"]
    with pytest.raises(ValueError, match="mysql"):
        cli.parse_dbs("mysql")


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--size", "10x"], ["SIZE", "10x"]),
        (["--size", ""], ["SIZE", "no size"]),
        (["--db", "oracle"], ["DB", "oracle"]),
        (["--duration", "0"], ["DURATION"]),
        (["--duration", "soon"], ["DURATION", "soon"]),
    ],
)
def test_bad_options_give_a_clear_message_not_a_traceback(argv, words, capsys):
    with pytest.raises(SystemExit) as excinfo:
        cli.parse_args(argv)
    assert excinfo.value.code == 2
    message = capsys.readouterr().err
    assert "Traceback" not in message
    for word in words:
        assert word in message


def test_defaults_are_both_sizes_and_both_databases():
    args = cli.parse_args(["--tool", "python"])
    assert args.size == [10_000, 100_000]
    assert args.db == ["sqlite", "postgres"]
    assert args.raw_duration == 2.0


# --- wrk's report -----------------------------------------------------------------------------

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:40123
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    10.45ms    3.21ms  45.12ms   80.00%
    Req/Sec   385.12     45.67   480.00     70.00%
  Latency Distribution
     50%    9.87ms
     75%   11.23ms
     90%   14.56ms
     99%   25.67ms
  3850 requests in 5.01s, 45.67MB read
Requests/sec:    768.45
Transfer/sec:      9.12MB
"""

WRK_MIXED_UNITS = """\
Running 3s test @ http://127.0.0.1:40123
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.02s   300.00ms   2.00s    60.00%
    Req/Sec     3.00      1.00     5.00     70.00%
  Latency Distribution
     50%  850.00us
     75%    1.20s
     90%    1.50s
     99%    2.00m
  17 requests in 3.00s, 1.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:      5.66
Transfer/sec:    341.33KB
"""

WRK_NOTHING_DONE = """\
Running 2s test @ http://127.0.0.1:40123
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.00us    0.00us   0.00us    -nan%
    Req/Sec     0.00      0.00     0.00      -nan%
  Latency Distribution
     50%    0.00us
     75%    0.00us
     90%    0.00us
     99%    0.00us
  0 requests in 2.00s, 0.00B read
  Socket errors: connect 0, read 0, write 0, timeout 8
Requests/sec:      0.00
Transfer/sec:       0.00B
"""


def test_parse_wrk_reads_throughput_and_percentiles():
    result = load.parse_wrk(WRK_OUTPUT)
    assert result.requests == 3850
    assert result.duration_s == 5.01
    assert result.rps == 768.45
    assert result.latency_ms == {"50": 9.87, "75": 11.23, "90": 14.56, "99": 25.67}
    assert (result.p50_ms, result.p99_ms) == (9.87, 25.67)
    assert result.errors == 0


def test_parse_wrk_converts_every_unit_and_counts_errors():
    result = load.parse_wrk(WRK_MIXED_UNITS)
    assert result.latency_ms == {"50": 0.85, "75": 1200.0, "90": 1500.0, "99": 120_000.0}
    assert result.socket_errors == {"connect": 0, "read": 2, "write": 0, "timeout": 3}
    assert result.non_2xx == 4
    assert result.errors == 9


def test_parse_wrk_gives_no_latency_when_nothing_completed():
    result = load.parse_wrk(WRK_NOTHING_DONE)
    assert result.requests == 0
    assert result.rps == 0.0
    # wrk prints zeros; a latency of 0 ms would read as the fastest page of all.
    assert result.p50_ms is None and result.p99_ms is None


@pytest.mark.parametrize(
    "text",
    ["", "unable to connect to 127.0.0.1:1 Connection refused", WRK_OUTPUT.replace("50%", "")],
)
def test_parse_wrk_refuses_output_that_is_not_a_report(text):
    with pytest.raises(load.LoadError):
        load.parse_wrk(text)


def test_percentile_interpolates_between_ranks():
    assert load.percentile([], 50) is None
    assert load.percentile([5.0], 99) == 5.0
    assert load.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert load.percentile(list(range(101)), 99) == 99


# --- Targets ----------------------------------------------------------------------------------


def kind(
    rps=None, p50=None, hello=None, raw=None, datasette=None, queries=None, cold=None, c2=None
):
    data = {"rps": rps, "p50_ms": p50, "http": {}, "ratios": {}}
    if c2 is not None:
        data.update(c2={"p50_ms": c2}, p50_c2_ms=c2)
    for name, value in (("hello", hello), ("raw", raw), ("datasette", datasette)):
        if value is not None:
            data["ratios"][name] = value
    if queries:
        data["queries"] = {"min": queries[0], "max": queries[1]}
    if cold:
        data["queries_cold"] = {"min": cold[0], "max": cold[1]}
    return data


def result(size="10k", dialogues=10_000, db="sqlite", **kinds):
    return {
        "db": db,
        "size": size,
        "dialogues": dialogues,
        "kinds": {"hello": {"rps": 1000.0}, **kinds},
        "memory": {"workers_max_mb": {"1": 80.0, "2": 90.0}},
    }


ROWS = (
    "warm filtered/searched list ≥ 10% of hello-world req/s at -c8",
    "warm filtered/searched list p50 ≤ 20 ms at -c2",
    "filtered list never requested before p50 ≤ 50 ms at -c2",
    "common-word search never requested before p50 ≤ 100 ms at -c2",
    "record ≥ 25% of hello-world req/s at -c8",
    "record p50 ≤ 10 ms at -c2",
    "≥ 20× Datasette req/s on equivalent pages",
    "worker RSS < 150 MB",
)


def passing_kinds() -> dict:
    fast = kind(rps=500, p50=9.0, hello=0.5, datasette=25.0, c2=5.0)
    return dict(
        era=fast,
        era_outcome=fast,
        search_common=fast,
        search_rare=fast,
        search_filter=fast,
        cold_filter=kind(rps=100, p50=80.0, hello=0.1, c2=49.9),
        cold_search_common=kind(rps=30, p50=150.0, hello=0.03, c2=100.0),
        record=kind(rps=300, p50=6.0, hello=0.3, c2=3.0),
        cold_record=kind(rps=250, p50=8.0, hello=0.25, c2=9.9),
    )


def test_every_row_of_the_targets_table_passes_when_every_figure_is_inside():
    checks = checks_module.check_run(result(**passing_kinds()))
    assert [c.target for c in checks] == list(ROWS)
    assert [c.status for c in checks] == ["PASS"] * len(ROWS)


@pytest.mark.parametrize(
    ("key", "change", "row", "figure"),
    [
        ("search_rare", {"ratios": {"hello": 0.09}}, ROWS[0], "search_rare 9% ✗"),
        ("era", {"p50_c2_ms": 20.1}, ROWS[1], "era 20.1 ms ✗"),
        ("cold_filter", {"p50_c2_ms": 50.1}, ROWS[2], "cold_filter 50.1 ms ✗"),
        ("cold_search_common", {"p50_c2_ms": 100.5}, ROWS[3], "cold_search_common 100.5 ms ✗"),
        ("cold_record", {"ratios": {"hello": 0.24}}, ROWS[4], "cold_record 24% ✗"),
        ("record", {"p50_c2_ms": 10.2}, ROWS[5], "record 10.2 ms ✗"),
        (
            "search_filter",
            {"ratios": {"hello": 0.5, "datasette": 19.9}},
            ROWS[6],
            "search_filter 19.90× ✗",
        ),
    ],
)
def test_one_figure_outside_fails_its_row_alone_and_is_named_first(key, change, row, figure):
    kinds = passing_kinds()
    kinds[key] = {**kinds[key], **change}
    checks = {c.target: c for c in checks_module.check_run(result(**kinds))}
    assert checks[row].status == "FAIL"
    assert checks[row].detail.startswith(figure)
    assert [t for t, c in checks.items() if c.status == "FAIL"] == [row]


def test_latency_is_judged_at_c2_and_not_at_c8():
    # Queueing at -c8 makes p50 long; the -c2 figure is the one the target names.
    kinds = passing_kinds()
    kinds["era"] = kind(rps=500, p50=400.0, hello=0.5, datasette=25.0, c2=15.0)
    (row,) = [c for c in checks_module.check_run(result(**kinds)) if c.target == ROWS[1]]
    assert row.status == "PASS"
    assert "era 15.0 ms" in row.detail


def test_a_page_that_never_answered_fails_rather_than_being_skipped():
    never = {**kind(rps=0.0, p50=None, hello=0.0), "c2": {"p50_ms": None}, "p50_c2_ms": None}
    checks = {c.target: c for c in checks_module.check_run(result(cold_filter=never))}
    assert checks[ROWS[2]].status == "FAIL"
    assert "no request completed" in checks[ROWS[2]].detail


def test_targets_without_figures_are_not_applicable():
    checks = checks_module.check_run({**result(), "memory": {}})
    assert {c.status for c in checks} == {"N/A"}


def test_rss_fails_at_the_limit():
    over = {**result(), "memory": {"workers_max_mb": {"1": 149.9, "2": 150.0}}}
    (check,) = [c for c in checks_module.check_run(over) if c.target.startswith("worker RSS")]
    assert check.status == "FAIL"
    assert "150.0 MB" in check.detail


def test_scaling_compares_p50_and_query_counts_per_database():
    small = result(
        era=kind(p50=10.0, queries=(6, 6)),
        record=kind(p50=4.0, queries=(5, 5), cold=(5, 7)),
        hello=kind(p50=1.0),
    )
    large = result(
        size="100k",
        dialogues=100_000,
        era=kind(p50=14.0, queries=(6, 6)),
        record=kind(p50=8.0, queries=(5, 5), cold=(5, 8)),
        hello=kind(p50=9.0),
    )
    other_db = result(db="postgres", era=kind(p50=1.0, queries=(9, 9)))
    checks = checks_module.check_scaling([large, other_db, small])
    assert len(checks) == 2  # PostgreSQL ran at one size only: nothing to compare there
    p50, queries = checks
    assert p50.scope == "sqlite 10k→100k"
    assert p50.status == "FAIL"
    assert "record 4.0→8.0 ms (2.00× at -c8) ✗" in p50.detail
    assert "era 10.0→14.0 ms (1.40× at -c8)" in p50.detail
    assert "hello" not in p50.detail
    assert queries.status == "FAIL"
    assert "record 7→8 (5 (5–7)→5 (5–8)) ✗" in queries.detail
    assert "era 6→6" in queries.detail


def test_growth_uses_the_c2_figures_when_both_sizes_have_them():
    small = result(cold_filter=kind(p50=100.0, c2=20.0))
    large = result(size="100k", dialogues=100_000, cold_filter=kind(p50=100.0, c2=31.0))
    (p50, _) = checks_module.check_scaling([small, large])
    assert p50.status == "FAIL"
    assert "cold_filter 20.0→31.0 ms (1.55×) ✗" in p50.detail


def test_every_row_is_printed_even_when_the_run_cannot_judge_it():
    checks = checks_module.check_all([result(**passing_kinds())])
    targets = [c.target for c in checks]
    assert targets[: len(ROWS)] == list(ROWS)
    growth, million = checks[len(ROWS) :]
    assert (growth.status, million.status) == ("N/A", "N/A")
    assert "two sizes" in growth.detail
    assert "1m" in million.detail


@pytest.mark.parametrize(("p50", "status"), [(49.0, "PASS"), (51.0, "FAIL")])
def test_postgresql_at_a_million_is_judged_on_list_search_and_record_at_c2(p50, status):
    million = result(
        db="postgres",
        size="1m",
        dialogues=1_000_000,
        era=kind(c2=10.0),
        search_common=kind(c2=p50),
        record=kind(c2=5.0),
    )
    sqlite_million = result(size="1m", dialogues=1_000_000, era=kind(c2=500.0))
    (check,) = checks_module.check_million([million, sqlite_million])
    assert (check.scope, check.status) == ("postgres 1m", status)
    assert f"search_common {p50:.1f} ms" in check.detail


def test_report_prints_a_table_for_any_result():
    cold_filter = kind(rps=40, p50=90.0, c2=30.0)
    cold_filter["http"] = {"paths_sent": 200, "paths_repeated": 0}
    cold_filter["c2"].update(paths_sent=60, paths_repeated=3)
    text = report.format_run(
        {
            **result(
                era=kind(rps=500, p50=5.0, hello=0.5, queries=(6, 7)),
                era_outcome=kind(rps=300, p50=8.0, c2=4.0),
                cold_filter=cold_filter,
            ),
            "seed": 1,
            "generation": {"reused": False, "generate_seconds": 12.0, "migrate_seconds": 1.0},
        }
    )
    assert "list by era" in text
    assert "6–7" in text
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("cold beside"))
    cold_table = lines[start : lines.index("", start)]
    (line,) = [line for line in cold_table if line.startswith("filtered list, never")]
    # warm kind, warm and cold req/s, warm and cold p50 -c2, URLs used, requests repeated
    assert line.split()[-7:] == ["era_outcome", "300", "40", "4.0", "30.0", "260", "3"]


# --- Datasette equivalents and SQL helpers ----------------------------------------------------


def test_datasette_equivalents_use_ids_subqueries_and_fts():
    ids = {"oslo": 3}
    assert datasette_compare.equivalent({"era": "oslo", "sort": "title"}, ids) == {
        "era_id": 3,
        "_sort": "title",
        "_size": 20,
    }
    combined = datasette_compare.equivalent({"q": "settlers", "outcome": "walkout"}, ids)
    assert combined["_search"] == "settlers"
    assert combined["_fts_table"] == "dialogues_dialogue_fts"
    assert combined["_fts_pk"] == "id"
    assert "kind = 'walkout'" in combined["_where"]
    assert datasette_compare.equivalent({"page": 2}, ids) is None
    assert datasette_compare.equivalent({"era": "unknown"}, ids) is None


def test_sqlite_placeholders_are_converted_as_django_does():
    assert _qmark("SELECT %s, '100%%' WHERE a = %s") == "SELECT ?, '100%' WHERE a = ?"


def test_shape_folds_in_lists():
    assert shape("SELECT * FROM t WHERE id IN (%s, %s,   %s)") == (
        "SELECT * FROM t WHERE id IN (%s, …)"
    )


# --- URL lists --------------------------------------------------------------------------------


def test_word_choice_is_by_document_frequency_with_alphabetical_ties():
    texts = [
        "The settlers and the refugees met.",
        "Settlers talked; refugees listened.",
        "Settlers, again, and water.",
        "Water rights for settlers near Hebron.",
        "Hebron and Hebron again.",
    ]
    counts = workload.document_frequencies(texts)
    assert counts["settlers"] == 4  # once per text, however often it appears in one
    assert counts["hebron"] == 2
    assert "the" not in counts and "and" not in counts  # short words are no search
    assert workload.common_words(counts, 3) == ["settlers", "hebron", "refugees"]
    assert workload.rare_candidates(counts, 2) == ["listened", "near"]


def test_evenly_takes_items_at_even_intervals():
    items = list(range(10))
    assert workload.evenly(items, 4) == [0, 2, 5, 7]
    assert workload.evenly(items[:3], 5) == [0, 1, 2]


@pytest.fixture
def tiny_archive(db):
    eras = [make_era(slug=f"bench-era-{i}", position=100 + i) for i in range(3)]
    words = ["settlers", "water", "refugees", "jerusalem"]
    for i in range(30):
        rarity = "rare" + "abcdefghij"[i // 3]  # each in three summaries
        summary = f"Talks on {words[i % 4]} and {words[(i + 1) % 4]}; {rarity} noted."
        dialogue = make_dialogue(
            era=eras[i % 3],
            slug=f"bench-dialogue-{i:02d}",
            summary=summary,
            place=("Oslo", "Cairo", "Amman")[i % 3],
        )
        add_participant(dialogue)
        add_outcome(dialogue, kind=list(OutcomeKind.values)[i % 6])
    search.rebuild_index()
    return eras


def test_url_lists_are_the_same_every_time_and_distinct(tiny_archive):
    first = workload.build(cold_urls=60)
    second = workload.build(cold_urls=60)
    assert first == second
    kinds = first["kinds"]
    assert set(kinds) == set(workload.DATA_KINDS)
    for key, listed in kinds.items():
        assert listed["paths"], key
        assert len(listed["paths"]) == len(set(listed["paths"])), key
        assert len(listed["params"]) == len(listed["paths"]), key
    assert len(kinds["era"]["paths"]) == 3 * len(workload.SORTS)
    assert len(kinds["era_outcome"]["paths"]) == 3 * len(OutcomeKind.values)
    assert kinds["record"]["paths"][0] == "/dialogues/bench-dialogue-00/"
    common = [word for word, _ in first["words"]["common"]]
    assert common[:2] == ["noted", "talks"]  # in every summary: alphabetical
    rare = first["words"]["rare"]
    assert [n for _, n in rare] == [3] * workload.RARE_WORDS
    assert first["deep_page"] == 2  # 30 dialogues make two pages: the deepest is used
    assert "the deepest page" in kinds["deep"]["note"]


def test_datasette_paths_follow_the_workload(tiny_archive):
    data = workload.build()
    ids = {era["slug"]: era["id"] for era in data["eras"]}
    paths = datasette_compare.datasette_paths(data, "archive", ids)
    assert set(paths) == set(datasette_compare.EQUIVALENT_KINDS)
    assert len(paths["era"]) == len(data["kinds"]["era"]["paths"])
    assert all(path.startswith("/archive/dialogues_dialogue?") for path in paths["era"])


def test_memory_is_read_from_proc():
    assert server.rss_kb(os.getpid()) > 0
    assert server.rss_kb(2**22 + 12345) is None


def test_datasette_answering_nothing_counts_for_the_archive():
    slow_datasette = {**kind(rps=40, p50=50.0), "datasette": {"rps": 0.0}}
    checks = checks_module.check_run(result(search_common=slow_datasette))
    (check,) = [c for c in checks if "Datasette" in c.target]
    assert check.status == "PASS"
    assert "Datasette completed no request" in check.detail


def test_kinds_option_checks_names_and_keeps_hello(capsys):
    assert cli.parse_kinds("search_common list") == ["hello", "list", "search_common"]
    with pytest.raises(SystemExit):
        cli.parse_args(["--kinds", "lists"])
    assert "lists" in capsys.readouterr().err


def test_the_makefile_s_options_are_all_accepted():
    # What `make bench SIZE=10k DB=sqlite DURATION=2 KINDS="list search_common" REBUILD=1` passes.
    args = cli.parse_args(
        ["--size", "10k", "--db", "sqlite", "--duration", "2", "--warmup", "1", "--seed", "1"]
        + ["--worker-class", "sync", "--kinds", "list search_common", "--rebuild"]
    )
    assert (args.size, args.db, args.duration, args.warmup, args.seed) == (
        [10_000],
        ["sqlite"],
        2.0,
        1.0,
        1,
    )
    assert (args.worker_class, args.rebuild) == ("sync", True)
    assert args.kinds == ["hello", "list", "search_common"]


def test_the_generator_s_fingerprint_covers_every_module_of_its_package(tmp_path, monkeypatch):
    package = tmp_path / "synthetic"
    package.mkdir()
    (package / "a.py").write_text("A = 1\n")
    (package / "b.py").write_text("B = 1\n")
    monkeypatch.setattr(databases, "GENERATOR_PACKAGE", package)

    def fingerprint() -> str:
        databases.generator_version.cache_clear()
        return databases.generator_version()

    before = fingerprint()
    assert fingerprint() == before
    (package / "b.py").write_text("B = 2\n")
    changed = fingerprint()
    (package / "c.py").write_text("C = 1\n")

    assert changed != before
    assert fingerprint() not in (before, changed)
    databases.generator_version.cache_clear()


# --- Cold traffic -----------------------------------------------------------------------------

VALUES = {
    "era": ["oslo", "madrid", "camp-david"],
    "side": ["israeli", "palestinian", "third_party"],
    "outcome": ["walkout", "agreement"],
    "from": [str(y) for y in range(1980, 2001)],
    "to": [str(y) for y in range(1980, 2001)],
    "match": ["overlap", "within"],
    "sort": ["date", "-date", "title", "relevance"],
}
ORDER = ["era", "side", "outcome", "from", "to", "match", "sort"]
FREQUENCIES = Counter({f"word{i:04d}": 5000 // (i + 1) + 1 for i in range(3000)})
RECORDS = [f"syn-{i}" for i in range(5000)]


def cold_lists(seed: int, n: int = 2000) -> dict[str, list[dict]]:
    return cold.build_lists(VALUES, ORDER, FREQUENCIES, RECORDS, n=n, seed=seed)


def cold_paths(lists) -> dict[str, list[str]]:
    return {key: [cold.render(p, ["q", *ORDER, "page"]) for p in v] for key, v in lists.items()}


def test_cold_lists_are_the_same_for_a_seed_and_differ_between_seeds():
    first, again, other = cold_lists(1), cold_lists(1), cold_lists(2)
    assert first == again
    assert set(first) == set(cold.COLD_KINDS)
    for key in ("cold_filter", "cold_search", "cold_search_filter", "cold_record"):
        assert first[key] != other[key], key


def test_no_cold_list_repeats_an_address_and_each_is_as_long_as_asked():
    for key, paths in cold_paths(cold_lists(7)).items():
        assert len(paths) == len(set(paths)), key
        assert len(paths) == 2000, key


def test_a_cold_list_is_as_long_as_its_values_allow_and_no_longer():
    few = cold.build_lists(
        {"side": ["israeli", "palestinian"]}, ["side"], Counter(), ["a", "b"], n=50, seed=1
    )
    assert few["cold_filter"] == [{"side": "israeli"}, {"side": "palestinian"}] or sorted(
        p["side"] for p in few["cold_filter"]
    ) == ["israeli", "palestinian"]
    assert sorted(p["slug"] for p in few["cold_record"]) == ["a", "b"]
    assert few["cold_search"] == []


def test_cold_filters_begin_with_every_parameter_alone_then_every_pair():
    filters = cold_lists(3)["cold_filter"]
    singles = filters[: len(ORDER)]
    assert [list(p) for p in singles] == [[name] for name in ORDER]
    pairs = {tuple(sorted(p)) for p in filters[len(ORDER) : len(ORDER) + 21]}
    assert pairs == {tuple(sorted(pair)) for pair in itertools.combinations(ORDER, 2)}
    for params in filters:
        if "from" in params and "to" in params:
            assert int(params["from"]) <= int(params["to"])


def test_searches_cover_the_whole_frequency_range():
    lists = cold_lists(5)
    bands = cold.word_bands(FREQUENCIES)
    assert len(bands["common"]) == 150 and len(bands["rare"]) == 1200
    common_words = [p["q"] for p in lists["cold_search_common"][: len(bands["common"])]]
    assert sorted(common_words) == sorted(bands["common"])  # each common word alone first
    spread = [p["q"] for p in lists["cold_search"][:30]]
    for band in ("common", "middle", "rare"):
        assert sum(word in bands[band] for word in spread) == 10, band


def test_the_load_and_the_capture_take_disjoint_parts_of_a_cold_list():
    paths = [f"/p{i}" for i in range(500)]
    walked, captured = cold.load_part(paths), cold.capture_part(paths)
    assert not set(walked) & set(captured)
    assert walked[0] == "/p0" and captured[0] == "/p499"
    assert len(walked) + len(captured) == 500
    short = [f"/p{i}" for i in range(10)]
    assert not set(cold.load_part(short)) & set(cold.capture_part(short))


def test_enough_cold_urls_for_the_fastest_page_over_both_runs():
    assert cold.urls_needed(1000, 5.0) == 10_000 + cold.CAPTURE_TAIL
    args = cli.parse_args(["--duration", "2", "--tool", "python"])
    assert args.cold_urls == cold.urls_needed(cli.COLD_MAX_RPS, 2.0)


def test_coverage_counts_parameters_alone_combined_and_in_pairs():
    found = cold.coverage(
        [[{"era": "a"}, {"era": "b", "side": "x", "page": 2}], [{"q": "w"}, {"slug": "s"}]]
    )
    assert found["alone"] == {"era": 1, "q": 1}
    assert found["combined"] == {"era": 1, "side": 1}
    assert found["pairs"] == {"era+side": 1}


def test_every_filter_parameter_is_measured_cold_alone_and_combined(tiny_archive):
    from dialogues.listing.filters import DialogueFilterSet

    data = workload.build(cold_urls=400)
    covered = data["cold"]["coverage"]
    parameters = set(DialogueFilterSet.base_filters)
    assert parameters - set(covered["alone"]) == set()
    assert parameters - set(covered["combined"]) == set()
    for key in cold.COLD_KINDS:
        paths = data["kinds"][key]["paths"]
        assert paths and len(paths) == len(set(paths)), key


# --- -c8 and -c2 ------------------------------------------------------------------------------


def test_mode_option_selects_warm_or_cold_kinds(capsys):
    both = cli.parse_args(["--tool", "python"])
    assert "cold_filter" in both.kinds and "era" in both.kinds
    warm = cli.parse_args(["--tool", "python", "--mode", "warm"])
    assert not set(warm.kinds) & set(cli.COLD_KEYS) and warm.cold_urls == 0
    only_cold = cli.parse_args(["--tool", "python", "--mode", "cold"])
    assert only_cold.kinds == ["hello", *cli.COLD_KEYS]
    with pytest.raises(SystemExit):
        cli.parse_args(["--mode", "tepid"])
    assert "tepid" in capsys.readouterr().err


def test_latency_runs_have_one_connection_per_worker_by_default():
    assert cli.parse_args(["--tool", "python"]).latency_connections == 2
    assert cli.parse_args(["--tool", "python", "--workers", "3"]).latency_connections == 3
    gthread = ["--tool", "python", "--worker-class", "gthread", "--threads", "4"]
    assert cli.parse_args(gthread).latency_connections == 8


def test_wrk_is_told_the_connections_the_threads_and_where_to_start(tmp_path):
    command = load.wrk_command(
        "http://127.0.0.1:1", tmp_path / "p.txt", duration=2, threads=2, connections=2, start=37
    )
    assert "-c2" in command and "-t2" in command
    assert command[-3:] == [str(tmp_path / "p.txt"), "2", "37"]
    one = load.wrk_command("http://x:1", tmp_path / "p.txt", duration=2, threads=2, connections=1)
    assert "-t1" in one  # wrk refuses more threads than connections


def test_parse_wrk_reads_how_the_paths_were_walked():
    walked = load.parse_wrk(WRK_OUTPUT + "Paths: 3851 sent, furthest 3860, 12 repeated\n")
    assert (walked.paths_sent, walked.paths_furthest, walked.paths_repeated) == (3851, 3860, 12)
    assert walked.connections == 8
    assert load.parse_wrk(WRK_OUTPUT).paths_repeated is None


class FakeLoad:
    """Stands in for load.run_load: records each call, answers as a run that used 100 paths."""

    def __init__(self):
        self.calls = []

    def __call__(self, base_url, paths, paths_file, *, duration, threads, connections, tool, start):
        self.calls.append({"paths": paths, "connections": connections, "start": start})
        return load.LoadResult(
            tool="fake",
            requests=100,
            duration_s=duration,
            rps=100 / duration,
            latency_ms={"50": 10.0 * connections, "99": 50.0},
            connections=connections,
            paths_sent=100,
            paths_furthest=start + 100,
            paths_repeated=max(0, start + 100 - len(paths)),
        )


@pytest.fixture
def fake_load(monkeypatch, tmp_path):
    fake = FakeLoad()
    monkeypatch.setattr(load, "run_load", fake)
    monkeypatch.setattr(targets, "TMP_DIR", tmp_path)
    return fake


def test_each_kind_is_loaded_at_c8_for_throughput_then_at_c2_for_latency(fake_load):
    args = cli.parse_args(["--tool", "python", "--duration", "2"])
    paths = [f"/dialogues/?era=e{i}" for i in range(50)]
    throughput, latency, remarks = targets.measure(args, "http://127.0.0.1:1", paths, "warm")
    assert [c["connections"] for c in fake_load.calls] == [8, 8, 2]  # warm-up, -c8, -c2
    assert [c["start"] for c in fake_load.calls] == [0, 0, 0]
    assert (throughput.p50_ms, latency.p50_ms) == (80.0, 20.0)
    assert remarks == []  # a warm list is meant to be requested again


def test_a_cold_kind_walks_on_and_warms_up_elsewhere(fake_load):
    args = cli.parse_args(["--tool", "python", "--duration", "2"])
    paths = [f"/dialogues/?q=w{i}" for i in range(150)]
    warm = ["/dialogues/?q=talks"]
    _, latency, remarks = targets.measure(
        args, "http://127.0.0.1:1", paths, "cold", warmup_paths=warm, cold=True
    )
    warmup, c8, c2 = fake_load.calls
    assert warmup["paths"] == warm
    assert (c8["start"], c2["start"]) == (0, 100)  # the latency run starts where -c8 stopped
    assert latency.paths_repeated == 50
    assert remarks == [
        "-c2: the list of 150 URLs ran out and 50 requests repeated an address (raise --cold-urls)"
    ]


def test_the_python_load_walks_paths_from_start_without_repeating(tmp_path):
    import http.server
    import threading

    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        paths = [f"/p{i}" for i in range(100_000)]
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        result = load.run_python(base, paths, duration=0.3, connections=2, start=10)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result.requests > 0 and result.paths_repeated == 0
    assert len(seen) == len(set(seen))
    assert min(int(path[2:]) for path in seen) == 10
    assert result.paths_furthest == max(int(path[2:]) for path in seen) + 1


def test_gunicorn_runs_without_the_rate_limit(tmp_path):
    unlimited = server.gunicorn(
        {"TRACKII_RATE_LIMIT": "on"}, tmp_path / "log", workers=2, worker_class="sync", threads=1
    )
    assert unlimited.env["TRACKII_RATE_LIMIT"] == "off"
    from bench.environment import production_env

    assert production_env("key")["TRACKII_RATE_LIMIT"] == "off"


# --- Reusing a built database -----------------------------------------------------------------


def test_a_built_million_on_postgresql_is_reused_not_rebuilt(monkeypatch, tmp_path):
    database = databases.Database("postgres", 1_000_000, 1, "postgres://u@h:5432/")
    assert (database.label, database.name) == ("1m", "trackii_bench_1m")
    built = {**database.expected(), "generate_seconds": 948.0, "migrate_seconds": 3.0}
    monkeypatch.setattr(databases.Database, "marker", lambda self: built)
    monkeypatch.setattr(databases.Database, "_count_synthetic", lambda self: 1_000_000)
    commands = []
    monkeypatch.setattr(databases, "manage", lambda env, *a, log, **kw: commands.append(a) or 0.1)
    monkeypatch.setattr(databases, "TMP_DIR", tmp_path)

    generation = database.ensure({}, rebuild=False)

    assert generation["reused"] is True
    assert generation["generate_seconds"] == 948.0
    assert commands == [("migrate", "--noinput")]  # no generate_synthetic


def test_a_million_built_by_another_generator_or_cut_short_is_rebuilt(monkeypatch):
    database = databases.Database("postgres", 1_000_000, 1, "postgres://u@h:5432")
    marker = database.expected()
    monkeypatch.setattr(databases.Database, "marker", lambda self: marker)
    monkeypatch.setattr(databases.Database, "_count_synthetic", lambda self: 999_000)
    ok, reason = database.intact()
    assert not ok and "999,000" in reason
    marker = {**database.expected(), "generator_version": "older"}
    ok, reason = database.intact()
    assert not ok and "generator_version" in reason
