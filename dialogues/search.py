"""Full-text search over dialogues, alike on SQLite (FTS5) and PostgreSQL (tsvector).

Each dialogue is indexed on its title, summary, participants' names, place and venue, outcome
descriptions and citation excerpts. Titles weigh most, then names, then summary, places and
outcomes, then excerpts.

The query language is the one web search engines taught everyone:

    settlers talks        both words (in any field)
    "track two"           the words next to each other, in that order
    -fatah                leave out dialogues that have the word
    hamas or fatah        either word; `or` binds two neighbouring terms, so
                          `hamas or fatah talks` is (hamas or fatah) and talks

Words are stemmed ("negotiate" finds "negotiations") and accents are ignored ("Rene" finds
"René"). The user's text is never handed to either database's query parser: it is read here
into terms of letters and digits only, and each backend's query is built from those, so the two
databases agree and no input can raise a syntax error.

The index is kept fresh by signal receivers that reindex the affected dialogues once their
transaction commits. `QuerySet.update()`, `bulk_create()` and raw SQL send no signals: call
`rebuild_index()` after them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections, transaction
from django.db.models import BooleanField, F, FloatField, Func, Value
from django.db.models.expressions import Expression, RawSQL
from django.db.models.signals import post_delete, post_save, pre_save
from django.db.models.sql.constants import INNER
from django.dispatch import receiver
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Citation, Dialogue, Outcome, Participant, Participation

FTS_TABLE = "dialogues_dialogue_fts"
TS_CONFIG = "trackii"

# Columns in index order, with the weight each gets on SQLite (bm25) and PostgreSQL (setweight).
COLUMNS = ("title", "summary", "people", "places", "outcomes", "excerpts")
BM25_WEIGHTS = {
    "title": 10.0,
    "people": 4.0,
    "summary": 2.0,
    "places": 2.0,
    "outcomes": 2.0,
    "excerpts": 1.0,
}
# ts_rank's weights run D, C, B, A; these are its defaults, written out to be deliberate.
TS_RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"

# A query is cut to this many words, and each word to this many characters, so that a pasted
# essay costs no more than a sentence.
MAX_TERMS = 32
MAX_TERM_LENGTH = 64
MAX_QUERY_LENGTH = 2000

SNIPPET_WORDS = 24
# Snippets order: the title is on the result already, so a match elsewhere says more.
SNIPPET_COLUMNS = ("summary", "people", "places", "outcomes", "excerpts", "title")
# Control characters that cannot come from a form field mark the matches until the text is
# escaped; only then do they become <mark> tags.
MARK_START, MARK_END = "\x02", "\x03"

# PostgreSQL's parser reads "Israeli/Palestinian" as a file name and an address as one token;
# turning punctuation into spaces first makes it split words as SQLite's unicode61 does.
# The class is spelt out because [^[:alnum:]] drops accented letters under the C locale.
PG_SEPARATORS = (
    r"[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f\u00a0-\u00bf\u00d7\u00f7"
    r"\u2000-\u206f\u2e00-\u2e7f\u3000-\u303f]+"
)

# Characters PostgreSQL's headline parser would swallow as markup, and control characters that
# stand in for them on the way through.
PG_MARKUP, PG_MARKUP_STANDINS = "<>&", "\x04\x05\x06"
_PUT_MARKUP_BACK = str.maketrans(PG_MARKUP_STANDINS, PG_MARKUP)

# How many ids go into one IN (...) list: well under SQLite's limit on bound parameters.
ID_CHUNK = 500


# --- Reading the query --------------------------------------------------------------------


Phrase = tuple[str, ...]


@dataclass(frozen=True)
class ParsedQuery:
    """A query reduced to what both databases can run: all groups, each any of its phrases."""

    groups: tuple[tuple[Phrase, ...], ...] = ()
    excluded: tuple[Phrase, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.excluded


_WORD = re.compile(r"[^\W_]+")
# A quoted phrase (running to the end when the quote is never closed) or a bare chunk, each with
# any dashes in front of it.
_CHUNK = re.compile(r'(-*)"([^"]*)"?|(-*)([^\s"]+)')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parse(q: str) -> ParsedQuery:
    """Read a user's query into groups of phrases; never raise, whatever the text."""
    text = unicodedata.normalize("NFKC", _CONTROL.sub(" ", str(q or "")[:MAX_QUERY_LENGTH]))
    groups: list[list[Phrase]] = []
    excluded: list[Phrase] = []
    budget = MAX_TERMS
    join_next = last_was_positive = False
    for match in _CHUNK.finditer(text):
        if budget <= 0:
            break
        quoted = match.group(2) is not None
        dashes = match.group(1) if quoted else match.group(3)
        body = match.group(2) if quoted else match.group(4)
        if not quoted and not dashes and body.casefold() == "or":
            # `or` only joins two positive terms that stand either side of it.
            join_next = join_next or last_was_positive
            last_was_positive = False
            continue
        # Punctuation inside a chunk ("Israeli/Palestinian", "title:foo", "NEAR(a") only splits
        # words, as it does in the indexed text, so the pieces must stand together.
        phrase = tuple(word[:MAX_TERM_LENGTH] for word in _WORD.findall(body))[:budget]
        if not phrase:
            continue
        budget -= len(phrase)
        if dashes:
            excluded.append(phrase)
            join_next = last_was_positive = False
        elif join_next and groups:
            groups[-1].append(phrase)
            join_next, last_was_positive = False, True
        else:
            groups.append([phrase])
            join_next, last_was_positive = False, True
    return ParsedQuery(
        groups=_unique(tuple(_unique(group)) for group in groups),
        excluded=_unique(excluded),
    )


