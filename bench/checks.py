"""The targets: every row of the benchmark's targets table, judged PASS, FAIL or N/A.

Each check is a pure function of run results (the dicts `orchestration.run_one` assembles), so
the tests can feed them made-up figures. Throughput is judged on the `-c8` run (`rps`, and its
ratios to hello-world and Datasette); latency on the `-c2` run (`p50_c2_ms`), where there are
as many connections as workers and no request waits for another.

| Row | Judged on |
|---|---|
| filtered or searched list, warm | ≥ 10% of hello-world req/s at -c8; p50 ≤ 20 ms at -c2 |
| filtered list never requested before | `cold_filter` p50 ≤ 50 ms at -c2 |
| the same while an editor saves each second | `write_during_reads` p50 ≤ 50 ms, p99 ≤ 1 s at -c2 |
| common-word search never requested before | `cold_search_common` p50 ≤ 100 ms at -c2 |
| record page (warm and never requested) | ≥ 25% of hello-world at -c8; p50 ≤ 10 ms at -c2 |
| equivalent Datasette pages | ≥ 20× Datasette's req/s |
| growth from the smallest size to each larger | p50 at most 1.5×, every page |
| PostgreSQL at 1M dialogues | list, search and record p50 ≤ 50 ms at -c2 |
| memory | each worker under 150 MB RSS |
"""

from __future__ import annotations

from dataclasses import dataclass

# Issue 21's filters, each on its own (see `workload.filter_kind_values`).
FILTER_KINDS = tuple(
    f"by_{name}" for name in ("organisation", "series", "level", "capacity", "place", "country")
)
LIST_KINDS = ("era", "era_outcome", "search_common", "search_rare", "search_filter") + FILTER_KINDS
LIST_HELLO_SHARE_MIN = 0.10
LIST_P50_MAX_MS = 20.0
COLD_FILTER_P50_MAX_MS = 50.0
COLD_COMMON_P50_MAX_MS = 100.0
# While an editor saves: the cold-list target, and no request over a second.
WRITING_P99_MAX_MS = 1_000.0
RECORD_KINDS = ("record", "cold_record")
RECORD_HELLO_SHARE_MIN = 0.25
RECORD_P50_MAX_MS = 10.0
DATASETTE_RATIO_MIN = 20.0
SCALING_P50_MAX = 1.5
MILLION = 1_000_000
MILLION_P50_MAX_MS = 50.0
MILLION_KINDS = (
    ("list", "era", "era_outcome", "cold_filter")
    + ("search_common", "search_rare", "search_filter")
    + ("cold_search_common", "cold_search", "cold_search_filter")
    + RECORD_KINDS
)
RSS_MAX_MB = 150.0


@dataclass
class Check:
    status: str  # PASS, FAIL, or N/A when there was nothing to judge
    scope: str
    target: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<4}  {self.scope:<22} {self.target}: {self.detail}"


def scope(result: dict) -> str:
    return f"{result['db']} {result['size']}"


def judge(items: list[tuple[str, bool, str]]) -> tuple[str, str]:
    """Return (status, detail) from (name, passed, figure) items; failures are listed first."""
    if not items:
        return "N/A", "nothing measured"
    failed = [f"{name} {figure} ✗" for name, passed, figure in items if not passed]
    passed = [f"{name} {figure}" for name, ok, figure in items if ok]
    return ("FAIL" if failed else "PASS"), ", ".join(failed + passed)


def _figure(kinds: dict, key: str, *path: str):
    value = kinds.get(key, {})
    for part in path:
        value = (value or {}).get(part)
    return value


def latency_items(kinds: dict, keys, maximum: float) -> list[tuple[str, bool, str]]:
    """Each kind's p50 at -c2 against maximum; a kind loaded yet never answered fails."""
    items = []
    for key in keys:
        p50 = _figure(kinds, key, "p50_c2_ms")
        if p50 is not None:
            items.append((key, p50 <= maximum, f"{p50:.1f} ms"))
        elif "c2" in kinds.get(key, {}):
            # Loaded, yet not one request came back in time: the slowest result of all.
            items.append((key, False, "no request completed"))
    return items


