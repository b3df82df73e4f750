"""How much of the archive reads in Hebrew and in Arabic: the interface's catalogues and the
records' translated fields, per language.

    python manage.py translation_coverage            # a table
    python manage.py translation_coverage --json     # the same figures as JSON

The interface's figure counts the messages of `locale/<lang>/LC_MESSAGES/django.po` that have a
translation (fuzzy ones do not count). A record field's figure counts, among the published
records that have the English text, those that also carry the archive's translation.
"""

from __future__ import annotations

import json

from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand

from dialogues.models import (
    Citation,
    Dialogue,
    Era,
    Organisation,
    Participant,
    Participation,
    Series,
)
from dialogues.models.publishing import public_q
from dialogues.models.translations import TRANSLATION_LANGUAGES, field_name, translated_fields


def _public_participations():
    return Participation.objects.visible()


# The records readers see: every era, public dialogues and their citations, the participants
# and participations they see by name, published organisations and series.
RECORDS = (
    ("era", lambda: Era.objects.all()),
    ("dialogue", lambda: Dialogue.objects.filter(public_q())),
    ("participation", _public_participations),
    (
        "participant",
        lambda: Participant.objects.filter(pk__in=_public_participations().values("participant")),
    ),
    ("organisation", lambda: Organisation.objects.filter(public_q())),
    ("series", lambda: Series.objects.filter(public_q())),
    ("citation", lambda: Citation.objects.filter(public_q("dialogue__"))),
)


def catalogue_coverage(lang: str) -> dict:
    path = settings.LOCALE_PATHS[0] / lang / "LC_MESSAGES" / "django.po"
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    messages = [m for m in catalog if m.id]
    done = [
        m
        for m in messages
        if not m.fuzzy
        and (all(m.string) if isinstance(m.string, (list, tuple)) else bool(m.string))
    ]
    return {"translated": len(done), "total": len(messages)}


def record_coverage(lang: str) -> dict:
    figures = {}
    for kind, records in RECORDS:
        queryset = records()
        for name in translated_fields(queryset.model):
            with_english = queryset.exclude(**{name: ""}).exclude(**{f"{name}__isnull": True})
            local = field_name(name, lang)
            translated = with_english.exclude(**{f"{local}__isnull": True}).exclude(**{local: ""})
            figures[f"{kind}.{name}"] = {
                "translated": translated.count(),
                "total": with_english.count(),
            }
    return figures


class Command(BaseCommand):
    help = "Show how much of the interface and of the records is translated, per language."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args, **options):
        report = {
            lang: {"interface": catalogue_coverage(lang), "records": record_coverage(lang)}
            for lang in TRANSLATION_LANGUAGES
        }
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
            return
        for lang, figures in report.items():
            self.stdout.write(f"{lang}")
            rows = [("interface (messages)", figures["interface"])]
            rows += sorted(figures["records"].items())
            for label, counts in rows:
                total = counts["total"]
                share = f"{100 * counts['translated'] / total:.0f}%" if total else "-"
                self.stdout.write(f"  {label:<28} {counts['translated']:>6} / {total:<6} {share}")
