"""Load the archive's starting records from the JSON fixtures, all or nothing.

    manage.py load_initial_data [--fixtures DIR] [--force] [--update] [--dry-run]

Every *.json file in the fixtures folder (the project's `fixtures/` unless --fixtures names
another) is read and its records are saved through Django's deserializers in one transaction.
Records carry natural keys instead of primary keys, so a record that already exists is updated
in place and loading twice changes nothing. Records are put in dependency order first, so a file
may list citations before the dialogues they cite and the files may come in any order.

After saving, every loaded record is validated with `full_clean()` and the archive's integrity
checks run (all but the source-text check). If anything is wrong, from broken JSON to a dialogue
dated outside its era, the transaction is rolled back and the error names the file and the
record. An archive that already holds sources or dialogues is left alone unless --force or
--update is given, so that re-running the start-up command never overwrites editors' work.

--update applies corrected fixtures to such an archive: it lists every change (record, field,
before → after), leaves alone records an editor changed since they were loaded and says so,
and removes fixture-made records the fixtures no longer hold. With --dry-run it only lists.
"""

from __future__ import annotations

from pathlib import Path

import reversion
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction

from dialogues import fixture_renames, fixture_sync, integrity, writes
from dialogues.fixtures_loader import (
    FixtureError,
    Record,
    count,
    fixture_files,
    held_records,
    in_dependency_order,
    read_fixture,
    save_record,
    validate,
)
from dialogues.history.records import add_parents_to_revision

LOAD_REASON = "loaded from fixtures"
UPDATE_REASON = "updated from fixtures"
CHANGED = {"new", "updated"}


class Command(BaseCommand):
    help = (
        "Load every fixtures/*.json file into the archive in one transaction, validate what "
        "was loaded, and roll everything back if anything is wrong. Does nothing when the "
        "archive already holds sources or dialogues, unless --force or --update is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fixtures",
            metavar="DIR",
            help="The folder of fixture .json files to load (default: the project's fixtures/).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Load even when the archive already holds records; records with the same "
                "natural key are updated in place, others are left alone. With --update, "
                "also overwrite records edited since they were loaded."
            ),
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help=(
                "Apply corrected fixtures to an existing archive, listing each change; records "
                "edited since they were loaded are left alone and reported."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Load and validate inside a transaction, report, then roll everything back.",
        )

    def handle(self, *args, fixtures=None, force=False, update=False, dry_run=False, **options):
        verbosity = options.get("verbosity", 1)
        using = DEFAULT_DB_ALIAS
        if fixtures is None:
            folder, option = Path(settings.BASE_DIR) / "fixtures", None
        elif not fixtures.strip():
            raise CommandError(
                "--fixtures: no folder given; name the folder that holds the .json files."
            )
        else:
            folder, option = Path(fixtures), "--fixtures"
        paths = fixture_files(folder, option)

        try:
            self.load(
                paths, using, force=force, update=update, dry_run=dry_run, verbosity=verbosity
            )
        except DatabaseError as exc:
            # Anything the per-record handling did not catch: most often, tables not yet made.
            raise CommandError(
                f"The archive's database cannot be used ({exc}). Has `manage.py migrate` run? "
                "Nothing was loaded."
            ) from None

    def load(self, paths, using, *, force, update, dry_run, verbosity):
        """Load the fixture files, unless the archive already has records and neither
        --force nor --update is given."""
        if not (force or update):
            held = held_records(using)
            if held:
                self.stdout.write(
                    f"The archive already holds {held}; nothing loaded. Use --update to apply "
                    "corrected fixtures, or --force to load them over the records."
                )
                return

        removed: list[str] = []
        renamed: list[str] = []
        try:
            records = in_dependency_order([r for path in paths for r in read_fixture(path)])
            # One revision holds the whole load, so each record's history starts (or goes on)
            # with the fixtures' state and says where it came from. An update's renames come
            # first, inside the same transaction, each in a revision of its own with its reason.
            with (
                writes.batch(using),
                fixture_renames.renaming(using, update=update, dry_run=dry_run) as renamed,
                reversion.create_revision(using=using),
            ):
                reversion.set_comment(UPDATE_REASON if update else LOAD_REASON)
                before = set(integrity.check_records())
                seen: dict[tuple, Record] = {}
                for record in records:
                    if update:
                        fixture_sync.update_record(record, seen, using, force=force)
                    else:
                        save_record(record, seen, using)
                        fixture_sync.track(record, using)
                if not update:
                    fixture_renames.keep_past_addresses(using)
                if update:
                    removed = fixture_sync.remove_dropped(records, using, force=force)
                    # A corrected participation or citation is a new version of its dialogue.
                    add_parents_to_revision(
                        r.obj.object for r in records if r.obj and r.status in CHANGED
                    )
                errors = validate(records, before, using)
                if errors:
                    raise FixtureError(
                        f"{count(len(errors), 'problem')} in the fixtures:\n"
                        + "\n".join(f"  - {error}" for error in errors)
                    )
                if dry_run:
                    transaction.set_rollback(True, using=using)
        except FixtureError as exc:
            raise CommandError(f"{exc}\nNothing was loaded; the archive is unchanged.") from None

        if update:
            self.report_update(records, renamed + removed, dry_run=dry_run, verbosity=verbosity)
        elif verbosity >= 1:
            counted = f"{count(len(records), 'record')} from {count(len(paths), 'file')}"
            if dry_run:
                self.stdout.write(f"Dry run: the fixtures are valid. Loading would save {counted}:")
            else:
                self.stdout.write(self.style.SUCCESS(f"Loaded {counted}:"))
            for line in summary(records):
                self.stdout.write(f"  {line}")
            if dry_run:
                self.stdout.write("Nothing was saved.")

    def report_update(self, records, removed, *, dry_run, verbosity):
        lines = fixture_sync.describe(records) + removed
        statuses = [record.status for record in records]
        skipped = sum(status in ("edited", "untracked") for status in statuses)
        figures = (
            f"{statuses.count('new')} new, {statuses.count('updated')} updated, "
            f"{statuses.count('unchanged')} unchanged, {skipped} skipped, "
            f"{sum(line.startswith('removed') for line in removed)} removed"
        )
        if dry_run:
            self.stdout.write(f"Dry run: the update would make these changes ({figures}):")
        elif verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Updated the archive ({figures}):"))
        if dry_run or verbosity >= 1:
            for line in lines or ["no changes"]:
                self.stdout.write(f"  {line}")
        if dry_run:
            self.stdout.write("Nothing was saved.")
        elif skipped and verbosity >= 1:
            self.stdout.write(
                "Skipped records keep their edits; review them in the admin, or use "
                "--update --force to overwrite them."
            )


def summary(records: list[Record]) -> list[str]:
    """Say how many records of each model were added and updated, in load order."""
    counts: dict[type, list[int]] = {}
    for record in records:
        new_updated = counts.setdefault(record.model, [0, 0])
        new_updated[1 if record.existed else 0] += 1
    lines = []
    for model, (new, updated) in counts.items():
        name = model._meta.verbose_name_plural
        lines.append(f"{name}: {new + updated} ({new} new, {updated} updated)")
    return lines
