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

Ranking by RUM orders by `rum_ts_score`, RUM's own score, whose distance `<=>` is its inverse.
For one word it equals `ts_rank` with the same weights; for several words it scores the same
way but without `ts_rank`'s damping of each extra word, so a dialogue matching every word in its
title still comes before one matching them in its summary.
"""

from __future__ import annotations

RUM_INDEX = "dialogues_dialogue_search_rum"
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
    """RUM's score of `vector` for `tsquery`: higher is better, the inverse of `<=>`."""
    return f"rum_ts_score({vector}, {tsquery})"


def distance(vector: str, tsquery: str) -> str:
    """RUM's distance, which its index orders by: lower is better."""
    return f"({vector} <=> {tsquery})"
