"""Cache derived figures (facet counts, totals) until the archive next changes.

Every cached value's key carries the archive's *generation*, a number bumped by any save or
delete of an archive record. Bumping is one cache write; old entries are never looked up again
and expire on their own. With Redis (REDIS_URL) every worker sees a bump at once; the default
in-process cache is per worker, so its entries also expire after a short time.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

GENERATION_KEY = "archive-generation"


def _timeout() -> int:
    # A per-process cache cannot hear another worker's bump, so keep its entries short-lived.
    shared = "redis" in settings.CACHES["default"]["BACKEND"].lower()
    return 3600 if shared else 30


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        # Start from the clock so that a restarted cache never reuses an old generation.
        cache.add(GENERATION_KEY, int(time.time() * 1000), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def bump() -> None:
    """Mark every cached figure stale (call after any change to archive records)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, int(time.time() * 1000), timeout=None)


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
        cache.set(key, value, timeout=_timeout())
    return value
