"""Reads from PostgreSQL replicas: public reads go to a replica, every write to the primary.

With `DATABASE_REPLICA_URLS` set, the settings add each replica as a database (`replica1`, …)
and install `ReplicaRouter` and `ReplicaMiddleware`. A request is served by one database for
all its reads, chosen by the middleware:

- the **primary** (`default`) for any method but GET and HEAD, for a request carrying a session
  cookie (editors, whose own saves must show at once, and whose session was just written), and
  for the requests of the few seconds after a save (`PIN_COOKIE`, set on the answer to any
  write): an editor reads their own writes;
- otherwise a **replica**, in turn, if it answers and has replayed the archive's generation
  (the number every save increments, read from the primary once per request; see
  `dialogues.caching`): a replica that lags behind the last save is passed over, so no page is
  drawn, or kept in the page cache under the new generation, from rows older than it;
- the primary when no replica qualifies: a replica that is down is tried again after
  `RETRY_SECONDS`, and the archive answers from the primary meanwhile.

Outside requests (management commands, the facet index's background build) reads go to the
primary. Writes always go to the primary, and migrations run only there.
"""

from __future__ import annotations

import itertools
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

PREFIX = "replica"
# Set on the answer to a write: the next requests read from the primary for this long.
PIN_COOKIE = "trackii_primary"
PIN_SECONDS = 10
# A replica that failed is left alone this long before it is tried again.
RETRY_SECONDS = 5
SAFE_METHODS = ("GET", "HEAD")

_reading: ContextVar[str] = ContextVar("trackii_read_database", default=DEFAULT_DB_ALIAS)
_down_until: dict[str, float] = {}
_lock = threading.Lock()
_turns = itertools.count()


def aliases() -> list[str]:
    """The configured replicas' database aliases, in order."""
    return [alias for alias in settings.DATABASES if alias.startswith(PREFIX)]


def reading() -> str:
    """The database this request reads from."""
    return _reading.get()


class ReplicaRouter:
    """Reads where the request's middleware said, writes and migrations on the primary."""

    def db_for_read(self, model, **hints):
        return _reading.get()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas hold the primary's very rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def needs_primary(request) -> bool:
    return (
        request.method not in SAFE_METHODS
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or PIN_COOKIE in request.COOKIES
    )


def choose(generation) -> str:
    """A replica that answers and has replayed `generation()`, or the primary."""
    candidates = aliases()
    if not candidates:
        return DEFAULT_DB_ALIAS
    start = next(_turns)
    now = time.monotonic()
    for offset in range(len(candidates)):
        alias = candidates[(start + offset) % len(candidates)]
        if _down_until.get(alias, 0) > now:
            continue
        try:
            if _caught_up(alias, generation):
                return alias
        except DatabaseError:
            with _lock:
                _down_until[alias] = now + RETRY_SECONDS
            _close(alias)
    return DEFAULT_DB_ALIAS


def _close(alias: str) -> None:
    try:
        connections[alias].close()
    except DatabaseError:
        pass  # a connection that broke on the way is gone all the same


def _caught_up(alias: str, generation) -> bool:
    from dialogues.caching import read_generation

    connections[alias].ensure_connection()
    return read_generation(using=alias) >= generation()


class ReplicaMiddleware:
    """Choose the request's database for reads; pin a writer's next requests to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from dialogues.caching import generation

        alias = DEFAULT_DB_ALIAS if needs_primary(request) else choose(generation)
        token = _reading.set(alias)
        try:
            response = self.get_response(request)
        finally:
            _reading.reset(token)
        if request.method not in SAFE_METHODS and aliases():
            # A write's answer is never kept by a cache, so the cookie stays with this browser.
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
