"""Check every row of an import and compare it with the archive: the dry run.

Nothing here writes. `make_plan` reads the archive's eras, conflicts, sources, participants and
the dialogues the file names in a few queries per thousand rows (never one per row), checks
each row against the same rules as the admin (an EDTF date inside its era, at least one
citation, excerpts no longer than the model allows, known vocabularies and slugs), and gives
each row its action: new, changed (with a diff), unchanged or invalid.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from . import rights
from .archive import Lookups, read_lookups
from .checks import RowPlan, check_row, check_series_positions
from .reading import read


@dataclass
class Plan:
    file_name: str
    sha256: str
    rows: list[RowPlan]
    ignored_columns: list[str]
    lookups: Lookups | None = None

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("new", "changed", "unchanged", "invalid")}

    @property
    def is_clean(self) -> bool:
        return not self.count("invalid")

    @property
    def has_changes(self) -> bool:
        return bool(self.count("new") or self.count("changed"))


def make_plan(name: str, content: bytes, *, progress=None, user=None) -> Plan:
    """Read and check the file; raise reading.UnreadableFile if it cannot be read at all.

    `user` is who imports it: rows they may not import are invalid (`rights`).
    """
    table = read(name, content)
    lookups = read_lookups(table)
    plan = Plan(
        file_name=name,
        sha256=hashlib.sha256(content).hexdigest(),
        rows=[],
        ignored_columns=table.ignored_columns,
        lookups=lookups,
    )
    for number, message in table.misfits:
        row = RowPlan(number, "", "")
        row.problem("(row)", "", message + ": check for a stray delimiter or a missing quote")
        plan.rows.append(row)
    seen: dict[str, int] = {}
    header = set(table.header)
    if progress is not None:
        progress(0, len(table.rows))
    for done, (number, cells_by_column) in enumerate(table.rows, start=1):
        plan.rows.append(check_row(number, cells_by_column, header, lookups, seen))
        if progress is not None:
            progress(done, len(table.rows))
    check_series_positions(plan.rows, lookups)
    rights.check(plan, user)
    plan.rows.sort(key=lambda row: row.number)
    if not table.rows and not table.misfits:
        row = RowPlan(1, "", "")
        row.problem("(file)", "", "The file has a header but no rows to import.")
        plan.rows.append(row)
    return plan


class ImportRefused(Exception):
    """The import or undo was not made; the message says why. Nothing was written."""

    def __init__(self, message: str, plan: Plan | None = None):
        super().__init__(message)
        self.plan = plan
