"""Import dialogues from a CSV or XLSX file, as the admin's import does: a dry run, then all
rows or none.

    python manage.py import_records dialogues.csv --dry-run
    python manage.py import_records dialogues.csv --user editor

Every row is reported as new, changed (with its diff), unchanged or invalid. With invalid rows
nothing is written and the command exits with status 1. The import is one batch, which a
publisher can undo in the admin (Dialogues › Imports).

The rows checked, and then the steps of writing them, go to stderr with what is left and an
estimate of the time (`dialogues.progress`), unless --verbosity 0.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dialogues import progress as progress_bars
from dialogues.imports import apply, report
from dialogues.imports.plan import make_plan
from dialogues.imports.reading import UnreadableFile


class Command(BaseCommand):
    help = "Import dialogues from a CSV or XLSX file (a dry run first with --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV (UTF-8) or XLSX file to import.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report every row; write nothing."
        )
        parser.add_argument(
            "--user", help="The username the import and its revision are recorded under."
        )
        parser.add_argument(
            "--all-rows",
            action="store_true",
            help="List unchanged rows too (they are counted either way).",
        )

    def handle(self, *args, file, dry_run, user, all_rows, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file. Give the path of a .csv or .xlsx file.")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: cannot be read ({exc.strerror}).") from None
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"--user {user}: no user has that username.")
        steps = progress_bars.for_command(self, options["verbosity"])

        def progress(done: int, total: int) -> None:
            steps("rows checked", done, total)

        try:
            # The file is kept (as an import batch) only when it is imported: a dry run, or a
            # file with invalid rows, writes nothing.
            plan = make_plan(path.name, content, progress=progress, user=actor)
        except UnreadableFile as exc:
            raise CommandError(f"{file}: {exc}") from None
        for line in report.lines(plan, unchanged=all_rows):
            self.stdout.write(line)
        if not plan.is_clean:
            raise CommandError(
                f"{plan.count('invalid')} invalid row(s): nothing was imported. "
                "Correct the file and run again."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        if not plan.has_changes:
            self.stdout.write("Nothing to import: every row is unchanged.")
            return
        batch = apply.keep(path.name, content, plan, user=actor)
        try:
            plan = apply.run_import(batch, user=actor, progress=progress, steps=steps)
        except apply.ImportRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Imported as import #{batch.pk}: {report.summary(plan)}.")
        )
