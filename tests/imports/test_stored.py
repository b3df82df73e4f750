"""The dry run is stored once; an import refuses records saved after it; dry runs expire."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dialogues.imports import apply, plan
from dialogues.models import Dialogue, ImportBatch

from ..admin_forms import soup_of
from ..factories import make_dialogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def oslo(world):
    return make_dialogue(
        slug="oslo", era=world.nineties, conflict=world.conflict, date="1993-01", place="Oslo"
    )


def _row(good_row, oslo, **cells):
    citation = oslo.citations.get()
    return good_row | {
        "slug": "oslo",
        "title": oslo.title,
        "summary": oslo.summary,
        "place": oslo.place,
        "venue_kind_code": oslo.venue_kind,
        "participant_list": "",
        "outcome_list": "",
        "citation_list": f"{citation.source.slug} | {citation.paragraph} | {citation.excerpt}",
        **cells,
    }


def test_the_dry_run_page_draws_the_stored_plan_without_reading_the_file(
    world, good_row, to_csv, editor_client, monkeypatch
):
    upload = SimpleUploadedFile("m.csv", to_csv(good_row))
    editor_client.post(reverse("admin:dialogues_importbatch_upload"), {"file": upload})
    batch = ImportBatch.objects.get()

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was read again")

    monkeypatch.setattr(plan, "read", no_reading)
    for _ in range(2):
        page = soup_of(
            editor_client.get(reverse("admin:dialogues_importbatch_dry_run", args=[batch.pk]))
        )
        rows = page.select("#import-rows > tbody > tr")
        assert [row["class"] for row in rows] == [["import-new"]]
        assert page.select_one("#confirm_form") is not None


@pytest.mark.parametrize("summary", ["A new summary.", None])
def test_an_import_refuses_a_record_saved_after_its_dry_run(
    world, good_row, to_csv, oslo, editor, summary
):
    # The dry run changes only the summary (or nothing); then someone moves the meeting.
    cells = {"summary": summary} if summary else {}
    batch, dry = apply.store("m.csv", to_csv(_row(good_row, oslo, **cells)), user=editor)
    assert [c for c, *_ in dry.rows[0].diff] == (["summary"] if summary else [])
    oslo.refresh_from_db()
    oslo.place = "Sarpsborg"
    oslo.save()
    with pytest.raises(apply.ImportRefused) as refused:
        apply.run_import(batch, user=editor)
    message = str(refused.value)
    assert f"“{oslo.title}” (oslo)" in message
    assert "would now also write place" in message
    oslo.refresh_from_db()
    assert oslo.place == "Sarpsborg" and oslo.summary != "A new summary."
    assert ImportBatch.objects.get().state == ImportBatch.State.CHECKED


def test_an_import_refuses_a_record_saved_after_its_dry_run_even_in_other_fields(
    world, good_row, to_csv, oslo
):
    batch, _ = apply.store("m.csv", to_csv(_row(good_row, oslo, summary="New.")))
    Dialogue.objects.filter(pk=oslo.pk).update(venue="A farmhouse", version=oslo.version + 1)
    with pytest.raises(apply.ImportRefused, match="version 1 at the dry run, version 2 now"):
        apply.run_import(batch)


def test_a_command_dry_run_writes_nothing(world, good_row, to_csv, tmp_path, capsys):
    path = tmp_path / "m.csv"
    path.write_bytes(to_csv(good_row))
    call_command("import_records", str(path), "--dry-run")
    assert "nothing was written" in capsys.readouterr().out
    assert not ImportBatch.objects.exists()
    assert not Dialogue.objects.exists()


def _aged(batch, days):
    ImportBatch.objects.filter(pk=batch.pk).update(
        created=timezone.now() - datetime.timedelta(days=days)
    )


def test_dry_runs_expire_after_seven_days_imports_stay(world, good_row, to_csv, capsys):
    old, _ = apply.store("old.csv", to_csv(good_row))
    recent, _ = apply.store("recent.csv", to_csv(good_row))
    imported, _ = apply.store("imported.csv", to_csv(good_row))
    apply.run_import(imported)
    for batch in (old, imported):
        _aged(batch, 8)
    _aged(recent, 6)
    call_command("expire_imports")
    assert "Deleted 1 dry run(s) older than 7 days" in capsys.readouterr().out
    assert set(ImportBatch.objects.values_list("file_name", flat=True)) == {
        "recent.csv",
        "imported.csv",
    }
    # An upload clears expired dry runs too.
    _aged(recent, 8)
    apply.store("new.csv", to_csv(good_row))
    assert set(ImportBatch.objects.values_list("file_name", flat=True)) == {
        "imported.csv",
        "new.csv",
    }


def test_a_superuser_deletes_a_stored_dry_run_an_editor_cannot(
    world, good_row, to_csv, client, editor_client
):
    checked, _ = apply.store("checked.csv", to_csv(good_row))
    imported, _ = apply.store("imported.csv", to_csv(good_row | {"title": "Other"}))
    apply.run_import(imported)
    url = reverse("admin:dialogues_importbatch_delete", args=[checked.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    client.force_login(User.objects.create_superuser("root", password="x"))
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not ImportBatch.objects.filter(pk=checked.pk).exists()
    url = reverse("admin:dialogues_importbatch_delete", args=[imported.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:dialogues_importbatch_changelist")
    client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [imported.pk], "post": "yes"},
    )
    assert ImportBatch.objects.filter(pk=imported.pk).exists()