def writing_items(kinds: dict) -> list[tuple[str, bool, str]]:
    """`write_during_reads` at -c2: its p50 as a cold list's, and its p99 under a second."""
    items = latency_items(kinds, ("write_during_reads",), COLD_FILTER_P50_MAX_MS)
    p99 = _figure(kinds, "write_during_reads", "c2", "p99_ms")
    if p99 is not None:
        items.append(("write_during_reads p99", p99 <= WRITING_P99_MAX_MS, f"{p99:.1f} ms"))
    return items


def share_items(kinds: dict, keys, minimum: float) -> list[tuple[str, bool, str]]:
    """Each kind's req/s at -c8 as a share of hello-world's, against minimum."""
    return [
        (key, share >= minimum, f"{share:.0%}")
        for key in keys
        if (share := _figure(kinds, key, "ratios", "hello")) is not None
    ]


def datasette_items(kinds: dict) -> list[tuple[str, bool, str]]:
    items = []
    for key in LIST_KINDS:
        ratio = _figure(kinds, key, "ratios", "datasette")
        if ratio is not None:
            items.append((key, ratio >= DATASETTE_RATIO_MIN, f"{ratio:.2f}×"))
        elif _figure(kinds, key, "datasette", "rps") == 0 and _figure(kinds, key, "rps"):
            # Datasette answered nothing within the run while the archive did: any ratio holds.
            items.append((key, True, "Datasette completed no request"))
    return items


def check_run(result: dict) -> list[Check]:
    """The targets one database at one size can be judged on by itself."""
    kinds = result["kinds"]
    where = scope(result)
    hello_rps = _figure(kinds, "hello", "rps")
    hello_note = f" (hello-world {hello_rps:,.0f} req/s)" if hello_rps else ""
    workers = result.get("memory", {}).get("workers_max_mb", {})
    # Gunicorn replaces a worker it kills for a timeout, so there may be more than --workers.
    memory = [
        (f"max of {len(workers)} workers", peak < RSS_MAX_MB, f"{peak:.1f} MB")
        for peak in ([max(workers.values())] if workers else [])
    ]
    rows = [
        (
            f"warm filtered/searched list ≥ {LIST_HELLO_SHARE_MIN:.0%} of hello-world req/s at -c8",
            share_items(kinds, LIST_KINDS, LIST_HELLO_SHARE_MIN),
            hello_note,
        ),
        (
            f"warm filtered/searched list p50 ≤ {LIST_P50_MAX_MS:g} ms at -c2",
            latency_items(kinds, LIST_KINDS, LIST_P50_MAX_MS),
            "",
        ),
        (
            f"filtered list never requested before p50 ≤ {COLD_FILTER_P50_MAX_MS:g} ms at -c2",
            latency_items(kinds, ("cold_filter",), COLD_FILTER_P50_MAX_MS),
            "",
        ),
        (
            f"common-word search never requested before p50 ≤ {COLD_COMMON_P50_MAX_MS:g} ms at -c2",
            latency_items(kinds, ("cold_search_common",), COLD_COMMON_P50_MAX_MS),
            "",
        ),
        (
            f"record ≥ {RECORD_HELLO_SHARE_MIN:.0%} of hello-world req/s at -c8",
            share_items(kinds, RECORD_KINDS, RECORD_HELLO_SHARE_MIN),
            hello_note,
        ),
        (
            f"record p50 ≤ {RECORD_P50_MAX_MS:g} ms at -c2",
            latency_items(kinds, RECORD_KINDS, RECORD_P50_MAX_MS),
            "",
        ),
        (
            f"≥ {DATASETTE_RATIO_MIN:g}× Datasette req/s on equivalent pages",
            datasette_items(kinds),
            "",
        ),
        (
            f"lists never requested before, an editor saving each second: p50 ≤ "
            f"{COLD_FILTER_P50_MAX_MS:g} ms, p99 ≤ {WRITING_P99_MAX_MS:g} ms at -c2",
            writing_items(kinds),
            "",
        ),
        (f"worker RSS < {RSS_MAX_MB:g} MB", memory, ""),
    ]
    checks = []
    for target, items, extra in rows:
        status, detail = judge(items)
        checks.append(Check(status, where, target, detail + extra))
    return checks


