"""The PostgreSQL backend: a weighted tsvector per dialogue, GIN-indexed, under the `trackii`
text search configuration (unaccent, then English stemming), queried with websearch_to_tsquery.

The text is normalised by the SQL function `trackii_normalise` (migration 0020, made from the
table in `normalise`) before it is parsed, and each word of a query by `normalise()` itself.
The vector is a stored column that the GIN and RUM indexes cover, not an index on an
expression, so the function is applied when the column is filled (`rebuild`), never in a query.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import BooleanField, F, FloatField, Func, Value

from . import rum
from ._django_internals import column_alias
from .columns import COLUMNS, id_filter, texts
from .normalise import SQL_FUNCTION, normalise
from .query import ParsedQuery, Phrase

TS_CONFIG = "trackii"

PG_WEIGHTS = {
    "title": "A",
    "people": "B",
    "summary": "C",
    "places": "C",
    "outcomes": "C",
    "excerpts": "D",
}
# ts_rank's weights run D, C, B, A; these are its defaults, written out to be deliberate.
TS_RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"

# PostgreSQL's parser reads "Israeli/Palestinian" as a file name and an address as one token;
# turning punctuation into spaces first makes it split words as SQLite's unicode61 does.
# The class is spelt out because [^[:alnum:]] drops accented letters under the C locale.
PG_SEPARATORS = (
    r"[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f\u00a0-\u00bf\u00d7\u00f7"
    r"\u2000-\u206f\u2e00-\u2e7f\u3000-\u303f]+"
)


def pg_any(phrases: Iterable[Phrase]) -> tuple[str, list[str]]:
    # PostgreSQL's own websearch parser reads each quoted atom (stemming, unaccent, phrase
    # adjacency); the AND/OR structure comes from `parse()`, so it is the same as on SQLite.
    # The words hold only letters and digits, so quoting them cannot inject syntax. Each word is
    # normalised as the indexed text was.
    phrases = list(phrases)
    sql = " || ".join([f"websearch_to_tsquery('{TS_CONFIG}', %s)"] * len(phrases))
    return f"({sql})", ['"' + " ".join(map(normalise, phrase)) + '"' for phrase in phrases]


def pg_all(groups) -> tuple[str, list[str]]:
    parts, params = [], []
    for group in groups:
        sql, group_params = pg_any(group)
        parts.append(sql)
        params.extend(group_params)
    return "(" + " && ".join(parts) + ")", params


class _OnRow(Func):
    """An expression on the row's own search_vector, a column no model field describes.

    It is reached through the row's primary key, so that it names whichever alias Django gives
    the dialogue table, in a subquery as well.
    """

    def __init__(self, tsquery: str, params):
        super().__init__(F("pk"))
        self.tsquery, self.params = tsquery, tuple(params)

    def vector(self, compiler) -> str:
        table = compiler.quote_name_unless_alias(column_alias(self.source_expressions[0]))
        return f"{table}.search_vector"


class PgMatch(_OnRow):
    """Whether the row's vector matches the query; `negated` for the rows it does not match."""

    output_field = BooleanField()

    def __init__(self, tsquery: str, params, *, negated: bool = False):
        super().__init__(tsquery, params)
        self.negated = negated

    def as_sql(self, compiler, connection, **extra_context):
        sql = f"{self.vector(compiler)} @@ {self.tsquery}"
        if self.negated:
            # A dialogue not indexed yet has no vector and matches nothing, so nothing it holds
            # can leave it out.
            sql = f"NOT coalesce({sql}, false)"
        return sql, self.params


class PgRank(_OnRow):
    """ts_rank of the row's vector for the query, read from the row itself; higher is better."""

    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        return rank(self.vector(compiler), self.tsquery, rum.available(connection)), self.params


def rank(vector: str, tsquery: str, with_rum: bool = False) -> str:
    """The score of `vector` for `tsquery`, with the weights of the columns; higher is better.

    `ts_rank`, or RUM's own score when the database has the RUM index (see `rum`), so that a
    ranked page is the same whether the index or the rows gave it.
    """
    if with_rum:
        return rum.score(vector, tsquery)
    return f"ts_rank('{TS_RANK_WEIGHTS}', {vector}, {tsquery})"


