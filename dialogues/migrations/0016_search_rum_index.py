"""Add a RUM index on the search vector, when the PostgreSQL server has the `rum` extension.

RUM serves a ranked search's first page from the index (see dialogues/search/rum.py). A server
without the extension (Debian's postgresql-15-rum) gets no index and searches as before through
GIN; SQLite has nothing to do. To add the index after installing the extension later:
`manage.py migrate dialogues 0013 && manage.py migrate` (going back drops only this index).
The names are frozen here rather than imported, so this migration keeps working whatever the
search package becomes.
"""

from django.db import DatabaseError, migrations, transaction

RUM_INDEX = "dialogues_dialogue_search_rum"


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        if cursor.fetchone() is None:
            return
        try:
            # A role that may not create the extension keeps the GIN path, not a failed migrate.
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS rum")
        except DatabaseError:
            return
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {RUM_INDEX} ON dialogues_dialogue "
            "USING rum (search_vector rum_tsvector_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {RUM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("dialogues", "0015_import_report")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
