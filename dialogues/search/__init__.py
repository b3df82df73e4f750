"""Full-text search over dialogues, alike on SQLite (FTS5) and PostgreSQL (tsvector).

Each dialogue is indexed on its title, summary, participants' names, place and venue, outcome
descriptions and citation excerpts (`columns`). Words are stemmed ("negotiate" finds
"negotiations") and accents are ignored ("Rene" finds "René").

Arabic and Hebrew are found however they are written (with or without marks, any alef, final
letters or not): `normalise` holds the one table both indexes and every query apply.

- `normalise`: that table, as Python, as the SQL function both databases run, and the offsets
  that carry a snippet back onto the text as written.
- `query`: the query language; `parse()` reads a user's text once into a `ParsedQuery`, which
  everything below takes.
- `queryset`: `search_queryset()`, which hands the query to the backend of the database.
- `sqlite`, `postgres`: the two backends: querying, ranking and rebuilding.
- `_django_internals`: the one place that leans on Django's private query API.
- `snippets`: the matching stretch of each result's text, marked up.
- `index`: `rebuild_index()`, which `dialogues.writes` calls after every change, and
  `stale_dialogues()`, what `manage.py lift_embargoes` reindexes.
"""

from .index import rebuild_index
from .query import MAX_TERM_LENGTH, MAX_TERMS, ParsedQuery, describe, parse
from .queryset import search_queryset
from .snippets import snippets
from .sqlite import FTS_TABLE

__all__ = [
    "FTS_TABLE",
    "MAX_TERMS",
    "MAX_TERM_LENGTH",
    "ParsedQuery",
    "describe",
    "parse",
    "rebuild_index",
    "search_queryset",
    "snippets",
]
