"""Snippets: for each dialogue on a page, the stretch of its text that matched, marked up."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .columns import COLUMNS, ID_CHUNK, texts
from .postgres import TS_CONFIG, pg_all
from .query import WORD, ParsedQuery, parsed
from .sqlite import FTS_TABLE, fts_all

SNIPPET_WORDS = 24
# Snippets order: the title is on the result already, so a match elsewhere says more.
SNIPPET_COLUMNS = ("summary", "people", "places", "outcomes", "excerpts", "title")
# Control characters that cannot come from a form field mark the matches until the text is
# escaped; only then do they become <mark> tags.
MARK_START, MARK_END = "\x02", "\x03"

# Characters PostgreSQL's headline parser would swallow as markup, and control characters that
# stand in for them on the way through.
PG_MARKUP, PG_MARKUP_STANDINS = "<>&", "\x04\x05\x06"
_PUT_MARKUP_BACK = str.maketrans(PG_MARKUP_STANDINS, PG_MARKUP)


def snippets(ids: Iterable[int], query: ParsedQuery | str) -> dict[int, SafeString]:
    """Return, for each of one page's dialogue ids, matching text with matches in <mark>.

    `query` is a `ParsedQuery`, or raw text to parse. The text is escaped before the marks are
    added, so the result is safe to show as is. Dialogues the query does not match, and every
    dialogue when the query names nothing to find (only exclusions, or no usable terms), get no
    entry: the page shows their summary. Runs one query for the whole page.
    """
    query = parsed(query)
    ids = sorted({int(pk) for pk in ids})
    if not query.groups or not ids:
        return {}
    using = DEFAULT_DB_ALIAS
    # SQLite cuts snippets from the index's own text, which must hold no withheld name: the
    # search that found these ids brought the index up to today's disclosures (see
    # `search_queryset`); PostgreSQL cuts them from text built here on today's terms.
    postgresql = connections[using].vendor == "postgresql"
    rows = []
    with connections[using].cursor() as cursor:
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            if postgresql:
                sql, params = _pg_snippet_sql(query.groups, chunk)
            else:
                sql, params = _sqlite_snippet_sql(query.groups, chunk)
            cursor.execute(sql, params)
            rows.extend(cursor.fetchall())
    if postgresql:
        # Each headline comes with the text it was cut from, to say where it was cut.
        candidates = {
            row[0]: [_with_ellipses(*row[i : i + 2]) for i in range(1, len(row), 2)] for row in rows
        }
    else:
        candidates = {row[0]: list(row[1:]) for row in rows}
    return {pk: _best_snippet(found) for pk, found in candidates.items()}


def _sqlite_snippet_sql(groups, ids: list[int]) -> tuple[str, list]:
    calls = ", ".join(
        f"snippet({FTS_TABLE}, {COLUMNS.index(column)}, %s, %s, '…', {SNIPPET_WORDS})"
        for column in SNIPPET_COLUMNS
    )
    marks = [MARK_START, MARK_END] * len(SNIPPET_COLUMNS)
    placeholders = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT rowid, {calls} FROM {FTS_TABLE} "
        f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})"
    )
    return sql, [*marks, fts_all(groups), *ids]


def _pg_snippet_sql(groups, ids: list[int]) -> tuple[str, list]:
    tsquery, query_params = pg_all(groups)
    options = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, "
        f"MinWords={SNIPPET_WORDS // 2}, ShortWord=2, MaxFragments=1"
    )
    # ts_headline drops whatever its parser takes for markup or an entity, so those characters
    # travel as stand-ins and are put back before escaping.
    headlines = ", ".join(
        f"ts_headline('{TS_CONFIG}', translate(texts.{column}, %s, %s), query.q, %s), "
        f"texts.{column}"
        for column in SNIPPET_COLUMNS
    )
    placeholders = ", ".join(["%s"] * len(ids))
    columns = ", ".join(
        f"{expression} AS {column}" for column, expression in texts("postgresql").items()
    )
    sql = f"""
        WITH query AS (SELECT {tsquery} AS q),
        texts AS (
            SELECT d.id, {columns}
            FROM dialogues_dialogue d
            WHERE d.id IN ({placeholders}) AND d.search_vector @@ (SELECT q FROM query)
        )
        SELECT texts.id, {headlines} FROM texts, query
    """
    per_column = [PG_MARKUP, PG_MARKUP_STANDINS, options]
    return sql, [*query_params, *ids, *(per_column * len(SNIPPET_COLUMNS))]


def _with_ellipses(headline: str, text: str) -> str:
    """Put markup back into a PostgreSQL headline and show where it was cut, as SQLite does.

    ts_headline neither marks a cut nor keeps the punctuation after its last word.
    """
    headline = (headline or "").translate(_PUT_MARKUP_BACK)
    plain = headline.replace(MARK_START, "").replace(MARK_END, "")
    start = (text or "").find(plain) if plain else -1
    if start < 0:
        return headline
    before, after = text[:start], text[start + len(plain) :]
    prefix = "…" if WORD.search(before) else ""
    suffix = "…" if WORD.search(after) else after.rstrip()
    return f"{prefix}{headline}{suffix}"


def _best_snippet(candidates: list[str]) -> SafeString:
    chosen = next((text for text in candidates if text and MARK_START in text), candidates[0] or "")
    return _mark(chosen)


def _mark(text: str) -> SafeString:
    """Escape the text, then turn balanced sentinel pairs into <mark> and drop any others."""
    html = escape(text)
    html = re.sub(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}", r"<mark>\1</mark>", html)
    return mark_safe(html.replace(MARK_START, "").replace(MARK_END, ""))
