"""Fill a database with a synthetic archive of any size, for load, speed and search testing.

    manage.py generate_synthetic --dialogues N --seed S [--database ALIAS] [--force]
                                 [--batch-size B] [--dry-run] [--quiet]

For N dialogues it makes about N/5 participants, 3N participations, 1.5N outcomes, 2N citations
and max(2, N/1000) sources, dated inside the archive's eras (or eight eras of its own when the
archive has none) and reusing its conflicts (or making three). See the synthetic
package for how the records are made realistic. The same seed gives the same records.

It makes test data: the rows go in through bulk writes, so it writes no per-record history.

Every synthetic slug starts with `syn-`. The command refuses a database that holds real
dialogues unless --force is given. Everything, the search index included, is written in one
transaction: a failed or interrupted run leaves the database as it was.

A progress bar per stage goes to stderr, the search index's too, with what is left and an
estimate of the time (`dialogues.progress`): redrawn in place on a terminal, a line at each
quarter otherwise; --quiet or --verbosity 0 turns it off.
"""

from __future__ import annotations

import argparse
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

import synthetic
from dialogues import progress as progress_lines


def _argument(check):
    """Turn one of synthetic's checks into an argparse type, so bad values get a clear error."""

    def convert(value):
        try:
            return check(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return convert


class Command(BaseCommand):
    help = (
        "Generate a synthetic archive of N dialogues (with about N/5 participants, 3N "
        "participations, 1.5N outcomes and 2N citations) from a seed, in one transaction, and "
        "rebuild the search index. Synthetic slugs start with 'syn-'. Refuses a database that "
        "holds real dialogues unless --force is given. It makes test data and writes no "
        "per-record history."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dialogues",
            required=True,
            type=_argument(synthetic.check_dialogues),
            metavar="N",
            help=(
                f"How many dialogues to make: a whole number from {synthetic.MIN_DIALOGUES:,} "
                f"to {synthetic.MAX_DIALOGUES:,}."
            ),
        )
        parser.add_argument(
            "--seed",
            required=True,
            type=_argument(synthetic.check_seed),
            metavar="S",
            help="A whole number; the same seed gives the same archive.",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            metavar="ALIAS",
            help="The database to fill, by its alias in DATABASES (default: 'default').",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add synthetic records even to a database that holds real dialogues.",
        )
        parser.add_argument(
            "--batch-size",
            type=_argument(synthetic.check_batch_size),
            default=synthetic.DEFAULT_BATCH_SIZE,
            metavar="B",
            help=(
                f"Rows written at a time: {synthetic.MIN_BATCH_SIZE:,} to "
                f"{synthetic.MAX_BATCH_SIZE:,} (default {synthetic.DEFAULT_BATCH_SIZE:,})."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Generate every record in memory and report the counts; write nothing.",
        )
        parser.add_argument(
            "--quiet",
            action="store_true",
            help="Show no progress bar (as does --verbosity 0).",
        )

    def handle(self, *args, **options):
        # call_command() passes keyword options past argparse, so they are checked again here.
        values = {}
        for name, check in (
            ("dialogues", synthetic.check_dialogues),
            ("seed", synthetic.check_seed),
            ("batch_size", synthetic.check_batch_size),
        ):
            try:
                values[name] = check(options[name])
            except ValueError as exc:
                raise CommandError(f"--{name.replace('_', '-')}: {exc}.") from None
        using = options["database"]
        if using not in connections.databases:
            known = ", ".join(sorted(connections.databases))
            raise CommandError(
                f"--database: no database “{using}”; the configured ones are: {known}."
            )
        verbosity = options["verbosity"]
        progress = progress_lines.for_command(self, 0 if options["quiet"] else verbosity)

        started = time.monotonic()
        try:
            result = synthetic.generate(
                values["dialogues"],
                values["seed"],
                using=using,
                batch_size=values["batch_size"],
                force=options["force"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        except synthetic.SyntheticError as exc:
            raise CommandError(f"{exc} Nothing was written.") from None
        except DatabaseError as exc:
            raise CommandError(
                f"The database “{using}” failed ({exc}). Has `manage.py migrate` run? "
                "Nothing was written; the database is as it was."
            ) from None
        if verbosity > 0:
            self.report(result, time.monotonic() - started)

    def report(self, result: synthetic.Result, seconds: float) -> None:
        if result.dry_run:
            self.stdout.write(
                f"Dry run: generated in {seconds:.1f}s; nothing was written. Would create:"
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Created a synthetic archive in {seconds:.1f}s:"))
        for stage, count in result.counts.items():
            reused = result.reused.get(stage)
            what = f"used the archive's {reused:,}" if reused else f"{count:,}"
            self.stdout.write(f"  {stage}: {what}  ({result.seconds.get(stage, 0.0):.1f}s)")
        if not result.dry_run:
            noun = "dialogue" if result.indexed == 1 else "dialogues"
            self.stdout.write(
                f"  search index: {result.indexed:,} {noun}  "
                f"({result.seconds.get('search index', 0.0):.1f}s)"
            )
            self.stdout.write(f"  commit  ({result.seconds.get('commit', 0.0):.1f}s)")
