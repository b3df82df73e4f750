"""Addresses that last: a renamed record's old slug redirects (301), and so does a merged one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dialogues import editorial
from dialogues.models import Citation, Participant, Participation, PastSlug, Status
from tests.factories import (
    add_participant,
    make_dialogue,
    make_era,
    make_participant,
    make_source,
)


def _rename(record, slug):
    record = type(record).objects.get(pk=record.pk)  # as an editor's form would load it
    record.slug = slug
    record.save()
    return record


@pytest.mark.django_db
def test_a_renamed_dialogue_redirects_from_its_old_address_on_pages_and_api(client):
    dialogue = make_dialogue(slug="old-name")
    _rename(dialogue, "new-name")
    page = client.get("/dialogues/old-name/?from=citation")
    assert page.status_code == 301
    assert page["Location"] == "/dialogues/new-name/?from=citation"
    cite = client.get("/dialogues/old-name/cite.bib")
    assert (cite.status_code, cite["Location"]) == (301, "/dialogues/new-name/cite.bib")
    api = client.get("/api/dialogues/old-name/")
    assert (api.status_code, api["Location"]) == (301, "/api/dialogues/new-name/")
    assert client.get("/api/dialogues/new-name/").status_code == 200


@pytest.mark.django_db
def test_every_old_slug_of_a_twice_renamed_record_leads_to_the_current_one(client):
    dialogue = make_dialogue(slug="first")
    dialogue = _rename(dialogue, "second")
    _rename(dialogue, "third")
    for old in ("first", "second"):
        assert client.get(f"/dialogues/{old}/")["Location"] == "/dialogues/third/"


@pytest.mark.django_db
def test_taking_back_an_old_slug_makes_it_live_again(client):
    dialogue = _rename(make_dialogue(slug="a-name"), "b-name")
    _rename(dialogue, "a-name")
    assert client.get("/dialogues/a-name/").status_code == 200
    assert client.get("/dialogues/b-name/")["Location"] == "/dialogues/a-name/"
    assert not PastSlug.objects.filter(slug="a-name").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["era", "source", "participant"])
def test_renamed_eras_sources_and_participants_redirect(client, kind):
    dialogue = make_dialogue(era=make_era(slug="old-era"))
    records = {
        "era": dialogue.era,
        "source": dialogue.citations.get().source,
        "participant": add_participant(dialogue).participant,
    }
    record = _rename(records[kind], f"renamed-{kind}")
    old_url = record.get_absolute_url().replace(f"renamed-{kind}", records[kind].slug)
    response = client.get(old_url)
    assert (response.status_code, response["Location"]) == (301, record.get_absolute_url())


@pytest.mark.django_db
def test_an_old_slug_of_a_draft_is_not_found(client):
    draft = make_dialogue(slug="secret-old", status=Status.DRAFT)
    _rename(draft, "secret-new")
    # Redirecting would reveal the draft's new address.
    assert client.get("/dialogues/secret-old/").status_code == 404
    assert client.get("/api/dialogues/secret-old/").status_code == 404


@pytest.mark.django_db
def test_an_unknown_slug_is_still_not_found(client):
    assert client.get("/dialogues/never-was/").status_code == 404
    assert client.get("/api/dialogues/never-was/").json() == {"errors": {"detail": ["not found"]}}


# --- Merging participants -------------------------------------------------------------------


@pytest.fixture
def twins(db):
    """Two records of one person: both in `shared`, each alone in another dialogue."""
    keep = make_participant(slug="yair-hirschfeld", name="Yair Hirschfeld")
    lose = make_participant(slug="y-hirschfeld", name="Y. Hirschfeld")
    shared, kept_only, lost_only = make_dialogue(), make_dialogue(), make_dialogue()
    Participation.objects.create(dialogue=shared, participant=keep, note="Convened it.")
    Participation.objects.create(dialogue=shared, participant=lose, note="Drafted the paper.")
    add_participant(kept_only, keep)
    add_participant(lost_only, lose)
    about = Citation.objects.create(
        dialogue=lost_only,
        source=make_source(),
        paragraph=4,
        excerpt="Y. H. spoke.",
        participant=lose,
    )
    return keep, lose, shared, kept_only, lost_only, about


def test_merge_moves_rows_joins_notes_and_redirects_the_old_address(client, twins):
    keep, lose, shared, kept_only, lost_only, about = twins
    lose_url = lose.get_absolute_url()
    editorial.merge_participants(keep, lose, user=None)

    assert not Participant.objects.filter(pk=lose.pk).exists()
    rows = Participation.objects.filter(participant=keep)
    assert {r.dialogue_id for r in rows} == {shared.pk, kept_only.pk, lost_only.pk}
    assert rows.get(dialogue=shared).note == "Convened it.\n\nDrafted the paper."
    assert Participation.objects.filter(dialogue=shared).count() == 1
    about.refresh_from_db()
    assert about.participant_id == keep.pk

    response = client.get(lose_url)
    assert (response.status_code, response["Location"]) == (301, keep.get_absolute_url())
    page = client.get(keep.get_absolute_url())
    assert page.status_code == 200
    assert lost_only.title in page.content.decode()


def test_merge_carries_older_addresses_of_the_lost_record_along(client, twins):
    keep, lose, *_ = twins
    lose = _rename(lose, "y-h")
    editorial.merge_participants(keep, lose, user=None)
    for old in ("y-hirschfeld", "y-h"):
        assert client.get(f"/participants/{old}/")["Location"] == keep.get_absolute_url()


def test_a_participant_cannot_be_merged_into_itself(twins):
    keep, *_ = twins
    with pytest.raises(ValueError, match="two different"):
        editorial.merge_participants(keep, keep, user=None)
    assert Participant.objects.filter(pk=keep.pk).exists()


def test_participant_page_lists_public_dialogues_only(client, db):
    person = make_participant(slug="only-once")
    public, draft = make_dialogue(), make_dialogue(status=Status.DRAFT)
    add_participant(public, person)
    add_participant(draft, person)
    body = client.get(reverse("dialogues:participant", args=["only-once"])).content.decode()
    assert public.title in body and draft.title not in body


def test_a_merge_is_one_revision_keeping_the_lost_record_as_it_was(twins):
    from reversion.models import Version

    keep, lose, shared, kept_only, lost_only, _ = twins
    lose_pk, lose_name = lose.pk, lose.name
    editorial.merge_participants(keep, lose, user=None)

    (revision,) = {
        v.revision
        for v in Version.objects.filter(revision__comment__startswith="Merged").select_related(
            "revision"
        )
    }
    assert revision.comment == "Merged “Y. Hirschfeld” (y-hirschfeld) into “Yair Hirschfeld”"
    (lost,) = Version.objects.get_for_object_reference(Participant, lose_pk)
    assert lost.revision.comment.startswith("Last state before being merged into “Yair")
    assert lost.field_dict["name"] == lose_name
    dialogues = {
        int(v.object_id) for v in revision.version_set.all() if v.content_type.model == "dialogue"
    }
    assert dialogues == {shared.pk, kept_only.pk, lost_only.pk}
