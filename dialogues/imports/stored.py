"""The dry run as it was shown, kept with its batch: drawn again without reading the file, and
compared with the archive when the import runs.

The report keeps each row's action, diff and problems, and for a row naming an existing record
its id and version number as the dry run read them. The import checks the stored file again
inside its transaction; a record it would change that was saved after the dry run (its version
moved on) refuses the whole import, naming the record and the columns the import would now
write that the dry run did not show, so a later edit is never overwritten unseen.
"""

from __future__ import annotations

from .checks import Problem, RowPlan
from .plan import Plan


def dump(plan: Plan) -> dict:
    return {
        "file_name": plan.file_name,
        "sha256": plan.sha256,
        "ignored_columns": plan.ignored_columns,
        "rows": [
            {
                "number": row.number,
                "slug": row.slug,
                "title": row.title,
                "action": row.action,
                "published": row.published,
                "diff": [list(change) for change in row.diff],
                "problems": [[p.column, p.value, p.message] for p in row.problems],
                "pk": row.existing.pk if row.existing else None,
                "version": row.existing.version if row.existing else None,
            }
            for row in plan.rows
        ],
    }


def load(report: dict) -> Plan:
    """The plan as the dry run showed it (for drawing: no lookups, no targets)."""
    rows = []
    for item in report["rows"]:
        row = RowPlan(item["number"], item["slug"], item["title"], action=item["action"])
        row.published = item["published"]
        row.diff = [tuple(change) for change in item["diff"]]
        row.problems = [Problem(*problem) for problem in item["problems"]]
        rows.append(row)
    return Plan(
        file_name=report["file_name"],
        sha256=report["sha256"],
        rows=rows,
        ignored_columns=report["ignored_columns"],
    )


def saved_since(plan: Plan, report: dict) -> list[str]:
    """Each record `plan` would change that was saved after the dry run `report` holds."""
    shown = {item["number"]: item for item in report["rows"]}
    found = []
    for row in plan.rows:
        if row.action not in ("new", "changed"):
            continue
        was = shown.get(row.number, {})
        existing = row.existing
        if row.action == "new" and was.get("action") == "new":
            continue
        if existing is not None and (was.get("pk"), was.get("version")) == (
            existing.pk,
            existing.version,
        ):
            continue
        before = {tuple(change) for change in was.get("diff", [])}
        columns = sorted({column for column, *_ in set(row.diff) - before})
        then = f"version {was['version']}" if was.get("version") else "not in the archive"
        now = f"version {existing.version}" if existing else "gone"
        writes = (
            f"; the import would now also write {', '.join(columns)}, which the dry run did "
            "not show"
            if columns
            else ""
        )
        found.append(f"“{row.title}” ({row.slug}): {then} at the dry run, {now} now{writes}")
    return found
