"""The current index, built once for all processes and kept in each (a mapped file shared by the
workers of a machine: `files`); see the package docstring."""

from __future__ import annotations

import datetime
import logging
import threading
import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from ... import caching
from . import files
from .build import build
from .index import FORMAT, FacetIndex
from .update import update

# Beyond this many changed dialogues a save leaves the index to be built again (a bulk load).
MOST_UPDATED = 2_000

logger = logging.getLogger(__package__)

TIMEOUT = caching.TIMEOUT
# How long a build may hold the lock; a process killed mid-build lets another try after it.
BUILD_TIMEOUT = 600
# How long a save's transaction and its update in place may hold the lock of its generation.
RESERVED_TIMEOUT = 120

_process_lock = threading.Lock()
_process: dict[str, tuple[str, FacetIndex]] = {}
# The locks this process's transactions reserved, by (database, generation): token.
_reserved: dict[tuple[str, int], str] = {}


def _keys(using: str, generation: int | None = None, day: datetime.date | None = None):
    generation = caching.generation() if generation is None else generation
    day = day or timezone.localdate()
    base = f"facet-index:{FORMAT}:{using}:{generation}:{day.isoformat()}"
    return f"{base}:token", f"{base}:lock"


def current(*, using: str = DEFAULT_DB_ALIAS, inline: bool = False) -> FacetIndex | None:
    """Return the index of the current generation and day, or None while it is being built.

    Read from this process's memory, else from the shared cache, else built: by the one
    process that wins the lock (`cache.add`), so workers and app servers build it once. The
    build runs in a thread on its own connection, outside the request's query budget, and
    until it is stored every worker answers with the plain SQL way: exact, only slower, and no
    request waits for a build. Inside a transaction no thread could see its writes, so nothing
    is built unless `inline` asks for it (on this connection, at once: scripts and tests).
    """
    generation, day = caching.generation(), timezone.localdate()
    token_key, lock_key = _keys(using, generation, day)
    token = cache.get(token_key)
    with _process_lock:
        held = _process.get(using)
    if held is not None and held[0] in (token, _file_key(using, generation, day)):
        return held[1]
    index = _from_file(using, generation, day)
    if index is not None:
        return index
    index = _load(token) if token is not None else None
    if index is None:
        in_transaction = connections[using].in_atomic_block
        if in_transaction and not inline:
            return None
        if inline and in_transaction and _reserved.get((using, generation)) == cache.get(lock_key):
            # The lock is this transaction's own, taken for its commit's update: a script or a
            # test reading its own writes builds them here (and the lock stays the commit's).
            token, index = _build_and_store(using, generation, day)
            mapped = _from_file(using, generation, day)
            if mapped is not None:
                return mapped
            with _process_lock:
                _process[using] = (token, index)
            return index
        if not inline and files.coming(using, generation, day, RESERVED_TIMEOUT):
            return None  # a save's update of the index is on its way to the file
        if not cache.add(lock_key, 1, timeout=BUILD_TIMEOUT):
            return None  # another process is building it
        if not files.claim(using, generation, day, BUILD_TIMEOUT):
            cache.delete(lock_key)
            return None  # another worker of this machine is building it
        if not (inline or in_transaction):
            thread = threading.Thread(
                target=_build_in_background,
                args=(using, generation, day),
                name="facet-index-build",
                daemon=True,
            )
            thread.start()
            return None
        try:
            token, index = _build_and_store(using, generation, day)
        finally:
            cache.delete(lock_key)
            files.release(using, generation, day)
        mapped = _from_file(using, generation, day)
        if mapped is not None:
            return mapped
    elif files.write(index, using, generation, day) is not None:
        # From another machine through the shared cache: mapped from this machine's file, one
        # copy for all its workers.
        mapped = _from_file(using, generation, day)
        if mapped is not None:
            return mapped
    with _process_lock:
        _process[using] = (token, index)
    return index


def _file_key(using: str, generation: int, day: datetime.date) -> str:
    return f"file:{using}:{generation}:{day.isoformat()}"


def _from_file(using: str, generation: int, day: datetime.date) -> FacetIndex | None:
    """Map the index file of `generation` and `day`, and hold it as this process's copy."""
    index = files.read(using, generation, day)
    if index is not None:
        with _process_lock:
            _process[using] = (_file_key(using, generation, day), index)
    return index


def _load(token: str) -> FacetIndex | None:
    blob = cache.get(f"facet-index-blob:{token}")
    return FacetIndex.loads(blob) if blob is not None else None


def _store(using: str, generation: int, day: datetime.date, index: FacetIndex) -> str:
    """Store `index` in the shared cache under a new token, and name it the current one."""
    token = uuid.uuid4().hex
    token_key, _ = _keys(using, generation, day)
    cache.set(f"facet-index-blob:{token}", index.dumps(), timeout=TIMEOUT)
    cache.set(token_key, token, timeout=TIMEOUT)
    # And for the other workers of this machine, with or without a shared cache; never from
    # inside a transaction, whose generation a rollback could hand to other changes.
    if _outside_transactions(using):
        files.write(index, using, generation, day)
    logger.info("facet index: %d dialogues in %.2f s", index.size, index.built_in)
    return token


