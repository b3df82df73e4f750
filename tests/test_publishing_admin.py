"""Who may do what in the admin, permission by permission, through its real forms.

Editors draft, edit, remove inline rows and submit for review; Publishers may also publish,
withdraw and merge participants; only a superuser deletes a record.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission, User

from dialogues.models import Dialogue, Participant, Participation, Status
from tests.admin_forms import admin_url, errors_in, filled_add_form, open_form, soup_of
from tests.factories import (
    add_participant,
    make_conflict,
    make_dialogue,
    make_era,
    make_participant,
    make_source,
)
from tests.test_admin import AUTHORITY_ROWS  # noqa: E402

PUBLISHING_ACTIONS = {"publish_selected", "unpublish_selected", "withdraw_selected"}
CUSTOM = {
    "publish_dialogue",
    "withdraw_dialogue",
    "revert_dialogue",
    "merge_participants",
    "undo_importbatch",
}


def _user(name, *groups, perms=()):
    user = User.objects.create_user(name, is_staff=True)
    for group in groups:
        user.groups.add(Group.objects.get(name=group))
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def editor_client(client, db):
    client.force_login(_user("ed", "Editors"))
    return client


@pytest.fixture
def publisher_client(client, db):
    client.force_login(_user("pub", "Publishers"))
    return client


def _actions(client, model):
    page = soup_of(client.get(admin_url(model, "changelist")))
    return {o.get("value") for o in page.select("select[name=action] option") if o.get("value")}


def _tools(client, dialogue):
    page = soup_of(client.get(admin_url("dialogue", "change", dialogue.pk)))
    return {a.get_text(strip=True) for a in page.select(".object-tools a")}


# --- The groups -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_publishers_hold_the_editors_permissions_and_the_publishing_ones():
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    publishers = set(
        Group.objects.get(name="Publishers").permissions.values_list("codename", flat=True)
    )
    assert publishers == editors | CUSTOM
    assert not editors & CUSTOM
    deletable = {c.removeprefix("delete_") for c in publishers if c.startswith("delete_")}
    # Issue 21's inline rows (names, ids, citations, places, series places, links) too.
    assert deletable == {"participation", "outcome", "citation", *AUTHORITY_ROWS}


# --- Editors ------------------------------------------------------------------------------


def _setting():
    return SimpleNamespace(
        era=make_era(name="The Oslo years", date="1990/1999"),
        conflict=make_conflict(name="Israeli–Palestinian conflict"),
        source=make_source(title="Memoir of the back channel"),
        first=make_participant(name="Yair Hirschfeld"),
        second=make_participant(name="Ahmed Qurei", side="palestinian"),
    )


@pytest.mark.django_db
def test_an_editors_new_dialogue_is_a_draft_readers_cannot_find(editor_client, client):
    url, _, data = filled_add_form(editor_client, _setting())
    data["status"] = Status.PUBLISHED  # not a field of the form: ignored
    data["review_requested"] = "on"
    assert editor_client.post(url, data).status_code == 302
    dialogue = Dialogue.objects.get(slug="talks-at-sarpsborg")
    assert (dialogue.status, dialogue.review_requested) == (Status.DRAFT, True)
    editor_client.logout()
    assert client.get(dialogue.get_absolute_url()).status_code == 404
    found = soup_of(client.get("/dialogues/?q=Sarpsborg")).select(".card-title")
    assert found == []


@pytest.mark.django_db
def test_an_editor_sees_no_publishing_action_or_button(editor_client):
    dialogue = make_dialogue(status=Status.DRAFT)
    assert not _actions(editor_client, "dialogue") & PUBLISHING_ACTIONS
    assert "merge_selected" not in _actions(editor_client, "participant")
    assert not _tools(editor_client, dialogue) & {"Publish", "Withdraw"}
    form, _ = open_form(editor_client, admin_url("dialogue", "change", dialogue.pk))
    # Status and embargo are shown, not offered for editing.
    assert form.find(attrs={"name": "status"}) is None
    assert form.find(attrs={"name": "embargo_until"}) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("publish", {"to": "published"}),
        ("withdraw", {"reason": "Because.", "apply": "Withdraw"}),
    ],
)
def test_an_editor_cannot_publish_or_withdraw_by_address(editor_client, url, data):
    dialogue = make_dialogue(status=Status.DRAFT)
    address = f"{admin_url('dialogue', 'change', dialogue.pk)}".replace("/change/", f"/{url}/")
    assert editor_client.get(address).status_code == 403
    assert editor_client.post(address, data).status_code == 403
    dialogue.refresh_from_db()
    assert dialogue.status == Status.DRAFT


@pytest.mark.django_db
def test_an_editor_cannot_run_a_publishing_action_by_posting_it(editor_client):
    dialogue = make_dialogue(status=Status.DRAFT)
    editor_client.post(
        admin_url("dialogue", "changelist"),
        {"action": "publish_selected", "_selected_action": [dialogue.pk]},
    )
    dialogue.refresh_from_db()
    assert dialogue.status == Status.DRAFT


@pytest.mark.django_db
def test_an_editor_removes_a_wrong_participation_with_the_inline_delete_box(editor_client):
    dialogue = make_dialogue()
    right, wrong = add_participant(dialogue), add_participant(dialogue)
    url = admin_url("dialogue", "change", dialogue.pk)
    form, data = open_form(editor_client, url)
    prefix = next(
        name.removesuffix("-TOTAL_FORMS")
        for name in data
        if name.endswith("-TOTAL_FORMS") and "particip" in name
    )
    index = next(
        name.split("-")[-2]
        for name, value in data.items()
        if name.startswith(prefix) and name.endswith("-id") and value == str(wrong.pk)
    )
    checkbox = form.find("input", attrs={"name": f"{prefix}-{index}-DELETE"})
    assert checkbox is not None, "the editor is offered no delete box"
    data[f"{prefix}-{index}-DELETE"] = "on"
    response = editor_client.post(url, data)
    assert response.status_code == 302, errors_in(soup_of(response))
    assert list(Participation.objects.filter(dialogue=dialogue)) == [right]


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["editor", "publisher"])
def test_only_a_superuser_deletes_a_dialogue(client, user):
    dialogue = make_dialogue()
    group = "Editors" if user == "editor" else "Publishers"
    client.force_login(_user(user, group))
    url = admin_url("dialogue", "delete", dialogue.pk)
    assert client.post(url, {"post": "yes"}).status_code == 403
    client.force_login(User.objects.create_superuser("root", password="x"))
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Dialogue.objects.filter(pk=dialogue.pk).exists()


# --- Permission by permission ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("codename", "dialogue_actions", "participant_actions"),
    [
        (None, set(), set()),
        ("publish_dialogue", {"publish_selected", "unpublish_selected"}, set()),
        # Withdrawing decides what readers see, so it needs the publishing permission as well.
        ("withdraw_dialogue", set(), set()),
        # So does merging, which moves withheld participations between people.
        ("merge_participants", set(), set()),
        ("revert_dialogue", set(), set()),
    ],
)
def test_each_permission_offers_exactly_its_actions(
    client, codename, dialogue_actions, participant_actions
):
    add_participant(make_dialogue())  # a changelist offers actions only when it has rows
    client.force_login(_user("one", "Editors", perms=[codename] if codename else []))
    assert _actions(client, "dialogue") & PUBLISHING_ACTIONS == dialogue_actions
    assert _actions(client, "participant") & {"merge_selected"} == participant_actions


# --- Publishers ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_publisher_publishes_with_the_button_and_readers_find_it(publisher_client, client):
    dialogue = make_dialogue(status=Status.DRAFT, review_requested=True)
    assert {"Publish", "Withdraw"} <= _tools(publisher_client, dialogue)
    url = admin_url("dialogue", "publish", dialogue.pk)
    page = soup_of(publisher_client.get(url))
    form = page.find("form", id="publish_form")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    assert publisher_client.post(url, data).status_code == 302
    dialogue.refresh_from_db()
    assert (dialogue.status, dialogue.review_requested) == (Status.PUBLISHED, False)
    assert dialogue.published_at is not None
    publisher_client.logout()
    assert client.get(dialogue.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_a_publisher_unpublishes_back_to_draft(publisher_client):
    dialogue = make_dialogue()
    publisher_client.post(
        admin_url("dialogue", "changelist"),
        {"action": "unpublish_selected", "_selected_action": [dialogue.pk]},
    )
    dialogue.refresh_from_db()
    assert dialogue.status == Status.DRAFT


@pytest.mark.django_db
def test_a_publisher_withdraws_with_a_reason_and_a_replacement(publisher_client, client):
    dialogue, replacement = make_dialogue(), make_dialogue()
    url = admin_url("dialogue", "withdraw", dialogue.pk)
    page = soup_of(publisher_client.get(url))
    offered = {o.get_text() for o in page.select("select[name=replaced_by] option")}
    assert replacement.title in offered and dialogue.title not in offered

    refused = publisher_client.post(url, {"reason": "", "apply": "Withdraw"})
    assert "Give the reason readers will see." in errors_in(soup_of(refused))
    dialogue.refresh_from_db()
    assert dialogue.status == Status.PUBLISHED

    done = publisher_client.post(
        url, {"reason": "A duplicate.", "replaced_by": replacement.pk, "apply": "Withdraw"}
    )
    assert done.status_code == 302
    dialogue.refresh_from_db()
    assert (dialogue.status, dialogue.withdrawal_reason) == (Status.WITHDRAWN, "A duplicate.")
    assert dialogue.replaced_by == replacement
    publisher_client.logout()
    assert client.get(dialogue.get_absolute_url()).status_code == 410


@pytest.mark.django_db
def test_a_publisher_withdraws_several_from_the_list(publisher_client):
    first, second = make_dialogue(), make_dialogue()
    changelist = admin_url("dialogue", "changelist")
    chosen = {"action": "withdraw_selected", "_selected_action": [first.pk, second.pk]}
    page = soup_of(publisher_client.post(changelist, chosen))
    assert page.find("form", id="withdraw_form") is not None
    publisher_client.post(changelist, {**chosen, "reason": "Out of scope.", "apply": "Withdraw"})
    assert set(Dialogue.objects.values_list("status", flat=True)) == {Status.WITHDRAWN}


@pytest.mark.django_db
def test_a_publisher_merges_two_participants_choosing_the_one_kept(publisher_client, client):
    keep, lose = make_participant(name="Yair Hirschfeld"), make_participant(name="Y. Hirschfeld")
    add_participant(make_dialogue(), keep)
    add_participant(make_dialogue(), lose)
    changelist = admin_url("participant", "changelist")
    chosen = {"action": "merge_selected", "_selected_action": [keep.pk, lose.pk]}
    page = soup_of(publisher_client.post(changelist, chosen))
    choices = {i["value"] for i in page.select("#merge_form input[name=keep]")}
    assert choices == {str(keep.pk), str(lose.pk)}
    publisher_client.post(changelist, {**chosen, "keep": keep.pk, "apply": "Merge"})
    assert list(Participant.objects.all()) == [keep]
    assert Participation.objects.filter(participant=keep).count() == 2
    response = client.get(lose.get_absolute_url())
    assert (response.status_code, response["Location"]) == (301, keep.get_absolute_url())


@pytest.mark.django_db
def test_merging_needs_exactly_two_participants(publisher_client):
    only = make_participant()
    response = publisher_client.post(
        admin_url("participant", "changelist"),
        {"action": "merge_selected", "_selected_action": [only.pk]},
        follow=True,
    )
    assert "Select exactly two participants" in soup_of(response).get_text()
    assert Participant.objects.filter(pk=only.pk).exists()
