"""The servers under test: start, wait, watch memory and CPU, restart, stop.

`Gunicorn` runs the project as production does (see environment.py for the environment) and restarts
it when a kind of page has left it busy: a sync worker answers every request queued in the
listen backlog, even those whose client (wrk, at its deadline) has gone, so a page slower than
the run would otherwise go on loading the next kind. `RssSampler` reads the resident memory of
every worker from /proc every half second for the server's whole life, across restarts.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEALTH_PATH = "/healthz"
# Half a second with at most this many clock ticks (10 ms each) of CPU is idle: the master's
# own heartbeat costs about one.
IDLE_TICKS = 2


class ServerError(Exception):
    """The server would not start or answer."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, timeout: float = 10) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _tail(log: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    return ""


def wait_until_answers(process, port: int, path: str, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"the server exited with {process.returncode}:\n{_tail(log)}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            status, _ = get(port, path, timeout=5)
            if status < 500:
                return
        time.sleep(0.2)
    raise ServerError(f"the server did not answer {path} within {timeout:.0f} s")


def stop(process: subprocess.Popen | None, grace: float = 30) -> None:
    """Stop a server this benchmark started, by its own process id, and wait for it."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- /proc ------------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(child) for child in text.split()]
    except OSError:
        pass
    # Kernels without that file: find the processes whose parent is pid.
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def rss_kb(pid: int) -> int | None:
    """The process's resident set size (VmRSS) in kB, or None if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


# --- gunicorn ---------------------------------------------------------------------------------


class Server:
    """A server process on a free local port: started, watched, restarted, stopped.

    `command(port)` gives its command line; it is ready when `ready_path` answers.
    """

    def __init__(self, command, env: dict[str, str], log: Path, ready_path: str):
        self.command, self.env, self.log, self.ready_path = command, env, log, ready_path
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.restarts = 0
        # True when the database runs no query for this server; targets.py sets it for PostgreSQL,
        # where a worker waiting on a slow query uses no CPU of its own.
        self.database_idle = lambda: True

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process and self.process.poll() is None else None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                self.command(self.port),
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until_answers(self.process, self.port, self.ready_path, self.log)

    def stop(self) -> None:
        # Little grace: whatever the server is still doing belongs to a run that is over.
        stop(self.process, grace=5)

    def restart(self) -> None:
        self.stop()
        self.restarts += 1
        self.start()

    def wait_idle(self, limit: float) -> tuple[bool, float]:
        """Wait up to limit seconds for the server (and its database) to go idle.

        Returns (idle, seconds waited).
        """
        started = time.monotonic()
        while time.monotonic() - started < limit:
            master = self.pid
            if master is None:
                return True, time.monotonic() - started
            pids = [master, *children(master)]
            before = cpu_ticks(pids)
            time.sleep(0.5)
            if cpu_ticks(pids) - before <= IDLE_TICKS and self.database_idle():
                return True, time.monotonic() - started
        return False, time.monotonic() - started

    def timeouts(self) -> int:
        """How many workers gunicorn has killed for running over its timeout so far."""
        with contextlib.suppress(OSError):
            return self.log.read_text(errors="replace").count("WORKER TIMEOUT")
        return 0


# The project refuses a client that asks too fast; the benchmark is that client, by design.
NO_RATE_LIMIT = {"TRACKII_RATE_LIMIT": "off"}


def gunicorn(env: dict[str, str], log: Path, *, workers: int, worker_class: str, threads: int):
    """The project under gunicorn, as the README's production section runs it.

    With the rate limit off: the benchmark measures pages, not refusals.
    """
    env = {**env, **NO_RATE_LIMIT}

    def command(port: int) -> list[str]:
        line = [
            sys.executable,
            "-m",
            "gunicorn",
            "trackii.wsgi",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--bind",
            f"127.0.0.1:{port}",
        ]
        if worker_class == "gthread":
            line += ["--threads", str(threads)]
        return line

    return Server(command, env, log, ready_path="/dialogues/")


class RssSampler(threading.Thread):
    """Sample the resident memory of the server's workers every interval seconds."""

    def __init__(self, server: Server, interval: float = 0.5):
        super().__init__(daemon=True)
        self.server, self.interval = server, interval
        self.workers: dict[int, int] = {}
        self.master_kb = 0
        self.samples = 0
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            master = self.server.pid
            if master is not None:
                self.master_kb = max(self.master_kb, rss_kb(master) or 0)
                for child in children(master):
                    kb = rss_kb(child)
                    if kb is not None:
                        self.workers[child] = max(self.workers.get(child, 0), kb)
                self.samples += 1
            self._stopping.wait(self.interval)

    def stop(self) -> dict:
        self._stopping.set()
        self.join()
        # Workers are numbered in the order they were started (process ids only grow here).
        ordered = [self.workers[pid] for pid in sorted(self.workers)]
        return {
            "workers_max_mb": {str(i + 1): round(kb / 1024, 1) for i, kb in enumerate(ordered)},
            "max_mb": round(max(ordered, default=0) / 1024, 1),
            "master_max_mb": round(self.master_kb / 1024, 1),
            "samples": self.samples,
            "interval_s": self.interval,
        }


# --- hello-world ------------------------------------------------------------------------------


def static_fallback() -> str | None:
    """A hashed static file, served by whitenoise, for when /healthz does not exist."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    with contextlib.suppress(OSError, ValueError, KeyError):
        paths = json.loads(manifest.read_text())["paths"]
        for name in ("css/site.css", *sorted(paths)):
            if name in paths:
                return f"/static/{paths[name]}"
    return None


def choose_hello(port: int) -> tuple[str, str]:
    """The hello-world path: /healthz when the project has it, else a static file, and a note."""
    with contextlib.suppress(OSError, http.client.HTTPException):
        status, body = get(port, HEALTH_PATH)
        if status == 200 and len(body) < 100:
            return HEALTH_PATH, ""
    fallback = static_fallback()
    if fallback is None:
        return "/robots.txt", f"{HEALTH_PATH} is missing and no static file was found"
    return fallback, (
        f"{HEALTH_PATH} is missing: the hello-world row is a static file served by whitenoise "
        f"({fallback}), which answers before Django's URL routing and views"
    )


def plain_env() -> dict[str, str]:
    """The environment for a server that is not the project (Datasette)."""
    return {**os.environ, "PYTHONUNBUFFERED": "1"}
