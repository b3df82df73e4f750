"""Drive a server with load and read back throughput and latency.

Three tools, each returning the same shape of result (see `LoadResult`):

- `run_wrk` runs wrk with `paths.lua`, which cycles through a file of distinct paths, and parses
  its `--latency` report with `parse_wrk`;
- `run_python` is the fallback when wrk is missing: threads, each with its own http.client
  connection, cycling through the same paths and reporting p50/p99 from every latency;
- `measure_ttfb` times a streamed download to its first body byte (and to its first data row),
  one fresh connection per run, closing the connection as soon as it has what it measures.
"""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

LUA_SCRIPT = Path(__file__).resolve().parent / "paths.lua"

# A slow page (the timeline of a large archive) must be measured, not counted as a timeout:
# wrk's own default gives up after 2 s.
REQUEST_TIMEOUT_S = 30


class LoadError(Exception):
    """The load tool could not run or its output could not be read."""


@dataclass
class LoadResult:
    tool: str
    requests: int
    duration_s: float
    rps: float
    # Latency percentiles in milliseconds, keyed "50", "75", "90", "99".
    latency_ms: dict[str, float]
    non_2xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    connections: int | None = None
    # How the run walked its list of paths: requests sent, the furthest place reached in the
    # list (where a following run starts), and requests that repeated a path of the run.
    paths_sent: int | None = None
    paths_furthest: int | None = None
    paths_repeated: int | None = None

    @property
    def p50_ms(self) -> float | None:
        return self.latency_ms.get("50")

    @property
    def p99_ms(self) -> float | None:
        return self.latency_ms.get("99")

    @property
    def errors(self) -> int:
        return self.non_2xx + sum(self.socket_errors.values())

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(p50_ms=self.p50_ms, p99_ms=self.p99_ms, errors=self.errors)
        return data


# --- wrk --------------------------------------------------------------------------------------

_TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION_UNITS_S = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PERCENTILE = re.compile(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
_TOTALS = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),", re.M)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)\s*$", re.M)
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.M)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)", re.M)
_PATHS = re.compile(r"^Paths: (\d+) sent, furthest (\d+), (\d+) repeated", re.M)
_CONNECTIONS = re.compile(r"^\s*\d+ threads and (\d+) connections", re.M)


def parse_wrk(text: str) -> LoadResult:
    """Read wrk's report (run with --latency) into a LoadResult; raise LoadError if it is not one.

    Latencies come from the "Latency Distribution" block, which wrk prints with units (`850.00us`,
    `12.34ms`, `1.20s`); requests/s is wrk's own figure, over the requests it completed.
    """
    totals = _TOTALS.search(text)
    rps = _RPS.search(text)
    if not totals or not rps:
        first = text.strip().splitlines()[:3]
        raise LoadError(f"wrk printed no summary; its output began: {' | '.join(first)!r}")
    latency = {
        pct: round(float(value) * _TIME_UNITS_MS[unit], 3)
        for pct, value, unit in _PERCENTILE.findall(text)
    }
    if set(latency) != {"50", "75", "90", "99"}:
        raise LoadError("wrk printed no latency distribution: was it run with --latency?")
    requests = int(totals.group(1))
    if not requests:
        # wrk prints zeros when nothing completed; a latency of 0 would read as instant.
        latency = {}
    socket = _SOCKET.search(text)
    socket_errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, socket.groups()), strict=True))
        if socket
        else {}
    )
    non_2xx = _NON_2XX.search(text)
    walked = _PATHS.search(text)
    sent, furthest, repeated = map(int, walked.groups()) if walked else (None, None, None)
    connections = _CONNECTIONS.search(text)
    return LoadResult(
        tool="wrk",
        requests=requests,
        duration_s=round(float(totals.group(2)) * _DURATION_UNITS_S[totals.group(3)], 3),
        rps=float(rps.group(1)),
        latency_ms=latency,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=socket_errors,
        connections=int(connections.group(1)) if connections else None,
        paths_sent=sent,
        paths_furthest=furthest,
        paths_repeated=repeated,
    )


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk_command(
    base_url: str,
    paths_file: Path,
    *,
    duration: float,
    threads: int,
    connections: int,
    start: int = 0,
) -> list[str]:
    """wrk's command line: `paths.lua` walks paths_file from `start`, a thread per stride."""
    threads = min(threads, connections)
    return [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={REQUEST_TIMEOUT_S}s",
        "--latency",
        "-s",
        str(LUA_SCRIPT),
        base_url,
        "--",
        str(paths_file),
        str(threads),
        str(start),
    ]


def run_wrk(
    base_url: str,
    paths_file: Path,
    *,
    duration: float,
    threads: int,
    connections: int,
    start: int = 0,
) -> LoadResult:
    """Run wrk against base_url, walking the paths in paths_file, and parse its report."""
    command = wrk_command(
        base_url,
        paths_file,
        duration=duration,
        threads=threads,
        connections=connections,
        start=start,
    )
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise LoadError(f"wrk exited with {completed.returncode}: {completed.stderr.strip()}")
    return parse_wrk(completed.stdout)


