"""Write a versioned, immutable data release of the public archive.

    manage.py make_release VERSION [--dry-run]
    manage.py make_release            (says which version comes next, and what is withdrawn)

The release is a Frictionless Data Package (one CSV file per table and `datapackage.json`),
its codebook, CITATION.cff, a changelog from the previous release, a zip of them all and a
manifest of every file's size and SHA-256, written to `TRACKII_RELEASES_DIR/VERSION/`. It holds
what readers may see today and nothing else. A version is written once, and must be newer than
the newest release. Its steps go to stderr with what is left and an estimate of the time
(`dialogues.progress`), unless --verbosity 0.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from dialogues import progress
from dialogues.releases import store, takedowns
from dialogues.releases.writer import ReleaseError, make_release


class Command(BaseCommand):
    help = (
        "Write release VERSION (e.g. 1.0.0 or 2026.11) of the published archive: CSV tables "
        "with datapackage.json, codebook, CITATION.cff, changelog, zip and manifest. A version "
        "is written once and must be newer than the newest release."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "version",
            nargs="?",
            help=f"The release's version: {store.VERSION_HELP}. Without it, the command says "
            "which version comes next and which releases are withdrawn.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Build and validate the release, print what it holds, and write nothing.",
        )

    def handle(self, *args, version=None, dry_run=False, **options):
        if version is None:
            raise CommandError(self.offer())
        started = time.perf_counter()
        say = self.stdout.write if options["verbosity"] > 0 else (lambda message: None)
        try:
            outcome = make_release(
                version,
                dry_run=dry_run,
                say=say,
                progress=progress.for_command(self, options["verbosity"]),
            )
        except ReleaseError as exc:
            raise CommandError(str(exc)) from None
        manifest = outcome.manifest
        zipped = next(f for f in manifest["files"] if f["path"] == manifest["zip"])
        size = sum(f["bytes"] for f in manifest["files"])
        counts = ", ".join(f"{n:,} {name}" for name, n in manifest["counts"].items())
        changes = manifest["changes"]["dialogues"]
        what = (
            f"Release {version}: {counts}. Dialogues since "
            f"{manifest['previous'] or 'the start'}: {changes['added']:,} added, "
            f"{changes['changed']:,} changed, {changes['removed']:,} removed. "
            f"{size:,} bytes with the zip ({zipped['bytes']:,} bytes, sha256 "
            f"{zipped['sha256']}); {time.perf_counter() - started:.1f} s."
        )
        withdrawn = [
            release.version
            for release in store.releases()
            if release.version != version and takedowns.is_withdrawn(release)
        ]
        if withdrawn:
            what += (
                f" It replaces withdrawn release(s) {', '.join(withdrawn)}, which hold a name "
                "since withheld."
            )
        if outcome.path is None:
            self.stdout.write(f"Dry run, nothing written. {what}")
        else:
            self.stdout.write(self.style.SUCCESS(f"Wrote {outcome.path}. {what}"))

    def offer(self) -> str:
        """What to run next: the version after the newest, and why one is needed now."""
        found = store.releases()
        if not found:
            return "Give the release's version, e.g. manage.py make_release 1.0.0 (the first)."
        newest = found[0]
        withdrawn = [release.version for release in found if takedowns.is_withdrawn(release)]
        parts = newest.version.split(".")
        parts[-1] = str(int(parts[-1]) + 1)
        following = ".".join(parts)
        why = (
            f" Withdrawn, because they hold a name since withheld: {', '.join(withdrawn)}; a "
            "new release gives readers the data without it."
            if withdrawn
            else ""
        )
        return (
            f"Give the release's version. The newest release is {newest.version}; the next "
            f"would be {following}: manage.py make_release {following}.{why}"
        )
