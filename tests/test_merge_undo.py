"""A merge of two participants can be undone with the admin's own history tools.

The merge leaves two revisions: the participant that goes, as it was last, then the merge. A
publisher recovers the participant from the first and reverts each dialogue the merge changed
to its version before it; the archive is then as it was, and every step is a new revision.
"""

from __future__ import annotations

import pytest
import reversion
from django.contrib.auth.models import Group, User
from django.test import Client
from reversion.models import Version

from dialogues import editorial
from dialogues.models import Citation, Dialogue, Participant, Participation
from tests.admin_forms import admin_url, open_form
from tests.factories import add_participant, make_dialogue, make_participant, make_source

pytestmark = pytest.mark.django_db


def publisher() -> Client:
    user = User.objects.create_user("pub", password="a long password here", is_staff=True)
    user.groups.add(Group.objects.get(name="Publishers"))
    client = Client()
    client.force_login(user)
    return client


def state() -> dict:
    """Who took part in what, with the notes, and whom each citation is about."""
    return {
        "participants": sorted(Participant.objects.values_list("slug", flat=True)),
        "rows": sorted(
            Participation.objects.values_list("dialogue__slug", "participant__slug", "note")
        ),
        "citations": sorted(
            Citation.objects.filter(participant__isnull=False).values_list(
                "dialogue__slug", "participant__slug"
            )
        ),
    }


def test_a_publisher_undoes_a_merge_with_recover_and_revert():
    with reversion.create_revision():
        reversion.set_comment("loaded from fixtures")
        keep = make_participant(slug="yair-hirschfeld", name="Yair Hirschfeld")
        lose = make_participant(slug="y-hirschfeld", name="Y. Hirschfeld")
        shared = make_dialogue(slug="shared")
        lost_only = make_dialogue(slug="lost-only")
        Participation.objects.create(dialogue=shared, participant=keep, note="Convened it.")
        Participation.objects.create(dialogue=shared, participant=lose, note="Drafted the paper.")
        add_participant(lost_only, lose)
        Citation.objects.create(
            dialogue=lost_only,
            source=make_source(),
            paragraph=4,
            excerpt="Y. H. spoke.",
            participant=lose,
        )
    before, lose_pk = state(), lose.pk
    editorial.merge_participants(keep, lose, user=None)
    assert state() != before

    client = publisher()
    # 1. Recover the participant from its last state before the merge.
    last = Version.objects.get_for_object_reference(Participant, lose_pk)[0]
    assert last.revision.comment.startswith("Last state before being merged")
    recover = admin_url("participant", "recover", last.pk)
    _, data = open_form(client, recover, reason="the two were different people")
    assert client.post(recover, data).status_code == 302
    # 2. Revert each dialogue the merge changed to its version before the merge.
    merge = Version.objects.filter(revision__comment__startswith="Merged").first().revision
    for version in merge.version_set.filter(content_type__model="dialogue"):
        dialogue = Dialogue.objects.get(pk=version.object_id)
        earlier = Version.objects.get_for_object(dialogue).filter(revision_id__lt=merge.pk)[0]
        revert = admin_url("dialogue", "revision", dialogue.pk, earlier.pk)
        _, data = open_form(client, revert, reason="undo the merge")
        assert client.post(revert, data).status_code == 302, dialogue.slug

    assert state() == before
    # The recovered participant's own address answers again, not a redirect to the other.
    assert Client().get("/participants/y-hirschfeld/").status_code == 200
    comments = set(
        Version.objects.get_for_object(Participant.objects.get(slug="y-hirschfeld")).values_list(
            "revision__comment", flat=True
        )
    )
    assert any("the two were different people" in c for c in comments)
