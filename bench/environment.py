"""Where the benchmark keeps its files, how it reports, and the processes it starts.

Every process runs under production settings, on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

from bench import load

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
TMP_DIR = BENCH_DIR / "tmp"
RESULTS_DIR = BENCH_DIR / "results"


class BenchError(Exception):
    """A problem the user can fix; printed as one clear message, without a traceback."""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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
        # The benchmark measures pages, not refusals: no rate limit, in gunicorn or in-process.
        TRACKII_RATE_LIMIT="off",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *arguments: str, log: Path, echo: bool = False) -> float:
    """Run a management command, appending its output to log; return the seconds it took.

    With echo, every line it prints is shown as it comes too: a build of 1M dialogues takes a
    quarter of an hour, and its progress lines say how far it has gone.
    """
    started = time.perf_counter()
    with open(log, "ab") as out:
        out.write(f"$ manage.py {' '.join(arguments)}\n".encode())
        out.flush()
        process = subprocess.Popen(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE if echo else out,
            stderr=subprocess.STDOUT,
        )
        if echo:
            for line in process.stdout:
                out.write(line)
                out.flush()
                say("    " + line.decode(errors="replace").rstrip().split("\r")[-1])
        returncode = process.wait()
    if returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise BenchError(
            f"`manage.py {' '.join(arguments)}` failed (exit {returncode}); the end of "
            f"{log.relative_to(ROOT)}:\n{tail}"
        )
    return time.perf_counter() - started


def versions(inprocess: dict) -> dict:
    """The versions of what was measured and what measured it, for the run's JSON."""
    found = {"python": platform.python_version(), "django": inprocess.get("django")}
    for package in ("gunicorn", "datasette"):
        with contextlib.suppress(Exception):
            found[package] = version(package)
    if load.wrk_available():
        with contextlib.suppress(OSError):
            out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
            found["wrk"] = out.split()[1] if out.split()[1:] else out.strip()
    found["database"] = inprocess.get("database")
    found["cpus"] = os.cpu_count()
    return found