def _p50_for_growth(small: dict, large: dict) -> tuple[float | None, float | None, str]:
    """Both p50s at -c2 when both runs have them, else at -c8; and which it is."""
    if small.get("p50_c2_ms") is not None and large.get("p50_c2_ms") is not None:
        return small["p50_c2_ms"], large["p50_c2_ms"], ""
    return small.get("p50_ms"), large.get("p50_ms"), " at -c8"


def _compare(small: dict, large: dict) -> tuple[list, list]:
    p50_items, query_items = [], []
    for key, big in large["kinds"].items():
        little = small["kinds"].get(key)
        if key == "hello" or not little:
            continue
        a, b, how = _p50_for_growth(little, big)
        if a and b is not None:
            ratio = b / a
            p50_items.append(
                (key, ratio <= SCALING_P50_MAX, f"{a:.1f}→{b:.1f} ms ({ratio:.2f}×{how})")
            )
        # The most queries any request ran: a cached figure only ever lowers a count, and how
        # many requests found it cached depends on timing, not on the data. The count must not
        # grow with the archive; fewer at the larger size (its URLs found more cached) is no
        # growth.
        qa, qb = most_queries(little), most_queries(big)
        if qa is not None and qb is not None:
            query_items.append((key, qb <= qa, f"{qa}→{qb} ({counts(little)}→{counts(big)})"))
    return p50_items, query_items


def check_scaling(results: list[dict]) -> list[Check]:
    """Compare each database's smallest size with each larger one: p50 growth, query counts."""
    checks = []
    by_db: dict[str, list[dict]] = {}
    for result in results:
        by_db.setdefault(result["db"], []).append(result)
    for db, runs in by_db.items():
        runs = sorted(runs, key=lambda r: r["dialogues"])
        small = runs[0]
        for large in runs[1:]:
            where = f"{db} {small['size']}→{large['size']}"
            p50_items, query_items = _compare(small, large)
            for target, items in (
                (
                    f"p50 at {large['size']} ≤ {SCALING_P50_MAX:g}× p50 at {small['size']}, at -c2",
                    p50_items,
                ),
                ("no more queries per request at the larger size", query_items),
            ):
                status, detail = judge(items)
                checks.append(Check(status, where, target, detail))
    return checks


def check_million(results: list[dict]) -> list[Check]:
    """PostgreSQL at 1M dialogues: list, search and record p50 at -c2, when such a run is here."""
    target = f"list, search and record p50 ≤ {MILLION_P50_MAX_MS:g} ms at -c2"
    runs = [r for r in results if r["db"] == "postgres" and r["dialogues"] >= MILLION]
    if not runs:
        return [Check("N/A", "postgres 1m", target, "no PostgreSQL run at 1m dialogues here")]
    checks = []
    for result in runs:
        status, detail = judge(latency_items(result["kinds"], MILLION_KINDS, MILLION_P50_MAX_MS))
        checks.append(Check(status, scope(result), target, detail))
    return checks


def check_all(results: list[dict]) -> list[Check]:
    """Every row of the targets table over the results of one run, N/A where nothing measured."""
    checks = [check for result in results for check in check_run(result)]
    scaling = check_scaling(results)
    if not scaling:
        scaling = [
            Check(
                "N/A",
                "growth",
                f"p50 ≤ {SCALING_P50_MAX:g}× from the smaller size to the larger",
                'needs two sizes of one database in the run, e.g. SIZE="10k 100k"',
            )
        ]
    return checks + scaling + check_million(results)


def most_queries(kind: dict) -> int | None:
    found = [q["max"] for q in (kind.get("queries"), kind.get("queries_cold")) if q]
    return max(found) if found else None


def counts(kind: dict) -> str:
    """A kind's query counts as printed: warm min–max, and the cold pass's when it differs."""
    warm, cold = kind.get("queries"), kind.get("queries_cold")
    if not warm:
        return ""
    if cold and cold != warm:
        return f"{_span(warm)} ({_span(cold)})"
    return _span(warm)


def _span(queries: dict) -> str:
    low, high = queries.get("min"), queries.get("max")
    return f"{low}" if low == high else f"{low}–{high}"


def format_checks(checks: list[Check]) -> str:
    return "\n".join(check.line() for check in checks)
