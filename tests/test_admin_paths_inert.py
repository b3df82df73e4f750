"""Every admin path that cannot change what readers see, and what an editor may still do.

An Editor's hostile post (status, embargo, actions, confirmations) to each such path, found by
walking the admin's URLs, changes nothing readers see and never answers 500. An editor may
still withhold a name; a merge keeps the stricter withholding.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from dialogues import editorial
from dialogues.models import Dialogue, Participation, SourceDisagreement
from tests.admin_forms import errors_in, fill_inline, inline_prefix, open_form, soup_of
from tests.admin_paths import (
    INERT_NAMES,
    ROLES,
    admin_path_names,
    is_inert,
    make_world,
    snapshot,
)
from tests.factories import add_participant, make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def _args(name, w):
    model = name.split("_")[1] if name.startswith("dialogues_") else None
    objects = {
        "dialogue": w.public.pk,
        "era": w.era.pk,
        "source": w.source.pk,
        "conflict": w.public.conflict_id,
        "participant": w.twin.pk,
        "sourcedisagreement": SourceDisagreement.objects.values_list("pk", flat=True).first(),
        "importbatch": w.batch.pk,
    }
    if name == "view_on_site":
        return [ContentType.objects.get_for_model(Dialogue).pk, w.public.pk]
    if name == "app_list":
        return ["dialogues"]
    if name == "dialogues_version_diff":
        return [w.first.pk]
    if name == "auth_user_password_change":
        return [User.objects.first().pk]
    if name not in INERT_NAMES and name.endswith(("_change", "_delete", "_history")):
        return [objects.get(model, 1)]
    return []


@pytest.mark.parametrize("name", [n for n in admin_path_names() if is_inert(n)])
def test_an_editors_hostile_post_to_any_other_path_changes_nothing_readers_see(client, world, name):
    client.force_login(ROLES["editor"]())
    before = snapshot()
    url = reverse(f"admin:{name}", args=_args(name, world))
    data = {
        "status": "published",
        "embargo_until": "",
        "to": "published",
        "apply": "1",
        "post": "yes",
        "reason": "hostile",
        "change_reason": "hostile",
        "action": "publish_selected",
        "_selected_action": [world.draft.pk, world.public.pk],
    }
    for response in (client.get(url), client.post(url, data)):
        assert response.status_code < 500, name
    assert snapshot() == before


# --- What an editor may still do --------------------------------------------------------------


def test_an_editor_may_withhold_a_name_in_the_form(client, world):
    named = add_participant(world.public, make_participant(slug="named"))
    client.force_login(ROLES["editor"]())
    url = reverse("admin:dialogues_dialogue_change", args=[world.public.pk])
    form, data = open_form(client, url)
    prefix = next(
        k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and v == str(named.pk)
    )
    data[f"{prefix}-withheld"] = "on"
    assert client.post(url, data).status_code == 302
    assert Participation.objects.get(pk=named.pk).withheld


def test_an_editor_may_not_remove_a_withheld_row_and_add_the_person_again_named(client, world):
    client.force_login(ROLES["editor"]())
    url = reverse("admin:dialogues_dialogue_change", args=[world.public.pk])
    form, data = open_form(client, url)
    prefix = inline_prefix(form, "withheld")
    row = next(
        k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and v == str(world.hidden.pk)
    )
    data[f"{row}-DELETE"] = "on"
    fill_inline(
        form, data, prefix, [{"participant": world.hidden.participant_id, "role": "participant"}]
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "only a publisher may change what readers see (withheld)" in errors_in(soup_of(response))
    assert Participation.objects.get(pk=world.hidden.pk).withheld


def test_a_merge_keeps_the_stricter_withholding(world):
    publisher = ROLES["publisher"]()
    editorial.merge_participants(world.twin, world.hidden.participant, user=publisher)
    (row,) = Participation.objects.filter(dialogue=world.public, participant=world.twin)
    assert row.withheld and row.withheld_until is None


@pytest.mark.parametrize(
    ("before", "after", "reveals"),
    [
        ((True, None, False), (False, None, False), ["withheld"]),
        ((True, None, False), (True, "2030-01-01", False), ["withheld_until"]),
        ((True, "2040-01-01", False), (True, "2030-01-01", False), ["withheld_until"]),
        ((True, "2030-01-01", False), (True, "2040-01-01", False), []),
        ((True, "2030-01-01", False), (True, None, False), []),
        ((True, None, False), (True, None, True), ["show_side"]),
        ((True, None, True), (True, None, False), []),
        ((False, None, False), (True, None, True), []),
        (None, (False, None, False), []),
        ((True, None, False), None, []),
    ],
)
def test_what_shows_more_of_a_participation(before, after, reveals):
    from dialogues.publishing_rights import participation_reveals

    def row(flags):
        if flags is None:
            return None
        return dict(zip(("withheld", "withheld_until", "show_side"), flags, strict=True))

    assert participation_reveals(row(before), row(after)) == reveals
