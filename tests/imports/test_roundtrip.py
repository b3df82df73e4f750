"""Export, import again, edit three rows, import, undo: the archive ends as it began."""

import csv
import io

import pytest
from django.core import serializers
from django.urls import reverse
from reversion.models import Version

from dialogues.imports import apply
from dialogues.models import Citation, Dialogue, ImportBatch, Outcome, Participation

from ..factories import make_archive

pytestmark = pytest.mark.django_db


def dump() -> str:
    """Every dialogue with its rows, all fields but the version number and the save time."""
    objects = [
        *Dialogue.objects.order_by("pk"),
        *Participation.objects.order_by("pk"),
        *Outcome.objects.order_by("pk"),
        *Citation.objects.order_by("pk"),
    ]
    for obj in objects:
        if isinstance(obj, Dialogue):
            obj.version = 0
            obj.updated = None
    return serializers.serialize("json", objects, indent=1)


def editors_export(client) -> bytes:
    response = client.get(reverse("admin:dialogues_importbatch_export"))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def public_export(client) -> bytes:
    response = client.get(reverse("dialogues:export", args=["csv"]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def edit(content: bytes, changes: dict[str, dict[str, str]]) -> bytes:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
    header = rows[0]
    for row in rows[1:]:
        if row[0] in changes:
            for column, value in changes[row[0]].items():
                row[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def archive(db):
    return make_archive()


@pytest.fixture
def publisher_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("boss", password="a long password here")
    client.force_login(user)
    return client


@pytest.mark.parametrize("which", ["editors", "public"])
def test_an_export_imported_again_changes_nothing(archive, publisher_client, client, which):
    content = editors_export(publisher_client) if which == "editors" else public_export(client)
    before = dump()
    batch, plan = apply.store("export.csv", content)
    assert plan.is_clean, [(r.number, r.problems) for r in plan.rows if r.problems]
    assert {row.action for row in plan.rows} == {"unchanged"}
    expected = Dialogue.objects.count() if which == "editors" else Dialogue.objects.public().count()
    assert len(plan.rows) == expected
    apply.run_import(batch)
    assert dump() == before


def test_round_trip_edit_three_rows_import_and_undo(archive, publisher_client):
    content = editors_export(publisher_client)
    before = dump()
    history = Version.objects.count()

    batch, plan = apply.store("export.csv", content)
    assert plan.counts == {"new": 0, "changed": 0, "unchanged": len(plan.rows), "invalid": 0}

    slugs = [row.slug for row in plan.rows][:3]
    edited = edit(
        content,
        {
            slugs[0]: {"title": "A corrected title"},
            slugs[1]: {"place": "Somewhere else"},
            slugs[2]: {"summary": "A new summary."},
        },
    )
    batch, plan = apply.store("edited.csv", edited)
    changed = {row.slug: row.diff for row in plan.rows if row.action == "changed"}
    assert set(changed) == set(slugs)
    assert plan.count("unchanged") == len(plan.rows) - 3
    assert [column for column, _, _ in changed[slugs[0]]] == ["title"]
    assert changed[slugs[0]][0][2] == "A corrected title"
    assert changed[slugs[1]][0][1:] == (
        Dialogue.objects.get(slug=slugs[1]).place or "—",
        "Somewhere else",
    )

    apply.run_import(batch)
    assert Dialogue.objects.get(slug=slugs[0]).title == "A corrected title"
    assert dump() != before
    assert Version.objects.filter(
        revision__comment=f"Imported from edited.csv (import #{batch.pk})"
    ).exists()

    apply.undo(batch, user=None, reason="wrong file")
    assert dump() == before
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.UNDONE
    assert Version.objects.count() > history
