"""What each kind of page asks of the database, and how fast the database alone answers it.

Run as `python -m bench.rawsql --out FILE` under the benchmark's environment (settings module,
database, production flags). It:

1. builds the workload (`workload.build`), the URL lists of every kind of page;
2. requests every URL in-process with Django's test client, counting its queries with
   `CaptureQueriesContext` and recording, through an execute wrapper, every statement exactly as
   Django hands it to the driver (SQL with placeholders, parameters, and whether it went through
   a server-side cursor), with the time each took;
3. replays those statements with the raw driver (sqlite3 or psycopg; see `replay`), with no
   Django in the way, in a loop over the URL list for a few seconds, in as many processes as
   the server has workers: the database's limit for that page, as "raw SQL requests per
   second" and p50;
4. writes the workload, the query counts, where the in-process time went, and the raw figures
   as JSON for `orchestration.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import time
from pathlib import Path

from bench import cold, replay
from bench.replay import Statement

# Addresses requested once before capturing, outside every URL list, so that the first URL
# captured does not also pay for the connection, the URL resolver and the template loader.
WARMUP_PATHS = ("/", "/about/")
TOP_STATEMENTS = 3


# --- Capture (needs Django) -------------------------------------------------------------------


class PageTimeout(Exception):
    """A page took longer in-process than the limit (gunicorn's own worker timeout)."""


def _on_alarm(signum, frame):
    raise PageTimeout


def request(client, connection, path: str, timeout: float) -> dict:
    """Request one path in-process; return its status, queries, timings and statements.

    The query count is what CaptureQueriesContext sees; the statements are recorded through an
    execute wrapper exactly as Django hands them to the driver. A streamed response is read to
    the end of its first data row, as the time-to-first-byte measurement reads it, then closed.
    A page still running after `timeout` seconds is abandoned (status "timeout").
    """
    from django.test.utils import CaptureQueriesContext

    statements: list[Statement] = []

    def record(execute, sql, params, many, context):
        cursor = getattr(context.get("cursor"), "cursor", None)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(
                Statement(
                    sql=sql,
                    params=None if params is None else tuple(params),
                    many=many,
                    server_side=getattr(cursor, "name", None) is not None,
                    seconds=time.perf_counter() - started,
                )
            )

    error = ""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(record):
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            response = client.get(path)
            status = response.status_code
            if getattr(response, "streaming", False):
                _read_first_row(response)
            response.close()
        except PageTimeout:
            status, error = "timeout", f"still running after {timeout:g} s"
        except Exception as exc:  # noqa: BLE001  (a broken page is reported, not fatal)
            status, error = 500, f"{type(exc).__name__}: {exc}"[:300]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    total = time.perf_counter() - started
    if status == "timeout":
        # The abandoned request may have left a transaction or cursor open.
        connection.close()
    return {
        "path": path,
        "status": status,
        "error": error,
        "queries": len(queries.captured_queries),
        "total_ms": total * 1000,
        "sql_ms": sum(s.seconds for s in statements) * 1000,
        "statements": statements,
    }


def capture(
    kinds: dict[str, list[str]], *, timeout: float, budget: float
) -> dict[str, dict[str, list[dict]]]:
    """Request the paths of every kind twice in-process: a cold pass, then a warm one.

    The cold pass starts from an empty cache and fills whatever the project caches (facet
    counts, and parsed dates, which stay from kind to kind), in list order, as a freshly
    started worker would; the warm pass is what a worker serves once it has run a
    while, which is what the load test measures, so its statements are the ones replayed.

    Each kind gets `budget` seconds: the cold pass stops starting new URLs after half of it,
    the warm pass (over the same URLs) after all of it, and each pass runs at least one URL.
    After a timeout the rest of the kind is skipped: every URL would cost the limit again.
    Returns {kind: {"cold": [record, ...], "warm": [record, ...]}}.
    """
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client

    from dialogues import caching
    from dialogues.listing import facet_index

    client = Client(HTTP_HOST="127.0.0.1")
    for path in WARMUP_PATHS:
        client.get(path)
    # As the served workers have it built beforehand (`build_facet_index`), so that no page here
    # is answered by the SQL way that stands in while the index builds.
    caching.start_request()
    facet_index.current(inline=True)

    results: dict[str, dict[str, list[dict]]] = {}
    for kind, paths in kinds.items():
        # Every kind starts from empty caches (this process's own, never a shared one: the
        # environment passes no REDIS_URL), so that its cold count does not depend on the kinds
        # before it. Whole pages are not kept here (TRACKII_PAGE_CACHE=off): the capture
        # measures what drawing a page costs, the load what serving it does.
        index = facet_index.current(inline=True)
        for cache in caches.all():
            cache.clear()
        # The index stays, as it stays in Redis for the served workers: at 1M it takes a minute
        # and more to build, which is no page's cost.
        caching.start_request()
        facet_index.keep(index)
        started = time.perf_counter()
        passes: dict[str, list[dict]] = {"cold": [], "warm": []}
        # The editor's kind: each request is the first after a save, as the worst case of the
        # load is (one save a second there), and its count is what such a request costs.
        edits = Edits() if kind == "write_during_reads" else None
        for name, share in (("cold", 0.5), ("warm", 1.0)):
            todo = paths if name == "cold" else [r["path"] for r in passes["cold"]]
            for path in todo:
                if passes[name] and time.perf_counter() - started > budget * share:
                    break
                if edits is not None:
                    edits.save()
                outcome = request(client, connection, path, timeout)
                passes[name].append(outcome)
                if outcome["status"] == "timeout":
                    break
            if any(r["status"] == "timeout" for r in passes[name]):
                break
        if edits is not None:
            edits.restore()
        results[kind] = passes
    return results


class Edits:
    """Saves of one dialogue through the write path, as `bench.editor` makes them."""

    def __init__(self):
        from bench import editor
        from dialogues.models import Dialogue, Track

        self.editor = editor
        self.pk = editor.chosen_dialogue()
        self.original = Dialogue.objects.get(pk=self.pk).track
        self.other = next(value for value in Track.values if value != self.original)
        self.saves = 0

    def save(self) -> None:
        self.saves += 1
        self.editor.save_once(self.pk, self.other if self.saves % 2 else self.original)

    def restore(self) -> None:
        if self.saves % 2:
            self.save()


def _read_first_row(response) -> None:
    seen = b""
    for chunk in response.streaming_content:
        seen += chunk if isinstance(chunk, bytes) else str(chunk).encode()
        if b"\n" in seen[:-1]:
            break


_IN_LIST = re.compile(r"\(\s*%s(?:\s*,\s*%s)+\s*\)")
_SPACES = re.compile(r"\s+")


def shape(sql: str) -> str:
    """The statement with its IN lists folded, so that one query shape is counted once."""
    return _SPACES.sub(" ", _IN_LIST.sub("(%s, …)", sql)).strip()


def _span(records: list[dict]) -> dict | None:
    counts = [r["queries"] for r in records]
    return {"min": min(counts), "max": max(counts)} if counts else None


def summarise(passes: dict[str, list[dict]]) -> dict:
    """Query counts (min–max, warm and cold), statuses, in-process time, slowest statements.

    Timed-out requests count in the statuses only: their query count is unfinished.
    """
    from bench.load import percentile

    done = {
        name: [r for r in records if r["status"] != "timeout"] for name, records in passes.items()
    }
    # Figures come from the warm pass, which the load test resembles, or the cold one if the
    # warm pass never ran.
    chosen = done["warm"] or done["cold"]
    statuses: dict[str, int] = {}
    for record in passes["cold"] + passes["warm"]:
        statuses[str(record["status"])] = statuses.get(str(record["status"]), 0) + 1
    by_shape: dict[str, list[float]] = {}
    for record in chosen:
        for statement in record["statements"]:
            by_shape.setdefault(shape(statement.sql), []).append(statement.seconds * 1000)
    top = sorted(by_shape.items(), key=lambda kv: -sum(kv[1]))[:TOP_STATEMENTS]
    n = max(1, len(chosen))
    timeouts = [r for r in passes["cold"] + passes["warm"] if r["status"] == "timeout"]
    return {
        "captured_urls": len(passes["cold"]),
        "queries": _span(done["warm"]) or _span(done["cold"]),
        "queries_cold": _span(done["cold"]),
        "statuses": statuses,
        "timed_out": [r["path"] for r in timeouts],
        "errors": sorted({r["error"] for r in passes["cold"] + passes["warm"] if r["error"]})[:3],
        "inprocess_p50_ms": _round(percentile([r["total_ms"] for r in chosen], 50)),
        "inprocess_sql_p50_ms": _round(percentile([r["sql_ms"] for r in chosen], 50)),
        "inprocess_cold_p50_ms": _round(percentile([r["total_ms"] for r in done["cold"]], 50)),
        "slowest_statements": [
            {
                "ms_per_request": round(sum(times) / n, 3),
                "runs_per_request": round(len(times) / n, 2),
                "sql": text[:240],
            }
            for text, times in top
        ],
    }


def _round(value):
    return None if value is None else round(value, 3)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="where to write the JSON")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds of replay per kind")
    parser.add_argument("--processes", type=int, default=2, help="replaying processes")
    parser.add_argument(
        "--page-timeout", type=float, default=30.0, help="seconds before a page is abandoned"
    )
    parser.add_argument("--kinds", default="", help="only these kinds (default: all)")
    parser.add_argument(
        "--cold-urls", type=int, default=0, help="distinct URLs per cold kind (0: no cold kinds)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the cold URL lists")
    parser.add_argument(
        "--budget", type=float, default=8.0, help="seconds of capture per kind, both passes"
    )
    return parser.parse_args(argv)


