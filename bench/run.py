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
   run against the targets.

Every process it starts, it stops; nothing is sent anywhere but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import json
import os
import platform
import re
import secrets
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import datasette_compare, load, report, server  # noqa: E402
from bench.workload import KINDS  # noqa: E402

KIND_KEYS = tuple(kind.key for kind in KINDS)

BENCH_DIR = ROOT / "bench"
TMP_DIR = BENCH_DIR / "tmp"
RESULTS_DIR = BENCH_DIR / "results"
GENERATOR = ROOT / "dialogues" / "management" / "commands" / "generate_synthetic.py"
# The command and the module that makes the records: a change to either changes the data.
GENERATOR_FILES = (GENERATOR, ROOT / "dialogues" / "synthetic.py")
DEFAULT_SIZES = "10k 100k"
DEFAULT_DBS = "sqlite postgres"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432"
# A streamed export is timed --ttfb-runs times, but for no longer than this per URL.
TTFB_MAX_S = 10.0
MAX_DIALOGUES = 10_000_000
DB_ALIASES = {
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "postgres": "postgres",
    "postgresql": "postgres",
    "pg": "postgres",
}
SYNTHETIC_PREFIX = "syn-"


class BenchError(Exception):
    """A problem the user can fix; printed as one clear message, without a traceback."""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- Arguments --------------------------------------------------------------------------------

_SIZE = re.compile(r"(\d+(?:\.\d+)?)([km]?)", re.I)


def parse_size(text: str) -> int:
    """Read a number of dialogues: 5000, 10k, 100k, 2.5k, 1m. Raise ValueError with a reason."""
    match = _SIZE.fullmatch(text.strip())
    if not match:
        raise ValueError(
            f"“{text}” is not a size: use a whole number of dialogues, optionally with k "
            "(thousand) or m (million), e.g. 10k, 100k, 1m, 5000"
        )
    number, suffix = match.groups()
    value = float(number) * {"": 1, "k": 1_000, "m": 1_000_000}[suffix.lower()]
    if value != int(value):
        raise ValueError(f"“{text}” is not a whole number of dialogues")
    if not 1 <= value <= MAX_DIALOGUES:
        raise ValueError(f"“{text}” is out of range: use 1 to {MAX_DIALOGUES:,} dialogues")
    return int(value)


