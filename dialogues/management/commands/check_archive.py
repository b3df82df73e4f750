"""Check the archive's integrity and print every problem found.

    manage.py check_archive [--sources DIR]

Checks that eras neither overlap nor leave gaps, that every date is valid EDTF, that each
dialogue lies inside its era and cites a source, and that excerpts stay short. With --sources,
also checks that every excerpt is verbatim in the paragraph it cites, reading the source texts
from the .txt files in DIR. Exits with an error when any problem is found, so that scripts and
CI can rely on the exit status.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from dialogues import integrity
from dialogues.models import Citation, Dialogue, Era


class Command(BaseCommand):
    help = (
        "Check the archive for integrity problems (era overlaps and gaps, invalid dates, "
        "dialogues outside their era or without a citation, overlong excerpts) and, with "
        "--sources, that every excerpt is verbatim in its cited paragraph. Exits non-zero when "
        "any problem is found."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sources",
            metavar="DIR",
            help=(
                "A folder of source texts, one UTF-8 .txt file per source (found by its title), "
                "to check each excerpt against the paragraph it cites."
            ),
        )

    def handle(self, *args, sources=None, **options):
        try:
            problems = integrity.find_problems(sources_dir=sources)
        except integrity.SourceTextError as exc:
            raise CommandError(
                f"--sources: {exc} Give a folder holding the source texts as .txt files."
            ) from None
        except DatabaseError as exc:
            raise CommandError(
                f"The archive's database cannot be read ({exc}). Has `manage.py migrate` run?"
            ) from None

        for problem in problems:
            self.stdout.write(str(problem))
        if problems:
            noun = "problem" if len(problems) == 1 else "problems"
            raise CommandError(f"{len(problems)} {noun} found in the archive.")

        counts = ", ".join(
            _count(model.objects.count(), singular, plural)
            for model, singular, plural in (
                (Era, "era", "eras"),
                (Dialogue, "dialogue", "dialogues"),
                (Citation, "citation", "citations"),
            )
        )
        self.stdout.write(self.style.SUCCESS(f"No problems found in {counts}."))
        if sources is not None:
            self.stdout.write("Every excerpt is verbatim in the paragraph it cites.")


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"
