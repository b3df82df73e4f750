"""What `make prod-check` does to a running site, each probe returning what it saw.

Every probe talks HTTP over plain sockets or http.client, as an outside client would, and
touches nothing of the site's own.
"""

from __future__ import annotations

import contextlib
import csv
import http.client
import http.cookies
import io
import json
import re
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psycopg

HOST = "127.0.0.1"
# Headers every page must carry; the optional ones are reported when missing but do not fail.
REQUIRED_HEADERS = (
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Content-Security-Policy",
    "Permissions-Policy",
)
OPTIONAL_HEADERS = ("Cross-Origin-Opener-Policy",)
ROOT = Path(__file__).resolve().parent.parent
WRK = "/usr/bin/wrk"
LOAD_PATHS = (
    "/",
    "/dialogues/",
    "/dialogues/?sort=title",
    "/dialogues/?q=talks",
    "/timeline/",
    "/about/",
    "/api/dialogues/",
    "/api/eras/",
    "/healthz",
)


def request(port: int, path: str, *, method="GET", body=None, headers=None, timeout=30.0):
    """Return (status, headers, body, seconds) of one request on a new connection."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request(
            method, path, body=body, headers={"Host": "localhost", **(headers or {})}
        )
        response = connection.getresponse()
        data = response.read()
        return response.status, response.headers, data, time.perf_counter() - started
    finally:
        connection.close()


def health_latencies(port: int, count: int, pause: float = 0.1) -> list[float]:
    times = []
    for _ in range(count):
        status, _, _, seconds = request(port, "/healthz", timeout=60)
        times.append(seconds if status == 200 else float("inf"))
        time.sleep(pause)
    return times


def summary(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return f"median {statistics.median(ms):.1f} ms, max {ms[-1]:.1f} ms over {len(ms)} requests"


# --- Slow clients -----------------------------------------------------------------------------


@dataclass
class Trickle:
    """Connections that send a request a few bytes at a time, as a slow or hostile client."""

    port: int
    count: int
    interval: float = 2.0
    sockets: list[socket.socket] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self):
        for i in range(self.count):
            sock = socket.create_connection((HOST, self.port), timeout=5)
            if i % 2:
                # A slow body: the headers are whole, the body never comes.
                sock.sendall(
                    b"POST /admin/login/ HTTP/1.1\r\nHost: localhost\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    b"Content-Length: 100000\r\n\r\nusername="
                )
            else:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            self.sockets.append(sock)
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()
        return self

    def _trickle(self):
        while not self.stop.wait(self.interval):
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X-Slow: 1\r\n")

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        for sock in self.sockets:
            sock.close()


# --- Exports ----------------------------------------------------------------------------------


@dataclass
class ExportResult:
    fmt: str
    status: int
    seconds: float
    size: int
    rows: int
    complete: bool
    health: list[float]


def archive_count(port: int) -> int:
    status, _, body, _ = request(port, "/api/dialogues/?page_size=1")
    match = re.search(rb'"count"\s*:\s*(\d+)', body)
    if status != 200 or not match:
        raise RuntimeError(f"/api/dialogues/ answered {status}")
    return int(match.group(1))


def full_export(port: int, fmt: str) -> ExportResult:
    """Download the whole export, count its rows, and time /healthz meanwhile."""
    health: list[float] = []
    done = threading.Event()

    def ping():
        while not done.is_set():
            health.extend(health_latencies(port, 1, pause=0.25))

    pinger = threading.Thread(target=ping, daemon=True)
    pinger.start()
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    started = time.perf_counter()
    body = tempfile.TemporaryFile()
    try:
        connection.request("GET", f"/dialogues/export.{fmt}", headers={"Host": "localhost"})
        response = connection.getresponse()
        size, tail = 0, b""
        while chunk := response.read(1 << 20):
            size += len(chunk)
            body.write(chunk)
            tail = (tail + chunk)[-64:]
        seconds = time.perf_counter() - started
    finally:
        connection.close()
        done.set()
        pinger.join()
    # Counted after the clock stops: the rows a reader of the file finds, against the header.
    body.seek(0)
    with body, io.TextIOWrapper(body, encoding="utf-8", newline="") as text:
        if fmt == "csv":
            rows = max(sum(1 for _ in csv.reader(text)) - 1, 0)
            complete = True
        else:
            complete = tail.endswith(b"]")
            rows = len(json.load(text)) if complete else 0
    announced = response.getheader("X-Total-Count")
    complete = complete and announced is not None and int(announced) == rows
    return ExportResult(fmt, response.status, seconds, size, rows, complete, health)


def abandoned_export(port: int, read_bytes: int = 16384) -> float:
    """Read the start of the full CSV export, hang up, and return how long /healthz then takes."""
    sock = socket.create_connection((HOST, port), timeout=30)
    sock.sendall(b"GET /dialogues/export.csv HTTP/1.1\r\nHost: localhost\r\n\r\n")
    received = 0
    while received < read_bytes:
        data = sock.recv(4096)
        if not data:
            break
        received += len(data)
    sock.close()
    time.sleep(1)
    return max(health_latencies(port, 5))


def active_queries(database_url: str) -> int | None:
    """How many queries other sessions are running on the PostgreSQL database, or None."""
    if not database_url.startswith("postgres"):
        return None
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'active' AND pid <> pg_backend_pid()"
        ).fetchone()
    return row[0]


# --- Headers and logins -----------------------------------------------------------------------


def headers_of(port: int, path: str = "/") -> dict[str, str | None]:
    _, headers, _, _ = request(port, path)
    return {name: headers.get(name) for name in (*REQUIRED_HEADERS, *OPTIONAL_HEADERS)}


def login_attempt(port: int, username: str, password: str) -> int:
    """Post the admin's login form as a browser would; return the status (302 is success)."""
    status, headers, body, _ = request(port, "/admin/login/")
    cookie = http.cookies.SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        cookie.load(value)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if "csrftoken" not in cookie or not token:
        raise RuntimeError(f"/admin/login/ gave no CSRF token (status {status})")
    form = {
        "csrfmiddlewaretoken": token.group(1).decode(),
        "username": username,
        "password": password,
        "next": "/admin/",
    }
    status, _, _, _ = request(
        port,
        "/admin/login/",
        method="POST",
        body=urlencode(form),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie['csrftoken'].value}",
            "Referer": f"http://localhost:{port}/admin/login/",
        },
    )
    return status


# --- Load ------------------------------------------------------------------------------------


def wrk(port: int, seconds: int, connections: int, workdir: Path) -> dict[str, str]:
    """Run wrk over LOAD_PATHS and return its figures by name."""
    paths = workdir / "load-paths.txt"
    paths.write_text("\n".join(LOAD_PATHS) + "\n")
    result = subprocess.run(
        [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
        + ["-H", "Host: localhost", "-s", str(ROOT / "bench" / "paths.lua")]
        + [f"http://{HOST}:{port}", "--", str(paths)],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    figures = {"output": out}
    patterns = {
        "requests": r"(\d+) requests in",
        "rps": r"Requests/sec:\s+([\d.]+)",
        "p50": r"^\s+50%\s+(\S+)",
        "p99": r"^\s+99%\s+(\S+)",
        "non_2xx": r"Non-2xx or 3xx responses: (\d+)",
        "socket_errors": r"Socket errors: (.*)",
    }
    for name, pattern in patterns.items():
        match = re.search(pattern, out, re.MULTILINE)
        figures[name] = match.group(1) if match else "0" if name == "non_2xx" else "none"
    return figures
