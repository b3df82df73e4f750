"""Revision history through the admin's real forms: reasons, diffs, revert, versions, conflicts."""

from __future__ import annotations

import re

import pytest
import reversion
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Revision, Version

from dialogues.models import Dialogue, StaleRecord
from tests.admin_forms import EDITORS, admin_url, errors_in, open_form, soup_of
from tests.factories import add_participant, make_dialogue, make_era, make_participant

OLD_DATE, NEW_DATE = "1993-08", "1993-09"


def staff(username, *, superuser=False):
    if superuser:
        return User.objects.create_superuser(username, password="a long password here")
    user = User.objects.create_user(username, password="a long password here", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def client_for(client_class, user):
    client = client_class()
    client.force_login(user)
    return client


@pytest.fixture
def loaded(db):
    """A dialogue with two participants whose history starts as a load would start it."""
    with reversion.create_revision():
        reversion.set_comment("loaded from fixtures")
        dialogue = make_dialogue(
            era=make_era(date="1990/1999"), date=OLD_DATE, title="Talks at Sarpsborg"
        )
        add_participant(dialogue, make_participant(name="Yair Hirschfeld"))
        add_participant(dialogue, make_participant(name="Ahmed Qurei", side="palestinian"))
    return Dialogue.objects.get(pk=dialogue.pk)


@pytest.fixture
def editor(db):
    return staff("editor")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def change_url(dialogue):
    return admin_url("dialogue", "change", dialogue.pk)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return soup_of(response)


def public_versions(client, dialogue):
    rows = page(client, reverse("dialogues:dialogue_history", args=[dialogue.slug])).select(
        "table.history-table tbody tr"
    )
    return [[cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])] for row in rows]


# --- The reason ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_save_without_a_reason_is_refused_and_saves_nothing(editor_client, loaded):
    _, data = open_form(editor_client, change_url(loaded), reason="")
    data["date"] = NEW_DATE

    response = editor_client.post(change_url(loaded), data)

    assert response.status_code == 200
    assert "Give a short reason for this change" in errors_in(soup_of(response))
    assert Dialogue.objects.get(pk=loaded.pk).date == OLD_DATE
    assert Version.objects.get_for_object(loaded).count() == 1


@pytest.mark.django_db
def test_the_reason_is_the_revision_comment_and_the_editor_its_author(
    editor_client, editor, loaded
):
    _, data = open_form(editor_client, change_url(loaded), reason="corrected date from ¶7")
    data["date"] = NEW_DATE

    assert editor_client.post(change_url(loaded), data).status_code == 302

    latest = Version.objects.get_for_object(loaded).first().revision
    assert (latest.comment, latest.user) == ("corrected date from ¶7", editor)
    # The participations were saved with the dialogue, so the revision holds them too.
    kinds = set(latest.version_set.values_list("content_type__model", flat=True))
    assert kinds == {"dialogue", "participation", "citation"}


# --- The journey: correct, see the versions, revert, cite ---------------------------------


@pytest.mark.django_db
def test_a_corrected_date_leaves_citable_versions_and_a_revert_makes_a_new_one(
    client, editor_client, loaded
):
    _, data = open_form(editor_client, change_url(loaded), reason="corrected date from ¶7")
    data["date"] = NEW_DATE
    assert editor_client.post(change_url(loaded), data).status_code == 302

    versions = public_versions(client, loaded)
    assert [row[0] for row in versions] == ["Version 2 (current)", "Version 1"]
    assert [row[2] for row in versions] == ["corrected date from ¶7", "loaded from fixtures"]
    assert "editor" not in " ".join(" ".join(row) for row in versions)

    first = page(client, reverse("dialogues:dialogue_version", args=[loaded.slug, 1]))
    assert first.select_one(".record-date").get_text(strip=True) == "August 1993"
    notice = first.select_one(".version-notice")
    assert "A newer version exists" in notice.get_text(" ", strip=True)
    assert notice.find("a", href=loaded.get_absolute_url()) is not None
    assert first.select_one(".record-history a").get_text(strip=True) == "2 revisions"
    # The old version still has its participants, read from the same revision.
    assert len(first.select("ul.people li")) == 2
    current = page(client, loaded.get_absolute_url())
    assert current.select_one(".record-date").get_text(strip=True) == "September 1993"

    publisher = client_for(type(client), staff("publisher", superuser=True))
    first_version = Version.objects.get_for_object(loaded).last()
    revert_url = admin_url("dialogue", "revision", loaded.pk, first_version.pk)
    _, data = open_form(publisher, revert_url, reason="the ¶7 reading was wrong")
    assert data["date"] == OLD_DATE
    assert publisher.post(revert_url, data).status_code == 302

    assert Dialogue.objects.get(pk=loaded.pk).date == OLD_DATE
    versions = public_versions(client, loaded)
    assert versions[0][0] == "Version 3 (current)"
    assert versions[0][2] == "Reverted to revision 1: the ¶7 reading was wrong"
    assert len(versions) == 3  # history is added to, never rewritten
    second = page(client, reverse("dialogues:dialogue_version", args=[loaded.slug, 2]))
    assert second.select_one(".record-date").get_text(strip=True) == "September 1993"

    cited = page(client, loaded.get_absolute_url()).select_one("#citation-text").get_text()
    version_url = f"http://testserver/dialogues/{loaded.slug}/v/3/"
    assert re.search(r"version 3, \d{1,2} \w+ \d{4}", cited)
    assert version_url in cited
    bib = client.get(reverse("dialogues:dialogue_citation", args=[loaded.slug, "bib"]))
    assert re.search(r"^  version\s+= \{3\},$", bib.content.decode(), re.MULTILINE)
    old = client.get(
        reverse("dialogues:dialogue_citation", args=[loaded.slug, "json"]), {"version": "1"}
    ).json()[0]
    assert (old["version"], old["URL"]) == ("1", f"http://testserver/dialogues/{loaded.slug}/v/1/")


