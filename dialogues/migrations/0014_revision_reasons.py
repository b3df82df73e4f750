"""Keep the reason for readers apart from the editors' note on every revision.

Existing comments were shown to readers, so each becomes its revision's public reason as it
was, except an import's, which names the uploaded file: readers get "Imported (import #N)" and
the comment is kept whole as the internal note.
"""

import re

import django.db.models.deletion
from django.db import migrations, models

CHUNK = 2000
# As `dialogues.models.reasons.IMPORTED` reads an import's comment when this was written.
IMPORTED = re.compile(r"Imported from .* \(import #(?P<number>\d+)\)", re.DOTALL)


def masked_comment(comment):
    match = IMPORTED.fullmatch(comment or "")
    return f"Imported (import #{match['number']})" if match else (comment or "")


def split_reasons(apps, schema_editor):
    Revision = apps.get_model("reversion", "Revision")
    RevisionReason = apps.get_model("dialogues", "RevisionReason")
    batch = []
    for pk, comment in Revision.objects.order_by("pk").values_list("pk", "comment").iterator(
        chunk_size=CHUNK
    ):
        public = masked_comment(comment)
        internal = comment if public != comment else ""
        batch.append(RevisionReason(revision_id=pk, public=public, internal=internal))
        if len(batch) >= CHUNK:
            RevisionReason.objects.bulk_create(batch)
            batch = []
    RevisionReason.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0013_import_batch"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [
        migrations.CreateModel(
            name="RevisionReason",
            fields=[
                (
                    "revision",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="reason",
                        serialize=False,
                        to="reversion.revision",
                    ),
                ),
                (
                    "public",
                    models.TextField(
                        blank=True,
                        help_text="Shown to readers in the record's public history.",
                        verbose_name="reason for readers",
                    ),
                ),
                (
                    "internal",
                    models.TextField(
                        blank=True,
                        help_text="Seen by editors only, in the admin's history.",
                        verbose_name="internal note",
                    ),
                ),
            ],
        ),
        migrations.RunPython(split_reasons, migrations.RunPython.noop),
    ]
