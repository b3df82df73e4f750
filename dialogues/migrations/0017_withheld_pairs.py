import json

from django.db import migrations, models


def keep_pairs_from_history(apps, schema_editor):
    """Keep the pairs whose participation history last shows withheld and that have no row now.

    The signal keeps them from now on; the history of each participation (its revisions) says
    which were withheld before this table existed. The newest version of each row decides.
    """
    Version = apps.get_model("reversion", "Version")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Participation = apps.get_model("dialogues", "Participation")
    WithheldPair = apps.get_model("dialogues", "WithheldPair")
    kind = ContentType.objects.filter(app_label="dialogues", model="participation").first()
    if kind is None:
        return
    last = {}
    versions = Version.objects.filter(content_type=kind, format="json").order_by(
        "revision__date_created", "pk"
    )
    for version in versions.iterator():
        try:
            fields = json.loads(version.serialized_data)[0]["fields"]
            pair = (int(fields["dialogue"]), int(fields["participant"]))
        except (ValueError, KeyError, IndexError, TypeError):
            continue
        last[pair] = fields
    present = set(Participation.objects.values_list("dialogue_id", "participant_id"))
    WithheldPair.objects.bulk_create(
        [
            WithheldPair(
                dialogue_id=dialogue,
                participant_id=person,
                withheld_until=fields.get("withheld_until") or None,
                show_side=bool(fields.get("show_side")),
            )
            for (dialogue, person), fields in last.items()
            if fields.get("withheld") and (dialogue, person) not in present
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0016_search_rum_index"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="WithheldPair",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("dialogue_id", models.PositiveBigIntegerField()),
                ("participant_id", models.PositiveBigIntegerField()),
                ("withheld_until", models.DateField(blank=True, null=True)),
                ("show_side", models.BooleanField(default=False)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("dialogue_id", "participant_id"), name="one_withheld_pair"
                    )
                ],
            },
        ),
        migrations.RunPython(keep_pairs_from_history, migrations.RunPython.noop),
    ]