@pytest.mark.django_db
def test_an_editor_without_the_revert_permission_cannot_revert(editor_client, loaded):
    version = Version.objects.get_for_object(loaded).get()

    response = editor_client.get(admin_url("dialogue", "revision", loaded.pk, version.pk))

    assert response.status_code == 403


@pytest.mark.parametrize("number", ["2", "99"])
@pytest.mark.django_db
def test_an_unknown_version_is_a_clear_404(client, loaded, number):
    response = client.get(f"/dialogues/{loaded.slug}/v/{number}/")

    assert response.status_code == 404
    assert "This record has no version" in soup_of(response).h1.get_text()


@pytest.mark.parametrize("value", ["x", "7"])
@pytest.mark.django_db
def test_a_citation_of_a_bad_version_is_a_404_not_an_error(client, loaded, value):
    url = reverse("dialogues:dialogue_citation", args=[loaded.slug, "bib"])
    assert client.get(url, {"version": value}).status_code == 404


# --- No lost edits ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_second_of_two_concurrent_saves_is_refused_with_the_diff_and_then_merges(
    client, loaded
):
    first = client_for(type(client), staff("first"))
    second = client_for(type(client), staff("second"))
    url = change_url(loaded)
    _, first_data = open_form(first, url, reason="corrected date from ¶7")
    _, second_data = open_form(second, url, reason="fuller summary from ¶3")

    first_data["date"] = NEW_DATE
    assert first.post(url, first_data).status_code == 302
    second_data["summary"] = "The second editor's fuller summary."
    refused = second.post(url, second_data)

    assert refused.status_code == 200
    saved = Dialogue.objects.get(pk=loaded.pk)
    assert (saved.date, saved.summary) == (NEW_DATE, loaded.summary)
    form = soup_of(refused)
    assert "Another editor saved this record" in errors_in(form)
    assert form.find("textarea", attrs={"name": "summary"}).get_text().strip() == (
        "The second editor's fuller summary."
    )
    conflict = form.select_one(".history-conflict")
    row = [
        [cell.get_text(strip=True) for cell in tr.find_all(["th", "td"])]
        for tr in conflict.select("table tbody tr")
    ]
    assert ["Date", OLD_DATE, NEW_DATE, OLD_DATE] in row

    # Merging: take the other editor's date, keep one's own summary, save again.
    _, merged = open_form_from(form)
    merged["date"] = NEW_DATE
    assert second.post(url, merged).status_code == 302
    saved = Dialogue.objects.get(pk=loaded.pk)
    assert (saved.date, saved.summary) == (NEW_DATE, "The second editor's fuller summary.")
    assert saved.version == loaded.version + 2


def open_form_from(soup):
    from tests.admin_forms import browser_data

    form = soup.find("form", id=re.compile(r"_form$"))
    return form, browser_data(form)


@pytest.mark.django_db
def test_a_stale_save_is_refused_when_the_other_editor_removed_an_inline_row(client, loaded):
    # Removing rows is given to editors elsewhere; here a superuser removes one.
    first = client_for(type(client), staff("first", superuser=True))
    second = client_for(type(client), staff("second"))
    url = change_url(loaded)
    first_form, first_data = open_form(first, url, reason="removed a wrong participant")
    _, second_data = open_form(second, url, reason="a note on a participant")
    prefix = first_form.find(attrs={"name": re.compile(r"-0-role$")})["name"].rsplit("-0-", 1)[0]
    first_data[f"{prefix}-0-DELETE"] = "on"
    assert first.post(url, first_data).status_code == 302
    assert loaded.participations.count() == 1

    second_data[f"{prefix}-1-note"] = "Named in ¶3."
    refused = second.post(url, second_data)

    assert refused.status_code == 200
    assert not loaded.participations.filter(note="Named in ¶3.").exists()
    conflict = soup_of(refused).select_one(".history-conflict")
    assert "Removed" in conflict.get_text(" ", strip=True)