def replay_kinds(captured: dict, streamed: set[str], args) -> dict:
    """Summarise each kind's capture and replay its statements with the bare driver."""
    from django.db import connections

    vendor, target = replay.target()
    # The replaying processes are forked: none may inherit an open Django connection.
    connections.close_all()
    summaries = {}
    for kind, passes in captured.items():
        summary = summarise(passes)
        chosen = [r for r in passes["warm"] if r["status"] != "timeout"] or [
            r for r in passes["cold"] if r["status"] != "timeout"
        ]
        summary["raw"] = replay.replay(
            vendor,
            target,
            [r["statements"] for r in chosen],
            duration=args.duration,
            processes=args.processes,
            streamed=kind in streamed,
        )
        summaries[kind] = summary
        queries = summary["queries"] or {}
        print(
            f"    {kind:<18} {queries.get('min')}-{queries.get('max')} queries, "
            f"in-process p50 {summary['inprocess_p50_ms']} ms "
            f"(cold {summary['inprocess_cold_p50_ms']} ms), "
            f"raw SQL {summary['raw']['rps']} req/s"
            + (f", {len(summary['timed_out'])} timed out" if summary["timed_out"] else ""),
            file=sys.stderr,
            flush=True,
        )
    return summaries


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from bench import workload

    data = workload.build(cold_urls=args.cold_urls, seed=args.seed)
    streamed = {kind.key for kind in workload.KINDS if not kind.loaded}
    wanted = set(args.kinds.split()) if args.kinds else set(data["kinds"])
    # A cold list is captured from its end, which the load does not reach: the server must meet
    # every address of its run for the first time.
    captured = capture(
        {
            k: cold.capture_part(v["paths"]) if k in cold.COLD_KINDS else v["paths"]
            for k, v in data["kinds"].items()
            if k in wanted
        },
        timeout=args.page_timeout,
        budget=args.budget,
    )
    version = replay.server_version()
    out = {
        "workload": data,
        "kinds": replay_kinds(captured, streamed, args),
        "database": version,
        "django": django.get_version(),
    }
    temporary = args.out.with_suffix(".tmp")
    temporary.write_text(json.dumps(out, indent=2, default=str))
    temporary.replace(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
