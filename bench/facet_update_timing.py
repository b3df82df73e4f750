"""Time the facet index's update in place after one save, against reading the orders again.

    DATABASE_URL=... DJANGO_DEBUG=true python -m bench.facet_update_timing [--runs 7]

Against a synthetic archive (`manage.py generate_synthetic --dialogues 10000 --seed 7`), it
builds the index once, then for each kind of save that moves a dialogue in or out of the public
set or in an order (publishing a draft, withdrawing a published dialogue, changing a date,
changing a title) makes the change inside a transaction that is rolled back afterwards and
times `facet_index.update` on it, in process, both ways:

- `placed`: each changed dialogue placed in each order by a few `LIMIT 1` queries on the
  order's index, and the arrays spliced (what a save does);
- `reread`: every order read again from the database in full (what a save did before, and
  what it still does for more than `update.MOST_PLACED` dialogues at once).

It prints the median and the fastest of `--runs` updates of each, in milliseconds, with a full
build for scale, and checks that both ways give the index a build gives.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings")


class _Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from dialogues.listing import facet_index

    updating = importlib.import_module("dialogues.listing.facet_index.update")
    from dialogues.models import Dialogue, Status

    day = timezone.localdate()
    started = time.perf_counter()
    built_old = facet_index.build(day)
    built = time.perf_counter() - started
    public = Dialogue.objects.public().order_by("pk")
    middle = public[public.count() // 2]

    def status(value):
        def change(dialogue):
            dialogue.status = value

        return change

    def field(name, value):
        return lambda dialogue: setattr(dialogue, name, value)

    # Each save: how the dialogue is made ready first (in the index updated from), then the save.
    edits = {
        "publish": (status(Status.DRAFT), status(Status.PUBLISHED)),
        "withdraw": (None, status(Status.WITHDRAWN)),
        "date": (None, field("date", "1971-03")),
        "title": (None, field("title", "Aaron's round")),
    }
    print(
        f"{connection.vendor}, {built_old.size:,} public dialogues; "
        f"a full build: {built * 1000:.0f} ms; medians (fastest) of {args.runs} updates"
    )
    print(f"{'save':10} {'placed (ms)':>16} {'reread (ms)':>16} {'queries':>8}")
    for name, edit in edits.items():
        figures = {}
        old = built_old
        try:
            with transaction.atomic():
                dialogue = Dialogue.objects.get(pk=middle.pk)
                prepare, change = edit
                if prepare is not None:
                    prepare(dialogue)
                    dialogue.save()
                    old = facet_index.build(day)
                change(dialogue)
                dialogue.save()
                expected = _contents(facet_index.build(day))
                for way, most in (("placed", updating.MOST_PLACED), ("reread", -1)):
                    saved, updating.MOST_PLACED = updating.MOST_PLACED, most
                    times, ran = [], []

                    def counted(execute, sql, params, many, context, ran=ran):
                        ran.append(sql)
                        return execute(sql, params, many, context)

                    try:
                        for _ in range(args.runs):
                            ran.clear()
                            started = time.perf_counter()
                            with connection.execute_wrapper(counted):
                                index = facet_index.update(old, [dialogue.pk], day)
                            times.append(time.perf_counter() - started)
                            queries = len(ran)
                    finally:
                        updating.MOST_PLACED = saved
                    if _contents(index) != expected:
                        sys.exit(f"{name}, {way}: the updated index differs from a build")
                    figures[way] = (times, queries)
                raise _Rollback
        except _Rollback:
            pass
        cells = [
            f"{statistics.median(t) * 1000:8.1f} ({min(t) * 1000:5.1f})"
            for t, _ in (figures["placed"], figures["reread"])
        ]
        print(f"{name:10} {cells[0]:>16} {cells[1]:>16} {figures['placed'][1]:>8}")


def _contents(index) -> tuple:
    return (
        list(index.ids),
        {sort: list(order) for sort, order in index.orders.items()},
        {sort: list(rank) for sort, rank in index.ranks.items()},
        (list(index.earliest), index.earliest_from, list(index.latest), index.latest_from),
        [(a, b, list(bitmap)) for a, b, bitmap in index.latest_years],
        {name: {key: list(bitmap) for key, bitmap in index.bitmaps(name)} for name in index.values},
        {key: list(bitmap) for key, bitmap in index.places.items()},
    )


if __name__ == "__main__":
    main()
