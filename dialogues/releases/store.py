"""Where releases live, what a version may be, and reading releases back.

Each release is a folder named by its version under `settings.TRACKII_RELEASES_DIR`, holding
its files and the zip of them, and a `manifest.json` that lists them all with their sizes and
SHA-256 sums. A folder appears whole or not at all (see `writer`), and is never written again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

VERSION_RE = re.compile(r"^(0|[1-9][0-9]{0,8})(\.(0|[1-9][0-9]{0,8})){1,2}$")
VERSION_HELP = (
    "a version is two or three whole numbers joined by dots, without leading zeros, "
    "e.g. 1.0.0 or 2026.11"
)
MANIFEST = "manifest.json"
ARCHIVE_SLUG = "trackii-data"
# What the pages read from a manifest; one without them is not shown.
MANIFEST_KEYS = {"version", "released", "counts", "changes", "citation", "zip", "files"}

logger = logging.getLogger(__name__)


class InvalidVersion(ValueError):
    pass


def parse_version(text: str) -> tuple[int, ...]:
    """The version as a tuple of ints for comparing, padded to three parts (2026.11 = 2026.11.0)."""
    if not isinstance(text, str) or not VERSION_RE.fullmatch(text):
        raise InvalidVersion(f"“{text}” is not a valid version: {VERSION_HELP}.")
    parts = tuple(int(part) for part in text.split("."))
    return parts + (0,) * (3 - len(parts))


def releases_dir() -> Path:
    return Path(settings.TRACKII_RELEASES_DIR)


def zip_name(version: str) -> str:
    return f"{ARCHIVE_SLUG}-{version}.zip"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Release:
    """A release on disk, as its manifest describes it."""

    version: str
    path: Path
    manifest: dict

    @property
    def key(self) -> tuple[int, ...]:
        return parse_version(self.version)

    @property
    def files(self) -> list[dict]:
        return self.manifest["files"]

    def file(self, name: str) -> dict | None:
        """The manifest's entry for `name`; none for a name the release does not list."""
        return next((entry for entry in self.files if entry["path"] == name), None)

    @property
    def zip(self) -> dict:
        return self.file(self.manifest["zip"])

    def read_json(self, name: str):
        return json.loads((self.path / name).read_text(encoding="utf-8"))


def _load(path: Path) -> Release | None:
    """The release in folder `path`, or none if it is not a readable, complete release."""
    manifest = path / MANIFEST
    if not manifest.is_file():
        return None
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        logger.warning("Release %s: unreadable manifest (%s); not shown.", path.name, exc)
        return None
    if not isinstance(data, dict) or not MANIFEST_KEYS <= data.keys():
        logger.warning("Release %s: its manifest lacks what the pages need; not shown.", path.name)
        return None
    return Release(path.name, path, data)


def releases() -> list[Release]:
    """Every release, newest first. Folders that are not releases (no manifest) are skipped."""
    root = releases_dir()
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        try:
            parse_version(child.name)
        except InvalidVersion:
            continue
        if (loaded := _load(child)) is not None:
            found.append(loaded)
    return sorted(found, key=lambda release: release.key, reverse=True)


def release(version: str) -> Release | None:
    """The release of `version`, or none."""
    try:
        parse_version(version)
    except InvalidVersion:
        return None
    return _load(releases_dir() / version)


def damaged_files(release: Release) -> list[str]:
    """The files of `release` whose size or SHA-256 differs from its manifest, or are missing."""
    damaged = []
    for entry in release.files:
        path = release.path / entry["path"]
        if (
            not path.is_file()
            or path.stat().st_size != entry["bytes"]
            or sha256(path) != entry["sha256"]
        ):
            damaged.append(entry["path"])
    return damaged
