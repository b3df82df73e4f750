"""One revision holding many dialogues with their rows, written in bulk."""

from __future__ import annotations

import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router
from reversion.models import Revision, Version

from ..models import Citation, Dialogue, Outcome, Participation
from .archive import chunks


def _items(model, rows, extra: int):
    """Each row of `values_list(*concrete attnames, *extra)` as Django's serializer gives it."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    label = model._meta.label_lower
    for values in rows:
        item = {
            "model": label,
            "pk": values[0],
            "fields": {field.name: values[i] for i, field in enumerate(fields, start=1)},
        }
        yield item, values[len(fields) + 1 : len(fields) + 1 + extra]


def _rows(model, chunk, *extra):
    attnames = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    key = "pk" if model is Dialogue else "dialogue_id"
    queryset = model.objects.filter(**{f"{key}__in": chunk}).order_by("pk")
    return queryset.values_list("pk", *attnames, *extra)


def record_revision(ids, *, user, comment: str, when) -> Revision:
    """Save one revision holding each dialogue and its rows as they are now.

    What `reversion.create_revision()` with `add_to_revision` saves, made in bulk: following
    each dialogue's rows one query at a time, naming each participation with two more, and
    building a model instance for every row, would cost tens of thousands of queries and most
    of a large import's time. The data is Django's JSON serialization, as reversion stores it.
    """
    revision = Revision.objects.create(date_created=when, user=user, comment=comment)
    roles = dict(Participation._meta.get_field("role").choices)
    kinds = dict(Outcome._meta.get_field("kind").choices)
    # What each row's name (`object_repr`, its __str__) is made from, read in the same query.
    extras = {
        Dialogue: ("title",),
        Participation: ("participant__name",),
        Outcome: (),
        Citation: ("source__title",),
    }
    versions = []
    for chunk in chunks(ids):
        names = {}
        for model in (Dialogue, Participation, Outcome, Citation):
            extra = extras[model]
            content_type = ContentType.objects.get_for_model(model)
            db = router.db_for_write(model)
            for item, more in _items(model, _rows(model, chunk, *extra), len(extra)):
                fields = item["fields"]
                if model is Dialogue:
                    names[item["pk"]] = shown = more[0]
                elif model is Participation:
                    role = roles.get(fields["role"], fields["role"])
                    shown = f"{more[0]} in {names[fields['dialogue']]} ({role})"
                elif model is Outcome:
                    shown = str(kinds.get(fields["kind"], fields["kind"]))
                else:
                    shown = f"{more[0]} ¶{fields['paragraph']}"
                versions.append(
                    (
                        revision.pk,
                        str(item["pk"]),
                        content_type.pk,
                        db,
                        "json",
                        json.dumps([item], cls=DjangoJSONEncoder, ensure_ascii=False),
                        shown,
                    )
                )
    _insert_versions(versions)
    return revision


def _insert_versions(rows: list[tuple]) -> None:
    """Insert reversion's Version rows with one prepared statement.

    `bulk_create` builds SQL and a model instance for each of the tens of thousands of rows a
    large import records, which took longer than writing the records themselves.
    """
    meta = Version._meta
    names = ("revision", "object_id", "content_type", "db", "format", "serialized_data")
    columns = [meta.get_field(name).column for name in (*names, "object_repr")]
    connection = connections[router.db_for_write(Version)]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])
