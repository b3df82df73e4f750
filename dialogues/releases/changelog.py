"""What changed since the previous release: records added, changed (and which fields), removed.

Both sides are read from the releases' own CSV files, matched by each table's primary key, so
the changelog is right however the database's history has been pruned since. Only the reason
a record left is asked of the database: a dialogue that was withdrawn says so; any other
record that left is "no longer public" (back to draft, under an embargo, its name withheld, or
deleted). A participant or participation that left because its name is withheld today is listed
without its slug, as `(name withheld)`.

The previous release is read twice, once to fingerprint every row and once for the few rows
that changed, so memory grows with the number of records, not with their text.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..models import Dialogue, Status
from .schema import TABLES, Table

WITHDRAWN = "withdrawn"
NO_LONGER_PUBLIC = "no longer public"
# What a removed participant's or participation's key says when its name is withheld today.
WITHHELD_KEY = "(name withheld)"
# Rows of a table whose first key column is a dialogue's slug leave with their dialogue.
DIALOGUE_KEYED = {"dialogues", "participations", "outcomes", "citations"}


@dataclass
class TableChanges:
    added: list[str] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
        }


def _rows(path: Path) -> Iterator[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        yield from csv.reader(fh)


def _digest(values: list[str]) -> bytes:
    return hashlib.blake2b("\x1f".join(values).encode(), digest_size=16).digest()


def key_text(key: tuple[str, ...]) -> str:
    """A record's key as one string: its key columns joined by `/` (no slug holds one)."""
    return "/".join(key)


class _Reader:
    """The rows of a CSV file as lists of cells in the order of `columns` ("" where absent)."""

    def __init__(self, path: Path, columns: list[str], primary_key: tuple[str, ...]):
        self.path, self.columns = path, columns
        rows = _rows(path)
        header = next(rows, [])
        rows.close()
        self.positions = [header.index(name) if name in header else None for name in columns]
        self.key_positions = [header.index(name) for name in primary_key]

    def __iter__(self) -> Iterator[tuple[tuple[str, ...], list[str]]]:
        rows = _rows(self.path)
        next(rows, None)
        for row in rows:
            key = tuple(row[i] for i in self.key_positions)
            yield key, [row[i] if i is not None else "" for i in self.positions]


def compare_table(table: Table, old: Path | None, new: Path) -> TableChanges:
    columns = table.column_names
    changes = TableChanges()
    fresh = _Reader(new, columns, table.primary_key)
    if old is None or not old.is_file():
        changes.added = [key_text(key) for key, _ in fresh]
        return changes
    before = _Reader(old, columns, table.primary_key)
    fingerprints = {key: _digest(values) for key, values in before}
    changed: set[tuple[str, ...]] = set()
    for key, values in fresh:
        fingerprint = fingerprints.pop(key, None)
        if fingerprint is None:
            changes.added.append(key_text(key))
        elif fingerprint != _digest(values):
            changed.add(key)
    changes.removed = [{"key": key_text(key)} for key in fingerprints]
    if changed:
        old_values = {key: values for key, values in before if key in changed}
        for key, values in fresh:
            if key in changed:
                fields = [
                    name
                    for name, was, now in zip(columns, old_values[key], values, strict=True)
                    if was != now
                ]
                changes.changed.append({"key": key_text(key), "fields": fields})
    return changes


def _withdrawn_dialogues(slugs: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(slugs)
    # In batches, below SQLite's limit on the parameters of one statement.
    for start in range(0, len(ordered), 500):
        batch = ordered[start : start + 500]
        found.update(
            Dialogue.objects.filter(slug__in=batch, status=Status.WITHDRAWN).values_list(
                "slug", flat=True
            )
        )
    return found


def _give_reasons(tables: dict[str, TableChanges]) -> None:
    slugs = {
        entry["key"].split("/")[0]
        for name, changes in tables.items()
        if name in DIALOGUE_KEYED
        for entry in changes.removed
    }
    withdrawn = _withdrawn_dialogues(slugs) if slugs else set()
    for name, changes in tables.items():
        for entry in changes.removed:
            dialogue = entry["key"].split("/")[0] if name in DIALOGUE_KEYED else None
            entry["reason"] = WITHDRAWN if dialogue in withdrawn else NO_LONGER_PUBLIC
    _mask_withheld(tables)


def _mask_withheld(tables: dict[str, TableChanges]) -> None:
    """Say of a participant or participation that left because the name is withheld today that
    one left, without the slug: the list of removals must not name whom it hides."""
    from .takedowns import withheld_slug_pairs_now

    pairs = withheld_slug_pairs_now()
    people = {person for _, person in pairs}
    for entry in tables.get("participants", TableChanges()).removed:
        if entry["key"] in people:
            entry["key"] = WITHHELD_KEY
    for entry in tables.get("participations", TableChanges()).removed:
        dialogue, _, person = entry["key"].partition("/")
        if (dialogue, person) in pairs:
            entry["key"] = f"{dialogue}/{WITHHELD_KEY}"


def compare(previous_dir: Path | None, new_dir: Path) -> dict[str, TableChanges]:
    """The changes of every table from the release in `previous_dir` (none: the first)."""
    tables = {
        table.name: compare_table(
            table, previous_dir / table.path if previous_dir else None, new_dir / table.path
        )
        for table in TABLES
    }
    _give_reasons(tables)
    return tables


def as_json(version: str, previous: str | None, tables: dict[str, TableChanges]) -> dict:
    return {
        "version": version,
        "previous": previous,
        "summary": {name: changes.summary() for name, changes in tables.items()},
        "tables": {
            name: {"added": c.added, "changed": c.changed, "removed": c.removed}
            for name, c in tables.items()
        },
    }


def as_markdown(version: str, previous: str | None, tables: dict[str, TableChanges]) -> str:
    """The changelog for people: a summary table, then every record by table."""
    lines = [f"# Changes in release {version}", ""]
    if previous is None:
        lines += [
            "This is the first release: every record in it is new.",
            "`changelog.json` lists each record's key.",
            "",
        ]
    else:
        lines += [
            f"Compared with release {previous}. A changed record lists the fields that changed. "
            f"A record that left is “{WITHDRAWN}” when its dialogue was withdrawn, and "
            f"“{NO_LONGER_PUBLIC}” otherwise.",
            "",
        ]
    lines += ["| Table | Added | Changed | Removed |", "| --- | ---: | ---: | ---: |"]
    for name, changes in tables.items():
        s = changes.summary()
        lines.append(f"| {name} | {s['added']:,} | {s['changed']:,} | {s['removed']:,} |")
    lines.append("")
    if previous is None:
        return "\n".join(lines)
    for name, changes in tables.items():
        if not (changes.added or changes.changed or changes.removed):
            continue
        lines += [f"## {name.capitalize()}", ""]
        if changes.added:
            lines += [f"### Added ({len(changes.added):,})", ""]
            lines += [f"- `{key}`" for key in changes.added]
            lines.append("")
        if changes.changed:
            lines += [f"### Changed ({len(changes.changed):,})", ""]
            lines += [f"- `{c['key']}`: {', '.join(c['fields'])}" for c in changes.changed]
            lines.append("")
        if changes.removed:
            lines += [f"### Removed ({len(changes.removed):,})", ""]
            lines += [f"- `{r['key']}`: {r['reason']}" for r in changes.removed]
            lines.append("")
    return "\n".join(lines)