def _key(item):
    if isinstance(item, str):
        return item.casefold()
    return tuple(_key(part) for part in item)


def _unique(items: Iterable) -> tuple:
    seen, kept = set(), []
    for item in items:
        key = _key(item)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return tuple(kept)


def describe(q: str) -> str:
    """Say in plain words what the query looks for; return "" when it has no usable terms.

    For example `matching “settlers”`, `matching the phrase “track two”` or
    `matching “hamas” but not “fatah”`. The result is plain text, for the template to escape.
    """
    parsed = parse(q)
    if parsed.is_empty:
        return ""
    several_groups = len(parsed.groups) > 1
    groups = []
    for group in parsed.groups:
        words = _join([_say(phrase) for phrase in group], "or")
        groups.append(f"either {words}" if several_groups and len(group) > 1 else words)
    # A comma before the last "and" keeps "a or b, and c" from reading as "a or (b and c)".
    serial_comma = any(len(group) > 1 for group in parsed.groups)
    wanted = _join(groups, "and", serial_comma=serial_comma)
    unwanted = _join([_say(phrase) for phrase in parsed.excluded], "or")
    if wanted and unwanted:
        return f"matching {wanted} but not {unwanted}"
    if wanted:
        return f"matching {wanted}"
    return f"not matching {unwanted}"


def _say(phrase: Phrase) -> str:
    words = " ".join(phrase)
    return f"the phrase “{words}”" if len(phrase) > 1 else f"“{words}”"


def _join(parts: list[str], conjunction: str, *, serial_comma: bool = False) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    comma = "," if serial_comma else ""
    return f"{', '.join(parts[:-1])}{comma} {conjunction} {parts[-1]}"


# --- Querying -----------------------------------------------------------------------------


def _vendor(using: str = DEFAULT_DB_ALIAS) -> str:
    return connections[using].vendor


def _fts_phrase(phrase: Phrase) -> str:
    # An FTS5 string is a phrase whatever it holds: operators, columns and stars inside it are
    # plain text. Words are letters and digits already; doubling quotes is belt and braces.
    return '"' + " ".join(word.replace('"', '""') for word in phrase) + '"'


def _fts_any(phrases: Iterable[Phrase]) -> str:
    return "(" + " OR ".join(_fts_phrase(phrase) for phrase in phrases) + ")"


def _fts_all(groups) -> str:
    return " AND ".join(_fts_any(group) for group in groups)


