"""Delete the import dry runs kept past their time (`DRY_RUN_KEPT`), files and all.

    python manage.py expire_imports

Each new upload does the same; this is for a server where nobody uploads for a while (run it
daily from cron, say). Imported batches are never deleted: their undo needs them.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from dialogues.models import ImportBatch
from dialogues.models.imports import DRY_RUN_KEPT


class Command(BaseCommand):
    help = "Delete the import dry runs older than they are kept (imported batches stay)."

    def handle(self, *args, **options):
        _, deleted = ImportBatch.objects.expired().delete()
        count = deleted.get(ImportBatch._meta.label, 0)
        days = DRY_RUN_KEPT.days
        self.stdout.write(f"Deleted {count} dry run(s) older than {days} days, with their files.")