def size_label(n: int) -> str:
    """The canonical short name of a size: 10000 → 10k, 1000000 → 1m, 5500 → 5500."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def _items(text: str) -> list[str]:
    return [item for item in re.split(r"[\s,]+", text.strip()) if item]


def parse_sizes(text: str) -> list[int]:
    items = _items(text)
    if not items:
        raise ValueError('no size given: e.g. SIZE=10k or SIZE="10k 100k"')
    sizes = []
    for item in items:
        n = parse_size(item)
        if n not in sizes:
            sizes.append(n)
    return sizes


def parse_dbs(text: str) -> list[str]:
    items = _items(text)
    if not items:
        raise ValueError('no database given: e.g. DB=sqlite or DB="sqlite postgres"')
    dbs = []
    for item in items:
        db = DB_ALIASES.get(item.lower())
        if db is None:
            raise ValueError(f"“{item}” is not a database: use sqlite or postgres")
        if db not in dbs:
            dbs.append(db)
    return dbs


def parse_kinds(text: str) -> list[str]:
    items = _items(text)
    if not items:
        return list(KIND_KEYS)
    unknown = [item for item in items if item not in KIND_KEYS]
    if unknown:
        raise ValueError(
            f"unknown kind of page: {', '.join(unknown)}; the kinds are: {', '.join(KIND_KEYS)}"
        )
    return ["hello", *(key for key in KIND_KEYS if key in items and key != "hello")]


def _positive(kind: type, name: str):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"“{text}” is not a number ({name})") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{name} must be more than 0, not {text}")
        return value

    return parse


def _whole(name: str):
    def parse(text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"“{text}” is not a whole number ({name})") from None

    return parse


def _wrapping(parser, name: str):
    def parse(text: str):
        try:
            return parser(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{exc} ({name})") from None

    return parse


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="make bench",
        description="Benchmark the archive's pages on fresh synthetic databases.",
    )
    parser.add_argument(
        "--size",
        type=_wrapping(parse_sizes, "SIZE"),
        default=parse_sizes(DEFAULT_SIZES),
        help=f'sizes in dialogues, e.g. "10k 100k" (SIZE; default: {DEFAULT_SIZES})',
    )
    parser.add_argument(
        "--db",
        type=_wrapping(parse_dbs, "DB"),
        default=parse_dbs(DEFAULT_DBS),
        help=f"databases (DB; default: {DEFAULT_DBS})",
    )
    parser.add_argument(
        "--duration",
        type=_positive(float, "DURATION"),
        default=5.0,
        help="seconds of load per kind of page (DURATION; default 5)",
    )
    parser.add_argument(
        "--warmup",
        type=_positive(float, "WARMUP"),
        default=1.0,
        help="seconds of load before each measured run (WARMUP; default 1)",
    )
    parser.add_argument(
        "--raw-duration",
        type=_positive(float, "--raw-duration"),
        default=None,
        help="seconds of raw SQL replay per kind (default: DURATION, at most 2)",
    )
    parser.add_argument(
        "--seed", type=_whole("SEED"), default=1, help="generator seed (SEED; default 1)"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="rebuild databases even when intact (REBUILD=1)"
    )
    parser.add_argument("--workers", type=_positive(int, "--workers"), default=2)
    parser.add_argument(
        "--worker-class",
        choices=("sync", "gthread"),
        default="sync",
        help="gunicorn worker class (WORKER_CLASS; default sync)",
    )
    parser.add_argument(
        "--threads", type=_positive(int, "--threads"), default=4, help="threads per gthread worker"
    )
    parser.add_argument(
        "--load-threads", type=_positive(int, "--load-threads"), default=2, help="wrk -t"
    )
    parser.add_argument(
        "--connections", type=_positive(int, "--connections"), default=8, help="wrk -c"
    )
    parser.add_argument(
        "--tool",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk, the Python fallback, or wrk when installed (default)",
    )
    parser.add_argument(
        "--page-timeout",
        type=_positive(float, "--page-timeout"),
        default=30.0,
        help="seconds before an in-process page is abandoned (default 30, gunicorn's timeout)",
    )
    parser.add_argument(
        "--capture-budget",
        type=_positive(float, "--capture-budget"),
        default=8.0,
        help="seconds of in-process capture per kind of page (default 8): on a slow page, "
        "query counts cover the URLs captured in that time",
    )
    parser.add_argument(
        "--ttfb-runs", type=_positive(int, "--ttfb-runs"), default=10, help="runs per export URL"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="server for the PostgreSQL runs, without a database name "
        "(BENCH_POSTGRES_URL; default %(default)s)",
    )
    parser.add_argument(
        "--kinds",
        type=_wrapping(parse_kinds, "KINDS"),
        default=list(KIND_KEYS),
        help='only these kinds of page, e.g. "list search_common" (KINDS; default: all); '
        "the hello-world page is always measured",
    )
    parser.add_argument("--no-datasette", action="store_true", help="skip the Datasette comparison")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a target fails"
    )
    args = parser.parse_args(argv)
    if args.raw_duration is None:
        args.raw_duration = min(args.duration, 2.0)
    if args.tool == "auto":
        args.tool = "wrk" if load.wrk_available() else "python"
    elif args.tool == "wrk" and not load.wrk_available():
        parser.error("--tool wrk: wrk is not installed (apt-get install wrk), or use --tool python")
    return args


# --- Environment ------------------------------------------------------------------------------


def production_env(secret_key: str) -> dict[str, str]:
    """The environment of every process the benchmark starts: production settings, locally."""
    env = {
        key: value
        for key, value in os.environ.items()
        # No REDIS_URL: every run uses the per-process cache, and the in-process capture may
        # clear it without touching a cache that something else shares.
        if key not in {"DATABASE_URL", "BENCH_SQLITE_PATH", "DJANGO_SETTINGS_MODULE", "REDIS_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *arguments: str, log: Path) -> float:
    """Run a management command, appending its output to log; return the seconds it took."""
    started = time.perf_counter()
    with open(log, "ab") as out:
        out.write(f"$ manage.py {' '.join(arguments)}\n".encode())
        out.flush()
        completed = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if completed.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise BenchError(
            f"`manage.py {' '.join(arguments)}` failed (exit {completed.returncode}); the end of "
            f"{log.relative_to(ROOT)}:\n{tail}"
        )
    return time.perf_counter() - started


@functools.cache
def generator_version() -> str:
    """A fingerprint of the generator: a database it built is reused only by the same one.

    Taken once per run, so that every database of one run is judged by the same generator.
    """
    if not GENERATOR.exists():
        raise BenchError(
            "dialogues/management/commands/generate_synthetic.py is missing: the benchmark needs "
            "`manage.py generate_synthetic --dialogues N --seed S` to build its databases"
        )
    digest = hashlib.sha256()
    for path in GENERATOR_FILES:
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- Databases --------------------------------------------------------------------------------


class Database:
    """One benchmark database: where it is, whether it is intact, and how to build it."""

    def __init__(self, db: str, n: int, seed: int, postgres_url: str):
        self.db, self.n, self.seed = db, n, seed
        self.label = size_label(n)
        self.postgres_url = postgres_url.rstrip("/")
        self.name = f"trackii_bench_{self.label}"
        self.sqlite_path = TMP_DIR / f"sqlite-{self.label}-s{seed}.sqlite3"
        self.marker_path = self.sqlite_path.with_suffix(".json")
        self.log = TMP_DIR / f"build-{db}-{self.label}.log"

    @property
    def url(self) -> str:
        return f"{self.postgres_url}/{self.name}"

    def env(self, base: dict[str, str], sqlite_path: Path | None = None) -> dict[str, str]:
        env = dict(base)
        if self.db == "postgres":
            env["DATABASE_URL"] = self.url
        else:
            env["BENCH_SQLITE_PATH"] = str(sqlite_path or self.sqlite_path)
        return env

    def expected(self) -> dict:
        return {"generator_version": generator_version(), "seed": self.seed, "dialogues": self.n}

    # The marker is written last, after a successful build, so a half-built database never
    # looks intact.

    def marker(self) -> dict | None:
        if self.db == "sqlite":
            try:
                return json.loads(self.marker_path.read_text())
            except (OSError, ValueError):
                return None
        import psycopg

        try:
            with psycopg.connect(self.url, connect_timeout=5) as connection:
                row = connection.execute(
                    "SELECT data FROM bench_build ORDER BY built_at DESC LIMIT 1"
                ).fetchone()
        except psycopg.Error:
            return None
        return json.loads(row[0]) if row else None

    def intact(self) -> tuple[bool, str]:
        marker = self.marker()
        if marker is None:
            return False, "no database built yet"
        expected = self.expected()
        for key, value in expected.items():
            if marker.get(key) != value:
                return False, f"{key} was {marker.get(key)!r}, now {value!r}"
        try:
            count = self._count_synthetic()
        except Exception as exc:  # noqa: BLE001  (any failure to read means "rebuild")
            return False, f"unreadable: {exc}"
        if count != self.n:
            return False, f"holds {count:,} synthetic dialogues, expected {self.n:,}"
        return True, f"same generator, seed {self.seed}, {self.n:,} dialogues"

    def _count_synthetic(self) -> int:
        query = "SELECT count(*) FROM dialogues_dialogue WHERE slug LIKE %s"
        if self.db == "sqlite":
            if not self.sqlite_path.exists():
                raise BenchError("the file is missing")
            connection = sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True)
            try:
                if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise BenchError("PRAGMA quick_check failed")
                return connection.execute(
                    query.replace("%s", "?"), (SYNTHETIC_PREFIX + "%",)
                ).fetchone()[0]
            finally:
                connection.close()
        import psycopg

        with psycopg.connect(self.url, connect_timeout=5) as connection:
            return connection.execute(query, (SYNTHETIC_PREFIX + "%",)).fetchone()[0]

    def ensure(self, base_env: dict[str, str], rebuild: bool) -> dict:
        """Reuse or build the database; return what happened, with the build's timings."""
        ok, reason = (False, "REBUILD asked for") if rebuild else self.intact()
        if ok:
            say(f"  reusing the {self.db} database ({reason})")
            # New migrations (say, an index) apply to a reused database as they would on deploy.
            manage(self.env(base_env), "migrate", "--noinput", log=self.log)
            marker = self.marker() or {}
            return {"reused": True, "reason": reason, **marker}
        say(f"  building the {self.db} database of {self.n:,} dialogues ({reason})")
        self.log.write_text("")
        if self.db == "sqlite":
            timings = self._build_sqlite(base_env)
        else:
            timings = self._build_postgres(base_env)
        say(
            f"  built: migrate {timings['migrate_seconds']:.1f} s, "
            f"generate_synthetic {timings['generate_seconds']:.1f} s"
        )
        return {"reused": False, "reason": reason, **timings}

    def _generate(self, env: dict[str, str]) -> dict:
        migrate = manage(env, "migrate", "--noinput", log=self.log)
        generate = manage(
            env,
            "generate_synthetic",
            "--dialogues",
            str(self.n),
            "--seed",
            str(self.seed),
            log=self.log,
        )
        return {
            **self.expected(),
            "migrate_seconds": round(migrate, 2),
            "generate_seconds": round(generate, 2),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    def _build_sqlite(self, base_env: dict[str, str]) -> dict:
        building = self.sqlite_path.with_name(self.sqlite_path.stem + ".building.sqlite3")
        for path in (self.marker_path, *_sqlite_files(building)):
            path.unlink(missing_ok=True)
        timings = self._generate(self.env(base_env, building))
        # Fold the write-ahead log into the file, so that it stands alone and Datasette can
        # open it immutable.
        connection = sqlite3.connect(building)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        for path in _sqlite_files(self.sqlite_path):
            path.unlink(missing_ok=True)
        building.replace(self.sqlite_path)
        for path in _sqlite_files(building):
            path.unlink(missing_ok=True)
        temporary = self.marker_path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(timings, indent=2) + "\n")
        temporary.replace(self.marker_path)
        return timings

    def _build_postgres(self, base_env: dict[str, str]) -> dict:
        import psycopg
        from psycopg import sql

        with psycopg.connect(f"{self.postgres_url}/postgres", autocommit=True) as admin:
            name = sql.Identifier(self.name)
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
        timings = self._generate(self.env(base_env))
        with psycopg.connect(self.url, autocommit=True) as connection:
            # Production's autovacuum would have analysed the new rows within a minute; doing it
            # now gives the planner the same statistics on every run.
            connection.execute("VACUUM (ANALYZE)")
            connection.execute(
                "CREATE TABLE bench_build (built_at timestamptz DEFAULT now(), data text)"
            )
            connection.execute("INSERT INTO bench_build (data) VALUES (%s)", (json.dumps(timings),))
        return timings