def _pg_any(phrases: Iterable[Phrase]) -> tuple[str, list[str]]:
    # PostgreSQL's own websearch parser reads each quoted atom (stemming, unaccent, phrase
    # adjacency); the AND/OR structure comes from `parse()`, so it is the same as on SQLite.
    # The words hold only letters and digits, so quoting them cannot inject syntax.
    phrases = list(phrases)
    sql = " || ".join([f"websearch_to_tsquery('{TS_CONFIG}', %s)"] * len(phrases))
    return f"({sql})", ['"' + " ".join(phrase) + '"' for phrase in phrases]


def _pg_all(groups) -> tuple[str, list[str]]:
    parts, params = [], []
    for group in groups:
        sql, group_params = _pg_any(group)
        parts.append(sql)
        params.extend(group_params)
    return "(" + " && ".join(parts) + ")", params


def _fts_match(parsed: ParsedQuery) -> str:
    """Return the FTS5 query for dialogues that match every group and none of the exclusions."""
    match = _fts_all(parsed.groups)
    if parsed.excluded:
        # A matching row holds no excluded phrase, so leaving them out in the same query adds
        # nothing to its bm25 and spares a second scan of the index.
        match = f"({match}) NOT {_fts_any(parsed.excluded)}"
    return match


class FtsJoin:
    """An inner join of the FTS5 table onto the dialogues it matches, as an entry of a Query.

    Django has no relation to a virtual table, so this stands in for its `Join` and offers the
    same attributes and methods. Joined so, the index is scanned once per query and each
    match's bm25 is worked out in that scan, only for rows that pass every other filter and
    only when the rank is selected or sorted on; a count never computes it. The aliases are
    relabelled like any table's, so the queryset still works nested in another as a subquery.
    """

    table_name = FTS_TABLE
    join_type = INNER
    filtered_relation = None
    # Declared nullable only so that Django asks to promote it to an outer join where one is
    # needed, which is when a search is combined with `|`: see promote().
    nullable = True

    def __init__(
        self, parent_alias, table_alias, pk_column: str, match: str, *, drives=True, either=False
    ):
        self.parent_alias, self.table_alias = parent_alias, table_alias
        self.pk_column, self.match = pk_column, match
        self.drives, self.either = drives, either

    def as_sql(self, compiler, connection):
        if self.either:
            # FTS5 cannot run a MATCH under an OR, and an outer join would let in every
            # dialogue: no SQL gives the rows asked for.
            raise NotSupportedError(
                "A search cannot be combined with | on SQLite: put `or` in the query instead."
            )
        quote = connection.ops.quote_name
        alias = compiler.quote_name_unless_alias(self.table_alias)
        renamed = f" {self.table_alias}" if self.table_alias != self.table_name else ""
        # Left to itself SQLite may walk the dialogues (those of an era, say) and look each
        # one up in the index by rowid, which reruns the MATCH once per dialogue: over ten
        # times slower for a common word. The `+` leaves it only the scan of the matches as
        # the outer loop. A second search on the same queryset goes without, so that it is
        # looked up by rowid for each match of the first.
        rowid = f"{'+' if self.drives else ''}{alias}.rowid"
        parent = f"{compiler.quote_name_unless_alias(self.parent_alias)}.{quote(self.pk_column)}"
        return (
            f"INNER JOIN {quote(FTS_TABLE)}{renamed} "
            f"ON ({rowid} = {parent} AND {alias}.{quote(FTS_TABLE)} MATCH %s)",
            [self.match],
        )

    def relabeled_clone(self, change_map, *, either=None):
        return self.__class__(
            change_map.get(self.parent_alias, self.parent_alias),
            change_map.get(self.table_alias, self.table_alias),
            self.pk_column,
            self.match,
            drives=self.drives,
            either=self.either if either is None else either,
        )

    @property
    def identity(self):
        return self.__class__, self.table_name, self.parent_alias, self.match, self.drives

    def __eq__(self, other):
        if not isinstance(other, FtsJoin):
            return NotImplemented
        return self.identity == other.identity

    def __hash__(self):
        return hash(self.identity)

    def demote(self):
        return self.relabeled_clone({})

    def promote(self):
        # Django promotes a join when it may match nothing in one branch of an OR: only `|`
        # between querysets does that to this one.
        return self.relabeled_clone({}, either=True)


