"""The search index: rebuilding it, and bringing it up to date with today's disclosures.

Every write reindexes the dialogues it touched through `dialogues.writes`, which calls
`rebuild_index()`; nothing else here writes, and no search writes.

Withheld names are left out of the index (`columns.texts`), and the index notes which
participations each row was built without (the table `dialogues_search_withheld`).
`stale_dialogues()` compares those notes with the participations as they are today: a name
whose embargo date has come is among them until `manage.py lift_embargoes` (run by a scheduler
shortly after midnight) reindexes its dialogue through `dialogues.writes`. Time alone only ever
discloses names (no date makes a name withheld), so meanwhile a search finds that dialogue by
its other words but not yet by the name: nothing withheld is ever shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from ..models import withheld_sql
from ..models.disclosure import today
from . import postgres, sqlite
from .columns import ID_CHUNK, id_filter

WITHHELD_TABLE = "dialogues_search_withheld"


def rebuild_index(ids: Iterable[int] | None = None, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Reindex every dialogue, or only those with the given ids; return how many were indexed.

    Ids of dialogues that no longer exist are dropped from the index. Each batch of up to
    ID_CHUNK ids (or the whole archive) is one DELETE and one INSERT … SELECT on SQLite, one
    UPDATE on PostgreSQL, however many dialogues it holds.
    """
    vendor = connections[using].vendor
    if ids is None:
        batches = [None]
    else:
        wanted = sorted({int(pk) for pk in ids})
        batches = [wanted[i : i + ID_CHUNK] for i in range(0, len(wanted), ID_CHUNK)]
    indexed = 0
    day = today()
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for batch in batches:
            if vendor == "postgresql":
                indexed += postgres.rebuild(cursor, batch, day)
            elif vendor == "sqlite":
                indexed += sqlite.rebuild(cursor, batch, day)
            _note_withheld(cursor, batch, day)
    return indexed


def _note_withheld(cursor, batch: list[int] | None, day) -> None:
    """Record which participations the index rows of `batch` were built without."""
    where, params = id_filter("dialogue_id", batch)
    cursor.execute(f"DELETE FROM {WITHHELD_TABLE} {where}", params)
    where, params = id_filter("pp.dialogue_id", batch)
    hidden = withheld_sql("pp", day)
    condition = f"{where} AND {hidden}" if where else f"WHERE {hidden}"
    cursor.execute(
        f"INSERT INTO {WITHHELD_TABLE} (participation_id, dialogue_id) "
        f"SELECT pp.id, pp.dialogue_id FROM dialogues_participation pp {condition}",
        params,
    )


def stale_dialogues(*, using: str = DEFAULT_DB_ALIAS) -> set[int]:
    """Return the ids of dialogues whose index row disagrees with today's disclosures.

    Both halves read only withheld rows (the notes, and the participations' partial index),
    so the check costs the same however large the archive is.
    """
    hidden = withheld_sql("pp", today())
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"""
            SELECT w.dialogue_id FROM {WITHHELD_TABLE} w
            LEFT JOIN dialogues_participation pp ON pp.id = w.participation_id
            WHERE pp.id IS NULL OR pp.dialogue_id <> w.dialogue_id OR NOT {hidden}
            UNION
            SELECT pp.dialogue_id FROM dialogues_participation pp
            WHERE pp.withheld AND {hidden} AND NOT EXISTS (
                SELECT 1 FROM {WITHHELD_TABLE} w WHERE w.participation_id = pp.id
            )
            """
        )
        return {row[0] for row in cursor.fetchall()}