def _sqlite_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def check_postgres(url: str) -> str:
    import psycopg

    try:
        with psycopg.connect(f"{url.rstrip('/')}/postgres", connect_timeout=5) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as exc:
        raise BenchError(
            f"cannot reach PostgreSQL at {url} ({str(exc).strip().splitlines()[0]}); start it, "
            "set BENCH_POSTGRES_URL, or run only DB=sqlite"
        ) from None


# --- Load -------------------------------------------------------------------------------------

# How long a server may stay busy after a load run before it is restarted: a worker still busy
# then is working through requests whose clients have left, which would load the next kind.
IDLE_LIMIT_S = 10.0
# Fewer requests than this in a run are no measurement: such a kind is run again for longer.
MIN_REQUESTS = 5


def measure(args, target, paths: list[str], name: str):
    """Warm up, then load the paths for the run's duration; return (result, remarks).

    target is a base URL, or a server.Gunicorn: then, after each run, wait for it to go idle,
    and restart it when it does not within IDLE_LIMIT_S.
    """
    paths_file = TMP_DIR / f"paths-{name}.txt"
    options = dict(threads=args.load_threads, connections=args.connections, tool=args.tool)
    remarks: list[str] = []

    def base_url() -> str:
        # A restart moves gunicorn to a new port.
        return target if isinstance(target, str) else target.base_url

    load.run_load(base_url(), paths, paths_file, duration=args.warmup, **options)
    settle(target, "the warm-up", remarks)
    result = load.run_load(base_url(), paths, paths_file, duration=args.duration, **options)
    settle(target, "the run", remarks)
    if result.requests < MIN_REQUESTS:
        # A page slower than the run itself gives no figure at all: give it a longer run.
        longer = min(max(4 * args.duration, 10.0), 20.0)
        remarks.append(
            f"{result.requests} requests completed in {args.duration:g} s: measured over "
            f"{longer:g} s instead"
        )
        result = load.run_load(base_url(), paths, paths_file, duration=longer, **options)
        settle(target, "the longer run", remarks)
    return result, remarks