class Bm25(Expression):
    """The bm25 relevance of the row the `FtsJoin` aliased `alias` matched; higher is better."""

    output_field = FloatField()

    def __init__(self, alias: str):
        super().__init__()
        self.alias = alias

    def relabeled_clone(self, change_map):
        return self.__class__(change_map.get(self.alias, self.alias))

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(self.alias)
        weights = ", ".join(str(BM25_WEIGHTS[column]) for column in COLUMNS)
        # FTS5's bm25 is lower-is-better.
        return f"-bm25({table}.{connection.ops.quote_name(FTS_TABLE)}, {weights})", []


class _OnRow(Func):
    """An expression on the row's own search_vector, a column no model field describes.

    It is reached through the row's primary key, so that it names whichever alias Django gives
    the dialogue table, in a subquery as well.
    """

    def __init__(self, tsquery: str, params):
        super().__init__(F("pk"))
        self.tsquery, self.params = tsquery, tuple(params)

    def vector(self, compiler) -> str:
        return f"{compiler.quote_name_unless_alias(self.source_expressions[0].alias)}.search_vector"


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
        return f"ts_rank('{TS_RANK_WEIGHTS}', {self.vector(compiler)}, {self.tsquery})", self.params


def _sqlite_search(queryset, parsed: ParsedQuery):
    if not parsed.groups:
        if parsed.excluded:
            matching = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
            queryset = queryset.exclude(pk__in=RawSQL(matching, [_fts_any(parsed.excluded)]))
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
    queryset = queryset.all()
    query = queryset.query
    drives = not any(isinstance(entry, FtsJoin) for entry in query.alias_map.values())
    join = FtsJoin(
        query.get_initial_alias(),
        None,
        queryset.model._meta.pk.column,
        _fts_match(parsed),
        drives=drives,
    )
    alias = query.join(join, reuse=set())
    # Being nullable, it was made an outer join; it filters, so it is an inner one.
    query.alias_map[alias] = query.alias_map[alias].demote()
    return queryset.annotate(search_rank=Bm25(alias))


def _pg_search(queryset, parsed: ParsedQuery):
    if parsed.excluded:
        tsquery, params = _pg_any(parsed.excluded)
        queryset = queryset.filter(PgMatch(tsquery, params, negated=True))
    if not parsed.groups:
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
    tsquery, params = _pg_all(parsed.groups)
    return queryset.filter(PgMatch(tsquery, params)).annotate(search_rank=PgRank(tsquery, params))


def search_queryset(queryset, q: str):
    """Filter a Dialogue queryset to the dialogues matching `q`, annotated with `search_rank`.

    `search_rank` is a float, higher for a better match, and 0 when the query asks only for
    what to leave out. A query with no usable terms returns the queryset unchanged apart from
    search_rank=0.

    The result filters, counts, slices and nests as a subquery like any queryset; the rank is
    computed once per matching row, and only when it is selected or sorted on. On SQLite the
    match is an inner join of the index, which `|` cannot turn into an alternative: combine
    searches by writing `or` in the query instead.
    """
    parsed = parse(q)
    if _vendor(queryset.db) == "postgresql":
        return _pg_search(queryset, parsed)
    return _sqlite_search(queryset, parsed)


# --- Snippets -----------------------------------------------------------------------------


def snippets(ids: Iterable[int], q: str) -> dict[int, SafeString]:
    """Return, for each of one page's dialogue ids, matching text with matches in <mark>.

    The text is escaped before the marks are added, so the result is safe to show as is.
    Dialogues the query does not match, and every dialogue when the query names nothing to
    find (only exclusions, or no usable terms), get no entry: the page shows their summary.
    Runs one query for the whole page.
    """
    parsed = parse(q)
    ids = sorted({int(pk) for pk in ids})
    if not parsed.groups or not ids:
        return {}
    using = DEFAULT_DB_ALIAS
    rows = []
    with connections[using].cursor() as cursor:
        for start in range(0, len(ids), ID_CHUNK):
            chunk = ids[start : start + ID_CHUNK]
            if _vendor(using) == "postgresql":
                sql, params = _pg_snippet_sql(parsed.groups, chunk)
            else:
                sql, params = _sqlite_snippet_sql(parsed.groups, chunk)
            cursor.execute(sql, params)
            rows.extend(cursor.fetchall())
    if _vendor(using) == "postgresql":
        # Each headline comes with the text it was cut from, to say where it was cut.
        candidates = {
            row[0]: [_with_ellipses(*row[i : i + 2]) for i in range(1, len(row), 2)] for row in rows
        }
    else:
        candidates = {row[0]: list(row[1:]) for row in rows}
    return {pk: _best_snippet(texts) for pk, texts in candidates.items()}


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
    return sql, [*marks, _fts_all(groups), *ids]


