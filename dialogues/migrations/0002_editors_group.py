"""Create the Editors group: staff who may add, change and view archive records, never delete.

Deleting a record would silently drop its citations, so removal is left to superusers.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Editors"
ACTIONS = ("add", "change", "view")


def create_editors_group(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("dialogues")
    # Permissions are normally made by post_migrate, after every migration has run, so on a fresh
    # database they do not exist yet. The historical app config has no models module, which makes
    # create_permissions skip it; marking it as having one lets it run against historical models.
    if not getattr(app_config, "models_module", None):
        app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=db)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    wanted = []
    for model in app_config.get_models():
        content_type = ContentType.objects.db_manager(db).get_for_model(
            model, for_concrete_model=False
        )
        codenames = [f"{action}_{model._meta.model_name}" for action in ACTIONS]
        wanted.extend(
            Permission.objects.using(db).filter(content_type=content_type, codename__in=codenames)
        )

    group, _ = Group.objects.using(db).get_or_create(name=GROUP_NAME)
    # add(), not set(): rerunning must not take away permissions an administrator granted by hand.
    group.permissions.add(*wanted)


def remove_editors_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_editors_group, remove_editors_group),
    ]