def settle(target, after: str, remarks: list[str]) -> None:
    if isinstance(target, str):
        return
    idle, waited = target.wait_idle(IDLE_LIMIT_S)
    if not idle:
        target.restart()
        remarks.append(f"the server was still busy {waited:.0f} s after {after}: restarted")


def postgres_idle(database: Database):
    """A check that no other session runs a query in the benchmark's database."""
    import psycopg

    connection = psycopg.connect(database.url, autocommit=True)

    def idle() -> bool:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'active' AND pid <> pg_backend_pid()"
        ).fetchone()
        return row[0] == 0

    idle.close = connection.close
    return idle


def run_one(args, db: str, n: int, base_env: dict[str, str], timestamp: str) -> dict:
    database = Database(db, n, args.seed, args.postgres_url)
    label = database.label
    say(f"\n[{db} {label}] database")
    phases: dict[str, float] = {}
    clock = time.monotonic()
    generation = database.ensure(base_env, args.rebuild)
    phases["database"], clock = round(time.monotonic() - clock, 1), time.monotonic()
    env = database.env(base_env)

    say(f"[{db} {label}] in-process: URL lists, query counts, raw SQL replay")
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
        ],
        cwd=ROOT,
        env=env,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"the in-process capture failed for {db} {label} (see above)")
    inprocess = json.loads(inprocess_file.read_text())
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
        if captured["captured_urls"] < len(listed["paths"]):
            notes.append(
                f"{kind.key}: queries counted in-process over {captured['captured_urls']} of its "
                f"{len(listed['paths'])} URLs (capture budget {args.capture_budget:g} s)"
            )

    log = TMP_DIR / f"gunicorn-{db}-{label}.log"
    log.write_bytes(b"")
    gunicorn = server.gunicorn(
        env, log, workers=args.workers, worker_class=args.worker_class, threads=args.threads
    )
    if db == "postgres":
        gunicorn.database_idle = postgres_idle(database)
    sampler = server.RssSampler(gunicorn)
    phases["in-process"], clock = round(time.monotonic() - clock, 1), time.monotonic()
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
            result, remarks = measure(args, gunicorn, paths, f"{db}-{label}-{key}")
            kinds[key].update(http=result.as_dict(), rps=result.rps)
            kinds[key].update(p50_ms=result.p50_ms, p99_ms=result.p99_ms)
            if result.errors:
                remarks.append(
                    f"{result.non_2xx} non-2xx/3xx responses, socket errors {result.socket_errors}"
                )
            if not result.requests:
                remarks.append(f"no request completed in {args.duration:g} s")
            notes.extend(f"{key}: {remark}" for remark in remarks)
            say(
                f"  {key:<16} {result.rps:>9,.1f} req/s  p50 {_ms(result.p50_ms)}  "
                f"p99 {_ms(result.p99_ms)}  ({len(paths)} URLs)"
                + (f"  [{'; '.join(remarks)}]" if remarks else "")
            )
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

    phases["gunicorn load"], clock = round(time.monotonic() - clock, 1), time.monotonic()
    datasette = {}
    if not args.no_datasette:
        datasette = run_datasette(args, database, base_env, workload, notes)
    phases["datasette"] = round(time.monotonic() - clock, 1)

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

    return {
        "db": db,
        "size": label,
        "dialogues": n,
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
            "DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost, a generated DJANGO_SECRET_KEY",
        },
        "load": {
            "tool": args.tool,
            "threads": args.load_threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "raw_sql_duration_s": args.raw_duration,
            "ttfb_runs": args.ttfb_runs,
        },
        "environment": environment(inprocess),
        "workload": {
            "deep_page": workload["deep_page"],
            "words": workload["words"],
            "eras": workload["eras"],
            "paths": {key: value["paths"] for key, value in workload["kinds"].items()},
        },
        "kinds": kinds,
        "memory": memory,
        "phase_seconds": phases,
        "notes": notes,
    }


