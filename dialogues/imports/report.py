"""The dry run in words: a line per row, its diff or its problems, and the counts."""

from __future__ import annotations

from .plan import Plan

ACTIONS = {"new": "new", "changed": "changed", "unchanged": "unchanged", "invalid": "INVALID"}


def summary(plan: Plan) -> str:
    counts = plan.counts
    return (
        f"{len(plan.rows)} rows: {counts['new']} new, {counts['changed']} changed, "
        f"{counts['unchanged']} unchanged, {counts['invalid']} invalid"
    )


def lines(plan: Plan, *, unchanged: bool = True):
    """Yield the report's lines; `unchanged=False` leaves out the unchanged rows."""
    yield f"{plan.file_name} (SHA-256 {plan.sha256})"
    if plan.ignored_columns:
        yield "Ignored columns (not part of an import): " + ", ".join(plan.ignored_columns)
    for row in plan.rows:
        if row.action == "unchanged" and not unchanged:
            continue
        note = ""
        if row.action == "new":
            note = " (arrives as a draft)"
        elif row.action == "changed" and row.published:
            note = " (published: the change is public once imported, as an edit in the admin is)"
        slug = row.slug or "(no slug)"
        yield f"row {row.number}: {ACTIONS[row.action]} {slug}: {row.title}{note}"
        for column, before, after in row.diff:
            yield f"    {column}: “{before}” → “{after}”"
        for problem in row.problems:
            value = f" “{problem.value}”" if problem.value else ""
            yield f"    {problem.column}{value}: {problem.message}"
    yield summary(plan)
