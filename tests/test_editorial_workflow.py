"""The whole editorial workflow through the admin's real forms, as the people who do it.

An editor drafts a dialogue; readers cannot find it; a publisher publishes it; readers find it;
an editor corrects its date with a reason; the public history shows both versions and the first
version's address still shows the old date; a publisher reverts; the citation names the version.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, User
from django.test import Client
from reversion.models import Version

from dialogues.models import Dialogue, Status
from tests.admin_forms import admin_url, filled_add_form, open_form

pytestmark = pytest.mark.django_db

SLUG = "talks-at-sarpsborg"


def member(name: str, group: str) -> Client:
    user = User.objects.create_user(name, password="a long password here", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def reader_finds(reader: Client) -> bool:
    """Whether a reader finds the dialogue at its address and by searching for it."""
    record = reader.get(f"/dialogues/{SLUG}/").status_code
    listed = soup(reader.get("/dialogues/", {"q": "Sarpsborg"}))
    found = any(a["href"] == f"/dialogues/{SLUG}/" for a in listed.select("a[href]"))
    assert (record == 200) == found, "the page and the search must agree"
    return found


def record_date(reader: Client, url: str) -> str:
    return soup(reader.get(url)).select_one(".record-date").get_text(strip=True)


def test_a_record_goes_from_draft_to_published_corrected_and_reverted(
    setting, django_capture_on_commit_callbacks
):
    editor, publisher, reader = member("ed", "Editors"), member("pub", "Publishers"), Client()

    def saved(client, url, data):
        # The search index follows a save once it commits; run those hooks, as a server would.
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data).status_code == 302

    # An editor drafts a dialogue with two participants and a citation.
    url, _, data = filled_add_form(editor, setting, date="1995~")
    assert saved(editor, url, data)
    dialogue = Dialogue.objects.get(slug=SLUG)
    assert dialogue.status == Status.DRAFT
    assert dialogue.participations.count() == 2 and dialogue.citations.count() == 1
    assert not reader_finds(reader)

    # A publisher publishes it with the button's form; readers find it.
    publish = admin_url("dialogue", "publish", dialogue.pk)
    form = soup(publisher.get(publish)).find("form", id="publish_form")
    fields = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    assert saved(publisher, publish, fields)
    assert reader_finds(reader)
    assert record_date(reader, f"/dialogues/{SLUG}/") == "c. 1995"

    # An editor corrects the date, giving the reason.
    change = admin_url("dialogue", "change", dialogue.pk)
    _, data = open_form(editor, change, reason="corrected date from ¶7")
    data["date"] = "1996"
    assert saved(editor, change, data)
    assert record_date(reader, f"/dialogues/{SLUG}/") == "1996"

    # The public history shows the two public revisions, with their reasons, not the editors.
    history = soup(reader.get(f"/dialogues/{SLUG}/history/"))
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
        for row in history.select("table.history-table tbody tr")
    ]
    assert [row[0] for row in rows] == ["Version 2 (current)", "Version 1"]
    assert rows[0][2] == "corrected date from ¶7"
    assert "ed" not in {word for row in rows for cell in row for word in cell.split()}
    # The first version's address still shows the date as it was.
    assert record_date(reader, f"/dialogues/{SLUG}/v/1/") == "c. 1995"

    # A publisher reverts to the published first version: a new revision, history kept.
    published = [
        v for v in Version.objects.get_for_object(dialogue) if v.field_dict["date"] == "1995~"
    ][0]
    revert = admin_url("dialogue", "revision", dialogue.pk, published.pk)
    _, data = open_form(publisher, revert, reason="the ¶7 reading was wrong")
    assert saved(publisher, revert, data)
    assert record_date(reader, f"/dialogues/{SLUG}/") == "c. 1995"
    assert record_date(reader, f"/dialogues/{SLUG}/v/2/") == "1996"

    # The citation names the version it cites, and its address.
    cited = soup(reader.get(f"/dialogues/{SLUG}/")).select_one("#citation-text").get_text()
    assert re.search(r"version 3, \d{1,2} \w+ \d{4}", cited)
    assert f"http://testserver/dialogues/{SLUG}/v/3/" in cited


@pytest.mark.django_db
def test_the_editorial_functions_check_rights_themselves(editor, publisher):
    from dialogues import editorial
    from dialogues.publishing_rights import VisibilityRefused
    from tests.factories import make_dialogue, make_participant

    draft = make_dialogue(slug="draft", status=Status.DRAFT)
    public = make_dialogue(slug="public")
    keep, lose = make_participant(slug="keep"), make_participant(slug="lose")
    for attempt in (
        lambda: editorial.publish(draft, user=editor),
        lambda: editorial.unpublish(public, user=editor),
        lambda: editorial.withdraw(public, user=editor, reason="Duplicate."),
        lambda: editorial.merge_participants(keep, lose, user=editor),
    ):
        with pytest.raises(VisibilityRefused, match="Nothing was changed"):
            attempt()
    assert Dialogue.objects.get(pk=draft.pk).status == Status.DRAFT
    assert Dialogue.objects.get(pk=public.pk).status == Status.PUBLISHED
    assert {p.slug for p in (keep, lose)} == set(
        type(keep).objects.filter(pk__in=[keep.pk, lose.pk]).values_list("slug", flat=True)
    )
    # A publisher holding the merge permission may.
    editorial.publish(draft, user=publisher)
    assert Dialogue.objects.get(pk=draft.pk).status == Status.PUBLISHED
