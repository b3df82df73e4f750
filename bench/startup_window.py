"""What readers get in the first minute after the app servers start, before any facet index.

    python -m bench.startup_window --sqlite PATH                # PATH: an archive in bench/tmp/
    python -m bench.startup_window --sqlite PATH --sql-facets   # grouped queries meanwhile

(`make bench SIZE=100k DB=sqlite` leaves its archive in bench/tmp/ as sqlite-100k-s1.sqlite3.)

Starts gunicorn (2 workers, the production settings, no Redis, an empty facet index folder) on
an archive the benchmark built, then has two clients request filtered lists never requested
before (era, side, year and page drawn with a fixed seed) for `--seconds`, and prints the
status codes and the slowest answer for each 10 seconds. Issue 24's target: no 503.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIDES = ("israeli", "palestinian")


def _environment(args, index_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        BENCH_SQLITE_PATH=str(Path(args.sqlite).resolve()),
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="startup-window-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        TRACKII_RATE_LIMIT="off",
        TRACKII_FACET_INDEX_DIR=index_dir,
        TRACKII_FACETS_BY_SQL_WHILE_INDEXING="true" if args.sql_facets else "false",
    )
    return env


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    while True:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped with {server.returncode}; see its log")
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)


def _walk(base: str, eras: list[str], seconds: float) -> list[tuple[float, object, int]]:
    rng, lock, found = random.Random(3), threading.Lock(), []
    start = time.monotonic()

    def address() -> str:
        with lock:
            params = {"era": rng.choice(eras)}
            if rng.random() < 0.5:
                params["side"] = rng.choice(SIDES)
            if rng.random() < 0.5:
                params["from"] = str(rng.randint(1975, 2024))
            params["page"] = str(rng.randint(1, 50))
        return base + "/dialogues/?" + "&".join(f"{k}={v}" for k, v in params.items())

    def client() -> None:
        while time.monotonic() - start < seconds:
            url, began = address(), time.monotonic()
            try:
                code = urllib.request.urlopen(url, timeout=40).status
            except urllib.error.HTTPError as error:
                code = error.code
            except OSError as error:
                code = type(error).__name__
            with lock:
                found.append((began - start, code, round((time.monotonic() - began) * 1000)))

    clients = [threading.Thread(target=client) for _ in range(2)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup_window", description=__doc__)
    parser.add_argument("--sqlite", required=True, help="an archive the benchmark built")
    parser.add_argument("--eras", type=int, default=8, help="synthetic eras syn-era-1..N")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8792)
    parser.add_argument("--sql-facets", action="store_true", help="grouped queries meanwhile")
    args = parser.parse_args(argv)
    if not Path(args.sqlite).is_file():
        parser.error(
            f"{args.sqlite} is not a file: build one with `make bench SIZE=100k DB=sqlite`"
        )
    base = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory() as index_dir, tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "trackii.wsgi", "-w", "2", "-b", base[7:]],
            cwd=ROOT,
            env=_environment(args, index_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(base, server)
            found = _walk(base, [f"syn-era-{n}" for n in range(1, args.eras + 1)], args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
    codes = collections.Counter(code for _, code, _ in found)
    times = sorted(ms for _, _, ms in found)
    print(f"{len(found)} requests, status {dict(codes)}")
    if times:
        print(f"p50 {times[len(times) // 2]} ms, slowest {times[-1]} ms")
    for window in range(0, int(args.seconds), 10):
        part = [(code, ms) for at, code, ms in found if window <= at < window + 10]
        if part:
            counted = dict(collections.Counter(code for code, _ in part))
            slowest = max(ms for _, ms in part)
            print(
                f"{window:3d}-{window + 10:<3d} s  {len(part):4d} requests  {counted}  "
                f"slowest {slowest} ms"
            )
    return 0 if not codes.get(503) else 1


if __name__ == "__main__":
    raise SystemExit(main())
