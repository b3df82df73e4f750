"""Give Editors the removal of inline rows, and create the Publishers group.

Editors may add, change and view every archive record, and delete a participation, outcome or
citation (the admin's inline "delete" box), since removing a wrong row is part of an edit and
the dialogue itself stays. Publishers may do all that, and publish, withdraw, revert and merge
participants. Deleting a whole record stays with superusers: it would break citations of it.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS, PUBLISHERS = "Editors", "Publishers"
INLINE_ROWS = ("participation", "outcome", "citation")
PUBLISHING = (
    ("dialogue", "publish_dialogue"),
    ("dialogue", "withdraw_dialogue"),
    ("dialogue", "revert_dialogue"),
    ("participant", "merge_participants"),
)


def _permission(apps, db, model_name, codename):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    model = apps.get_model("dialogues", model_name)
    content_type = ContentType.objects.db_manager(db).get_for_model(model, for_concrete_model=False)
    return Permission.objects.using(db).get(content_type=content_type, codename=codename)


def create_groups(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("dialogues")
    # As in 0002: permissions (the new custom ones too) are made by post_migrate, after this.
    if not getattr(app_config, "models_module", None):
        app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=db)
    Group = apps.get_model("auth", "Group")

    editors, _ = Group.objects.using(db).get_or_create(name=EDITORS)
    editors.permissions.add(
        *(_permission(apps, db, name, f"delete_{name}") for name in INLINE_ROWS)
    )

    publishers, _ = Group.objects.using(db).get_or_create(name=PUBLISHERS)
    publishers.permissions.add(
        *editors.permissions.all(),
        *(_permission(apps, db, model, codename) for model, codename in PUBLISHING),
    )


def remove_groups(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Group.objects.using(db).filter(name=PUBLISHERS).delete()
    editors = Group.objects.using(db).filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.remove(
            *(_permission(apps, db, name, f"delete_{name}") for name in INLINE_ROWS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0008_drafts_publishing_past_slugs"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_groups, remove_groups),
    ]
