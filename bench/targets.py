"""Load the servers under test: the project under gunicorn, and Datasette on the same archive.

Each kind of page is warmed up, then loaded for the run's duration with wrk or the Python
fallback; the CSV exports are timed to their first byte instead. A server still busy after a run
is restarted, so that one slow kind does not load the next.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys

from bench import cold, datasette_compare, load, server
from bench.databases import Database, postgres_idle
from bench.environment import ROOT, TMP_DIR, BenchError, manage, say
from bench.workload import KINDS

# A streamed export is timed --ttfb-runs times, but for no longer than this per URL.
TTFB_MAX_S = 10.0

# How long a server may stay busy after a load run before it is restarted: a worker still busy
# then is working through requests whose clients have left, which would load the next kind.
IDLE_LIMIT_S = 10.0
# Fewer requests than this in a run are no measurement: such a kind is run again for longer.
MIN_REQUESTS = 5


def measure(
    args,
    target,
    paths: list[str],
    name: str,
    *,
    warmup_paths: list[str] | None = None,
    cold: bool = False,
    latency: bool = True,
):
    """Warm up, then load the paths for throughput and for latency; return the figures.

    The throughput run has `--connections` (8) connections, the latency run
    `--latency-connections` (as many as the workers, so that no request waits for another);
    it is skipped when latency is false. A cold list is walked once: the latency run starts
    where the throughput run stopped, and the warm-up uses warmup_paths, never the list itself.
    target is a base URL, or a server.Gunicorn: then, after each run, wait for it to go idle,
    and restart it when it does not within IDLE_LIMIT_S. Returns (throughput, latency or None,
    remarks).
    """
    remarks: list[str] = []
    warm = warmup_paths or paths
    _load(args, target, warm, f"{name}-warmup", args.connections, args.warmup)
    settle(target, "the warm-up", remarks)
    throughput = _run(args, target, paths, name, args.connections, 0, remarks, cold)
    latency_result = None
    if latency and args.latency_connections != args.connections:
        start = (throughput.paths_furthest or 0) if cold else 0
        latency_result = _run(
            args, target, paths, name, args.latency_connections, start, remarks, cold
        )
    elif latency:
        latency_result = throughput
    if cold:
        for result in {id(r): r for r in (throughput, latency_result) if r}.values():
            if result.paths_repeated:
                remarks.append(
                    f"-c{result.connections}: the list of {len(paths):,} URLs ran out and "
                    f"{result.paths_repeated:,} requests repeated an address (raise --cold-urls)"
                )
    return throughput, latency_result, remarks


def _load(args, target, paths, name: str, connections: int, duration: float, start: int = 0):
    # A restart moves gunicorn to a new port.
    base_url = target if isinstance(target, str) else target.base_url
    return load.run_load(
        base_url,
        paths,
        TMP_DIR / f"paths-{name}.txt",
        duration=duration,
        threads=args.load_threads,
        connections=connections,
        tool=args.tool,
        start=start,
    )


def _run(args, target, paths, name, connections: int, start: int, remarks: list, cold: bool):
    """One measured run; a page slower than the run itself is given a longer one."""
    result = _load(args, target, paths, name, connections, args.duration, start)
    settle(target, f"the -c{connections} run", remarks)
    if result.requests < MIN_REQUESTS:
        longer = min(max(4 * args.duration, 10.0), 20.0)
        remarks.append(
            f"-c{connections}: {result.requests} requests completed in {args.duration:g} s: "
            f"measured over {longer:g} s instead"
        )
        # A cold walk goes on past what the short run used.
        start = (result.paths_furthest or start) if cold else 0
        result = _load(args, target, paths, name, connections, longer, start)
        settle(target, f"the longer -c{connections} run", remarks)
    return result


def settle(target, after: str, remarks: list[str]) -> None:
    if isinstance(target, str):
        return
    idle, waited = target.wait_idle(IDLE_LIMIT_S)
    if not idle:
        target.restart()
        remarks.append(f"the server was still busy {waited:.0f} s after {after}: restarted")


def shared_cache(args, env: dict[str, str], log) -> tuple[dict[str, str], dict]:
    """Give the workers production's shared cache, emptied, with the facet index built into it.

    As a deploy does (README, "Scaling out"): `build_facet_index` runs once before the load,
    so no worker answers a list by SQL while it builds its own index, and a worker that
    gunicorn restarts loads the index instead of building it. Without `--redis-url`, each
    worker has its own cache and builds its own index, as a development server does.
    """
    if not args.redis_url:
        return env, {"cache": "per-process (no --redis-url)"}
    import redis

    try:
        redis.Redis.from_url(args.redis_url, socket_timeout=5).flushdb()
    except (redis.RedisError, ValueError) as exc:
        raise BenchError(
            f"the shared cache at {args.redis_url} does not answer ({exc}); start Redis, give "
            "another --redis-url (BENCH_REDIS_URL), or --redis-url '' for per-process caches"
        ) from None
    env = {**env, "REDIS_URL": args.redis_url}
    seconds = manage(env, "build_facet_index", log=log)
    return env, {"cache": f"redis ({args.redis_url})", "facet_index_build_s": round(seconds, 1)}


def serve_gunicorn(args, database: Database, env, workload: dict, kinds: dict, notes: list):
    """Serve the archive with gunicorn and load every kind of page.

    Return (hello path, memory, cache): `cache` says which cache the workers shared and how long
    the facet index took to build beforehand. Each kind's figures go into `kinds`, remarks on
    the run into `notes`.
    """
    db, label = database.db, database.label
    log = TMP_DIR / f"gunicorn-{db}-{label}.log"
    log.write_bytes(b"")
    say(f"[{db} {label}] shared cache and facet index")
    env, cache = shared_cache(args, env, log)
    gunicorn = server.gunicorn(
        env, log, workers=args.workers, worker_class=args.worker_class, threads=args.threads
    )
    if db == "postgres":
        gunicorn.database_idle = postgres_idle(database)
    sampler = server.RssSampler(gunicorn)
    say(f"[{db} {label}] gunicorn ({args.workers} {args.worker_class} workers)")
    try:
        gunicorn.start()
        sampler.start()
        hello_path, hello_note = server.choose_hello(gunicorn.port)
        if hello_note:
            notes.append(hello_note)
        plan = {"hello": [hello_path]}
        plan.update(
            {
                k.key: workload["kinds"][k.key]["paths"]
                for k in KINDS
                if k.loaded and k.key != "hello" and k.key in args.kinds
            }
        )
        for key, paths in plan.items():
            name = f"{db}-{label}-{key}"
            if key == "write_during_reads":
                with Editor(env, name, args.seed) as editor:
                    _load_kind(args, gunicorn, key, paths, name, kinds, notes, workload)
                kinds[key]["editor"] = editor.summary
                notes.append(f"{key}: {editor.describe()}")
                continue
            _load_kind(args, gunicorn, key, paths, name, kinds, notes, workload)
        time_exports(args, gunicorn, workload, kinds)
    except server.ServerError as exc:
        raise BenchError(f"gunicorn: {exc}") from None
    finally:
        gunicorn.stop()
        memory = sampler.stop() if sampler.is_alive() else {}
        getattr(gunicorn.database_idle, "close", lambda: None)()
    memory.update(restarts=gunicorn.restarts, worker_timeouts=gunicorn.timeouts())
    if gunicorn.timeouts():
        notes.append(
            f"gunicorn killed {gunicorn.timeouts()} workers that ran over its 30 s timeout; "
            f"the benchmark restarted it {gunicorn.restarts} times"
        )
    return hello_path, memory, cache


def _load_kind(args, gunicorn, key, paths, name, kinds, notes, workload) -> None:
    """Load one kind at -c8 and -c2; its figures go into kinds[key], remarks into notes.

    The kind's `rps`, `p50_ms` and `p99_ms` are the throughput run's (-c8), as before the
    latency run was added; `c2` holds the latency run's, `p50_c2_ms` its p50.
    """
    is_cold = key in cold.COLD_KINDS
    warmup = workload["kinds"].get(cold.WARM_OF.get(key, ""), {}).get("paths") if is_cold else None
    walked = cold.load_part(paths) if is_cold else paths
    throughput, latency, remarks = measure(
        args, gunicorn, walked, name, warmup_paths=warmup, cold=is_cold
    )
    kinds[key].update(http=throughput.as_dict(), rps=throughput.rps)
    kinds[key].update(p50_ms=throughput.p50_ms, p99_ms=throughput.p99_ms)
    if latency is not None:
        kinds[key].update(c2=latency.as_dict(), p50_c2_ms=latency.p50_ms)
    for result in {id(r): r for r in (throughput, latency) if r}.values():
        if result.errors:
            remarks.append(
                f"-c{result.connections}: {result.non_2xx} non-2xx/3xx responses, socket "
                f"errors {result.socket_errors}"
            )
        if not result.requests:
            remarks.append(f"-c{result.connections}: no request completed")
    notes.extend(f"{key}: {remark}" for remark in remarks)
    say(
        f"  {key:<18} {throughput.rps:>8,.1f} req/s  p50 {_ms(throughput.p50_ms)}  "
        f"p99 {_ms(throughput.p99_ms)} at -c{args.connections}; "
        f"p50 {_ms(latency.p50_ms if latency else None)} at -c{args.latency_connections}  "
        f"({len(walked)} URLs)" + (f"  [{'; '.join(remarks)}]" if remarks else "")
    )


class Editor:
    """`bench.editor` in a process of its own, on the workers' database and shared cache,
    saving a dialogue every second through the write path for as long as the block runs."""

    def __init__(self, env: dict[str, str], name: str, seed: int):
        self.env, self.seed = env, seed
        self.out = TMP_DIR / f"editor-{name}.json"
        self.log = TMP_DIR / f"editor-{name}.log"
        self.summary: dict = {}

    def __enter__(self):
        self.out.unlink(missing_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bench.editor", "--out", str(self.out)]
                + ["--interval", "1", "--seed", str(self.seed)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def __exit__(self, *exc_info):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.out.exists():
            self.summary = json.loads(self.out.read_text())
        else:
            self.summary = {"error": f"the editor wrote nothing (see {self.log.name})"}
        return False

    def describe(self) -> str:
        found = self.summary
        if "error" in found:
            return found["error"]
        text = (
            f"the editor saved {found['saves']} times (p50 {found['save_p50_ms']} ms, at most "
            f"{found['save_max_ms']} ms); {found['followed']} of the saves updated the facet "
            "index in place for the workers, the others left it to be built"
        )
        if not self.env.get("REDIS_URL"):
            text += " (without a shared cache only the editor holds it: each worker builds its own)"
        return text


def time_exports(args, gunicorn, workload: dict, kinds: dict) -> None:
    """Time the CSV exports to their first byte: a streamed download has no requests/s."""
    for key in ("export", "export_filtered"):
        if key not in args.kinds:
            continue
        summaries, first_bytes = [], []
        for path in workload["kinds"][key]["paths"]:
            load.measure_ttfb(gunicorn.base_url, path, runs=1)  # warm-up
            ttfb = load.measure_ttfb(
                gunicorn.base_url, path, runs=args.ttfb_runs, max_seconds=TTFB_MAX_S
            )
            summaries.append(ttfb.summary())
            first_bytes += ttfb.first_byte_ms
        kinds[key].update(
            ttfb=summaries,
            rps=None,
            p50_ms=_round(load.percentile(first_bytes, 50)),
            p99_ms=_round(load.percentile(first_bytes, 99)),
        )
        say(f"  {key:<16} first byte p50 {kinds[key]['p50_ms']} ms")


# Datasette's results in this run: by the SQLite file it served, by kind, with the URL list.
DATASETTE_RUNS: dict[str, dict] = {}


def run_datasette(args, database: Database, base_env, workload: dict, notes: list) -> dict:
    """Serve the archive with Datasette and load its equivalent pages; return them by kind."""
    sqlite_file = _datasette_file(database, base_env, notes)
    paths = datasette_compare.datasette_paths(
        workload, sqlite_file.stem, datasette_compare.era_ids(sqlite_file)
    )
    paths = {key: value for key, value in paths.items() if key in args.kinds}
    # Datasette serves the same file for both databases: each URL list is measured once a run.
    earlier = DATASETTE_RUNS.setdefault(str(sqlite_file), {})
    results = {
        key: earlier[key]["result"]
        for key in paths
        if earlier.get(key, {}).get("paths") == paths[key]
    }
    if results:
        notes.append(
            f"Datasette figures for {', '.join(results)} are those measured earlier in this run "
            f"with the {earlier[next(iter(results))]['db']} database: the same file, the same URLs"
        )
    paths = {key: value for key, value in paths.items() if key not in results}
    if not paths:
        return results
    results.update(_load_datasette(args, database, sqlite_file, paths, notes))
    for key, kind_paths in paths.items():
        if key in results:
            earlier[key] = {"db": database.db, "paths": kind_paths, "result": results[key]}
    return results


def _datasette_file(database: Database, base_env, notes: list):
    if database.db == "sqlite":
        return database.sqlite_path
    # The SQLite database of the same size and seed holds the same archive.
    twin = Database("sqlite", database.n, database.seed, database.postgres_url)
    say(f"[{database.db} {database.label}] Datasette on the SQLite file of the same seed")
    twin.ensure(base_env, rebuild=False)
    sqlite_file = twin.sqlite_path
    notes.append(
        f"Datasette served the SQLite database of the same size and seed ({sqlite_file.name}), "
        "which holds the same archive by construction"
    )
    return sqlite_file


def _load_datasette(args, database: Database, sqlite_file, paths: dict, notes: list) -> dict:
    results = {}
    log = TMP_DIR / f"datasette-{database.db}-{database.label}.log"
    log.write_bytes(b"")
    datasette = datasette_compare.server(sqlite_file, log)
    say(f"[{database.db} {database.label}] Datasette")
    try:
        datasette.start()
        for key, kind_paths in paths.items():
            name = f"datasette-{database.db}-{key}"
            # The comparison is of requests per second: no latency run.
            result, _, remarks = measure(args, datasette, kind_paths, name, latency=False)
            results[key] = {
                "rps": result.rps,
                "p50_ms": result.p50_ms,
                "p99_ms": result.p99_ms,
                "urls": len(kind_paths),
                "how": datasette_compare.HOW[key],
                "http": result.as_dict(),
            }
            if result.errors:
                remarks.append(f"{result.errors} errors")
            notes.extend(f"Datasette {key}: {remark}" for remark in remarks)
            say(
                f"  datasette {key:<14} {result.rps:>9,.1f} req/s  p50 {_ms(result.p50_ms)}"
                + (f"  [{'; '.join(remarks)}]" if remarks else "")
            )
    except server.ServerError as exc:
        raise BenchError(f"Datasette: {exc}") from None
    finally:
        datasette.stop()
    return results


def _round(value):
    return None if value is None else round(value, 3)


def _ms(value) -> str:
    return "       — ms" if value is None else f"{value:>8.2f} ms"
