"""What a dialogue is indexed on: one text per column, gathered from the dialogue and its rows.

Titles weigh most, then names, then summary, places and outcomes, then excerpts; each backend
turns that order into its own weights.
"""

from __future__ import annotations

import datetime

from ..models import withheld_sql

# Columns in index order.
COLUMNS = ("title", "summary", "people", "places", "outcomes", "excerpts")

# How many ids go into one IN (...) list: well under SQLite's limit on bound parameters.
ID_CHUNK = 500


def texts(vendor: str, alias: str = "d", day: datetime.date | None = None) -> dict[str, str]:
    """Return the SQL expression for each indexed column of the dialogue aliased `alias`.

    Names withheld on `day` (default today) are left out of `people`, so the index never holds
    a name that readers may not yet see.
    """
    if vendor == "postgresql":
        # string_agg orders within the aggregate, so snippets read the same on every run.
        def joined(value, separator, tables, order):
            return (
                f"coalesce((SELECT string_agg({value}, '{separator}' ORDER BY {order}) "
                f"FROM {tables}), '')"
            )

        places = f"btrim({alias}.place || ' ' || {alias}.venue)"
    else:
        # SQLite before 3.44 has no ORDER BY inside an aggregate; an ordered subquery does.
        def joined(value, separator, tables, order):
            return (
                f"coalesce((SELECT group_concat(value, '{separator}') FROM "
                f"(SELECT {value} AS value FROM {tables} ORDER BY {order})), '')"
            )

        places = f"trim({alias}.place || ' ' || {alias}.venue)"
    return {
        "title": f"{alias}.title",
        "summary": f"{alias}.summary",
        # Every recorded form of each disclosed name: "Abu Alaa" finds what "Abu Ala" is
        # recorded under when both are recorded (issue 21).
        "people": joined(
            "n.name",
            "; ",
            "(SELECT p.name AS name FROM dialogues_participation pp JOIN dialogues_participant p "
            f"ON p.id = pp.participant_id WHERE pp.dialogue_id = {alias}.id "
            f"AND NOT {withheld_sql('pp', day)} UNION ALL SELECT v.name AS name FROM "
            "dialogues_participation pp JOIN dialogues_namevariant v "
            f"ON v.participant_id = pp.participant_id WHERE pp.dialogue_id = {alias}.id "
            f"AND NOT {withheld_sql('pp', day)}) n",
            "n.name",
        ),
        "places": places,
        "outcomes": joined(
            "o.description", " ", f"dialogues_outcome o WHERE o.dialogue_id = {alias}.id", "o.kind"
        ),
        "excerpts": joined(
            "c.excerpt", " … ", f"dialogues_citation c WHERE c.dialogue_id = {alias}.id", "c.id"
        ),
    }


def id_filter(column: str, batch: list[int] | None) -> tuple[str, list[int]]:
    """Return a WHERE clause keeping the rows whose `column` is in `batch` (None: every row)."""
    if batch is None:
        return "", []
    return f"WHERE {column} IN ({', '.join(['%s'] * len(batch))})", list(batch)
