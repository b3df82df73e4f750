"""Read today's `track` as the status of talks and the level; let Editors keep the new records.

`track` stays until every reader of it has moved to `talks` and `level`. Editors and
Publishers may add, change and view the new records, and remove their inline rows (names, ids,
citations, places, places in a series, links), as with a dialogue's participations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Kept here, not imported: a migration must not change when the models' code does.
FROM_TRACK = {
    "track_ii": ("held", "track_ii"),
    "track_ii_to_i": ("held", "track_ii"),
    "proposed": ("proposed", "track_ii"),
    "considered": ("considered", "not_stated"),
    "not_stated": ("not_stated", "not_stated"),
}
RECORDS = ("organisation", "affiliation", "place", "series")
INLINE_ROWS = (
    "namevariant",
    "externalid",
    "organisationcitation",
    "affiliationcitation",
    "dialogueplace",
    "seriesmembership",
    "dialoguelink",
    "serieslink",
)


def split_track(apps, schema_editor):
    Dialogue = apps.get_model("dialogues", "Dialogue")
    db = schema_editor.connection.alias
    for track, (talks, level) in FROM_TRACK.items():
        Dialogue.objects.using(db).filter(track=track).update(talks=talks, level=level)


def join_track(apps, schema_editor):
    """Going back, `track` was never changed, so there is nothing to restore."""


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("dialogues")
    if not getattr(app_config, "models_module", None):
        app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=db)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [
        f"{action}_{name}"
        for name in (*RECORDS, *INLINE_ROWS)
        for action in ("add", "change", "view")
    ] + [f"delete_{name}" for name in INLINE_ROWS]
    wanted = Permission.objects.using(db).filter(
        content_type__app_label="dialogues", codename__in=codenames
    )
    for name in ("Editors", "Publishers"):
        group, _ = Group.objects.using(db).get_or_create(name=name)
        group.permissions.add(*wanted)


class Migration(migrations.Migration):
    dependencies = [("dialogues", "0018_authorities_capacity_level_series")]

    operations = [
        migrations.RunPython(split_track, join_track),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
