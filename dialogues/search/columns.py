"""What a dialogue is indexed on: one text per column, gathered from the dialogue and its rows.

Titles weigh most, then names, then summary, places and outcomes, then excerpts; each backend
turns that order into its own weights.

The dialogue's own fields each column holds are `OWN_FIELDS`, the one place to list them: a
translation of a field (say `title_he`) goes beside its field, in its column, and is then
indexed, weighted, normalised and cut into snippets like it on both databases, with no change
to the index's tables.
"""

from __future__ import annotations

import datetime

from ..models import withheld_sql
from ..models.disclosure import today

# Columns in index order.
COLUMNS = ("title", "summary", "people", "places", "outcomes", "excerpts")

# The dialogue's own text fields each column is built from, in order: the first is required,
# those after it may be NULL (a translation: e.g. "title": ("title", "title_he", "title_ar")).
OWN_FIELDS = {
    "title": ("title", "title_he", "title_ar"),
    "summary": ("summary", "summary_he", "summary_ar"),
    "places": ("place", "venue"),
}

# The archive's translations of a field (`dialogues/models/translations.py`).
TRANSLATION_SUFFIXES = ("_he", "_ar")

PUBLISHED = "published"

# How many ids go into one IN (...) list: well under SQLite's limit on bound parameters.
ID_CHUNK = 500


def texts(vendor: str, alias: str = "d", day: datetime.date | None = None) -> dict[str, str]:
    """Return the SQL expression for each indexed column of the dialogue aliased `alias`.

    Names withheld on `day` (default today) are left out of `people`, so the index never holds
    a name that readers may not yet see. Beside the participants' names (every recorded form),
    `people` holds those of the organisations they came on behalf of, and `places` those of
    the dialogue's places, each in every recorded form, only while that organisation or place
    is public on `day` and, for an organisation, only through a participation not withheld.
    """
    day_sql = (day or today()).isoformat()

    def public(table: str) -> str:
        # Publishable's public_q, as SQL, on `day`: a literal from a date, never user input.
        return (
            f"{table}.status = '{PUBLISHED}' AND ({table}.embargo_until IS NULL "
            f"OR {table}.embargo_until <= '{day_sql}')"
        )

    def own(column: str) -> str:
        # The first field is required; the ones after it may be NULL. A translation adds its
        # words only when there is one, so a record without any indexes as it did before.
        first, *others = OWN_FIELDS[column]
        plain = [field for field in others if not field.endswith(TRANSLATION_SUFFIXES)]
        sql = " || ' ' || ".join(
            [f"{alias}.{first}", *(f"coalesce({alias}.{field}, '')" for field in plain)]
        )
        for field in others:
            if field.endswith(TRANSLATION_SUFFIXES):
                sql += f" || coalesce(' ' || nullif({alias}.{field}, ''), '')"
        return sql

    if vendor == "postgresql":
        # string_agg orders within the aggregate, so snippets read the same on every run.
        def joined(value, separator, tables, order):
            return (
                f"coalesce((SELECT string_agg({value}, '{separator}' ORDER BY {order}) "
                f"FROM {tables}), '')"
            )

        trim = "btrim"
        contains = "strpos"
    else:
        # SQLite before 3.44 has no ORDER BY inside an aggregate; an ordered subquery does.
        def joined(value, separator, tables, order):
            return (
                f"coalesce((SELECT group_concat(value, '{separator}') FROM "
                f"(SELECT {value} AS value FROM {tables} ORDER BY {order})), '')"
            )

        trim = "trim"
        contains = "instr"
    disclosed = f"pp.dialogue_id = {alias}.id AND NOT {withheld_sql('pp', day)}"
    at_place = f"dp.dialogue_id = {alias}.id AND {public('pl')}"
    place_names = joined(
        "n.name",
        " ",
        # The preferred name only where the dialogue's place text does not say it already.
        "(SELECT pl.name AS name, dp.position AS position, 0 AS form FROM "
        "dialogues_dialogueplace dp JOIN dialogues_place pl ON pl.id = dp.place_id "
        f"WHERE {at_place} AND {contains}({alias}.place, pl.name) = 0 "
        "UNION ALL SELECT v.name AS name, dp.position AS position, 1 AS form FROM "
        "dialogues_dialogueplace dp JOIN dialogues_place pl ON pl.id = dp.place_id "
        f"JOIN dialogues_namevariant v ON v.place_id = pl.id WHERE {at_place}) n",
        "n.position, n.form, n.name",
    )
    return {
        "title": own("title"),
        "summary": own("summary"),
        # Every recorded form of each disclosed name: "Abu Alaa" finds what "Abu Ala" is
        # recorded under when both are recorded (issue 21).
        "people": joined(
            "n.name",
            "; ",
            "(SELECT p.name AS name, 0 AS organisation FROM dialogues_participation pp "
            "JOIN dialogues_participant p "
            f"ON p.id = pp.participant_id WHERE {disclosed} "
            "UNION ALL SELECT v.name AS name, 0 AS organisation FROM "
            "dialogues_participation pp JOIN dialogues_namevariant v "
            f"ON v.participant_id = pp.participant_id WHERE {disclosed} "
            # The organisations they came on behalf of, each once, after the people.
            "UNION ALL SELECT DISTINCT o.name AS name, 1 AS organisation "
            "FROM dialogues_participation pp "
            f"JOIN dialogues_organisation o ON o.id = pp.on_behalf_of_id WHERE {disclosed} "
            f"AND {public('o')} "
            "UNION ALL SELECT DISTINCT v.name AS name, 1 AS organisation "
            "FROM dialogues_participation pp "
            "JOIN dialogues_organisation o ON o.id = pp.on_behalf_of_id "
            f"JOIN dialogues_namevariant v ON v.organisation_id = o.id WHERE {disclosed} "
            f"AND {public('o')}) n",
            "n.organisation, n.name",
        ),
        "places": f"{trim}({own('places')} || ' ' || {place_names})",
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