# --- Python fallback --------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float | None:
    """The pct-th percentile by linear interpolation between closest ranks (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _split(base_url: str) -> tuple[str, int]:
    match = re.fullmatch(r"http://([^:/]+):(\d+)/?", base_url)
    if not match:
        raise LoadError(f"expected http://host:port, got {base_url!r}")
    return match.group(1), int(match.group(2))


class _Walker(threading.Thread):
    """One connection of the Python load: walks the paths from offset by step until deadline."""

    def __init__(self, address, paths: list[str], offset: int, step: int, deadline: float):
        super().__init__(daemon=True)
        self.address, self.paths, self.deadline = address, paths, deadline
        self.position, self.step = offset, step
        self.latencies: list[float] = []
        self.counts = {"non_2xx": 0, "read": 0, "connect": 0, "sent": 0, "repeated": 0}
        self.furthest = 0

    def next_path(self) -> str:
        count = len(self.paths)
        self.counts["repeated"] += self.position >= count
        self.furthest = max(self.furthest, min(self.position + 1, count))
        path = self.paths[self.position % count]
        self.position += self.step
        self.counts["sent"] += 1
        return path

    def run(self) -> None:
        connection = None
        while time.perf_counter() < self.deadline:
            path = self.next_path()
            if connection is None:
                connection = http.client.HTTPConnection(*self.address, timeout=REQUEST_TIMEOUT_S)
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
            except ConnectionRefusedError:
                self.counts["connect"] += 1
                connection = None
                continue
            except (OSError, http.client.HTTPException):
                self.counts["read"] += 1
                connection.close()
                connection = None
                continue
            self.latencies.append((time.perf_counter() - started) * 1000)
            self.counts["non_2xx"] += not 200 <= response.status < 400
            # Sync gunicorn workers close every connection; a threaded one may keep it open.
            if response.will_close:
                connection.close()
                connection = None
        if connection is not None:
            connection.close()


def run_python(
    base_url: str, paths: list[str], *, duration: float, connections: int, start: int = 0
) -> LoadResult:
    """Load the server from `connections` threads for `duration` seconds; the fallback to wrk.

    The paths are walked as `paths.lua` walks them: thread i asks for start+i, then every
    `connections`-th path after it, and counts the requests that come round to the top again.

    Threads share the GIL, so past a few hundred requests a second this measures the client as
    much as the server: its figures are a floor, which the report says.
    """
    if not paths:
        raise LoadError("no paths to request")
    address = _split(base_url)
    deadline = time.perf_counter() + duration
    walkers = [
        _Walker(address, paths, start + i, connections, deadline) for i in range(connections)
    ]
    started = time.perf_counter()
    for walker in walkers:
        walker.start()
    for walker in walkers:
        walker.join()
    elapsed = time.perf_counter() - started
    latencies = [value for walker in walkers for value in walker.latencies]
    total = {key: sum(w.counts[key] for w in walkers) for key in walkers[0].counts}
    return LoadResult(
        tool="python",
        requests=len(latencies),
        duration_s=round(elapsed, 3),
        rps=round(len(latencies) / elapsed, 2) if elapsed else 0.0,
        latency_ms=(
            {str(p): round(percentile(latencies, p), 3) for p in (50, 75, 90, 99)}
            if latencies
            else {}
        ),
        non_2xx=total["non_2xx"],
        socket_errors={"connect": total["connect"], "read": total["read"]},
        connections=connections,
        paths_sent=total["sent"],
        paths_furthest=max(walker.furthest for walker in walkers),
        paths_repeated=total["repeated"],
    )


def run_load(
    base_url: str,
    paths: list[str],
    paths_file: Path,
    *,
    duration: float,
    threads: int,
    connections: int,
    tool: str,
    start: int = 0,
) -> LoadResult:
    """Run the chosen tool ("wrk" or "python") over the paths, written to paths_file for wrk.

    The walk begins at path number `start`: a cold run's latency run starts where its
    throughput run stopped.
    """
    if tool == "wrk":
        paths_file.write_text("\n".join(paths) + "\n")
        return run_wrk(
            base_url,
            paths_file,
            duration=duration,
            threads=threads,
            connections=connections,
            start=start,
        )
    return run_python(base_url, paths, duration=duration, connections=connections, start=start)


# --- Time to first byte -----------------------------------------------------------------------


@dataclass
class TtfbResult:
    path: str
    first_byte_ms: list[float]
    first_row_ms: list[float]
    statuses: list[int]

    def summary(self) -> dict:
        return {
            "path": self.path,
            "runs": len(self.first_byte_ms),
            "first_byte_p50_ms": _round(percentile(self.first_byte_ms, 50)),
            "first_byte_p99_ms": _round(percentile(self.first_byte_ms, 99)),
            "first_row_p50_ms": _round(percentile(self.first_row_ms, 50)),
            "first_row_p99_ms": _round(percentile(self.first_row_ms, 99)),
            "non_2xx": sum(1 for status in self.statuses if not 200 <= status < 300),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def measure_ttfb(
    base_url: str, path: str, *, runs: int, max_seconds: float | None = None
) -> TtfbResult:
    """Time `runs` downloads of path to their first body byte and to the end of the first line.

    A CSV export sends its header line before it runs a query, so the first byte says how soon
    the download starts and the first data row how soon the database answers. With max_seconds,
    stop early (after at least one run) once that much time has gone.
    """
    host, port = _split(base_url)
    result = TtfbResult(path=path, first_byte_ms=[], first_row_ms=[], statuses=[])
    deadline = None if max_seconds is None else time.perf_counter() + max_seconds
    for run in range(runs):
        if run and deadline is not None and time.perf_counter() > deadline:
            break
        connection = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_S * 4)
        try:
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            result.statuses.append(response.status)
            body = response.read1(65536)
            if not body:
                continue
            result.first_byte_ms.append((time.perf_counter() - started) * 1000)
            # The first data row has begun once something follows the header's line end.
            while b"\n" not in body[:-1]:
                more = response.read1(65536)
                if not more:
                    break
                body += more
            if b"\n" in body[:-1]:
                result.first_row_ms.append((time.perf_counter() - started) * 1000)
        finally:
            # Closing early makes the worker's next write fail, which ends the stream there.
            connection.close()
    return result
