"""The benchmark's pure parts: sizes, wrk's report, the targets, and the URL lists.

No load is run here: `make bench` does that. These check what decides its figures.
"""

from __future__ import annotations

import os

import pytest

from bench import cli, databases, datasette_compare, load, report, workload
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


def kind(rps=None, p50=None, hello=None, raw=None, datasette=None, queries=None, cold=None):
    data = {"rps": rps, "p50_ms": p50, "http": {}, "ratios": {}}
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


def test_targets_pass_when_every_figure_is_inside():
    fast = kind(rps=500, p50=5.0, hello=0.5, datasette=25.0)
    checks = report.check_run(
        result(
            era=fast,
            era_outcome=fast,
            search_common=fast,
            search_rare=fast,
            search_filter=fast,
            record=kind(rps=300, p50=3.0, hello=0.3),
            era_page=kind(rps=260, p50=3.0, hello=0.26),
        )
    )
    assert [c.status for c in checks] == ["PASS"] * 5


def test_targets_fail_with_the_figures_that_fail_first():
    checks = report.check_run(
        result(
            era=kind(rps=500, p50=5.0, hello=0.5, datasette=25.0),
            search_common=kind(rps=50, p50=35.5, hello=0.05, datasette=3.0),
            record=kind(rps=100, p50=3.0, hello=0.1),
        )
    )
    statuses = {c.target: c for c in checks}
    p50 = statuses["filtered/searched list p50 ≤ 20 ms"]
    assert p50.status == "FAIL"
    assert p50.detail.startswith("search_common 35.5 ms ✗")
    assert "era 5.0 ms" in p50.detail
    assert statuses["filtered/searched list ≥ 10% of hello-world req/s"].status == "FAIL"
    assert statuses["≥ 20× Datasette req/s on equivalent pages"].status == "FAIL"
    assert statuses["record and era pages ≥ 25% of hello-world req/s"].status == "FAIL"
    assert statuses["worker RSS < 150 MB"].status == "PASS"


def test_a_page_that_never_answered_fails_rather_than_being_skipped():
    checks = report.check_run(result(era=kind(rps=0.0, p50=None, hello=0.0)))
    p50 = checks[0]
    assert p50.status == "FAIL"
    assert "no request completed" in p50.detail


def test_targets_without_figures_are_not_applicable():
    checks = report.check_run({**result(), "memory": {}})
    assert {c.status for c in checks} == {"N/A"}


def test_rss_fails_at_the_limit():
    over = {**result(), "memory": {"workers_max_mb": {"1": 149.9, "2": 150.0}}}
    (check,) = [c for c in report.check_run(over) if c.target.startswith("worker RSS")]
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
    checks = report.check_scaling([large, other_db, small])
    assert len(checks) == 2  # PostgreSQL ran at one size only: nothing to compare there
    p50, queries = checks
    assert p50.scope == "sqlite 10k→100k"
    assert p50.status == "FAIL"
    assert "record 4.0→8.0 ms (2.00×) ✗" in p50.detail
    assert "era 10.0→14.0 ms (1.40×)" in p50.detail
    assert "hello" not in p50.detail
    assert queries.status == "FAIL"
    assert "record 7→8 (5 (5–7)→5 (5–8)) ✗" in queries.detail
    assert "era 6→6" in queries.detail


def test_report_prints_a_table_for_any_result():
    text = report.format_run(
        {
            **result(era=kind(rps=500, p50=5.0, hello=0.5, queries=(6, 7))),
            "seed": 1,
            "generation": {"reused": False, "generate_seconds": 12.0, "migrate_seconds": 1.0},
        }
    )
    assert "list by era" in text
    assert "6–7" in text


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
        dialogue = make_dialogue(era=eras[i % 3], slug=f"bench-dialogue-{i:02d}", summary=summary)
        add_participant(dialogue)
        add_outcome(dialogue, kind=list(OutcomeKind.values)[i % 6])
    search.rebuild_index()
    return eras


def test_url_lists_are_the_same_every_time_and_distinct(tiny_archive):
    first = workload.build()
    second = workload.build()
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
    from bench import server

    assert server.rss_kb(os.getpid()) > 0
    assert server.rss_kb(2**22 + 12345) is None


def test_datasette_answering_nothing_counts_for_the_archive():
    slow_datasette = {**kind(rps=40, p50=50.0), "datasette": {"rps": 0.0}}
    checks = report.check_run(result(search_common=slow_datasette))
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
