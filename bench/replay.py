"""Replay captured statements with the bare driver (sqlite3 or psycopg), with no Django.

`rawsql` records every statement a page sends, exactly as Django hands it to the driver; this
module runs those statements in a loop over a kind's URL list, in as many processes as the
server has workers, and reports the database's own limit for that page: requests per second and
p50. It also says which database the statements ran on (`target`, `server_version`).
"""

from __future__ import annotations

import multiprocessing
import re
import sqlite3
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

# Streamed kinds are replayed as Django streams them: only the first chunk of rows is fetched.
STREAM_CHUNK = 500


@dataclass
class Statement:
    sql: str
    params: tuple | None
    many: bool
    server_side: bool
    seconds: float


# --- Replay (raw driver, no Django) -----------------------------------------------------------


def _qmark(sql: str) -> str:
    # What Django's SQLite backend does to positional "format" placeholders before executing.
    return re.sub(r"(?<!%)%s", "?", sql).replace("%%", "%")


def _connect(vendor: str, target: dict):
    if vendor == "sqlite":
        connection = sqlite3.connect(target["path"], isolation_level=None, check_same_thread=False)
        try:
            # Django's own SQL functions, in case a statement calls one (e.g. date arithmetic).
            from django.db.backends.sqlite3._functions import register

            register(connection)
        except ImportError:
            pass
        for pragma in target.get("pragmas", []):
            connection.execute(pragma)
        return connection
    import psycopg

    connection = psycopg.connect(
        target["conninfo"], autocommit=True, cursor_factory=psycopg.ClientCursor
    )
    try:
        # Django streams through server-side cursors that still bind parameters client-side.
        from psycopg.client_cursor import ClientCursorMixin

        class ServerSideCursor(ClientCursorMixin, psycopg.ServerCursor):
            pass

        connection.server_cursor_factory = ServerSideCursor
    except ImportError:
        pass
    return connection


def _execute(connection, vendor: str, statement: Statement, streamed: bool, number: int) -> None:
    if vendor == "sqlite":
        sql = statement.sql if statement.params is None else _qmark(statement.sql)
        cursor = connection.cursor()
        if statement.params is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, statement.params)
        cursor.fetchmany(STREAM_CHUNK) if streamed else cursor.fetchall()
        cursor.close()
        return
    if statement.server_side:
        # As Django does in autocommit mode: a WITH HOLD cursor, read one chunk at a time.
        with connection.cursor(name=f"bench_{number}", withhold=True) as cursor:
            cursor.execute(statement.sql, statement.params)
            cursor.fetchmany(STREAM_CHUNK)
        return
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        if cursor.description is not None:
            cursor.fetchmany(STREAM_CHUNK) if streamed else cursor.fetchall()


def _replay_worker(job) -> list[float]:
    vendor, target, requests, duration, streamed, offset = job
    connection = _connect(vendor, target)
    latencies: list[float] = []
    deadline = time.perf_counter() + duration
    position, number = offset, 0
    # At least one pass over the list, however slow, so every page is counted.
    while time.perf_counter() < deadline or position - offset < len(requests):
        statements = requests[position % len(requests)]
        position += 1
        started = time.perf_counter()
        for statement in statements:
            number += 1
            _execute(connection, vendor, statement, streamed, number)
        latencies.append((time.perf_counter() - started) * 1000)
    connection.close()
    return latencies


def replay(
    vendor: str,
    target: dict,
    requests: list[list[Statement]],
    *,
    duration: float,
    processes: int,
    streamed: bool = False,
) -> dict:
    """Time the requests' statements in a loop; return rps, p50 and p99 across processes."""
    from bench.load import percentile

    requests = [statements for statements in requests if statements]
    if not requests:
        return {"rps": None, "p50_ms": None, "p99_ms": None, "requests": 0, "error": "no SQL"}
    step = max(1, len(requests) // max(1, processes))
    jobs = [(vendor, target, requests, duration, streamed, i * step) for i in range(processes)]
    started = time.perf_counter()
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            results = list(pool.map(_replay_worker, jobs))
    except Exception as exc:  # noqa: BLE001  (one failing page must not lose the others)
        return {
            "rps": None,
            "p50_ms": None,
            "p99_ms": None,
            "requests": 0,
            "error": f"{type(exc).__name__}: {exc}"[:300],
        }
    elapsed = time.perf_counter() - started
    latencies = [value for result in results for value in result]
    # Each process ran for `duration` (or one pass): requests over the longest of them.
    wall = max(duration, max(sum(result) for result in results) / 1000)
    return {
        "rps": round(len(latencies) / wall, 2),
        "p50_ms": _round(percentile(latencies, 50)),
        "p99_ms": _round(percentile(latencies, 99)),
        "requests": len(latencies),
        "processes": processes,
        "seconds": round(elapsed, 2),
    }


def target() -> tuple[str, dict]:
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        command = settings.get("OPTIONS", {}).get("init_command", "")
        pragmas = ["PRAGMA foreign_keys = ON"] + [
            part.strip() for part in command.split(";") if part.strip()
        ]
        return "sqlite", {"path": str(settings["NAME"]), "pragmas": pragmas}
    from psycopg.conninfo import make_conninfo

    parts = {
        "dbname": settings.get("NAME"),
        "user": settings.get("USER"),
        "password": settings.get("PASSWORD"),
        "host": settings.get("HOST"),
        "port": str(settings.get("PORT") or ""),
    }
    return "postgresql", {"conninfo": make_conninfo(**{k: v for k, v in parts.items() if v})}


def server_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def _round(value):
    return None if value is None else round(value, 3)