# Datasette's results in this run: by the SQLite file it served, by kind, with the URL list.
DATASETTE_RUNS: dict[str, dict] = {}


def run_datasette(args, database: Database, base_env, workload: dict, notes: list) -> dict:
    if database.db == "sqlite":
        sqlite_file = database.sqlite_path
    else:
        # The SQLite database of the same size and seed holds the same archive.
        twin = Database("sqlite", database.n, database.seed, database.postgres_url)
        say(f"[{database.db} {database.label}] Datasette on the SQLite file of the same seed")
        twin.ensure(base_env, rebuild=False)
        sqlite_file = twin.sqlite_path
        notes.append(
            f"Datasette served the SQLite database of the same size and seed ({sqlite_file.name}), "
            "which holds the same archive by construction"
        )
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
    log = TMP_DIR / f"datasette-{database.db}-{database.label}.log"
    log.write_bytes(b"")
    datasette = datasette_compare.server(sqlite_file, log)
    say(f"[{database.db} {database.label}] Datasette")
    try:
        datasette.start()
        for key, kind_paths in paths.items():
            result, remarks = measure(args, datasette, kind_paths, f"datasette-{database.db}-{key}")
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
    for key, kind_paths in paths.items():
        if key in results:
            earlier[key] = {"db": database.db, "paths": kind_paths, "result": results[key]}
    return results


def _round(value):
    return None if value is None else round(value, 3)


def _ms(value) -> str:
    return "       — ms" if value is None else f"{value:>8.2f} ms"


def environment(inprocess: dict) -> dict:
    versions = {"python": platform.python_version(), "django": inprocess.get("django")}
    for package in ("gunicorn", "datasette"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[package] = version(package)
    if load.wrk_available():
        with contextlib.suppress(OSError):
            out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
            versions["wrk"] = out.split()[1] if out.split()[1:] else out.strip()
    versions["database"] = inprocess.get("database")
    versions["cpus"] = os.cpu_count()
    return versions


# --- Main -------------------------------------------------------------------------------------


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
        results, checks = [], []
        for db in args.db:
            for n in args.size:
                result = run_one(args, db, n, base_env, timestamp)
                run_checks = report.check_run(result)
                results.append(result)
                checks += run_checks
                scaling = [c for c in report.check_scaling(results) if c.scope.startswith(f"{db} ")]
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
    checks += report.check_scaling(results)
    print("\n== Targets\n" + report.format_checks(checks), flush=True)
    failed = sum(1 for check in checks if check.status == "FAIL")
    print(f"\n{len(checks) - failed} of {len(checks)} target checks pass or have nothing to judge.")
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
