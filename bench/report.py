"""Print a run's results as tables and write them as JSON.

One result is one database at one size (the dict `orchestration.run_one` assembles);
`format_run` prints it (every kind at -c8 and -c2, then cold beside warm), `write_json` saves
it as `bench/results/<timestamp>-<db>-<size>.json` with its target checks (`checks.py`).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from bench.checks import Check, check_all, counts, format_checks
from bench.cold import WARM_OF
from bench.workload import KIND_LABELS


def _fmt(value, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _partial(kind: dict) -> bool:
    captured = kind.get("captured_urls")
    return captured is not None and captured < kind.get("urls", 0)


# --- Tables -----------------------------------------------------------------------------------

_MAIN_COLUMNS = (
    ("page kind", 30, "<"),
    ("URLs", 5, ">"),
    ("req/s", 8, ">"),
    ("p50 ms", 8, ">"),
    ("p99 ms", 8, ">"),
    ("p50 -c2", 8, ">"),
    ("queries", 12, ">"),
    ("÷hello", 7, ">"),
    ("÷raw SQL", 8, ">"),
    ("÷Datasette", 10, ">"),
)
_SIDE_COLUMNS = (
    ("page kind", 30, "<"),
    ("raw SQL req/s", 13, ">"),
    ("raw p50", 8, ">"),
    ("Datasette req/s", 15, ">"),
    ("DS p50", 8, ">"),
    ("DS p99", 8, ">"),
    ("in-proc p50", 11, ">"),
    ("of it SQL", 9, ">"),
    ("cold p50", 9, ">"),
)


_COLD_COLUMNS = (
    ("cold beside warm", 30, "<"),
    ("warm kind", 13, "<"),
    ("warm req/s", 10, ">"),
    ("cold req/s", 10, ">"),
    ("warm p50 -c2", 12, ">"),
    ("cold p50 -c2", 12, ">"),
    ("used", 6, ">"),
    ("repeated", 8, ">"),
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
    lines = _heading(result) + [""] + _main_table(result) + [""] + _cold_table(result)
    lines += [""] + _side_table(result) + [""] + _footer(result)
    return "\n".join(lines)


def _heading(result: dict) -> list[str]:
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
    latency = load.get("latency_connections")
    lines.append(
        f"server: gunicorn, {server.get('workers')} {server.get('worker_class')} workers"
        + (f" × {server.get('threads')} threads" if server.get("worker_class") == "gthread" else "")
        + f"; load: {load.get('tool')} -t{load.get('threads')} -c{load.get('connections')}"
        + (f" (throughput) and -c{latency} (latency)" if latency else "")
        + f", {load.get('duration_s')} s per run after {load.get('warmup_s')} s warm-up; "
        f"{result.get('database_version', '')}"
    )
    return lines


def _main_table(result: dict) -> list[str]:
    lines = _header(_MAIN_COLUMNS)
    for key, kind in result["kinds"].items():
        ratios = kind.get("ratios", {})
        cells = [
            KIND_LABELS.get(key, key),
            str(kind.get("urls", "")),
            _fmt(kind.get("rps"), 0),
            _fmt(kind.get("p50_ms")),
            _fmt(kind.get("p99_ms")),
            _fmt(kind.get("p50_c2_ms")),
            (counts(kind) or "—") + ("*" if _partial(kind) else " "),
            _fmt(ratios.get("hello"), 2),
            _fmt(ratios.get("raw"), 2),
            _fmt(ratios.get("datasette"), 2),
        ]
        lines.append(_row(_MAIN_COLUMNS, cells))
    lines.append(
        "req/s, p50, p99: the -c8 run; p50 -c2: the latency run, one connection per worker. "
        "queries: per request over the URL list, min–max once warm (the first, cold pass in "
        "brackets when it differs), * over the URLs captured within the per-kind time budget; "
        "÷: this page's req/s over the other's"
    )
    return lines


def _cold_table(result: dict) -> list[str]:
    """Each cold kind beside the warm kind it stands for: the same page, new addresses."""
    kinds = result["kinds"]
    pairs = [(warm, cold) for cold, warm in WARM_OF.items() if cold in kinds or warm in kinds]
    if not pairs:
        return []
    lines = _header(_COLD_COLUMNS)
    for warm_key, cold_key in pairs:
        warm, cold = kinds.get(warm_key, {}), kinds.get(cold_key, {})
        walked = cold.get("http", {})
        lines.append(
            _row(
                _COLD_COLUMNS,
                [
                    KIND_LABELS.get(cold_key, cold_key),
                    warm_key,
                    _fmt(warm.get("rps"), 0),
                    _fmt(cold.get("rps"), 0),
                    _fmt(warm.get("p50_c2_ms")),
                    _fmt(cold.get("p50_c2_ms")),
                    _fmt(_used(cold), 0),
                    _fmt(_repeated(cold), 0) if walked else "—",
                ],
            )
        )
    lines.append(
        "warm: the warm kind's fixed URL list, requested again and again; cold: every address "
        "new to the server; req/s at -c8; used: URLs sent over both runs; repeated: requests "
        "that found the list used up (0 when the run was truly cold)"
    )
    return lines


def _used(kind: dict) -> int | None:
    runs = [kind.get("http"), kind.get("c2")]
    sent = [run.get("paths_sent") for run in runs if run and run.get("paths_sent") is not None]
    return sum(sent) if sent else None


def _repeated(kind: dict) -> int | None:
    runs = [kind.get("http"), kind.get("c2")]
    found = [r.get("paths_repeated") for r in runs if r and r.get("paths_repeated") is not None]
    return sum(found) if found else None


def _side_table(result: dict) -> list[str]:
    lines = _header(_SIDE_COLUMNS)
    for key, kind in result["kinds"].items():
        if key == "hello":
            continue
        raw, datasette = kind.get("raw") or {}, kind.get("datasette") or {}
        inproc = kind.get("inprocess") or {}
        cells = [
            KIND_LABELS.get(key, key),
            _fmt(raw.get("rps"), 0),
            _fmt(raw.get("p50_ms"), 2),
            _fmt(datasette.get("rps"), 0),
            _fmt(datasette.get("p50_ms")),
            _fmt(datasette.get("p99_ms")),
            _fmt(inproc.get("p50_ms")),
            _fmt(inproc.get("sql_p50_ms")),
            _fmt(inproc.get("cold_p50_ms")),
        ]
        lines.append(_row(_SIDE_COLUMNS, cells))
    lines.append(
        "raw SQL: the page's statements replayed with the bare driver in "
        f"{result.get('server', {}).get('workers')} processes; DS: Datasette; in-proc: Django "
        "test client, warm pass, and how much of it was SQL; cold: the first request of each URL"
    )
    return lines


def _footer(result: dict) -> list[str]:
    lines = []
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
    cache = result.get("cache")
    if cache:
        built = cache.get("facet_index_build_s")
        lines.append(
            f"workers' cache: {cache['cache']}"
            + (f"; facet index built into it beforehand in {built:g} s" if built else "")
        )
    phases = result.get("phase_seconds")
    if phases:
        lines.append(
            "time taken: "
            + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in phases.items())
        )
    lines.extend(f"note: {note}" for note in result.get("notes", []))
    return lines


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
    for result in results:
        print(format_run(result) + "\n")
    print("== Targets\n" + format_checks(check_all(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
