"""Bring the search index up to the day's disclosures: the one write that time calls for.

    manage.py lift_embargoes [--database ALIAS]

Everything else that changes with the date is decided when it is read: a dialogue's embargo
(`public_q`), a withheld name on its pages, feeds and exports, and the cached figures, whose
keys carry the day. Only the search index holds names, and a name whose embargo has lapsed is
put into it here, through the archive's one write path. Run it from a scheduler shortly after
midnight in the site's time zone (see README, Production). It is idempotent: a second run the
same day finds nothing to do and writes nothing.
"""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from dialogues import writes
from dialogues.search.index import stale_dialogues


class Command(BaseCommand):
    help = (
        "Reindex the dialogues whose withheld names have changed since they were indexed "
        "(an embargo's date has come). Idempotent; run daily after midnight."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database alias to bring up to date (default: %(default)s).",
        )

    def handle(self, *args, database, verbosity, **options):
        stale = stale_dialogues(using=database)
        if stale:
            with writes.batch(database):
                writes.changed(dialogues=stale, using=database)
        if verbosity >= 1:
            noun = "dialogue" if len(stale) == 1 else "dialogues"
            self.stdout.write(
                f"Reindexed {len(stale)} {noun} whose withheld names changed."
                if stale
                else "Nothing to lift: the search index matches today's disclosures."
            )
