"""Searching a Dialogue queryset, on whichever database it reads from."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

from . import postgres, sqlite
from .query import ParsedQuery, parsed


def search_queryset(queryset, query: ParsedQuery | str):
    """Filter a Dialogue queryset to the dialogues matching `query`, annotated with `search_rank`.

    `query` is a `ParsedQuery`, or raw text to parse. `search_rank` is a float, higher for a
    better match, and 0 when the query asks only for what to leave out. A query with no usable
    terms returns the queryset unchanged apart from search_rank=0.

    The result filters, counts, slices and nests as a subquery like any queryset; the rank is
    computed once per matching row, and only when it is selected or sorted on. On SQLite the
    match is an inner join of the index, which `|` cannot turn into an alternative: combine
    searches by writing `or` in the query instead.
    """
    query = parsed(query)
    if connections[queryset.db].vendor == "postgresql":
        return postgres.search(queryset, query)
    return sqlite.search(queryset, query)


def search_ids(query: ParsedQuery | str, *, using: str = DEFAULT_DB_ALIAS):
    """Return `(ids, excluded)`: the ids of every dialogue `query` matches, or None.

    Drafts and embargoed dialogues are among them: the caller keeps the public ones. `excluded`
    is True when the ids are those to leave out (a query of exclusions only); None means the
    query has no usable terms and narrows nothing, as `search_queryset` does then.
    """
    query = parsed(query)
    if not query.groups and not query.excluded:
        return None
    backend = postgres if connections[using].vendor == "postgresql" else sqlite
    with connections[using].cursor() as cursor:
        return backend.matching_ids(cursor, query)
