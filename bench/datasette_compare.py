"""Datasette serving the same archive: the yardstick for the filtered and searched list pages.

Datasette opens the benchmark's SQLite file read-only (`--immutable`) and searches the archive's
own FTS5 index, named per request with `_fts_table=dialogues_dialogue_fts&_fts_pk=id`, since
the index is not a Datasette-style FTS table tied to its content table. A PostgreSQL run uses the
SQLite file built with the same size and seed: the generator makes the same data from the same
seed, so the two hold the same archive.

Equivalent pages, 20 rows a page like the archive's list:

- by era: `?era_id=N` (the archive filters by the era's slug; the file maps slug to id);
- by era and outcome: `?era_id=N&_where=id in (select dialogue_id from dialogues_outcome where
  kind = 'K')`, a subquery instead of the archive's join, since a Datasette table page cannot
  join; `_where` is allowed to anyone by Datasette's default permissions;
- searched: `?_search=word`; Datasette orders matches by primary key, not by relevance;
- searched and filtered: both.

The archive's sorts map to `_sort=date_earliest`, `_sort_desc=date_latest` and `_sort=title`.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from urllib.parse import urlencode

TABLE = "dialogues_dialogue"
FTS = {"_fts_table": "dialogues_dialogue_fts", "_fts_pk": "id"}
PAGE_SIZE = 20
EQUIVALENT_KINDS = ("era", "era_outcome", "search_common", "search_rare", "search_filter")
SORTS = {"date": ("_sort", "date_earliest"), "-date": ("_sort_desc", "date_latest")}
SORTS["title"] = ("_sort", "title")
HOW = {
    "era": "?era_id=N",
    "era_outcome": "?era_id=N&_where=id in (select dialogue_id from dialogues_outcome "
    "where kind='K')",
    "search_common": "?_search=word",
    "search_rare": "?_search=word",
    "search_filter": "?_search=word&era_id=N[&_where=…outcome…]",
}


def era_ids(sqlite_path: Path) -> dict[str, int]:
    """Map each era's slug to its id in the SQLite file Datasette serves."""
    connection = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        return dict(connection.execute("SELECT slug, id FROM dialogues_era"))
    finally:
        connection.close()


def equivalent(params: dict, ids: dict[str, int]) -> dict | None:
    """The Datasette query string parameters for the archive's list parameters, or None."""
    query: dict[str, str | int] = {}
    if "era" in params:
        if params["era"] not in ids:
            return None
        query["era_id"] = ids[params["era"]]
    if "outcome" in params:
        kind = str(params["outcome"]).replace("'", "''")
        query["_where"] = f"id in (select dialogue_id from dialogues_outcome where kind = '{kind}')"
    if "q" in params:
        query["_search"] = params["q"]
        query.update(FTS)
    if "sort" in params:
        name, column = SORTS[params["sort"]]
        query[name] = column
    if "page" in params:
        # Datasette pages by key (`_next`), not by number: there is no equal of page N.
        return None
    query["_size"] = PAGE_SIZE
    return query


def datasette_paths(workload: dict, database_name: str, ids: dict[str, int]) -> dict[str, list]:
    """The Datasette paths equivalent to each comparable kind's URL list, in the same order."""
    result = {}
    for kind in EQUIVALENT_KINDS:
        paths = []
        for params in workload["kinds"].get(kind, {}).get("params", []):
            query = equivalent(params, ids)
            if query is not None:
                paths.append(f"/{database_name}/{TABLE}?{urlencode(query)}")
        if paths:
            result[kind] = paths
    return result


def command(sqlite_path: Path, port: int) -> list[str]:
    executable = Path(sys.executable).parent / "datasette"
    program = [str(executable)] if executable.exists() else [sys.executable, "-m", "datasette"]
    return [
        *program,
        "serve",
        "--immutable",
        str(sqlite_path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "10000",
    ]


def server(sqlite_path: Path, log_path: Path):
    """Datasette on the file, as a bench.server.Server (started by the caller)."""
    from bench.server import Server, plain_env

    return Server(
        lambda port: command(sqlite_path, port), plain_env(), log_path, "/-/versions.json"
    )
