"""The index as a file that every worker of a machine maps into memory.

A process that builds or updates the index writes it to a file named by the database, the
generation and the day (`TRACKII_FACET_INDEX_DIR`), written under a temporary name and renamed
into place, so that a reader finds the whole file or none. Every other worker of the machine
that reaches that generation maps the file (`mmap`) instead of building the index again: a save
reaches them with or without Redis, and the index's large arrays and packed bitmaps are one copy
in memory shared by all the workers, not one per worker. Files of older generations and days
are removed as new ones are written; a worker still reading one keeps its mapping.

Beside the files, two kinds of marker do for the workers of one machine what the locks in the
shared cache do for every machine: a save's transaction marks its generation as coming
(`mark`), so that a reader of the new generation answers by SQL for the few milliseconds until
the update is written rather than starting a build of its own, and a build takes its generation
(`claim`), so that workers that start together build the index once. A marker older than its
timeout is stale (its process died) and is taken over.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import mmap
import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connections

from .index import FORMAT, FacetIndex

logger = logging.getLogger(__package__)


def directory() -> Path | None:
    """The folder of the index files, made if need be; None when it cannot be used."""
    configured = getattr(settings, "TRACKII_FACET_INDEX_DIR", None)
    if not configured:
        return None
    folder = Path(configured)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        logger.warning("facet index: %s cannot be made; each worker keeps its own", folder)
        return None
    return folder


def _database(using: str) -> str:
    """A short name for the database behind `using`: files of two archives never mix."""
    connection = connections[using]
    found = connection.settings_dict
    name = "|".join(str(part) for part in (connection.vendor, found.get("HOST"), found.get("PORT")))
    name += "|" + str(found.get("NAME"))
    if connection.vendor == "sqlite":
        # An in-memory test database has the same name in every process: tell them apart.
        name += f"|{os.getpid()}" if "memory" in str(found.get("NAME")) else ""
    return hashlib.sha1(name.encode()).hexdigest()[:12]


def _stem(using: str, generation: int, day: datetime.date) -> str:
    return f"facet-index-{FORMAT}-{_database(using)}-{generation}-{day.isoformat()}"


def path(using: str, generation: int, day: datetime.date) -> Path | None:
    folder = directory()
    return None if folder is None else folder / f"{_stem(using, generation, day)}.index"


def write(index: FacetIndex, using: str, generation: int, day: datetime.date) -> Path | None:
    """Write `index` as the file of `generation` and `day`; return its path (None: not kept)."""
    target = path(using, generation, day)
    if target is None:
        return None
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "wb") as out:
            index.dump(out)
        os.replace(temporary, target)
    except OSError:
        logger.exception("facet index: %s could not be written", target)
        temporary.unlink(missing_ok=True)
        return None
    _clean(target.parent, using, generation, day)
    return target


def read(using: str, generation: int, day: datetime.date) -> FacetIndex | None:
    """Map the file of `generation` and `day`, or None if there is none (or it is unreadable)."""
    found = path(using, generation, day)
    if found is None:
        return None
    try:
        with open(found, "rb") as file:
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except (FileNotFoundError, ValueError):
        return None  # not written yet (or empty)
    except OSError:
        logger.exception("facet index: %s could not be mapped", found)
        return None
    try:
        return FacetIndex.mapped(mapped)
    except Exception:
        logger.exception("facet index: %s could not be read; it will be built", found)
        return None


def _clean(folder: Path, using: str, generation: int, day: datetime.date) -> None:
    """Remove this database's files of generations before the one before `generation`, of other
    days, and temporary files and markers left by processes that died."""
    prefix = f"facet-index-{FORMAT}-{_database(using)}-"
    now = time.time()
    for entry in folder.iterdir():
        name = entry.name
        try:
            if name.startswith("."):
                if name.endswith(".tmp") and now - entry.stat().st_mtime > 3600:
                    entry.unlink(missing_ok=True)
                continue
            if not name.startswith(prefix):
                continue
            number, _, rest = name[len(prefix) :].partition("-")
            if rest.startswith(day.isoformat()) and int(number) >= generation - 1:
                continue
            if name.endswith(".index") or now - entry.stat().st_mtime > 3600:
                entry.unlink(missing_ok=True)
        except (OSError, ValueError):
            continue


def clear(using: str) -> None:
    """Remove every file and marker of the database behind `using` (tests)."""
    folder = directory()
    if folder is None:
        return
    prefix = f"facet-index-{FORMAT}-{_database(using)}-"
    for entry in folder.iterdir():
        if entry.name.startswith(prefix):
            entry.unlink(missing_ok=True)


def _marker(kind: str, using: str, generation: int, day: datetime.date) -> Path | None:
    folder = directory()
    return None if folder is None else folder / f"{_stem(using, generation, day)}.{kind}"


def mark(using: str, generation: int, day: datetime.date) -> None:
    """Say that the index of `generation` is coming (a save's update follows its commit)."""
    marker = _marker("coming", using, generation, day)
    if marker is not None:
        try:
            marker.touch()
        except OSError:
            pass


def coming(using: str, generation: int, day: datetime.date, timeout: float) -> bool:
    """Whether a save marked `generation` as coming less than `timeout` seconds ago."""
    marker = _marker("coming", using, generation, day)
    try:
        return marker is not None and time.time() - marker.stat().st_mtime < timeout
    except OSError:
        return False


def unmark(using: str, generation: int, day: datetime.date) -> None:
    marker = _marker("coming", using, generation, day)
    if marker is not None:
        marker.unlink(missing_ok=True)


def claim(using: str, generation: int, day: datetime.date, timeout: float) -> bool:
    """Take the build of `generation` for this process among the workers of this machine.

    False if another holds it (younger than `timeout`). True as well when there is no folder:
    the shared cache's lock is then the only one.
    """
    marker = _marker("building", using, generation, day)
    if marker is None:
        return True
    for _ in range(2):
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            return True
        except FileExistsError:
            try:
                if time.time() - marker.stat().st_mtime < timeout:
                    return False
                marker.unlink(missing_ok=True)  # its builder died: take it over
            except OSError:
                return False
        except OSError:
            return True
    return False


def release(using: str, generation: int, day: datetime.date) -> None:
    marker = _marker("building", using, generation, day)
    if marker is not None:
        marker.unlink(missing_ok=True)
