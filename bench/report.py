"""Print a run's results as tables, write them as JSON, and check them against the targets.

One result is one database at one size (the dict `orchestration.run_one` assembles);
`format_run` prints it, `write_json` saves it as `bench/results/<timestamp>-<db>-<size>.json`,
and `check_run` and `check_scaling` turn results into PASS/FAIL lines, each with the figures it
was judged on. The checks are pure functions of the results, so the tests can feed them made-up
figures.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.workload import KIND_LABELS

# The targets, from the benchmark issue.
LIST_KINDS = ("era", "era_outcome", "search_common", "search_rare", "search_filter")
LIST_P50_MAX_MS = 20.0
LIST_HELLO_SHARE_MIN = 0.10
DATASETTE_RATIO_MIN = 20.0
PAGE_KINDS = ("record", "era_page")
PAGE_HELLO_SHARE_MIN = 0.25
SCALING_P50_MAX = 1.5
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


def _fmt(value, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _judge(items: list[tuple[str, bool, str]]) -> tuple[str, str]:
    """Return (status, detail) from (name, passed, figure) items; failures are listed first."""
    if not items:
        return "N/A", "nothing measured"
    failed = [f"{name} {figure} ✗" for name, passed, figure in items if not passed]
    passed = [f"{name} {figure}" for name, ok, figure in items if ok]
    return ("FAIL" if failed else "PASS"), ", ".join(failed + passed)


# --- Targets ----------------------------------------------------------------------------------


def check_run(result: dict) -> list[Check]:
    """The targets one database at one size can be judged on by itself."""
    kinds = result["kinds"]
    where = scope(result)
    checks = []

    def add(target: str, items: list[tuple[str, bool, str]], extra: str = "") -> None:
        status, detail = _judge(items)
        checks.append(Check(status, where, target, detail + extra))

    def figure(key: str, *path: str):
        value = kinds.get(key, {})
        for part in path:
            value = (value or {}).get(part)
        return value

    hello_rps = figure("hello", "rps")
    hello_note = f" (hello-world {hello_rps:,.0f} req/s)" if hello_rps else ""

    def p50_items(keys, maximum):
        items = []
        for key in keys:
            p50 = figure(key, "p50_ms")
            if p50 is not None:
                items.append((key, p50 <= maximum, f"{p50:.1f} ms"))
            elif key in kinds and "http" in kinds[key]:
                # Loaded, yet not one request came back in time: the slowest result of all.
                items.append((key, False, "no request completed"))
        return items

    add(
        f"filtered/searched list p50 ≤ {LIST_P50_MAX_MS:g} ms",
        p50_items(LIST_KINDS, LIST_P50_MAX_MS),
    )
    add(
        f"filtered/searched list ≥ {LIST_HELLO_SHARE_MIN:.0%} of hello-world req/s",
        [
            (key, share >= LIST_HELLO_SHARE_MIN, f"{share:.0%}")
            for key in LIST_KINDS
            if (share := figure(key, "ratios", "hello")) is not None
        ],
        hello_note,
    )
    datasette_items = []
    for key in LIST_KINDS:
        ratio = figure(key, "ratios", "datasette")
        if ratio is not None:
            datasette_items.append((key, ratio >= DATASETTE_RATIO_MIN, f"{ratio:.2f}×"))
        elif figure(key, "datasette", "rps") == 0 and figure(key, "rps"):
            # Datasette answered nothing within the run while the archive did: any ratio holds.
            datasette_items.append((key, True, "Datasette completed no request"))
    add(f"≥ {DATASETTE_RATIO_MIN:g}× Datasette req/s on equivalent pages", datasette_items)
    add(
        f"record and era pages ≥ {PAGE_HELLO_SHARE_MIN:.0%} of hello-world req/s",
        [
            (key, share >= PAGE_HELLO_SHARE_MIN, f"{share:.0%}")
            for key in PAGE_KINDS
            if (share := figure(key, "ratios", "hello")) is not None
        ],
        hello_note,
    )
    workers = result.get("memory", {}).get("workers_max_mb", {})
    # Gunicorn replaces a worker it kills for a timeout, so there may be more than --workers.
    add(
        f"worker RSS < {RSS_MAX_MB:g} MB",
        [
            (f"max of {len(workers)} workers", peak < RSS_MAX_MB, f"{peak:.1f} MB")
            for peak in ([max(workers.values())] if workers else [])
        ],
    )
    return checks


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
            p50_items, query_items = [], []
            for key, big in large["kinds"].items():
                little = small["kinds"].get(key)
                if key == "hello" or not little:
                    continue
                a, b = little.get("p50_ms"), big.get("p50_ms")
                if a and b is not None:
                    ratio = b / a
                    p50_items.append(
                        (key, ratio <= SCALING_P50_MAX, f"{a:.1f}→{b:.1f} ms ({ratio:.2f}×)")
                    )
                # The most queries any request ran: a cached figure only ever lowers a count,
                # and how many requests found it cached depends on timing, not on the data.
                qa, qb = _most_queries(little), _most_queries(big)
                if qa is not None and qb is not None:
                    query_items.append(
                        (key, qa == qb, f"{qa}→{qb} ({_counts(little)}→{_counts(big)})")
                    )
            for target, items in (
                (
                    f"p50 at {large['size']} ≤ {SCALING_P50_MAX:g}× p50 at {small['size']}",
                    p50_items,
                ),
                ("same most queries per request at both sizes", query_items),
            ):
                status, detail = _judge(items)
                checks.append(Check(status, where, target, detail))
    return checks


def _most_queries(kind: dict) -> int | None:
    found = [q["max"] for q in (kind.get("queries"), kind.get("queries_cold")) if q]
    return max(found) if found else None


def _counts(kind: dict) -> str:
    """A kind's query counts as printed: warm min–max, and the cold pass's when it differs."""
    warm, cold = kind.get("queries"), kind.get("queries_cold")
    if not warm:
        return ""
    if cold and cold != warm:
        return f"{_span(warm)} ({_span(cold)})"
    return _span(warm)


def _partial(kind: dict) -> bool:
    captured = kind.get("captured_urls")
    return captured is not None and captured < kind.get("urls", 0)


def _span(queries: dict) -> str:
    low, high = queries.get("min"), queries.get("max")
    return f"{low}" if low == high else f"{low}–{high}"


# --- Tables -----------------------------------------------------------------------------------

_MAIN_COLUMNS = (
    ("page kind", 27, "<"),
    ("URLs", 4, ">"),
    ("req/s", 8, ">"),
    ("p50 ms", 8, ">"),
    ("p99 ms", 8, ">"),
    ("queries", 12, ">"),
    ("÷hello", 7, ">"),
    ("÷raw SQL", 8, ">"),
    ("÷Datasette", 10, ">"),
)
_SIDE_COLUMNS = (
    ("page kind", 27, "<"),
    ("raw SQL req/s", 13, ">"),
    ("raw p50", 8, ">"),
    ("Datasette req/s", 15, ">"),
    ("DS p50", 8, ">"),
    ("DS p99", 8, ">"),
    ("in-proc p50", 11, ">"),
    ("of it SQL", 9, ">"),
    ("cold p50", 9, ">"),
)


def _row(columns, cells) -> str:
    return "  ".join(
        f"{cell:{align}{width}}" for (_, width, align), cell in zip(columns, cells, strict=True)
    )


def _header(columns) -> list[str]:
    names = _row(columns, [name for name, _, _ in columns])
    return [names, "-" * len(names)]


def format_run(result: dict) -> str:
    """The printed report of one database at one size."""
    lines = [
        f"== {result['db']}, {result['dialogues']:,} dialogues ({result['size']}, "
        f"seed {result['seed']})"
    ]
    generation = result.get("generation", {})
    if generation.get("reused"):
        lines.append(
            f"database: reused ({generation.get('reason', 'intact')}); it was generated in "
            f"{_fmt(generation.get('generate_seconds'))} s (migrate "
            f"{_fmt(generation.get('migrate_seconds'))} s)"
        )
    else:
        lines.append(
            f"database: built; generate_synthetic took {_fmt(generation.get('generate_seconds'))}"
            f" s (migrate {_fmt(generation.get('migrate_seconds'))} s)"
        )
    server, load = result.get("server", {}), result.get("load", {})
    lines.append(
        f"server: gunicorn, {server.get('workers')} {server.get('worker_class')} workers"
        + (f" × {server.get('threads')} threads" if server.get("worker_class") == "gthread" else "")
        + f"; load: {load.get('tool')} -t{load.get('threads')} -c{load.get('connections')}, "
        f"{load.get('duration_s')} s per kind after {load.get('warmup_s')} s warm-up; "
        f"{result.get('database_version', '')}"
    )
    lines.append("")
    lines.extend(_header(_MAIN_COLUMNS))
    for key, kind in result["kinds"].items():
        ratios = kind.get("ratios", {})
        lines.append(
            _row(
                _MAIN_COLUMNS,
                [
                    KIND_LABELS.get(key, key),
                    str(kind.get("urls", "")),
                    _fmt(kind.get("rps"), 0),
                    _fmt(kind.get("p50_ms")),
                    _fmt(kind.get("p99_ms")),
                    (_counts(kind) or "—") + ("*" if _partial(kind) else " "),
                    _fmt(ratios.get("hello"), 2),
                    _fmt(ratios.get("raw"), 2),
                    _fmt(ratios.get("datasette"), 2),
                ],
            )
        )
    lines.append(
        "queries: per request over the URL list, min–max once warm (the first, cold pass in "
        "brackets when it differs), * over the URLs captured within the per-kind time budget; "
        "÷: this page's req/s over the other's"
    )
    lines.append("")
    lines.extend(_header(_SIDE_COLUMNS))
    for key, kind in result["kinds"].items():
        if key == "hello":
            continue
        raw, datasette = kind.get("raw") or {}, kind.get("datasette") or {}
        inproc = kind.get("inprocess") or {}
        lines.append(
            _row(
                _SIDE_COLUMNS,
                [
                    KIND_LABELS.get(key, key),
                    _fmt(raw.get("rps"), 0),
                    _fmt(raw.get("p50_ms"), 2),
                    _fmt(datasette.get("rps"), 0),
                    _fmt(datasette.get("p50_ms")),
                    _fmt(datasette.get("p99_ms")),
                    _fmt(inproc.get("p50_ms")),
                    _fmt(inproc.get("sql_p50_ms")),
                    _fmt(inproc.get("cold_p50_ms")),
                ],
            )
        )
    lines.append(
        "raw SQL: the page's statements replayed with the bare driver in "
        f"{result.get('server', {}).get('workers')} processes; DS: Datasette; in-proc: Django "
        "test client, warm pass, and how much of it was SQL; cold: the first request of each URL"
    )
    lines.append("")
    for key in ("export", "export_filtered"):
        kind = result["kinds"].get(key)
        for ttfb in (kind or {}).get("ttfb", []):
            lines.append(
                f"{KIND_LABELS[key]}: {ttfb['path']}: first byte p50 "
                f"{_fmt(ttfb['first_byte_p50_ms'])} / p99 {_fmt(ttfb['first_byte_p99_ms'])} ms, "
                f"first data row p50 {_fmt(ttfb['first_row_p50_ms'])} / p99 "
                f"{_fmt(ttfb['first_row_p99_ms'])} ms ({ttfb['runs']} runs)"
            )
    memory = result.get("memory", {})
    workers = memory.get("workers_max_mb", {})
    if workers:
        figures = [workers[n] for n in sorted(workers, key=int)]
        lines.append(
            f"worker max RSS: {max(figures):.1f} MB over {len(figures)} worker processes ("
            + ", ".join(f"{mb:.1f}" for mb in figures)
            + f" MB); master {_fmt(memory.get('master_max_mb'))} MB; "
            f"{memory.get('samples', 0)} samples every {memory.get('interval_s', 0.5)} s"
        )
    phases = result.get("phase_seconds")
    if phases:
        lines.append(
            "time taken: "
            + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in phases.items())
        )
    for note in result.get("notes", []):
        lines.append(f"note: {note}")
    return "\n".join(lines)


def format_checks(checks: list[Check]) -> str:
    return "\n".join(check.line() for check in checks)


# --- JSON -------------------------------------------------------------------------------------


def write_json(result: dict, directory: Path, checks: list[Check]) -> Path:
    """Write the result and its checks to <timestamp>-<db>-<size>.json, atomically."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{result['timestamp']}-{result['db']}-{result['size']}.json"
    data = dict(result, targets=[asdict(check) for check in checks])
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    temporary.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    """Print the tables and targets of saved results: `python -m bench.report FILE.json ...`."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("files", nargs="+", type=Path, help="bench/results/*.json")
    args = parser.parse_args(argv)
    results = [json.loads(path.read_text()) for path in args.files]
    checks = []
    for result in results:
        print(format_run(result) + "\n")
        checks += check_run(result)
    checks += check_scaling(results)
    print("== Targets\n" + format_checks(checks))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
