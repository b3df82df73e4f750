"""Time a ranked search's first page on PostgreSQL with the RUM index and without it.

    DATABASE_URL=postgres://user@host:5432/archive DJANGO_DEBUG=true \\
        python -m bench.rum_timing [--runs 7] [--words 8]

Against a synthetic archive (`make bench` builds them), for the most common, middling and
rarest words of the summaries, alone and with a filter, it times the first page of the list's
relevance order as a cold list page finds it (`selectors.dialogue_ids`: the matches, the facet
index's selection, then the ranking), with no cached figure. Each round runs every query once
with the RUM index and once without it (dropped inside a transaction that is rolled back), so a
burst of load on the machine falls on both alike; the figure is the median over the rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--words", type=int, default=6, help="Words of each kind (default 6).")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection, transaction
    from django.http import QueryDict

    from dialogues.listing import facet_index, selectors
    from dialogues.listing.filters import DialogueFilterSet
    from dialogues.search import rum

    if connection.vendor != "postgresql" or not rum.available(connection):
        sys.exit("needs a PostgreSQL archive with the RUM index (make rum, then migrate)")
    words = vocabulary(connection, args.words)
    era = connection.cursor().execute("SELECT slug FROM dialogues_era LIMIT 1").fetchone()[0]
    facet_index.current(inline=True)
    queries = {
        f"{kind}{' + era' if era_filter else ''}": [
            f"q={word}&sort=relevance" + (f"&era={era}" if era_filter else "") for word in chosen
        ]
        for kind, chosen in words.items()
        for era_filter in (False, True)
    }
    times = {(name, path): [] for name in queries for path in ("rum", "gin")}

    def page(query: str) -> None:
        list(selectors.dialogue_ids(DialogueFilterSet(QueryDict(query)))[0:20])

    for _ in range(args.runs):
        for path in ("rum", "gin"):
            with transaction.atomic():
                if path == "gin":
                    connection.cursor().execute(f"DROP INDEX {rum.RUM_INDEX}")
                rum.forget(connection)
                for name, urls in queries.items():
                    for query in urls:
                        started = time.perf_counter()
                        page(query)
                        times[(name, path)].append((time.perf_counter() - started) * 1000)
                transaction.set_rollback(True)
            rum.forget(connection)
    print(f"{'words':<16}{'with RUM p50':>14}{'GIN only p50':>14}{'slower':>9}")
    for name in queries:
        with_rum = statistics.median(times[(name, "rum")])
        without = statistics.median(times[(name, "gin")])
        print(f"{name:<16}{with_rum:>11.1f} ms{without:>11.1f} ms{without / with_rum:>8.1f}×")
    for kind, chosen in words.items():
        print(f"{kind}: {', '.join(chosen)}")


def vocabulary(connection, n: int) -> dict[str, list[str]]:
    """The n most common, middling and rarest words of the summaries, by matching dialogues."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat($$SELECT to_tsvector('simple', summary) "
            "FROM dialogues_dialogue$$) WHERE length(word) > 4 AND word ~ '^[a-z]+$' "
            # Stop words match nothing: leave them out.
            "AND to_tsvector('trackii', word) <> ''::tsvector "
            "ORDER BY ndoc DESC, word"
        )
        rows = [word for word, _ in cursor.fetchall()]
    middle = len(rows) // 2
    return {"common": rows[:n], "middle": rows[middle : middle + n], "rare": rows[-n:]}


if __name__ == "__main__":
    main()
