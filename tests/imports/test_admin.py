"""The import pages of the admin: upload, dry run, import, undo, the template and the export."""

import csv
import io

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dialogues.api.exports import CSV_COLUMNS
from dialogues.models import Dialogue, ImportBatch, Participation, Status

from ..factories import make_dialogue

pytestmark = pytest.mark.django_db


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def upload(client, name, content):
    return client.post(
        reverse("admin:dialogues_importbatch_upload"),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )


@pytest.fixture
def publisher_client(client):
    user = User.objects.create_user(
        "publisher", password="a long publisher password", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Publishers"))
    client.force_login(user)
    return client


def test_a_dry_run_lists_every_row_and_an_import_follows_only_when_clean(
    world, good_row, to_csv, editor_client
):
    content = to_csv(good_row, good_row | {"title": "Bad", "era_slug": "atlantis"})
    page = soup(upload(editor_client, "meetings.csv", content))
    rows = page.select("#import-rows > tbody > tr")
    assert [row["class"] for row in rows] == [["import-new"], ["import-invalid"]]
    problem = rows[1].select_one(".errorlist li")
    assert problem.select_one(".import-column").get_text() == "era_slug"
    assert problem.select_one(".import-value").get_text() == "atlantis"
    assert "Accepted: nineties, noughties" in problem.select_one(".import-message").get_text()
    assert page.select_one("#confirm_form") is None
    assert page.select_one("#cannot-import") is not None
    # Posting the confirmation anyway writes nothing.
    batch = ImportBatch.objects.get()
    response = editor_client.post(reverse("admin:dialogues_importbatch_dry_run", args=[batch.pk]))
    assert soup(response).select_one("#import-refused") is not None
    assert not Dialogue.objects.exists()


def test_confirming_a_clean_dry_run_imports_drafts(world, good_row, to_csv, editor_client):
    page = soup(upload(editor_client, "meetings.csv", to_csv(good_row)))
    assert page.select_one("#confirm_form") is not None
    batch = ImportBatch.objects.get()
    response = editor_client.post(
        reverse("admin:dialogues_importbatch_dry_run", args=[batch.pk]), follow=True
    )
    assert response.status_code == 200
    dialogue = Dialogue.objects.get()
    assert dialogue.status == Status.DRAFT
    records = soup(response).select("#imported-records tbody tr")
    assert [r.select_one("code").get_text() for r in records] == [dialogue.slug]
    # An editor may import but not undo.
    assert soup(response).find("a", string="Undo this import") is None
    undo = reverse("admin:dialogues_importbatch_undo", args=[batch.pk])
    assert editor_client.post(undo, {"reason": "mine"}).status_code == 403


def test_a_publisher_undoes_an_import(world, good_row, to_csv, publisher_client):
    upload(publisher_client, "meetings.csv", to_csv(good_row))
    batch = ImportBatch.objects.get()
    publisher_client.post(reverse("admin:dialogues_importbatch_dry_run", args=[batch.pk]))
    undo = reverse("admin:dialogues_importbatch_undo", args=[batch.pk])
    page = soup(
        publisher_client.get(reverse("admin:dialogues_importbatch_change", args=[batch.pk]))
    )
    assert page.find("a", href=undo) is not None
    response = publisher_client.post(undo, {"reason": ""})
    assert soup(response).select_one(".errorlist") is not None and Dialogue.objects.exists()
    publisher_client.post(undo, {"reason": "wrong file"})
    assert not Dialogue.objects.exists()
    assert ImportBatch.objects.get().state == ImportBatch.State.UNDONE


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "The file is empty"),
        ("latin.csv", "title\nCaf\xe9\n".encode("latin-1"), "not UTF-8"),
        ("picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "not text"),
        ("headers.csv", b"name,date\nx,1990\n", "lacks the required columns"),
    ],
)
def test_a_bad_file_is_named_on_the_upload_page(editor_client, name, content, message):
    response = upload(editor_client, name, content)
    assert response.status_code == 200
    page = soup(response)
    shown = page.select_one("#file-problem") or page.select_one("#upload_form .errorlist")
    assert message in shown.get_text()
    assert not ImportBatch.objects.exists()


def test_the_template_has_the_export_columns_and_a_comment_row(editor_client):
    response = editor_client.get(reverse("admin:dialogues_importbatch_template"))
    header, example = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert tuple(header) == CSV_COLUMNS
    assert example[0].startswith("#")


def test_the_editors_export_shows_drafts_and_withheld_names(world, editor_client, client):
    draft = make_dialogue(era=world.nineties, conflict=world.conflict, status=Status.DRAFT)
    shown = make_dialogue(era=world.nineties, conflict=world.conflict)
    Participation.objects.create(dialogue=shown, participant=world.ahmed, withheld=True)
    response = editor_client.get(reverse("admin:dialogues_importbatch_export"))
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(text)) if row["title"]}
    assert set(rows) == {draft.slug, shown.slug}
    assert rows[draft.slug]["status"] == "draft"
    assert rows[shown.slug]["participant_list"] == "ahmed | participant | withheld"
    client.logout()
    assert client.get(reverse("admin:dialogues_importbatch_export")).status_code == 302


def test_the_list_of_imports_offers_the_import_the_template_and_the_export(editor_client):
    page = soup(editor_client.get(reverse("admin:dialogues_importbatch_changelist")))
    links = {a["href"] for a in page.select(".object-tools a")}
    assert {
        reverse("admin:dialogues_importbatch_upload"),
        reverse("admin:dialogues_importbatch_template"),
        reverse("admin:dialogues_importbatch_export"),
    } <= links
