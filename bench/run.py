"""Benchmark every kind of page of the archive: `make bench` runs this.

    python -m bench.run --size "10k 100k" --db "sqlite postgres" --duration 5

For each database and size it:

1. builds a fresh database (SQLite: a file under bench/tmp/; PostgreSQL: `trackii_bench_<size>`,
   dropped and recreated), runs `migrate` and `generate_synthetic --dialogues N --seed S`,
   timing both; or reuses one built before with the same generator, size and seed (a JSON file
   beside the SQLite file, a `bench_build` table in PostgreSQL) unless --rebuild;
2. picks each kind's URL list from the data, captures every URL's SQL in-process and replays it
   with the raw driver (`rawsql`);
3. serves the project with gunicorn under production settings on a free local port, samples its
   workers' memory every 0.5 s, and loads each kind of page with wrk (or the Python fallback),
   after the hello-world page that gives the framework's own limit; then times the CSV export
   to its first byte;
4. serves the same archive with Datasette and loads the equivalent pages;
5. prints a table, writes bench/results/<timestamp>-<db>-<size>.json, and finally checks every
   run against every row of the targets table (`checks`).

Each kind of page is loaded twice: at -c8 for throughput, and with one connection per worker
(-c2) for latency without queueing. Warm kinds repeat a fixed URL list; cold kinds (`cold`)
walk thousands of addresses the server has never seen, once each.

Every process it starts, it stops; nothing is sent anywhere but 127.0.0.1.

The options are read by `cli`, the databases built or reused by `databases`, each run measured
by `orchestration` (the servers under load in `targets`), printed by `report` and judged by
`checks`.
"""

from __future__ import annotations

import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load, report  # noqa: E402
from bench.checks import check_all, check_run, check_scaling, format_checks  # noqa: E402
from bench.cli import parse_args  # noqa: E402
from bench.databases import check_postgres, generator_version  # noqa: E402
from bench.environment import (  # noqa: E402
    RESULTS_DIR,
    TMP_DIR,
    BenchError,
    manage,
    production_env,
    say,
)
from bench.orchestration import run_one  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        generator_version()
        if "postgres" in args.db:
            check_postgres(args.postgres_url)
        TMP_DIR.mkdir(parents=True, exist_ok=True)
        base_env = production_env(secrets.token_urlsafe(50))
        say("collectstatic")
        manage(
            base_env, "collectstatic", "--noinput", "--verbosity", "0", log=TMP_DIR / "static.log"
        )
        if args.tool == "python":
            why = "wrk is not installed" if not load.wrk_available() else "--tool python"
            say(f"{why}: using the Python load generator (its figures are a floor)")
        timestamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        results = []
        for db in args.db:
            for n in args.size:
                result = run_one(args, db, n, base_env, timestamp)
                run_checks = check_run(result)
                results.append(result)
                scaling = [c for c in check_scaling(results) if c.scope.startswith(f"{db} ")]
                own = [c for c in scaling if c.scope.endswith(f"→{result['size']}")]
                path = report.write_json(result, RESULTS_DIR, run_checks + own)
                print("\n" + report.format_run(result), flush=True)
                print(f"written: {path.relative_to(ROOT)}", flush=True)
    except BenchError as exc:
        say(f"bench: error: {exc}")
        return 2
    except KeyboardInterrupt:
        say("bench: interrupted")
        return 130
    checks = check_all(results)
    print("\n== Targets\n" + format_checks(checks), flush=True)
    failed = sum(1 for check in checks if check.status == "FAIL")
    print(f"\n{len(checks) - failed} of {len(checks)} target checks pass or have nothing to judge.")
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