def _pg_snippet_sql(groups, ids: list[int]) -> tuple[str, list]:
    tsquery, query_params = _pg_all(groups)
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
    texts = _texts("postgresql").items()
    columns = ", ".join(f"{expression} AS {column}" for column, expression in texts)
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
    prefix = "…" if _WORD.search(before) else ""
    suffix = "…" if _WORD.search(after) else after.rstrip()
    return f"{prefix}{headline}{suffix}"


def _best_snippet(texts: list[str]) -> SafeString:
    chosen = next((text for text in texts if text and MARK_START in text), texts[0] or "")
    return _mark(chosen)


def _mark(text: str) -> SafeString:
    """Escape the text, then turn balanced sentinel pairs into <mark> and drop any others."""
    html = escape(text)
    html = re.sub(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}", r"<mark>\1</mark>", html)
    return mark_safe(html.replace(MARK_START, "").replace(MARK_END, ""))


# --- Indexing -----------------------------------------------------------------------------


def _texts(vendor: str, alias: str = "d") -> dict[str, str]:
    """Return the SQL expression for each indexed column of the dialogue aliased `alias`."""
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
        "people": joined(
            "p.name",
            "; ",
            "dialogues_participation pp JOIN dialogues_participant p ON p.id = pp.participant_id "
            f"WHERE pp.dialogue_id = {alias}.id",
            "p.name",
        ),
        "places": places,
        "outcomes": joined(
            "o.description", " ", f"dialogues_outcome o WHERE o.dialogue_id = {alias}.id", "o.kind"
        ),
        "excerpts": joined(
            "c.excerpt", " … ", f"dialogues_citation c WHERE c.dialogue_id = {alias}.id", "c.id"
        ),
    }


PG_WEIGHTS = {
    "title": "A",
    "people": "B",
    "summary": "C",
    "places": "C",
    "outcomes": "C",
    "excerpts": "D",
}


def _pg_vector(alias: str = "d") -> str:
    """Return the SQL for a dialogue's weighted tsvector, one to_tsvector call per weight."""
    texts = _texts("postgresql", alias)
    parts = []
    for weight in ("A", "B", "C", "D"):
        text = " || ' ' || ".join(
            texts[column] for column in COLUMNS if PG_WEIGHTS[column] == weight
        )
        words = f"regexp_replace({text}, '{PG_SEPARATORS}', ' ', 'g')"
        parts.append(f"setweight(to_tsvector('{TS_CONFIG}', {words}), '{weight}')")
    return " || ".join(parts)


