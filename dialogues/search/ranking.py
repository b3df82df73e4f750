"""A page of a search in relevance order, ranked only among the dialogues the page may show.

The list's other sorts are paged by the facet index; relevance needs the database's own score
(FTS5's bm25 on SQLite, ts_rank on PostgreSQL). Ranking every match of a common word, then
joining every active filter in SQL, is what made a search with filters slow. Here the facet
index has already found the wanted dialogues (the search's matches under every other filter,
public only), so the database ranks:

- when most of the matches are wanted (a search with no filter, or a broad one), the best
  matches in order, as far as the page needs (`LIMIT`), keeping the wanted ones and asking
  for more only when too few of the first were;
- when few are, only those: their ids go with the query, and nothing else is scored.

The order is exactly `SORTS["relevance"]`: score, then earliest date, then id, the same
expressions as the ranked queryset (`sqlite.Bm25`, `postgres.PgRank`), so a page is the same
whichever way it is found.
"""

from __future__ import annotations

import math

from django.db import DEFAULT_DB_ALIAS, connections
from pyroaring import BitMap

from . import postgres, rum, sqlite
from .query import ParsedQuery

# Rank among the wanted ids themselves when they are fewer than this share of the matches.
SPARSE_SHARE = 0.5
# The same with PostgreSQL's RUM index, which reads the best matches without scoring the rest:
# reading on past the unwanted ones costs less than scoring every wanted one, down to a few.
RUM_SPARSE_SHARE = 0.02
# Room for the unwanted matches among the first ranked rows, beyond the page's own share.
SLACK = 20


def ranked_page(
    query: ParsedQuery,
    index,
    wanted: BitMap,
    matches: int,
    start: int,
    stop: int,
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> list[int]:
    """Return the ids ranked `start` to `stop` among the wanted matches of `query`.

    `wanted` holds the facet index's positions of the dialogues that may be shown, out of the
    `matches` the query has. `query` must have groups: a query of exclusions alone has no
    score to rank by.
    """
    if start >= stop or start >= len(wanted):
        return []
    connection = connections[using]
    backend = postgres if connection.vendor == "postgresql" else sqlite
    share = SPARSE_SHARE
    if backend is postgres and rum.available(connection):
        share = RUM_SPARSE_SHARE
    with connection.cursor() as cursor:
        if len(wanted) < share * matches:
            ids = [index.ids[position] for position in wanted]
            return backend.ranked_ids(cursor, query, ids, stop - start, start)
        limit = math.ceil(stop * matches / len(wanted)) + SLACK
        while True:
            rows = backend.ranked_ids(cursor, query, None, limit, 0)
            found = [pk for pk in rows if _is_in(index.position(pk), wanted)]
            if len(found) >= stop or len(rows) < limit:
                return found[start:stop]
            limit *= 4


def _is_in(position: int, wanted: BitMap) -> bool:
    return position >= 0 and position in wanted  # NO_ID (not public) is negative
