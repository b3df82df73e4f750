"""A name withheld in a dialogue stays withheld across saves: removing the withheld row in one
save or import and adding the same person back, named, in a later one needs a publisher."""

from __future__ import annotations

import pytest
from django.urls import reverse
from reversion.models import Version

from dialogues.admin.guard import revision_changes
from dialogues.models import Participation
from dialogues.models.withheld_pairs import former_state
from tests.admin_forms import errors_in, fill_inline, inline_prefix, open_form, soup_of
from tests.admin_paths import ROLES, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def _remove_hidden_row(client, w):
    url = reverse("admin:dialogues_dialogue_change", args=[w.public.pk])
    form, data = open_form(client, url)
    row = next(
        k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and v == str(w.hidden.pk)
    )
    data[f"{row}-DELETE"] = "on"
    return client.post(url, data)


def _add_back(client, w, **flags):
    url = reverse("admin:dialogues_dialogue_change", args=[w.public.pk])
    form, data = open_form(client, url)
    prefix = inline_prefix(form, "withheld")
    row = {"participant": w.hidden.participant_id, "role": "participant", **flags}
    fill_inline(form, data, prefix, [row])
    return client.post(url, data)


def test_deleting_a_withheld_row_keeps_its_pair_and_deleting_a_named_one_forgets_it(world):
    hidden = world.hidden
    hidden.delete()
    assert former_state(hidden.dialogue_id, hidden.participant_id) == {
        "withheld": True,
        "withheld_until": None,
        "show_side": False,
    }
    again = Participation.objects.create(
        dialogue_id=hidden.dialogue_id, participant_id=hidden.participant_id
    )
    again.delete()
    assert former_state(hidden.dialogue_id, hidden.participant_id) is None


def test_an_editor_may_not_add_back_named_a_person_withheld_in_an_earlier_save(client, world):
    client.force_login(ROLES["editor"]())
    assert _remove_hidden_row(client, world).status_code == 302
    assert not Participation.objects.filter(pk=world.hidden.pk).exists()
    response = _add_back(client, world)
    assert response.status_code == 200
    errors = errors_in(soup_of(response))
    assert "name was withheld in this dialogue before their row was removed" in errors
    assert "only a publisher may change what readers see (withheld)" in errors
    assert not Participation.objects.filter(
        dialogue=world.public, participant_id=world.hidden.participant_id
    ).exists()


def test_an_editor_may_add_the_person_back_withheld_and_a_publisher_named(client, world):
    client.force_login(ROLES["editor"]())
    assert _remove_hidden_row(client, world).status_code == 302
    assert _add_back(client, world, withheld="on").status_code == 302
    row = Participation.objects.get(
        dialogue=world.public, participant_id=world.hidden.participant_id
    )
    assert row.withheld
    row.delete()
    client.force_login(ROLES["publisher"]())
    assert _add_back(client, world).status_code == 302
    row = Participation.objects.get(
        dialogue=world.public, participant_id=world.hidden.participant_id
    )
    assert not row.withheld


def test_reverting_to_a_version_from_before_the_withholding_and_deletion_is_a_publishers(world):
    # The first revision holds the row withheld; one made before it was withheld would name it.
    version = Version.objects.get_for_object(world.hidden).first()
    named = {**version.field_dict, "withheld": False}
    world.hidden.delete()
    assert revision_changes(version) == []  # it brings the row back withheld: nothing shown
    from dialogues import publishing_rights as rights

    before = former_state(named["dialogue_id"], named["participant_id"])
    assert rights.participation_reveals(before, named) == ["withheld"]


def test_the_migration_keeps_the_pairs_of_withheld_rows_deleted_before_it(world):
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("dialogues.migrations.0017_withheld_pairs")
    hidden, named = world.hidden, world.public.participations.exclude(pk=world.hidden.pk).get()
    # The withheld row is in the first revision (make_world); both rows go, and the table is
    # emptied as if they had gone before it existed.
    hidden.delete()
    named.delete()
    from dialogues.models import WithheldPair

    WithheldPair.objects.all().delete()
    migration.keep_pairs_from_history(apps, connection.schema_editor())
    assert former_state(hidden.dialogue_id, hidden.participant_id)["withheld"] is True
    assert former_state(named.dialogue_id, named.participant_id) is None
