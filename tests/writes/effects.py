"""Counting what follows a write, as it reaches the database."""

from __future__ import annotations

from dialogues import caching
from dialogues.search import postgres, sqlite


def count_effects(monkeypatch) -> dict:
    """Count the generation's moves and the search index's rebuilds from now on.

    `reindexed` collects the ids rebuilt, or None when the whole archive was.
    """
    counted = {"bumps": 0, "reindexes": 0, "reindexed": set()}
    bump = caching.bump

    def counting_bump(*args, **kwargs):
        counted["bumps"] += 1
        return bump(*args, **kwargs)

    monkeypatch.setattr(caching, "bump", counting_bump)
    for backend in (postgres, sqlite):

        def counting_rebuild(cursor, batch, day, rebuild=backend.rebuild):
            counted["reindexes"] += 1
            if batch is None:
                counted["reindexed"] = None
            elif counted["reindexed"] is not None:
                counted["reindexed"].update(batch)
            return rebuild(cursor, batch, day)

        monkeypatch.setattr(backend, "rebuild", counting_rebuild)
    return counted
