"""The benchmark's targets table and printed report, judged on made-up figures.

Every row of the targets table gets figures just inside and just outside its limit; no load runs.
"""

from __future__ import annotations

import pytest

from bench import checks as checks_module
from bench import report

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
    "lists never requested before, an editor saving each second: p50 ≤ 50 ms, p99 ≤ 1000 ms at -c2",
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
        write_during_reads={
            **kind(rps=80, p50=90.0, hello=0.08, c2=49.9),
            "c2": {"p50_ms": 49.9, "p99_ms": 999.0},
        },
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
        ("write_during_reads", {"p50_c2_ms": 50.2}, ROWS[7], "write_during_reads 50.2 ms ✗"),
        (
            "write_during_reads",
            {"c2": {"p50_ms": 30.0, "p99_ms": 1000.5}},
            ROWS[7],
            "write_during_reads p99 1000.5 ms ✗",
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


def test_datasette_answering_nothing_counts_for_the_archive():
    slow_datasette = {**kind(rps=40, p50=50.0), "datasette": {"rps": 0.0}}
    checks = checks_module.check_run(result(search_common=slow_datasette))
    (check,) = [c for c in checks if "Datasette" in c.target]
    assert check.status == "PASS"
    assert "Datasette completed no request" in check.detail


@pytest.mark.parametrize(
    ("small_max", "large_max", "status"), [(9, 9, "PASS"), (12, 9, "PASS"), (9, 10, "FAIL")]
)
def test_a_page_may_not_run_more_queries_at_the_larger_size(small_max, large_max, status):
    small = result(record=kind(p50=5.0, queries=(8, small_max)))
    large = result(size="100k", dialogues=100_000, record=kind(p50=5.0, queries=(8, large_max)))
    (_, queries) = checks_module.check_scaling([small, large])
    assert queries.target == "no more queries per request at the larger size"
    assert queries.status == status
    assert f"record {small_max}→{large_max}" in queries.detail
