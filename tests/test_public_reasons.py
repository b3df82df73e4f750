"""The public history says only what readers may see: the reason for readers, never an editor's
internal note or an import's file name."""

from __future__ import annotations

import importlib

import pytest
import reversion
from django.apps import apps as live_apps
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision, Version

from dialogues.history.records import public_versions
from dialogues.models import Dialogue, RevisionReason
from dialogues.models.reasons import masked_comment
from tests.admin_forms import admin_url, open_form, soup_of
from tests.factories import make_dialogue, make_era

SECRET = "Zebulon Quartermaine asked us to remove his name"
FILE_NAME = "zebulon-quartermaine-private-list.csv"


@pytest.fixture
def loaded(db):
    with reversion.create_revision():
        reversion.set_comment("loaded from fixtures")
        dialogue = make_dialogue(era=make_era(date="1990/1999"), date="1993-08", title="Talks")
    return Dialogue.objects.get(pk=dialogue.pk)


def history_reasons(client, dialogue) -> list[str]:
    response = client.get(reverse("dialogues:dialogue_history", args=[dialogue.slug]))
    assert response.status_code == 200
    rows = soup_of(response).select("table.history-table tbody tr")
    return [row.find_all("td")[-1].get_text(" ", strip=True) for row in rows]


@pytest.mark.django_db
def test_the_form_says_which_reason_is_public(editor_client, loaded):
    form, _ = open_form(editor_client, admin_url("dialogue", "change", loaded.pk))
    reason = form.find("label", attrs={"for": "id_change_reason"}).get_text()
    note = form.find("label", attrs={"for": "id_internal_note"}).get_text()
    assert "public" in reason.lower() and "editors only" in note.lower()
    helps = form.get_text(" ")
    assert "shown to readers in the record's history" in helps
    assert "seen only by editors" in helps


@pytest.mark.django_db
def test_the_internal_note_stays_in_the_admin_and_readers_see_the_reason(
    client, editor_client, loaded
):
    url = admin_url("dialogue", "change", loaded.pk)
    _, data = open_form(editor_client, url, reason="corrected date from ¶7")
    data["date"] = "1993-09"
    data["internal_note"] = SECRET
    assert editor_client.post(url, data).status_code == 302

    revision = Version.objects.get_for_object(loaded).first().revision
    assert revision.reason.public == "corrected date from ¶7"
    assert revision.reason.internal == SECRET
    assert SECRET in revision.comment  # the editors' history shows both
    assert history_reasons(client, loaded)[0] == "corrected date from ¶7"
    for number in (1, 2):
        page = client.get(reverse("dialogues:dialogue_version", args=[loaded.slug, number]))
        assert SECRET not in page.content.decode()
    assert SECRET not in client.get(reverse("dialogues:dialogue_history", args=[loaded.slug])).text
    admin_history = editor_client.get(admin_url("dialogue", "history", loaded.pk))
    assert SECRET in admin_history.content.decode()


@pytest.mark.django_db
def test_an_import_is_shown_to_readers_by_number_not_file_name(client, loaded):
    with reversion.create_revision():
        reversion.set_comment(f"Imported from {FILE_NAME} (import #4)")
        loaded.summary = "Fuller."
        loaded.save()
    reasons = history_reasons(client, loaded)
    assert reasons[0] == "Imported (import #4)"
    assert all(FILE_NAME not in r for r in reasons)
    assert [v.reason for v in public_versions(loaded)][-1] == "Imported (import #4)"


@pytest.mark.parametrize(
    ("comment", "public"),
    [
        (f"Imported from {FILE_NAME} (import #12)", "Imported (import #12)"),
        ("Imported from a (import #1) b.csv (import #3)", "Imported (import #3)"),
        ("Published", "Published"),
        ("Undid import #3: wrong file", "Undid import #3: wrong file"),
        ("", ""),
    ],
)
def test_masked_comment(comment, public):
    assert masked_comment(comment) == public


@pytest.mark.django_db
def test_the_migration_keeps_shown_comments_public_and_masks_import_file_names(loaded):
    imported = Revision.objects.create(
        comment=f"Imported from {FILE_NAME} (import #2)", date_created=timezone.now()
    )
    plain = Revision.objects.get(comment="loaded from fixtures")
    RevisionReason.objects.all().delete()
    migration = importlib.import_module("dialogues.migrations.0014_revision_reasons")
    migration.split_reasons(live_apps, None)
    assert RevisionReason.objects.get(revision=plain).public == "loaded from fixtures"
    assert RevisionReason.objects.get(revision=plain).internal == ""
    moved = RevisionReason.objects.get(revision=imported)
    assert moved.public == "Imported (import #2)"
    assert FILE_NAME in moved.internal