def search(queryset, parsed: ParsedQuery):
    """Filter `queryset` to the matches of `parsed`, annotated with `search_rank`."""
    if parsed.excluded:
        tsquery, params = pg_any(parsed.excluded)
        queryset = queryset.filter(PgMatch(tsquery, params, negated=True))
    if not parsed.groups:
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
    tsquery, params = pg_all(parsed.groups)
    return queryset.filter(PgMatch(tsquery, params)).annotate(search_rank=PgRank(tsquery, params))


def matching_ids(cursor, parsed: ParsedQuery) -> tuple[list[int], bool]:
    """Return the ids of the dialogues `parsed` matches, unranked, read off the GIN index.

    The second value is True when the ids are those to leave out (a query of exclusions only).
    """
    if not parsed.groups:
        tsquery, params = pg_any(parsed.excluded)
        cursor.execute(
            f"SELECT id FROM dialogues_dialogue WHERE search_vector @@ {tsquery}", params
        )
        return [row[0] for row in cursor.fetchall()], True
    where, params = _matching(parsed)
    cursor.execute(f"SELECT id FROM dialogues_dialogue WHERE {where}", params)
    return [row[0] for row in cursor.fetchall()], False


def _matching(parsed: ParsedQuery) -> tuple[str, list]:
    """The WHERE (and its parameters) of the rows that match every group and no exclusion."""
    tsquery, params = pg_all(parsed.groups)
    where = f"search_vector @@ {tsquery}"
    if parsed.excluded:
        excluded, excluded_params = pg_any(parsed.excluded)
        where += f" AND NOT coalesce(search_vector @@ {excluded}, false)"
        params = params + excluded_params
    return where, params


def ranked_ids(cursor, parsed: ParsedQuery, candidates, limit: int, offset: int) -> list[int]:
    """Return the ids `parsed` matches, best first (as `SORTS["relevance"]`), `limit` from
    `offset`; only those among `candidates` when it is a list, which then drive the query.

    With the RUM index and no candidates, the best matches are read from the index, as far as
    the page and its last tie need (`rum.best_first`); otherwise every match is scored.
    """
    tsquery, params = pg_all(parsed.groups)
    where, where_params = _matching(parsed)
    with_rum = rum.available(cursor.db)
    if with_rum and candidates is None:
        found = rum.best_first(cursor, where, where_params, tsquery, params, offset + limit)
        if found is not None:
            return found[offset : offset + limit]
    if candidates is not None:
        where += " AND id = ANY(%s)"
        where_params.append(list(candidates))
    if with_rum:
        order = rum.distance("search_vector", tsquery)
    else:
        order = f"{rank('search_vector', tsquery)} DESC"
    cursor.execute(
        f"SELECT id FROM dialogues_dialogue WHERE {where} "
        f"ORDER BY {order}, date_earliest, id LIMIT %s OFFSET %s",
        [*where_params, *params, limit, offset],
    )
    return [row[0] for row in cursor.fetchall()]


def vector(alias: str = "d", day=None) -> str:
    """Return the SQL for a dialogue's weighted tsvector, one to_tsvector call per weight."""
    columns = texts("postgresql", alias, day)
    parts = []
    for weight in ("A", "B", "C", "D"):
        text = " || ' ' || ".join(
            columns[column] for column in COLUMNS if PG_WEIGHTS[column] == weight
        )
        words = f"regexp_replace({SQL_FUNCTION}({text}), '{PG_SEPARATORS}', ' ', 'g')"
        parts.append(f"setweight(to_tsvector('{TS_CONFIG}', {words}), '{weight}')")
    return " || ".join(parts)


def rebuild(cursor, batch: list[int] | None, day=None) -> int:
    """Reindex the dialogues with ids in `batch` (None: all); return how many were indexed."""
    where, params = id_filter("d.id", batch)
    # Rows whose vector comes out the same are not rewritten: writing a row also rewrites its
    # GIN entries, which costs more than computing the vector, so rerunning a full rebuild
    # over an unchanged archive takes a third of the time and leaves no dead rows behind.
    cursor.execute(
        f"""
        WITH fresh AS (
            SELECT d.id, {vector(day=day)} AS vector FROM dialogues_dialogue d {where}
        ),
        changed AS (
            UPDATE dialogues_dialogue AS target SET search_vector = fresh.vector
            FROM fresh
            WHERE target.id = fresh.id AND target.search_vector IS DISTINCT FROM fresh.vector
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM fresh), (SELECT count(*) FROM changed)
        """,
        params,
    )
    indexed, _changed = cursor.fetchone()
    return indexed
