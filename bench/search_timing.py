"""Time full-text search on a large archive: count, first page by relevance, snippets.

    DATABASE_URL=sqlite:////path/to/archive.sqlite3 DJANGO_DEBUG=true \\
        python -m bench.search_timing [--runs 15] [--explain] [--json FILE]
    DATABASE_URL=postgres://user@host:5432/archive DJANGO_DEBUG=true \\
        python -m bench.search_timing

Runs in-process against the configured database, which should hold a synthetic archive
(`python manage.py generate_synthetic --dialogues 100000 --seed 1`). For each query it times,
as the median of `--runs` rounds (queries interleaved, so a burst of load on the machine
spreads over all of them):

    count   the filtered queryset's count(), as the list page and the API make it;
    ids     the first page's ids ordered by relevance (the list page's paged query);
    rows    the first page as full dialogue cards (rows, era, conflict, prefetches);
    snip    the snippets for that page (one query);
    page    the whole list page through the test client with nothing cached (count and
            facets computed afresh, as after any edit to the archive);
    warm    the same page again with the count and facets cached, as most visits find it.

`--explain` prints each query's count and page plans (EXPLAIN QUERY PLAN on SQLite, EXPLAIN
ANALYZE on PostgreSQL), to check that the full-text index is used. CPU time (in-process) is shown
for SQLite, where the database runs in the benchmark's own process; on a loaded machine it is a
steadier figure than the wall-clock time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from dialogues import caching, search  # noqa: E402
from dialogues.listing import selectors  # noqa: E402
from dialogues.listing.filters import DialogueFilterSet  # noqa: E402
from dialogues.models import Dialogue, Era  # noqa: E402

PAGE_SIZE = 20
STEPS = ("count", "ids", "rows", "snip", "page", "warm")


def rare_word() -> str:
    """Return the word, among the rarest in a sample of summaries, that the fewest match."""
    counts: Counter = Counter()
    for summary in Dialogue.objects.order_by("pk").values_list("summary", flat=True)[:5000]:
        counts.update(word for word in re.findall(r"[^\W\d_]{4,}", summary.lower()))
    candidates = sorted(counts, key=lambda word: (counts[word], word))[:20]
    found = [(search.search_queryset(Dialogue.objects.all(), w).count(), w) for w in candidates]
    found = [(n, word) for n, word in found if n]
    return min(found)[1] if found else "zanzibar"


def queries(common: str) -> list[tuple[str, dict]]:
    eras = list(Era.objects.order_by("position").values_list("slug", flat=True))
    era = eras[len(eras) // 2] if eras else ""
    rare = rare_word()
    return [
        ("common word", {"q": common}),
        ("every dialogue", {"q": "the"}),
        ("rare word", {"q": rare}),
        ("phrase", {"q": '"peace talks"'}),
        ("or", {"q": "refugees or prisoners"}),
        ("word -word", {"q": f"{common} -water"}),
        ("word + era", {"q": common, "era": era}),
        ("word + era + outcome", {"q": common, "era": era, "outcome": "proposal"}),
    ]


def timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def one_round(params: dict, client: Client) -> dict[str, tuple[float, float]]:
    times = {}
    filterset = DialogueFilterSet(params, queryset=Dialogue.objects.all())
    assert filterset.is_valid(), filterset.errors
    qs = filterset.qs
    _, *times["count"] = timed(qs.count)
    ids, *times["ids"] = timed(lambda: list(qs.values_list("pk", flat=True)[:PAGE_SIZE]))
    _, *times["rows"] = timed(lambda: list(selectors.dialogue_cards(qs)[:PAGE_SIZE]))
    _, *times["snip"] = timed(lambda: search.snippets(ids, params["q"]))
    caching.bump()
    response, *times["page"] = timed(lambda: client.get("/dialogues/", params))
    assert response.status_code == 200, response.status_code
    _, *times["warm"] = timed(lambda: client.get("/dialogues/", params))
    return times


def explain(params: dict) -> None:
    qs = DialogueFilterSet(params, queryset=Dialogue.objects.all()).qs
    statements = {
        "count": qs.order_by().values("pk").query,
        "page": qs.values_list("pk", flat=True)[:PAGE_SIZE].query,
    }
    for label, query in statements.items():
        sql, sql_params = query.sql_with_params()
        if label == "count":
            # Django builds the count when it runs it; counting the ids plans the same.
            sql = f"SELECT COUNT(*) FROM ({sql}) counted"
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", sql_params)
                lines = [row[0] for row in cursor.fetchall()]
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", sql_params)
                lines = [row[-1] for row in cursor.fetchall()]
        print(f"    {label}:")
        for line in lines:
            print(f"        {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="rounds per query (median)")
    parser.add_argument("--common", default="negotiations", help="a word most dialogues have")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--json", help="also write the medians to this file")
    args = parser.parse_args()

    client = Client(HTTP_HOST="localhost")
    total = Dialogue.objects.count()
    chosen = queries(args.common)
    counts = {}
    for label, params in chosen:
        counts[label] = DialogueFilterSet(params, queryset=Dialogue.objects.all()).qs.count()
        one_round(params, client)  # warm the caches of the database and the OS
    samples: dict[str, dict[str, list]] = {label: {s: [] for s in STEPS} for label, _ in chosen}
    for _ in range(args.runs):
        for label, params in chosen:
            for step, value in one_round(params, client).items():
                samples[label][step].append(value)

    sqlite = connection.vendor == "sqlite"
    print(f"{connection.vendor}, {total:,} dialogues, median of {args.runs} runs, in ms")
    unit = " (wall/cpu)" if sqlite else " (wall)"
    print(f"{'query' + unit:34} {'matches':>8} " + " ".join(f"{s:>11}" for s in STEPS))
    medians = {}
    for label, params in chosen:
        row = {}
        cells = []
        for step in STEPS:
            wall = statistics.median(w for w, _ in samples[label][step]) * 1000
            cpu = statistics.median(c for _, c in samples[label][step]) * 1000
            row[step] = {"wall_ms": round(wall, 1), "cpu_ms": round(cpu, 1)}
            cells.append(f"{wall:5.0f}/{cpu:<5.0f}" if sqlite else f"{wall:11.1f}")
        medians[label] = {"params": params, "matches": counts[label], **row}
        print(f"{label:34} {counts[label]:8,} " + " ".join(cells))
        if args.explain:
            explain(params)
    if args.json:
        Path(args.json).write_text(json.dumps(medians, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
