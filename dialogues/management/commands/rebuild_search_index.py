"""Rebuild the whole search index, through the archive's one write path.

    manage.py rebuild_search_index [--database ALIAS]

Every write keeps the index up to date by itself; this is for a change to how the index is
built, such as a new rule of the search's normalisation (dialogues/search/normalise.py) and its
migration, after which the text already indexed must be read again. Idempotent.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from dialogues import writes


class Command(BaseCommand):
    help = "Rebuild the search index of every dialogue (after a change to how it is built)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            choices=sorted(settings.DATABASES),
            help="The database alias to reindex (default: %(default)s).",
        )

    def handle(self, *args, database, verbosity, **options):
        with writes.batch(database):
            writes.changed(everything=True, using=database)
            indexed = writes.flush(database)
        if verbosity >= 1:
            noun = "dialogue" if indexed == 1 else "dialogues"
            self.stdout.write(f"Reindexed {indexed} {noun}.")
