"""PostgreSQL's RUM index, when the database has it: ranked search without scoring every match.

GIN finds the matches of a query but keeps no word positions, so ranking them reads and scores
every matching row's vector (`ts_rank`) before the first page can be cut: a common word's half
of the archive. RUM (the `rum` extension, Debian's `postgresql-15-rum`) keeps the positions in
the index and serves `ORDER BY search_vector <=> query LIMIT k` from it, best first, with no
visit to the rows it does not return.

Migration 0014 builds the index `RUM_INDEX` when the server has the extension; a database
without it keeps today's GIN path. Which one a connection has is asked once per connection
(`available`), so a worker follows a database that gains or loses the index when it next
reconnects (`CONN_MAX_AGE`).

Ranking by RUM orders by its distance `<=>`, the inverse of RUM's score (`rum_ts_score`). For
one word that score equals `ts_rank` with the same weights; for several words it scores the
same way but without `ts_rank`'s damping of each extra word, so a dialogue matching every word
in its title still comes before one matching them in its summary. Equal scores are common (a
word once in a summary scores the same in every dialogue), and the order among them is the
list's: earliest date, then id. RUM returns equal distances in no such order, so
`best_first` reads from the index until the tie that holds the page's last row is complete,
then sorts what it read; only when that tie is huge does it score every match instead.
"""

from __future__ import annotations

RUM_INDEX = "dialogues_dialogue_search_rum"
# Rows read beyond the page at first, to find where its last tie ends.
TIE_SLACK = 100
# Past this many rows read, score every match instead (a tie as large as the archive's share).
MOST_ROWS = 20_000
_CACHE_ATTRIBUTE = "_trackii_rum"


def available(connection) -> bool:
    """Whether `connection` (a PostgreSQL DatabaseWrapper) has the RUM index on search_vector."""
    connection.ensure_connection()
    cached = getattr(connection, _CACHE_ATTRIBUTE, None)
    if cached is not None and cached[0] is connection.connection:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [RUM_INDEX])
        found = bool(cursor.fetchone()[0])
    setattr(connection, _CACHE_ATTRIBUTE, (connection.connection, found))
    return found


def forget(connection) -> None:
    """Ask again at the next search (after the index was built or dropped on this connection)."""
    if hasattr(connection, _CACHE_ATTRIBUTE):
        delattr(connection, _CACHE_ATTRIBUTE)


def score(vector: str, tsquery: str) -> str:
    """The rank of `vector` for `tsquery` in RUM's order: higher is better, 0 for no match.

    The inverse of the distance the index orders by, in double precision, rather than
    `rum_ts_score` (single precision): rounding could tie two scores whose distances differ,
    and the ranked queryset must order exactly as the index does.
    """
    return f"(1.0::float8 / {distance(vector, tsquery)})"


def distance(vector: str, tsquery: str) -> str:
    """RUM's distance, which its index orders by: lower is better."""
    return f"({vector} <=> {tsquery})"


def best_first(cursor, where: str, where_params, tsquery: str, params, stop: int):
    """Return the first `stop` ids matching `where`, by distance, then earliest date, then id.

    Reads rows from the RUM index in distance order, `stop` and some more, and more again until
    a row past the `stop`-th is farther than it: then every row as near as the `stop`-th has
    been read, and sorting them by date and id gives exactly the list's order. None when that
    takes more than `MOST_ROWS` rows (the caller scores every match instead).
    """
    order = distance("search_vector", tsquery)
    fetch = stop + TIE_SLACK
    while True:
        cursor.execute(
            f"SELECT id, date_earliest, {order} FROM dialogues_dialogue WHERE {where} "
            f"ORDER BY {order} LIMIT %s",
            [*params, *where_params, *params, fetch],
        )
        rows = cursor.fetchall()
        if len(rows) < fetch or rows[-1][2] > rows[stop - 1][2]:
            break
        if fetch >= MOST_ROWS:
            return None
        fetch = min(fetch * 4, MOST_ROWS)
    # As ORDER BY distance, date_earliest, id: PostgreSQL puts a missing date last.
    rows.sort(key=lambda row: (row[2], row[1] is None, row[1] or 0, row[0]))
    return [row[0] for row in rows[:stop]]
