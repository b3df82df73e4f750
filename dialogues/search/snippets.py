"""Snippets: for each dialogue on a page, the stretch of its text that matched, marked up.

Both databases find the matches in the normalised text (`normalise`: no niqqud or tashkeel,
one form of each letter), and a snippet is cut there; it is then carried back onto the text as
written, marks and all (`_restore`), so that a query typed without marks highlights the
marked word, and the reverse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .columns import COLUMNS, ID_CHUNK, texts
from .normalise import SQL_FUNCTION, with_offsets
from .postgres import TS_CONFIG, pg_all
from .query import WORD, ParsedQuery, parsed
from .sqlite import FTS_TABLE, fts_all

SNIPPET_WORDS = 24
# Snippets order: the title is on the result already, so a match elsewhere says more.
SNIPPET_COLUMNS = ("summary", "people", "places", "outcomes", "excerpts", "title")
# Control characters that cannot come from a form field mark the matches until the text is
# escaped; only then do they become <mark> tags.
MARK_START, MARK_END = "\x02", "\x03"
# What SQLite's snippet() puts where it cut the text.
ELLIPSIS = "…"

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
    # Both cut the snippet from the normalised text (SQLite's index holds it, PostgreSQL
    # normalises it here) and show it in the text as written, built here on today's terms, so
    # with no withheld name.
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
    # Each snippet comes with the text as written that it was cut from (normalised).
    count = len(SNIPPET_COLUMNS)
    candidates = {
        row[0]: list(zip(row[1 : 1 + count], row[1 + count :], strict=True)) for row in rows
    }
    return {pk: _best_snippet(found, postgresql=postgresql) for pk, found in candidates.items()}


def _sqlite_snippet_sql(groups, ids: list[int]) -> tuple[str, list]:
    calls = ", ".join(
        f"snippet(f.{FTS_TABLE}, {COLUMNS.index(column)}, %s, %s, '{ELLIPSIS}', {SNIPPET_WORDS})"
        for column in SNIPPET_COLUMNS
    )
    # The index holds the normalised text; the text as written is built as the index's was.
    columns = texts("sqlite")
    written = ", ".join(columns[column] for column in SNIPPET_COLUMNS)
    marks = [MARK_START, MARK_END] * len(SNIPPET_COLUMNS)
    placeholders = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT f.rowid, {calls}, {written} FROM {FTS_TABLE} f "
        f"JOIN dialogues_dialogue d ON d.id = f.rowid "
        f"WHERE f.{FTS_TABLE} MATCH %s AND f.rowid IN ({placeholders})"
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
        f"ts_headline('{TS_CONFIG}', translate({SQL_FUNCTION}(texts.{column}), %s, %s), "
        "query.q, %s)"
        for column in SNIPPET_COLUMNS
    )
    written = ", ".join(f"texts.{column}" for column in SNIPPET_COLUMNS)
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
        SELECT texts.id, {headlines}, {written} FROM texts, query
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


def _best_snippet(candidates: list[tuple[str, str]], *, postgresql: bool) -> SafeString:
    """The first snippet that holds a match (else the first), as written, marked up."""
    snippet, written = next(
        (candidate for candidate in candidates if candidate[0] and MARK_START in candidate[0]),
        candidates[0],
    )
    written = written or ""
    if postgresql:
        snippet = (snippet or "").translate(_PUT_MARKUP_BACK)
        return _mark(_with_ellipses(_restore(snippet, written), written))
    return _mark(_restore(snippet or "", written))


def _restore(snippet: str, written: str) -> str:
    """Carry a snippet cut from `normalise(written)` back onto `written`, marks where they were.

    Each character of the normalised text comes from one of `written` (`with_offsets`); the
    marks a character lost go with it, so a highlighted word keeps its niqqud or tashkeel, and
    a maqaf made a space is a maqaf again. A snippet not found in the text is left as it is.
    """
    normal, offsets = with_offsets(written)
    if normal == written or not snippet:
        return snippet
    lead, body, trail = "", snippet, ""
    start = normal.find(_plain(body))
    # SQLite's snippet() marks its cuts with an ellipsis that the text does not hold.
    for cut_lead, cut_trail in ((True, False), (False, True), (True, True)):
        if start >= 0:
            break
        if (cut_lead and not snippet.startswith(ELLIPSIS)) or (
            cut_trail and not snippet.endswith(ELLIPSIS)
        ):
            continue
        lead = ELLIPSIS if cut_lead else ""
        trail = ELLIPSIS if cut_trail else ""
        body = snippet[len(lead) : len(snippet) - len(trail)]
        start = normal.find(_plain(body))
    if start < 0:
        return snippet

    def boundary(position: int) -> int:
        # Where the normalised character at `position` starts in `written`; what was removed
        # before it belongs to the character before.
        if position == 0:
            return 0
        return offsets[position] if position < len(offsets) else len(written)

    pieces, position = [lead], start
    previous = boundary(start)
    for char in body:
        if char in (MARK_START, MARK_END):
            here = boundary(position)
            pieces += [written[previous:here], char]
            previous = here
        else:
            position += 1
    pieces += [written[previous : boundary(position)], trail]
    return "".join(pieces)


def _plain(snippet: str) -> str:
    return snippet.replace(MARK_START, "").replace(MARK_END, "")


def _mark(text: str) -> SafeString:
    """Escape the text, then turn balanced sentinel pairs into <mark> and drop any others."""
    html = escape(text)
    html = re.sub(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}", r"<mark>\1</mark>", html)
    return mark_safe(html.replace(MARK_START, "").replace(MARK_END, ""))
