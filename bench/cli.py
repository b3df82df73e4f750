"""The benchmark's command line: sizes, databases, kinds of page, durations and servers.

`make bench` passes its variables (SIZE, DB, DURATION, WARMUP, SEED, REBUILD, WORKER_CLASS,
KINDS, MODE) as these options; a bad value gets a message saying what is accepted.
"""

from __future__ import annotations

import argparse
import os
import re

from bench import cold, load
from bench.workload import KINDS

KIND_KEYS = tuple(kind.key for kind in KINDS)
COLD_KEYS = tuple(kind.key for kind in KINDS if kind.cold)
MODES = ("warm", "cold")
# No page of the archive can beat this rate on one machine (hello-world's own is near 2,500 req/s
# with 2 workers): a cold list long enough for it never runs out within a run.
COLD_MAX_RPS = 1_000
DEFAULT_SIZES = "10k 100k"
DEFAULT_DBS = "sqlite postgres"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432"
MAX_DIALOGUES = 10_000_000
DB_ALIASES = {
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "postgres": "postgres",
    "postgresql": "postgres",
    "pg": "postgres",
}

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


def parse_modes(text: str) -> list[str]:
    items = _items(text)
    if not items:
        raise ValueError('no mode given: use MODE=warm, MODE=cold or MODE="warm cold"')
    unknown = [item for item in items if item not in MODES]
    if unknown:
        raise ValueError(f"unknown mode: {', '.join(unknown)}; the modes are: warm, cold")
    return [mode for mode in MODES if mode in items]


def kinds_for_modes(kinds: list[str], modes: list[str]) -> list[str]:
    """The kinds to measure in these modes: cold kinds for cold, the others for warm."""
    return [
        key for key in kinds if key == "hello" or ("cold" if key in COLD_KEYS else "warm") in modes
    ]


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
    # In three parts, in the order `--help` lists them.
    _archive_options(parser)
    _server_and_load_options(parser)
    _scope_options(parser)
    args = parser.parse_args(argv)
    if args.raw_duration is None:
        args.raw_duration = min(args.duration, 2.0)
    args.kinds = kinds_for_modes(args.kinds, args.mode)
    if args.cold_urls is None:
        args.cold_urls = cold.urls_needed(COLD_MAX_RPS, args.duration) if "cold" in args.mode else 0
    if args.latency_connections is None:
        # As many connections as workers: no request waits in the queue for another.
        args.latency_connections = args.workers * (
            args.threads if args.worker_class == "gthread" else 1
        )
    if args.tool == "auto":
        args.tool = "wrk" if load.wrk_available() else "python"
    elif args.tool == "wrk" and not load.wrk_available():
        parser.error("--tool wrk: wrk is not installed (apt-get install wrk), or use --tool python")
    return args


def _archive_options(parser: argparse.ArgumentParser) -> None:
    """Which archives to build or reuse, and how long each kind of page is loaded."""
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


def _server_and_load_options(parser: argparse.ArgumentParser) -> None:
    """How the project is served, loaded and captured in-process."""
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
        "--connections",
        type=_positive(int, "--connections"),
        default=8,
        help="wrk -c of the throughput run (default 8)",
    )
    parser.add_argument(
        "--latency-connections",
        type=_positive(int, "--latency-connections"),
        default=None,
        help="wrk -c of the latency run (default: as many as the workers can serve at once)",
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


def _scope_options(parser: argparse.ArgumentParser) -> None:
    """Where PostgreSQL is, which kinds of page are measured, and what a failed target means."""
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
    parser.add_argument(
        "--mode",
        type=_wrapping(parse_modes, "MODE"),
        default=list(MODES),
        help="warm (each URL list requested again and again), cold (every address new), or "
        '"warm cold" (MODE; default both)',
    )
    parser.add_argument(
        "--cold-urls",
        type=_positive(int, "--cold-urls"),
        default=None,
        help=f"distinct URLs per cold kind (default: enough for {COLD_MAX_RPS:,} req/s over "
        "both runs)",
    )
    parser.add_argument("--no-datasette", action="store_true", help="skip the Datasette comparison")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
        help="the shared cache of the gunicorn workers, emptied before each run, as in "
        "production (default: BENCH_REDIS_URL or %(default)s); '' gives each worker its own "
        "per-process cache, as in development",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a target fails"
    )
