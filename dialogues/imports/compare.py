"""Compare a checked row with the record it names: the diff a dry run shows.

Related rows are compared by their identity (a participant's slug, an outcome's kind, a
citation's passage), so the diff names each row added, removed or changed, one a line.
"""

from __future__ import annotations

import datetime

from . import cells
from .archive import Existing, unnamed_hidden

# Dialogue fields an import sets, by the column that holds them.
SCALAR_COLUMNS = {
    "title": "title",
    "date_edtf": "date",
    "date_note": "date_note",
    "era_slug": "era",
    "conflict_slug": "conflict",
    "place": "place",
    "venue": "venue",
    "venue_kind_code": "venue_kind",
    "track_code": "track",
    "talks_code": "talks",
    "level_code": "level",
    "level_note": "level_note",
    "summary": "summary",
    "embargo_until": "embargo_until",
    **{column: column for column in cells.TRANSLATION_COLUMNS},
}


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def match_citations(existing: Existing, wanted: list) -> tuple[dict, list, list]:
    """Pair wanted citations with existing ones: the same passage, or the same paragraph of the
    same source with a corrected excerpt. Return (wanted index -> existing pk, unmatched wanted
    indexes, unmatched existing pks)."""
    remaining = {
        pk: (source, paragraph, excerpt) for pk, source, paragraph, excerpt in existing.citations
    }
    matches = {}
    exact = {value: pk for pk, value in remaining.items()}
    for index, item in enumerate(wanted):
        pk = exact.get(item)
        if pk is not None and pk in remaining:
            matches[index] = pk
            del remaining[pk]
    for index, (source, paragraph, _) in enumerate(wanted):
        if index in matches:
            continue
        for pk, (s, p, _) in remaining.items():
            if (s, p) == (source, paragraph):
                matches[index] = pk
                del remaining[pk]
                break
    unmatched = [i for i in range(len(wanted)) if i not in matches]
    return matches, unmatched, list(remaining)


def diff(existing: Existing, target, plan) -> list[tuple[str, str, str]]:
    """List (column, before, after) of what `target` changes in `existing`.

    `target` and `plan` are the row's `Target` and `RowPlan` (`dialogues.imports.checks`, which
    calls this: they are not imported here, so the two modules form no cycle); the citations'
    matches are noted in `plan.citation_matches`.
    """
    diff = []
    columns = {name: column for column, name in SCALAR_COLUMNS.items()}
    for name, value in target.fields.items():
        if name.startswith("_"):
            continue
        before = existing.fields[name]
        if before != value:
            diff.append((columns[name], _shown(name, before), _shown(name, value)))
    if target.takings is not None:
        # Masked rows keep the withheld participations the cell does not name; the named rows
        # are the rest of the list.
        kept = unnamed_hidden(existing, target.takings) if target.masked else set()
        before_map = {
            slug: taking for slug, (pk, taking) in existing.takings.items() if pk not in kept
        }
        for slug in sorted(set(before_map) | set(target.takings)):
            old, new = before_map.get(slug), target.takings.get(slug)
            if old != new:
                diff.append(
                    ("participant_list", old.line() if old else "—", new.line() if new else "—")
                )
    if target.outcomes is not None:
        for kind in sorted(set(existing.outcomes) | set(target.outcomes)):
            old = existing.outcomes.get(kind)
            new = target.outcomes.get(kind)
            if (old and old[1]) != new:
                diff.append(
                    (
                        "outcome_list",
                        cells.outcome_line(kind, old[1]) if old else "—",
                        cells.outcome_line(kind, new) if new is not None else "—",
                    )
                )
    if target.places is not None and target.places != existing.places:
        diff.append(
            (
                "place_slugs",
                "\n".join(existing.places) or "—",
                "\n".join(target.places) or "—",
            )
        )
    if target.memberships is not None:
        have = {slug: membership for slug, (_, membership) in existing.memberships.items()}
        for slug in sorted(set(have) | set(target.memberships)):
            old, new = have.get(slug), target.memberships.get(slug)
            if old != new:
                diff.append(("series_list", old.line() if old else "—", new.line() if new else "—"))
    matches, added, removed = match_citations(existing, target.citations)
    plan.citation_matches = matches
    by_pk = {pk: (s, p, e) for pk, s, p, e in existing.citations}
    for index, pk in sorted(matches.items()):
        if by_pk[pk] != target.citations[index]:
            diff.append(
                (
                    "citation_list",
                    cells.citation_line(*by_pk[pk]),
                    cells.citation_line(*target.citations[index]),
                )
            )
    for index in added:
        diff.append(("citation_list", "—", cells.citation_line(*target.citations[index])))
    for pk in removed:
        diff.append(("citation_list", cells.citation_line(*by_pk[pk]), "—"))
    return diff