def rebuild_index(ids: Iterable[int] | None = None, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Reindex every dialogue, or only those with the given ids; return how many were indexed.

    Ids of dialogues that no longer exist are dropped from the index. Each batch of up to
    ID_CHUNK ids (or the whole archive) is one DELETE and one INSERT … SELECT on SQLite, one
    UPDATE on PostgreSQL, however many dialogues it holds.
    """
    vendor = _vendor(using)
    if ids is None:
        batches = [None]
    else:
        wanted = sorted({int(pk) for pk in ids})
        batches = [wanted[i : i + ID_CHUNK] for i in range(0, len(wanted), ID_CHUNK)]
    indexed = 0
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for batch in batches:
            if vendor == "postgresql":
                indexed += _pg_rebuild(cursor, batch)
            elif vendor == "sqlite":
                indexed += _sqlite_rebuild(cursor, batch)
    return indexed


def _id_filter(column: str, batch: list[int] | None) -> tuple[str, list[int]]:
    if batch is None:
        return "", []
    return f"WHERE {column} IN ({', '.join(['%s'] * len(batch))})", list(batch)


def _sqlite_rebuild(cursor, batch: list[int] | None) -> int:
    where, params = _id_filter("rowid", batch)
    cursor.execute(f"DELETE FROM {FTS_TABLE} {where}", params)
    where, params = _id_filter("d.id", batch)
    texts = ", ".join(_texts("sqlite").values())
    cursor.execute(
        f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(COLUMNS)}) "
        f"SELECT d.id, {texts} FROM dialogues_dialogue d {where}",
        params,
    )
    return cursor.rowcount


def _pg_rebuild(cursor, batch: list[int] | None) -> int:
    where, params = _id_filter("d.id", batch)
    # Rows whose vector comes out the same are not rewritten: writing a row also rewrites its
    # GIN entries, which costs more than computing the vector, so rerunning a full rebuild
    # over an unchanged archive takes a third of the time and leaves no dead rows behind.
    cursor.execute(
        f"""
        WITH fresh AS (
            SELECT d.id, {_pg_vector()} AS vector FROM dialogues_dialogue d {where}
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


# --- Freshness ----------------------------------------------------------------------------

# Ids waiting for the current transaction to commit, per connection (each thread has its own).
_PENDING_ATTRIBUTE = "_search_pending"


def _pending(using: str) -> dict[str, set[int]]:
    connection = connections[using]
    pending = getattr(connection, _PENDING_ATTRIBUTE, None)
    if pending is None:
        pending = {"dialogues": set(), "participants": set()}
        setattr(connection, _PENDING_ATTRIBUTE, pending)
    return pending


def _queue(using: str, *, dialogues=(), participants=()) -> None:
    pending = _pending(using)
    pending["dialogues"].update(pk for pk in dialogues if pk is not None)
    pending["participants"].update(pk for pk in participants if pk is not None)
    # A callback per change, not per transaction: one registered inside a savepoint that rolls
    # back is discarded, and a later change must not rely on it. After the first has run and
    # emptied the queue, the rest find nothing to do.
    transaction.on_commit(partial(_flush, using), using=using, robust=True)


def _flush(using: str) -> None:
    pending = _pending(using)
    dialogues, participants = pending["dialogues"], pending["participants"]
    if not dialogues and not participants:
        return
    pending["dialogues"], pending["participants"] = set(), set()
    if participants:
        dialogues |= set(
            Participation.objects.using(using)
            .filter(participant_id__in=participants)
            .values_list("dialogue_id", flat=True)
        )
    rebuild_index(dialogues, using=using)


@receiver(post_save, sender=Dialogue, dispatch_uid="search_dialogue_saved")
@receiver(post_delete, sender=Dialogue, dispatch_uid="search_dialogue_deleted")
def _dialogue_changed(sender, instance, using, **kwargs):
    _queue(using, dialogues=[instance.pk])


@receiver(post_save, sender=Participation, dispatch_uid="search_participation_saved")
@receiver(post_delete, sender=Participation, dispatch_uid="search_participation_deleted")
@receiver(post_save, sender=Outcome, dispatch_uid="search_outcome_saved")
@receiver(post_delete, sender=Outcome, dispatch_uid="search_outcome_deleted")
@receiver(post_save, sender=Citation, dispatch_uid="search_citation_saved")
@receiver(post_delete, sender=Citation, dispatch_uid="search_citation_deleted")
def _part_changed(sender, instance, using, **kwargs):
    _queue(using, dialogues=[instance.dialogue_id])


@receiver(pre_save, sender=Participant, dispatch_uid="search_participant_saving")
def _note_participant_name(sender, instance, using, raw=False, **kwargs):
    # Only a new name changes the index; one lookup here spares reindexing every dialogue a
    # participant took part in whenever their bio is edited. A raw save (a fixture) cannot be
    # compared cheaply in bulk, so it is treated as changed.
    if raw or instance.pk is None:
        instance._search_name_changed = raw
        return
    old = sender.objects.using(using).filter(pk=instance.pk).values_list("name", flat=True)
    instance._search_name_changed = list(old) != [instance.name]


@receiver(post_save, sender=Participant, dispatch_uid="search_participant_saved")
def _participant_saved(sender, instance, using, created, **kwargs):
    if not created and getattr(instance, "_search_name_changed", True):
        _queue(using, participants=[instance.pk])
