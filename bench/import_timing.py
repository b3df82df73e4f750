"""Time the bulk import of dialogues: a dry run, the import, a second dry run, and the undo.

    python -m bench.import_timing --rows 10000
    DATABASE_URL=postgres://… python -m bench.import_timing --rows 10000

It builds a throwaway database beside the configured one (a SQLite file under bench/tmp/, or
`<name>_import_timing` on PostgreSQL), with eras, conflicts, 200 sources and
2,000 participants, writes a file of ROWS new dialogues (three participants, one or two
outcomes and two citations each; dates of every plain precision, spans, and a tenth
approximate), and times each step as the admin and `import_records` run it. The database is
removed afterwards.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TMP = ROOT / "bench" / "tmp"


def _setup():
    # As in production: with debug on, Django keeps and formats every query's SQL, which for
    # bulk inserts of thousands of rows costs as much as the inserts.
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    # Its own name, so that it never meets the test suite's database.
    if database["ENGINE"].endswith("sqlite3"):
        TMP.mkdir(parents=True, exist_ok=True)
        database.setdefault("TEST", {})["NAME"] = str(TMP / "import_timing.sqlite3")
    else:
        database.setdefault("TEST", {})["NAME"] = f"{database['NAME']}_import_timing"


def _archive(rng):
    from dialogues.models import Conflict, Era, Participant, Side, Source

    eras = [
        Era.objects.create(
            slug=f"era-{i}", name=f"Era {i}", position=i, date=f"{start}/{start + 9}", summary="."
        )
        for i, start in enumerate(range(1970, 2030, 10), start=1)
    ]
    Conflict.objects.create(slug="israeli-palestinian", name="Israeli–Palestinian conflict")
    Source.objects.bulk_create(
        Source(slug=f"source-{i}", title=f"Source {i}", author="A. Writer", date="2006")
        for i in range(200)
    )
    sides = list(Side.values)
    Participant.objects.bulk_create(
        Participant(slug=f"person-{i}", name=f"Person {i}", kind="person", side=sides[i % 3])
        for i in range(2000)
    )
    return eras


def _date(rng, era_start: int) -> str:
    year = rng.randint(era_start + 1, era_start + 8)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    form = rng.random()
    if form < 0.1:
        return f"{year}~"
    if form < 0.3:
        return str(year)
    if form < 0.5:
        return f"{year}-{month:02d}"
    if form < 0.9:
        return f"{year}-{month:02d}-{day:02d}"
    return f"{year}-{month:02d}/{year + 1}-{month:02d}"


def _file(rows: int, eras, rng) -> bytes:
    from dialogues.api.exports import CSV_COLUMNS
    from dialogues.models import OutcomeKind, Role

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, restval="")
    writer.writeheader()
    for n in range(rows):
        era = rng.choice(eras)
        start = int(era.date[:4])
        people = rng.sample(range(2000), 3)
        kinds = rng.sample(list(OutcomeKind.values), rng.randint(1, 2))
        writer.writerow(
            {
                "title": f"Meeting number {n} of the series",
                "date_edtf": _date(rng, start),
                "era_slug": era.slug,
                "conflict_slug": "israeli-palestinian",
                "place": "Oslo",
                "track_code": "track_ii",
                "venue_kind_code": "hotel",
                "summary": f"People from both sides met, the {n}th time.",
                "participant_list": "\n".join(
                    f"person-{p} | {rng.choice(Role.values)}" for p in people
                ),
                "outcome_list": "\n".join(f"{kind} | What came of it." for kind in kinds),
                "citation_list": "\n".join(
                    f"source-{rng.randrange(200)} | {rng.randint(1, 40)} | We met in the spring {i}"
                    for i in range(2)
                ),
            }
        )
    return out.getvalue().encode("utf-8")


def _export() -> bytes:
    """The editors' export of the whole archive, as the admin gives it."""
    from dialogues.api import export_rows
    from dialogues.api.exports import csv_lines
    from dialogues.models import Dialogue

    rows = export_rows.rows(Dialogue.objects.chronological(), reveal=True)
    return "".join(csv_lines(rows, lambda slug: f"/dialogues/{slug}/")).encode("utf-8")


def _timed(label: str, results: list, call):
    started, cpu = time.perf_counter(), time.process_time()
    value = call()
    results.append((label, time.perf_counter() - started, time.process_time() - cpu))
    return value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10000, help="rows in the file (10000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    _setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from dialogues.imports import apply

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rng = random.Random(args.seed)
        eras = _archive(rng)
        content = _file(args.rows, eras, rng)
        results = []
        batch, plan = _timed("dry run (all new)", results, lambda: apply.store("b.csv", content))
        assert plan.is_clean and plan.count("new") == args.rows, plan.counts
        _timed("import", results, lambda: apply.run_import(batch))
        exported = _export()
        _, plan = _timed(
            "dry run of its export (unchanged)", results, lambda: apply.store("e.csv", exported)
        )
        assert plan.count("unchanged") == args.rows, plan.counts
        _timed("undo", results, lambda: apply.undo(batch, user=None, reason="benchmark"))
        print(f"{connection.vendor}, {args.rows:,} rows ({len(content) / 1e6:.1f} MB):")
        # CPU time is this process's own; the database server's (PostgreSQL) is in the wall time.
        print(f"  {'step':<36} {'wall':>7}  {'CPU':>7}")
        for label, seconds, cpu in results:
            print(f"  {label:<36} {seconds:6.1f}s  {cpu:6.1f}s")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
