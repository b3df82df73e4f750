import json

import pytest
from django.core import serializers
from reversion.models import Version

from dialogues import caching, editorial
from dialogues.imports import apply
from dialogues.models import (
    Citation,
    Dialogue,
    ImportBatch,
    ImportedRecord,
    Participation,
    Source,
    Status,
)
from dialogues.search.queryset import search_queryset

from ..factories import make_dialogue

pytestmark = pytest.mark.django_db


def test_imported_records_arrive_as_drafts_with_a_revision_naming_the_import(
    world, good_row, to_csv, editor
):
    batch, plan = apply.store("meetings.csv", to_csv(good_row), user=editor)
    apply.run_import(batch, user=editor)
    dialogue = Dialogue.objects.get(slug="talks-in-oslo")
    assert dialogue.status == Status.DRAFT and dialogue.version == 1
    assert (dialogue.date_earliest.isoformat(), dialogue.date_display) == (
        "1993-01-01",
        "January 1993",
    )
    ahmed = Participation.objects.get(dialogue=dialogue, participant=world.ahmed)
    assert ahmed.withheld and ahmed.show_side and ahmed.withheld_until is None
    assert Citation.objects.get(dialogue=dialogue).key == "p7-we-met-at-a-farmhouse-near"
    versions = Version.objects.get_for_object(dialogue)
    assert [v.revision.comment for v in versions] == [
        f"Imported from meetings.csv (import #{batch.pk})"
    ]
    assert versions[0].revision.user == editor
    # The revision holds the dialogue's rows too, as an admin save would.
    assert Version.objects.filter(revision=versions[0].revision).count() == 1 + 2 + 1 + 1
    batch.refresh_from_db()
    assert (batch.state, batch.created_count, batch.imported_by) == ("imported", 1, editor)


def test_one_invalid_row_means_nothing_is_written(world, good_row, to_csv):
    content = to_csv(good_row, good_row | {"era_slug": "atlantis"})
    batch, plan = apply.store("meetings.csv", content)
    with pytest.raises(apply.ImportRefused, match="1 row"):
        apply.run_import(batch)
    assert not Dialogue.objects.exists()
    assert ImportBatch.objects.get().state == ImportBatch.State.CHECKED


def test_the_import_checks_the_stored_file_again(world, good_row, to_csv):
    batch, plan = apply.store("meetings.csv", to_csv(good_row))
    assert plan.is_clean
    Source.objects.filter(slug="memoir").update(slug="renamed")
    with pytest.raises(apply.ImportRefused):
        apply.run_import(batch)
    assert not Dialogue.objects.exists()


def test_a_record_saved_between_dry_run_and_import_is_not_overwritten(world, good_row, to_csv):
    dialogue = make_dialogue(slug="oslo", era=world.nineties, conflict=world.conflict)
    batch, plan = apply.store("m.csv", to_csv(good_row | {"slug": "oslo"}))
    original = apply.make_plan

    def plan_then_someone_saves(*args, **kwargs):
        made = original(*args, **kwargs)
        Dialogue.objects.get(pk=dialogue.pk).save()
        return made

    apply.make_plan = plan_then_someone_saves
    try:
        with pytest.raises(apply.ImportRefused, match="saved by someone else"):
            apply.run_import(batch)
    finally:
        apply.make_plan = original
    assert Dialogue.objects.get(pk=dialogue.pk).title == dialogue.title


def test_a_change_moves_the_version_on_reaches_search_and_the_cache(world, good_row, to_csv):
    dialogue = make_dialogue(slug="oslo", era=world.nineties, conflict=world.conflict)
    generation = caching.generation()
    row = good_row | {"slug": "oslo", "title": "Zanzibar rendezvous"}
    batch, _ = apply.store("m.csv", to_csv(row))
    apply.run_import(batch)
    dialogue.refresh_from_db()
    assert dialogue.version == 2 and dialogue.status == Status.PUBLISHED
    assert caching.generation() != generation
    found = search_queryset(Dialogue.objects.public(), "zanzibar")
    assert [d.slug for d in found] == ["oslo"]


def test_undo_deletes_created_drafts_and_restores_changed_records(world, good_row, to_csv, editor):
    dialogue = make_dialogue(slug="oslo", era=world.nineties, conflict=world.conflict)
    citation = dialogue.citations.get()
    rows = [good_row, good_row | {"slug": "oslo", "title": "Zanzibar rendezvous"}]
    batch, _ = apply.store("m.csv", to_csv(*rows))
    apply.run_import(batch)
    assert ImportedRecord.objects.filter(batch=batch).count() == 2
    apply.undo(batch, user=editor, reason="the wrong file")
    assert list(Dialogue.objects.values_list("slug", flat=True)) == ["oslo"]
    dialogue.refresh_from_db()
    assert dialogue.title != "Zanzibar rendezvous" and dialogue.version == 3
    assert list(dialogue.citations.values_list("pk", flat=True)) == [citation.pk]
    latest = Version.objects.get_for_object(dialogue).first()
    assert latest.revision.comment == f"Undid import #{batch.pk}: the wrong file"
    assert not search_queryset(Dialogue.objects.public(), "zanzibar").exists()
    with pytest.raises(apply.ImportRefused, match="Undone"):
        apply.undo(batch, user=editor, reason="again")


@pytest.mark.parametrize("later", ["published", "edited"])
def test_undo_is_refused_naming_records_worked_on_since(
    world, good_row, to_csv, editor, publisher, later
):
    batch, _ = apply.store("m.csv", to_csv(good_row))
    apply.run_import(batch)
    dialogue = Dialogue.objects.get()
    if later == "published":
        editorial.publish(dialogue, user=publisher)
    else:
        dialogue.summary = "Corrected."
        dialogue.save()
    with pytest.raises(
        apply.ImportRefused, match=f"“Talks in Oslo” \\(talks-in-oslo\\) has been {later}"
    ):
        apply.undo(batch, user=editor, reason="oops")
    assert Dialogue.objects.filter(pk=dialogue.pk).exists()
    assert ImportBatch.objects.get().state == ImportBatch.State.IMPORTED


def test_undo_needs_a_reason(world, good_row, to_csv):
    batch, _ = apply.store("m.csv", to_csv(good_row))
    apply.run_import(batch)
    with pytest.raises(apply.ImportRefused, match="reason"):
        apply.undo(batch, user=None, reason="  ")


def test_the_revision_holds_what_django_reversion_would_have_saved(world, good_row, to_csv):
    batch, _ = apply.store("m.csv", to_csv(good_row))
    apply.run_import(batch)
    dialogue = Dialogue.objects.get()
    revision = Version.objects.get_for_object(dialogue).get().revision
    saved = {
        (v.content_type.model, v.object_id): (json.loads(v.serialized_data), v.object_repr)
        for v in Version.objects.filter(revision=revision)
    }
    for obj in [dialogue, *dialogue.participations.all(), *dialogue.citations.all()]:
        expected = json.loads(serializers.serialize("json", [obj]))
        assert saved[(obj._meta.model_name, str(obj.pk))] == (expected, str(obj))