def _outside_transactions(using: str) -> bool:
    """Whether `using` is outside every transaction (a test case's own blocks aside)."""
    blocks = connections[using].atomic_blocks
    return all(getattr(block, "_from_testcase", False) for block in blocks)


def _build_and_store(using: str, generation: int, day: datetime.date):
    index = build(day, using=using)
    return _store(using, generation, day, index), index


def _build_in_background(using: str, generation: int, day: datetime.date) -> None:
    _, lock_key = _keys(using, generation, day)
    try:
        index = build(day, using=using)
        # A save committed during the build may be half in it: keep it only if none was.
        if caching.read_generation(using=using) == generation:
            _store(using, generation, day, index)
    except Exception:
        logger.exception("facet index: the build failed; lists use SQL until the next try")
    finally:
        cache.delete(lock_key)
        files.release(using, generation, day)
        connections[using].close()


def reserve(generation: int, *, using: str = DEFAULT_DB_ALIAS) -> str:
    """Take the build lock of `generation` for the transaction that moves the archive to it.

    Called inside that transaction, right after the generation moved on: no reader sees the
    generation before the commit, and the moment one does, the lock tells it the index is
    coming (it answers by SQL meanwhile) instead of letting it start a full build of its own,
    which the update in place after the commit (`follow`) makes needless. Only the transaction
    holding the generation's row can be here, so the lock is set, not added: one a rolled-back
    transaction left for the same number is its own to take. It lapses by itself if the
    process dies before the commit's update. Return the token that releases it.
    """
    token = uuid.uuid4().hex
    _, lock_key = _keys(using, generation, timezone.localdate())
    cache.set(lock_key, token, timeout=RESERVED_TIMEOUT)
    # The workers of this machine that share no cache with this one see it on the disk.
    files.mark(using, generation, timezone.localdate())
    _reserved[(using, generation)] = token
    return token


def follow(
    dialogues,
    *,
    generation: int,
    using: str = DEFAULT_DB_ALIAS,
    reserved: str | None = None,
) -> FacetIndex | None:
    """After a commit that moved the archive to `generation`, changing `dialogues` (ids):
    make the index of that generation from the one before it, updated in place.

    Called by the write path once the transaction has committed. The index before is this
    process's copy, else the shared cache's; the result is stored in both, as a build's is, so
    that no worker builds it again. `reserved` is the token of the lock `reserve` took; the
    lock is released here in any case. Nothing is done (the next request builds the index, as
    before) when there is no index before, when the change is too large, when another process
    holds the lock, or when another save commits meanwhile (its changes would be half in it).
    """
    day = timezone.localdate()
    _, lock_key = _keys(using, generation, day)
    _reserved.pop((using, generation), None)
    if reserved is None:
        reserved = uuid.uuid4().hex
        if not cache.add(lock_key, reserved, timeout=BUILD_TIMEOUT):
            return None
    try:
        if dialogues is None or len(dialogues) > MOST_UPDATED:
            return None
        old = _held(using, generation - 1, day)
        if old is None:
            return None
        if caching.read_generation(using=using) != generation:
            return None
        index = update(old, dialogues, day, using=using)
        if caching.read_generation(using=using) != generation:
            return None
        token = _store(using, generation, day, index)
    finally:
        # Only our own: a lock that lapsed and was taken by another process stays theirs.
        if cache.get(lock_key) == reserved:
            cache.delete(lock_key)
        files.unmark(using, generation, day)
    # The file's mapping, shared with the other workers, rather than this process's own copy.
    if _from_file(using, generation, day) is None:
        with _process_lock:
            _process[using] = (token, index)
    return index


def _held(using: str, generation: int, day: datetime.date) -> FacetIndex | None:
    """The index of `generation` and `day`: this process's copy, else the shared cache's."""
    token_key, _ = _keys(using, generation, day)
    token = cache.get(token_key)
    with _process_lock:
        held = _process.get(using)
    if held is not None and held[0] in (token, _file_key(using, generation, day)):
        return held[1]
    found = files.read(using, generation, day)
    if found is not None or token is None:
        return found
    return _load(token)


def keep(index: FacetIndex, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Make `index` the current one, in the shared cache and in this process.

    For a process that holds the index of today's generation already and has emptied the
    cache (the benchmark's in-process capture), so that it need not build it again.
    """
    token = _store(using, caching.generation(), timezone.localdate(), index)
    with _process_lock:
        _process[using] = (token, index)


def forget() -> None:
    """Drop this process's copy (tests, and a process that wants to free the memory)."""
    with _process_lock:
        _process.clear()
    _reserved.clear()
