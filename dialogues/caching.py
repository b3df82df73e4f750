"""Cache derived figures (facet counts, totals) until the archive next changes.

Every cached value's key carries the archive's *generation*, a number kept in the database and
incremented by any save or delete of an archive record, in the same transaction. Each request
reads it once, on its first use of a cached figure, so every worker's next response after a
save computes afresh, with or without a shared cache (Redis). Old entries are never looked up
again and expire on their own.
"""

from __future__ import annotations

import hashlib
import threading
import time

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

GENERATION_KEY = "archive-generation"
TIMEOUT = 3600
# A one-row table made by migration 0011. It is not a model: it holds no archive record, so it
# has no admin, no permissions, and no place in dumps of the archive.
TABLE = "dialogues_generation"

# Set at the start of each request: the next lookup rereads the database's generation.
_request = threading.local()


def _initial() -> int:
    # Start from the clock so that a fresh database never reuses a shared cache's old keys.
    return int(time.time() * 1000)


def read_generation(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Return the generation as the database holds it now, bypassing every cache."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT number FROM {TABLE} WHERE id = 1")
        found = cursor.fetchone()
    return found[0] if found is not None else 0


def _read_database() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {TABLE} WHERE id = 1")
        found = cursor.fetchone()
    # A database without the row (emptied by hand) reads as generation 0 until the next write
    # makes it: a read never writes.
    return found[0] if found is not None else 0


def _start(using: str = DEFAULT_DB_ALIAS) -> None:
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (id, number) SELECT 1, %s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {TABLE} WHERE id = 1)",
            [_initial()],
        )


def start_request(**kwargs) -> None:
    """Make the request's first cached lookup check the database (a request_started receiver)."""
    _request.check = True
    _request.incomplete = False


def mark_incomplete() -> None:
    """Say that the answer being drawn lacks a part that comes later (counts being indexed).

    Such an answer is kept by no cache: `trackii.http_cache` reads `drawn_incomplete()`."""
    _request.incomplete = True


def drawn_incomplete() -> bool:
    return getattr(_request, "incomplete", False)


def generation() -> int:
    value = None if getattr(_request, "check", False) else cache.get(GENERATION_KEY)
    if value is None:
        value = _read_database()
        cache.set(GENERATION_KEY, value, timeout=None)
        _request.check = False
    return value


def bump(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """Mark every cached figure stale. Called by `dialogues.writes` once per transaction.

    The increment joins the caller's transaction: a rolled-back save leaves the generation as
    it was, and no other worker sees the new number before the change itself is committed.
    Return the new number (the facet index is updated from the one before it).
    """
    with connections[using].cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET number = number + 1 WHERE id = 1 RETURNING number")
        found = cursor.fetchone()
    if found is None:
        _start(using)
        found = (read_generation(using=using),)
    forget_generation()
    return found[0]


def forget_generation() -> None:
    """Make this worker's next lookup read the generation from the database again."""
    cache.delete(GENERATION_KEY)


def cached(namespace: str, key_parts, compute):
    """Return compute(), cached under the current generation, today's date and `key_parts`.

    The date is in the key because an embargo lifts at midnight without any save to bump the
    generation: a figure counted the day before must not hide the record on the day.
    """
    digest = hashlib.sha256(repr(key_parts).encode()).hexdigest()[:32]
    key = f"{namespace}:{generation()}:{timezone.localdate().isoformat()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=TIMEOUT)
    return value
