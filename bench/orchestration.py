"""One benchmark run: a database of one size, measured every way, as one JSON-ready record.

The stages run in order, and each one's seconds go into the record's `phase_seconds`: the
database (built or reused), the in-process capture (URL lists, query counts, raw SQL replay),
the load on gunicorn, and the Datasette comparison.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from bench import cold
from bench.databases import Database
from bench.environment import ROOT, TMP_DIR, BenchError, say, versions
from bench.targets import run_datasette, serve_gunicorn
from bench.workload import KINDS

COLD_PATHS_KEPT = 20


def run_one(args, db: str, n: int, base_env: dict[str, str], timestamp: str) -> dict:
    """Measure every kind of page on the `db` database of `n` dialogues; return the record."""
    database = Database(db, n, args.seed, args.postgres_url)
    label = database.label
    say(f"\n[{db} {label}] database")
    phases: dict[str, float] = {}
    clock = time.monotonic()
    generation = database.ensure(base_env, args.rebuild)
    phases["database"], clock = round(time.monotonic() - clock, 1), time.monotonic()
    env = database.env(base_env)

    say(f"[{db} {label}] in-process: URL lists, query counts, raw SQL replay")
    inprocess = capture_inprocess(args, db, label, env)
    kinds, notes = kinds_from_capture(args, inprocess)
    phases["in-process"], clock = round(time.monotonic() - clock, 1), time.monotonic()

    workload = inprocess["workload"]
    hello_path, memory, cache = serve_gunicorn(args, database, env, workload, kinds, notes)
    phases["gunicorn load"], clock = round(time.monotonic() - clock, 1), time.monotonic()
    datasette = {}
    if not args.no_datasette:
        datasette = run_datasette(args, database, base_env, workload, notes)
    phases["datasette"] = round(time.monotonic() - clock, 1)

    add_ratios(kinds, datasette)
    measured = {
        "kinds": kinds,
        "memory": memory,
        "cache": cache,
        "phase_seconds": phases,
        "notes": notes,
    }
    return record(args, database, timestamp, generation, inprocess, hello_path, measured)


def capture_inprocess(args, db: str, label: str, env: dict[str, str]) -> dict:
    """Run the in-process capture in a process of its own, and return what it wrote."""
    inprocess_file = TMP_DIR / f"inprocess-{db}-{label}.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.rawsql",
            "--out",
            str(inprocess_file),
            "--duration",
            str(args.raw_duration),
            "--processes",
            str(args.workers),
            "--page-timeout",
            str(args.page_timeout),
            "--budget",
            str(args.capture_budget),
            "--kinds",
            " ".join(args.kinds),
            "--cold-urls",
            str(args.cold_urls),
            "--seed",
            str(args.seed),
        ],
        cwd=ROOT,
        env={**env, "TRACKII_PAGE_CACHE": "off"},
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"the in-process capture failed for {db} {label} (see above)")
    return json.loads(inprocess_file.read_text())


def kinds_from_capture(args, inprocess: dict) -> tuple[dict[str, dict], list[str]]:
    """Start each kind's figures from the capture; return them with notes on the capture."""
    workload = inprocess["workload"]
    kinds: dict[str, dict] = {}
    notes: list[str] = []
    for kind in KINDS:
        if kind.key == "hello":
            kinds["hello"] = {"urls": 1}
            continue
        if kind.key not in args.kinds:
            continue
        captured = inprocess["kinds"][kind.key]
        listed = workload["kinds"][kind.key]
        kinds[kind.key] = {
            "urls": len(listed["paths"]),
            "note": listed["note"],
            "queries": captured["queries"],
            "queries_cold": captured["queries_cold"],
            "captured_urls": captured["captured_urls"],
            "raw": captured["raw"],
            "inprocess": {
                "p50_ms": captured["inprocess_p50_ms"],
                "cold_p50_ms": captured["inprocess_cold_p50_ms"],
                "sql_p50_ms": captured["inprocess_sql_p50_ms"],
                "timed_out": captured["timed_out"],
                "slowest_statements": captured["slowest_statements"],
                "statuses": captured["statuses"],
                "errors": captured["errors"],
            },
        }
        bad = {s: c for s, c in captured["statuses"].items() if not s.startswith("2")}
        if bad:
            notes.append(
                f"{kind.key}: in-process statuses {bad}; {'; '.join(captured['errors'])}"
                + (
                    "; the rest of its URL list was skipped in-process"
                    if captured["timed_out"]
                    else ""
                )
            )
        if listed["note"]:
            notes.append(f"{kind.key}: {listed['note']}")
        # A cold kind is captured on its list's tail only, which the load leaves alone.
        capturable = len(cold.capture_part(listed["paths"])) if kind.cold else len(listed["paths"])
        if captured["captured_urls"] < capturable:
            notes.append(
                f"{kind.key}: queries counted in-process over {captured['captured_urls']} of its "
                f"{capturable} URLs (capture budget {args.capture_budget:g} s)"
            )
    return kinds, notes


def add_ratios(kinds: dict[str, dict], datasette: dict) -> None:
    """Set each kind's requests/s against hello-world, raw SQL and Datasette."""
    hello_rps = kinds["hello"].get("rps")
    for key, kind in kinds.items():
        rps = kind.get("rps")
        ratios = {}
        # A kind that completed no request has a ratio of 0, not none: it is measured, and slow.
        if rps is not None and hello_rps and key != "hello":
            ratios["hello"] = round(rps / hello_rps, 3)
        raw = (kind.get("raw") or {}).get("rps")
        if rps is not None and raw:
            ratios["raw"] = round(rps / raw, 3)
        if key in datasette:
            kind["datasette"] = datasette[key]
            if rps is not None and datasette[key].get("rps"):
                ratios["datasette"] = round(rps / datasette[key]["rps"], 3)
        kind["ratios"] = ratios


def record(args, database, timestamp, generation, inprocess, hello_path, measured) -> dict:
    """The run's record, as written to bench/results/ and read by bench/report.py."""
    workload = inprocess["workload"]
    return {
        "db": database.db,
        "size": database.label,
        "dialogues": database.n,
        "seed": args.seed,
        "timestamp": timestamp,
        "generation": generation,
        "database_version": inprocess["database"],
        "server": {
            "software": "gunicorn",
            "workers": args.workers,
            "worker_class": args.worker_class,
            "threads": args.threads if args.worker_class == "gthread" else 1,
            "hello_path": hello_path,
            "settings": "DJANGO_DEBUG=false, DJANGO_SECURE_SSL_REDIRECT=false, "
            "DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost, TRACKII_RATE_LIMIT=off, "
            "a generated DJANGO_SECRET_KEY",
        },
        "load": {
            "tool": args.tool,
            "threads": args.load_threads,
            "connections": args.connections,
            "latency_connections": args.latency_connections,
            "modes": args.mode,
            "cold_urls": args.cold_urls,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "raw_sql_duration_s": args.raw_duration,
            "ttfb_runs": args.ttfb_runs,
        },
        "environment": versions(inprocess),
        "workload": {
            "deep_page": workload["deep_page"],
            "words": workload["words"],
            "eras": workload["eras"],
            # A cold list is thousands of URLs, rebuilt from its seed: its first ones stand for it.
            "paths": {
                key: value["paths"][:COLD_PATHS_KEPT] if key in cold.COLD_KINDS else value["paths"]
                for key, value in workload["kinds"].items()
            },
            "cold": workload.get("cold", {}),
        },
        **measured,
    }