@pytest.mark.django_db
def test_a_save_from_an_old_version_number_is_refused_in_the_update_itself(loaded):
    stale = Dialogue.objects.get(pk=loaded.pk)
    loaded.title = "First save"
    loaded.save(expected_version=loaded.version)

    stale.title = "Second save"
    with pytest.raises(StaleRecord):
        stale.save(expected_version=stale.version)
    assert Dialogue.objects.get(pk=loaded.pk).title == "First save"


@pytest.mark.django_db
def test_a_save_that_slips_in_after_the_form_check_is_refused_by_the_update(
    editor_client, loaded, monkeypatch
):
    from dialogues.admin.revisions import RecordForm

    _, data = open_form(editor_client, change_url(loaded), reason="corrected date from ¶7")
    data["date"] = NEW_DATE
    real_check = RecordForm.live_version
    calls = []

    def check_read_before_the_other_save(form):
        # The first check reads the number as it was just before the other editor's save.
        calls.append(form)
        return int(data["record_version"]) if len(calls) == 1 else real_check(form)

    Dialogue.objects.filter(pk=loaded.pk).update(title="Saved by someone else", version=9)
    monkeypatch.setattr(RecordForm, "live_version", check_read_before_the_other_save)
    response = editor_client.post(change_url(loaded), data)

    assert response.status_code == 200
    assert "Another editor saved this record" in errors_in(soup_of(response))
    saved = Dialogue.objects.get(pk=loaded.pk)
    assert (saved.date, saved.title) == (OLD_DATE, "Saved by someone else")
    assert Version.objects.get_for_object(loaded).count() == 1


# --- Recent changes and diffs -------------------------------------------------------------


@pytest.mark.django_db
def test_recent_changes_filter_by_editor_kind_and_date_and_link_to_a_diff(editor_client, loaded):
    _, data = open_form(editor_client, change_url(loaded), reason="corrected date from ¶7")
    data["date"] = NEW_DATE
    editor_client.post(change_url(loaded), data)
    url = reverse("admin:dialogues_recent_changes")
    editor = User.objects.get(username="editor")

    def rows(params):
        soup = page(editor_client, f"{url}?{params}")
        return [
            [td.get_text(strip=True) for td in tr.find_all("td")]
            for tr in soup.select("#recent-changes tbody tr")
        ], soup

    found, soup = rows(f"editor={editor.pk}")
    assert [row[4] for row in found] == ["corrected date from ¶7"]
    kinds, _ = rows("")
    assert {row[2] for row in kinds} >= {"dialogue", "participant"}
    dialogue_kind = next(
        o["value"] for o in soup.select("select[name=kind] option") if o.text == "Dialogues"
    )
    only, _ = rows(f"kind={dialogue_kind}")
    assert {row[2] for row in only} == {"dialogue"}
    none, _ = rows("since=2999-01-01")
    assert none == [["No change matches these filters."]]
    bad, soup = rows("since=yesterday")
    assert "This filter was left out." in soup.get_text()

    diff = page(editor_client, soup.select_one("#recent-changes a")["href"])
    cells = [td.get_text(strip=True) for td in diff.select("table.history-diff tbody td")]
    assert cells[:2] == [OLD_DATE, NEW_DATE]


@pytest.mark.django_db
def test_the_admin_history_lists_revisions_with_reasons_and_diff_links(editor_client, loaded):
    soup = page(editor_client, admin_url("dialogue", "history", loaded.pk))

    rows = soup.select("#change-history tbody tr")
    assert len(rows) == 1
    assert "loaded from fixtures" in rows[0].get_text()
    diff = page(editor_client, rows[0].find("a")["href"])
    # The first revision is shown against nothing: every row it holds was added.
    assert "Added" in diff.select_one(".history-rows").get_text()


# --- Loads --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_initial_data_leaves_one_revision_with_its_reason(capsys):
    call_command("load_initial_data", verbosity=0)

    revision = Revision.objects.get()
    assert revision.comment == "loaded from fixtures"
    for dialogue in Dialogue.objects.all():
        assert Version.objects.get_for_object(dialogue).count() == 1

    call_command("load_initial_data", update=True, verbosity=0)
    # Nothing changed, so nothing new to record.
    assert (
        not Revision.objects.filter(comment="updated from fixtures")
        .exclude(version__isnull=True)
        .exists()
    )


# --- Cost ---------------------------------------------------------------------------------


def queries_for(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_history_and_version_pages_cost_the_same_however_many_revisions_and_rows(client, loaded):
    urls = [
        loaded.get_absolute_url(),
        reverse("dialogues:dialogue_history", args=[loaded.slug]),
        reverse("dialogues:dialogue_version", args=[loaded.slug, 1]),
    ]
    before = [queries_for(client, url) for url in urls]
    for n in range(3):
        with reversion.create_revision():
            reversion.set_comment(f"added participant {n}")
            add_participant(loaded, make_participant(name=f"Participant {n}"))
            reversion.add_to_revision(loaded)
    urls[2] = reverse("dialogues:dialogue_version", args=[loaded.slug, 4])

    assert [queries_for(client, url) for url in urls] == before
    shown = page(client, urls[2]).select("ul.people li")
    assert len(shown) == 5
