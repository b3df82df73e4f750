"""The SQLite backend: an FTS5 table ranked with bm25.

The table (created by migration 0003) holds one row per dialogue, its rowid the dialogue's id,
with the columns of `columns.COLUMNS`, each normalised (`normalise`) before it is tokenised by
unicode61 with accents removed and Porter-stemmed. The normalisation is a Python function that
`register_functions` gives every connection (the receiver of `connection_created`, connected in
the app's `ready()`), so that SQL and Python apply the very same table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db.models import FloatField, Value
from django.db.models.expressions import Expression, RawSQL

from ._django_internals import join_fts
from .columns import COLUMNS, id_filter, texts
from .normalise import SQL_FUNCTION, normalise
from .query import ParsedQuery, Phrase

FTS_TABLE = "dialogues_dialogue_fts"

BM25_WEIGHTS = {
    "title": 10.0,
    "people": 4.0,
    "summary": 2.0,
    "places": 2.0,
    "outcomes": 2.0,
    "excerpts": 1.0,
}


def register_functions(sender, connection, **kwargs) -> None:
    """Give a new SQLite connection the normalisation, as `trackii_normalise(text)`.

    Deterministic, so SQLite may use it wherever an expression must always give the same value.
    """
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQL_FUNCTION, 1, normalise, deterministic=True)


def fts_phrase(phrase: Phrase) -> str:
    # An FTS5 string is a phrase whatever it holds: operators, columns and stars inside it are
    # plain text. Words are letters and digits already; doubling quotes is belt and braces. Each
    # word is normalised as the indexed text was.
    return '"' + " ".join(normalise(word).replace('"', '""') for word in phrase) + '"'


def fts_any(phrases: Iterable[Phrase]) -> str:
    return "(" + " OR ".join(fts_phrase(phrase) for phrase in phrases) + ")"


def fts_all(groups) -> str:
    return " AND ".join(fts_any(group) for group in groups)


def fts_match(parsed: ParsedQuery) -> str:
    """Return the FTS5 query for dialogues that match every group and none of the exclusions."""
    match = fts_all(parsed.groups)
    if parsed.excluded:
        # A matching row holds no excluded phrase, so leaving them out in the same query adds
        # nothing to its bm25 and spares a second scan of the index.
        match = f"({match}) NOT {fts_any(parsed.excluded)}"
    return match


class Bm25(Expression):
    """The bm25 relevance of the row the FTS join aliased `alias` matched; higher is better."""

    output_field = FloatField()

    def __init__(self, alias: str):
        super().__init__()
        self.alias = alias

    def relabeled_clone(self, change_map):
        return self.__class__(change_map.get(self.alias, self.alias))

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(self.alias)
        # FTS5's bm25 is lower-is-better.
        return f"-{bm25(f'{table}.{connection.ops.quote_name(FTS_TABLE)}')}", []


def bm25(table: str) -> str:
    """FTS5's bm25 of the row `table` matched, with the columns' weights; lower is better."""
    weights = ", ".join(str(BM25_WEIGHTS[column]) for column in COLUMNS)
    return f"bm25({table}, {weights})"


def search(queryset, parsed: ParsedQuery):
    """Filter `queryset` to the matches of `parsed`, annotated with `search_rank`."""
    if not parsed.groups:
        if parsed.excluded:
            matching = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
            queryset = queryset.exclude(pk__in=RawSQL(matching, [fts_any(parsed.excluded)]))
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
    queryset, alias = join_fts(queryset, FTS_TABLE, fts_match(parsed))
    return queryset.annotate(search_rank=Bm25(alias))


def matching_ids(cursor, parsed: ParsedQuery) -> tuple[list[int], bool]:
    """Return the ids of the indexed dialogues `parsed` matches, unranked, in one index read.

    The second value is True when the ids are those to leave out (a query of exclusions only).
    Not ranking is what makes this cheap: the count and the facets of a search need only the
    set, and the page ranks no further than it shows (see `ranked_ids`).
    """
    if parsed.groups:
        cursor.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [fts_match(parsed)]
        )
        return [row[0] for row in cursor.fetchall()], False
    cursor.execute(
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [fts_any(parsed.excluded)]
    )
    return [row[0] for row in cursor.fetchall()], True


def ranked_ids(cursor, parsed: ParsedQuery, candidates, limit: int, offset: int) -> list[int]:
    """Return the ids `parsed` matches, best first (as `SORTS["relevance"]`), `limit` from
    `offset`; only those among `candidates` when it is a list (their ids go as one JSON text).
    """
    if candidates is None:
        return best_first(cursor, parsed, offset + limit)[offset:]
    sql = (
        f"SELECT f.rowid FROM {FTS_TABLE} f JOIN dialogues_dialogue d ON d.id = f.rowid "
        f"WHERE f.{FTS_TABLE} MATCH %s"
    )
    params: list = [fts_match(parsed)]
    if candidates is not None:
        # Filtering the dialogue's id, not the index's rowid: FTS5 would look each one up.
        sql += " AND d.id IN (SELECT value FROM json_each(%s))"
        params.append(json.dumps(candidates))
    sql += f" ORDER BY {bm25(f'f.{FTS_TABLE}')}, d.date_earliest, d.id LIMIT %s OFFSET %s"
    cursor.execute(sql, [*params, limit, offset])
    return [row[0] for row in cursor.fetchall()]


def rebuild(cursor, batch: list[int] | None, day=None) -> int:
    """Reindex the dialogues with ids in `batch` (None: all); return how many were indexed."""
    where, params = id_filter("rowid", batch)
    cursor.execute(f"DELETE FROM {FTS_TABLE} {where}", params)
    where, params = id_filter("d.id", batch)
    selected = ", ".join(f"{SQL_FUNCTION}({text})" for text in texts("sqlite", day=day).values())
    cursor.execute(
        f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(COLUMNS)}) "
        f"SELECT d.id, {selected} FROM dialogues_dialogue d {where}",
        params,
    )
    return cursor.rowcount


# Rows read beyond the page at first, to find where its last tie ends.
TIE_SLACK = 100


def best_first(cursor, parsed: ParsedQuery, stop: int) -> list[int]:
    """The first `stop` ids `parsed` matches, by bm25, then earliest date, then id.

    FTS5 scores every match, but reading the dialogue of each (for its date, the order among
    equal scores) cost more than the scoring: so the index alone gives the best rows, as far as
    the tie that holds the `stop`-th ends, and only those are joined to their dialogues.
    """
    score = bm25(FTS_TABLE)
    fetch = stop + TIE_SLACK
    while True:
        cursor.execute(
            f"SELECT rowid, {score} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
            f"ORDER BY {score} LIMIT %s",
            [fts_match(parsed), fetch],
        )
        rows = cursor.fetchall()
        if len(rows) < fetch or rows[-1][1] > rows[stop - 1][1]:
            break
        fetch *= 4
    cursor.execute(
        "SELECT id, date_earliest FROM dialogues_dialogue "
        "WHERE id IN (SELECT value FROM json_each(%s))",
        [json.dumps([row[0] for row in rows])],
    )
    dates = dict(cursor.fetchall())
    # As ORDER BY score, date_earliest, id: SQLite puts a missing date first.
    ranked = sorted(
        (score_, dates[pk] is not None, dates[pk] or "", pk) for pk, score_ in rows if pk in dates
    )
    return [pk for *_, pk in ranked[:stop]]
