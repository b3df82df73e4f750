"""Build the facet index of the current generation and day, and store it in the shared cache.

    manage.py build_facet_index [--database ALIAS] [--wait SECONDS]

Lists and facets read the index (`dialogues.listing.facet_index`); until it is stored, every
worker answers with plain SQL, which is exact but slow on a large archive. A deploy, a bulk
load or a benchmark runs this once so that no reader meets the SQL way: the app servers then
load the stored index from the shared cache (Redis) instead of building it themselves. With
the per-process cache of a development server, it only builds and times the index.

If another process holds the build lock, the command waits for its index (up to `--wait`).
Its steps go to stderr with what is left and an estimate of the time (`dialogues.progress`),
unless --verbosity 0.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from dialogues import progress
from dialogues.listing import facet_index


class Command(BaseCommand):
    help = (
        "Build the facet index of today's published archive and store it in the shared cache, "
        "so that no list or facet count waits for it. Waits for another process's build."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="The database alias to index (default: %(default)s).",
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=float(facet_index.BUILD_TIMEOUT),
            help="Seconds to wait for another process's build (default: %(default)g).",
        )

    def handle(self, *args, database, wait, **options):
        if database not in connections:
            known = ", ".join(sorted(connections.settings))
            raise CommandError(f"There is no database {database!r}; the aliases are: {known}.")
        if wait < 0:
            raise CommandError(f"--wait must be 0 or more seconds, not {wait:g}.")
        started = time.perf_counter()
        deadline = time.monotonic() + wait
        facet_index.forget()
        token = facet_index.build_progress.set(progress.for_command(self, options["verbosity"]))
        try:
            index = self._wait_for_index(database, wait, deadline)
        finally:
            facet_index.build_progress.reset(token)
        if options["verbosity"] > 0:
            self.stdout.write(
                f"Facet index: {index.size:,} published dialogues; its build took "
                f"{index.built_in:.2f} s, and it was ready here in "
                f"{time.perf_counter() - started:.2f} s."
            )

    def _wait_for_index(self, database: str, wait: float, deadline: float):
        while (index := facet_index.current(using=database, inline=True)) is None:
            if time.monotonic() >= deadline:
                raise CommandError(
                    f"Another process is still building the facet index after {wait:g} s; "
                    "try again later, or give a longer --wait."
                )
            time.sleep(0.5)
        return index
