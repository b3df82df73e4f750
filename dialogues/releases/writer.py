"""Write a release: build it in a temporary folder, validate it, then move it into place.

A release folder appears whole or not at all: everything is written to a hidden temporary
folder beside the releases, checked with frictionless, and renamed to its version in one
step (a rename within one file system is atomic). Any failure removes the temporary folder.
A version is written once: an existing or older version is refused, under a lock, so two
runs at once cannot both write.
"""

from __future__ import annotations

import csv
import datetime
import fcntl
import json
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from frictionless import Package

from ..progress import Report, silent
from . import changelog, citation, codebook, store, tables
from .schema import TABLES, table_schema

DATAPACKAGE = "datapackage.json"
# Everything of a release but its manifest and zip, in the order the manifest lists them.
DOCUMENTS = ("codebook.md", "codebook.html", "CITATION.cff", "CHANGELOG.md", "changelog.json")


class ReleaseError(Exception):
    """A release that cannot be written; the message says why and what to do."""


@dataclass
class Outcome:
    version: str
    path: Path | None
    manifest: dict


@contextmanager
def _lock(root: Path):
    with open(root / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ReleaseError(
                "Another release is being written now; try again when it has finished."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def check_version(version: str, existing: list[store.Release]) -> store.Release | None:
    """Refuse a version that exists or is not newer than the newest; return the newest."""
    try:
        wanted = store.parse_version(version)
    except store.InvalidVersion as exc:
        raise ReleaseError(str(exc)) from None
    for release in existing:
        if release.key == wanted:
            raise ReleaseError(
                f"Release {release.version} already exists. A release is never written "
                "twice: give a newer version."
            )
    newest = existing[0] if existing else None
    if newest and wanted < newest.key:
        raise ReleaseError(
            f"Version {version} is older than the newest release, {newest.version}: give a "
            f"version after {newest.version}."
        )
    return newest


@contextmanager
def _snapshot():
    """One consistent view of the archive for every table of the release."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            # Every query of the release then sees the archive as it was at its first one.
            # (Inside a caller's transaction, it shares that transaction's view instead.)
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _write_tables(folder: Path, say: Callable[[str], None], step) -> dict[str, int]:
    counts = {}
    (folder / "data").mkdir()
    with _snapshot():
        for table in TABLES:
            started = time.perf_counter()
            n = 0
            with open(folder / table.path, "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(table.column_names)
                for row in tables.READERS[table.name]():
                    writer.writerow(row)
                    n += 1
            counts[table.name] = n
            say(f"  {table.name}: {n:,} rows ({time.perf_counter() - started:.1f} s)")
            step()
    return counts


def _datapackage(folder: Path, version: str, released: datetime.date) -> dict:
    resources = []
    for table in TABLES:
        path = folder / table.path
        resources.append(
            {
                "name": table.name,
                "type": "table",
                "title": table.title,
                "description": table.description,
                "path": table.path,
                "scheme": "file",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": path.stat().st_size,
                "hash": f"sha256:{store.sha256(path)}",
                "schema": table_schema(table),
            }
        )
    return {
        "name": store.ARCHIVE_SLUG,
        "title": citation.title(version),
        "description": citation.ABSTRACT,
        "version": version,
        "created": timezone.now().replace(microsecond=0).isoformat(),
        "keywords": citation.cff(version, released)["keywords"],
        "resources": resources,
    }


def validate(folder: Path) -> list[str]:
    """Every error frictionless finds in the package in `folder`, as sentences (none: valid)."""
    report = Package(str(folder / DATAPACKAGE), basepath=str(folder)).validate()
    if report.valid:
        return []
    messages = [f"{error.type}: {error.message}" for error in report.errors]
    for task in report.tasks:
        messages += [f"{task.name}: {error.message}" for error in task.errors]
    return messages


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _zip(folder: Path, version: str, names: list[str], released: datetime.date) -> str:
    """Zip `names` under one top folder; fixed timestamps, so the same files give the same zip."""
    name = store.zip_name(version)
    top = name.removesuffix(".zip")
    stamp = (released.year, released.month, released.day, 0, 0, 0)
    with zipfile.ZipFile(folder / name, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in names:
            info = zipfile.ZipInfo(f"{top}/{member}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with open(folder / member, "rb") as src, archive.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    return name


def _file_entry(folder: Path, name: str) -> dict:
    path = folder / name
    return {"path": name, "bytes": path.stat().st_size, "sha256": store.sha256(path)}


def build(
    folder: Path,
    version: str,
    released: datetime.date,
    previous: store.Release | None,
    say: Callable[[str], None],
    report: Report = silent,
) -> dict:
    """Write every file of release `version` into the empty `folder`; return its manifest.

    `report` hears of each step done: each table, the validation, the comparison, the zip.
    """
    steps = len(TABLES) + 3
    done = iter(range(steps + 1))

    def step() -> None:
        report("release steps", next(done), steps)

    step()
    say("Writing the tables:")
    counts = _write_tables(folder, say, step)
    package = _datapackage(folder, version, released)
    _write_text(folder / DATAPACKAGE, json.dumps(package, indent=2, ensure_ascii=False) + "\n")
    say("Validating the data package…")
    started = time.perf_counter()
    errors = validate(folder)
    if errors:
        shown = "\n".join(f"  - {message}" for message in errors[:20])
        raise ReleaseError(
            f"The release does not validate ({len(errors)} errors), so it was not written:\n{shown}"
        )
    say(f"  valid ({time.perf_counter() - started:.1f} s)")
    step()
    book = codebook.markdown(version, released.isoformat())
    _write_text(folder / "codebook.md", book)
    _write_text(folder / "codebook.html", codebook.html(book, version))
    cff = citation.cff(version, released)
    _write_text(folder / "CITATION.cff", citation.cff_yaml(cff))
    say("Comparing with the previous release…" if previous else "First release: all is new.")
    prior = previous.version if previous else None
    started = time.perf_counter()
    changes = changelog.compare(previous.path if previous else None, folder)
    say(f"  compared ({time.perf_counter() - started:.1f} s)")
    step()
    _write_text(folder / "CHANGELOG.md", changelog.as_markdown(version, prior, changes))
    changes_json = changelog.as_json(version, prior, changes)
    _write_text(folder / "changelog.json", json.dumps(changes_json, indent=1) + "\n")
    members = [DATAPACKAGE, *(table.path for table in TABLES), *DOCUMENTS]
    say("Zipping and writing the manifest…")
    zip_name = _zip(folder, version, members, released)
    step()
    manifest = {
        "version": version,
        "released": released.isoformat(),
        "created": package["created"],
        "previous": prior,
        "counts": counts,
        "changes": changes_json["summary"],
        "citation": cff,
        "zip": zip_name,
        "files": [_file_entry(folder, name) for name in [*members, zip_name]],
    }
    _write_text(folder / store.MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def _sync(folder: Path) -> None:
    """Flush the files to disk before the rename makes the release visible."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())


def make_release(
    version: str,
    *,
    released: datetime.date | None = None,
    dry_run: bool = False,
    say: Callable[[str], None] = lambda message: None,
    progress: Report = silent,
) -> Outcome:
    """Write release `version` of the public archive (with `dry_run`, build and check only).

    `progress` hears of each step (see `dialogues.progress`).
    """
    try:
        store.parse_version(version)
    except store.InvalidVersion as exc:
        raise ReleaseError(str(exc)) from None
    released = released or timezone.localdate()
    root = store.releases_dir()
    root.mkdir(parents=True, exist_ok=True)
    with _lock(root):
        existing = store.releases()
        previous = check_version(version, existing)
        if previous is not None:
            damaged = store.damaged_files(previous)
            if damaged:
                raise ReleaseError(
                    f"The previous release, {previous.version}, is damaged (these files differ "
                    f"from its manifest: {', '.join(damaged)}), so no changelog can be made "
                    "from it. Restore it from a backup first."
                )
        target = root / version
        if target.exists():
            raise ReleaseError(
                f"{target} already exists but is not a complete release; move it away first."
            )
        building = Path(tempfile.mkdtemp(prefix=f".building-{version}-", dir=root))
        try:
            manifest = build(building, version, released, previous, say, progress)
            if dry_run:
                return Outcome(version, None, manifest)
            _sync(building)
            # mkdtemp makes a private folder; a release is for everyone to read.
            building.chmod(0o755)
            os.rename(building, target)
        finally:
            if building.exists():
                shutil.rmtree(building)
    return Outcome(version, target, manifest)
