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
from django.db import models

GENERATION_KEY = "archive-generation"
TIMEOUT = 3600
SINGLETON = 1

# Set at the start of each request: the next lookup rereads the database's generation.
_request = threading.local()


class ArchiveGeneration(models.Model):
    """The one row holding the archive's generation number."""

    number = models.BigIntegerField()

    class Meta:
        app_label = "dialogues"

    def __str__(self):
        return f"generation {self.number}"


def _initial() -> int:
    # Start from the clock so that a fresh database never reuses a shared cache's old keys.
    return int(time.time() * 1000)


def _read_database() -> int:
    number = ArchiveGeneration.objects.filter(pk=SINGLETON).values_list("number", flat=True)
    found = number.first()
    if found is None:
        found = ArchiveGeneration.objects.get_or_create(
            pk=SINGLETON, defaults={"number": _initial()}
        )[0].number
    return found


def start_request(**kwargs) -> None:
    """Make the request's first cached lookup check the database (a request_started receiver)."""
    _request.check = True


def generation() -> int:
    value = None if getattr(_request, "check", False) else cache.get(GENERATION_KEY)
    if value is None:
        value = _read_database()
        cache.set(GENERATION_KEY, value, timeout=None)
        _request.check = False
    return value


def bump() -> None:
    """Mark every cached figure stale (call after any change to archive records).

    The increment joins the caller's transaction: a rolled-back save leaves the generation as
    it was, and no other worker sees the new number before the change itself is committed.
    """
    updated = ArchiveGeneration.objects.filter(pk=SINGLETON).update(number=models.F("number") + 1)
    if not updated:
        ArchiveGeneration.objects.get_or_create(pk=SINGLETON, defaults={"number": _initial()})
    cache.delete(GENERATION_KEY)


def cached(namespace: str, key_parts, compute):
    """Return compute(), cached under the current generation and `key_parts`."""
    digest = hashlib.sha256(repr(key_parts).encode()).hexdigest()[:32]
    key = f"{namespace}:{generation()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=TIMEOUT)
    return value
