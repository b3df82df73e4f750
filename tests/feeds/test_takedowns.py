"""Every take-down is announced: a withdrawal, a new embargo on a public record and a newly
withheld name each reach a mirror through the changes feed and OAI-PMH (deleted headers, as
`deletedRecord=persistent` promises), never by silence or `idDoesNotExist`."""

import datetime

import pytest
from django.utils import timezone
from lxml import etree

from dialogues import editorial
from dialogues.feeds import changes, oai
from dialogues.models import Dialogue, Participation, Removal

from ..factories import add_participant, make_dialogue

pytestmark = pytest.mark.django_db

NS = {"oai": oai.OAI, "dc": oai.DC}
EARLIER = timezone.now() - datetime.timedelta(days=2)


def tomorrow():
    """Tomorrow, read when a test runs (a date read at collection goes stale at midnight)."""
    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def settled(monkeypatch):
    monkeypatch.setattr(changes, "SETTLE", datetime.timedelta(0))


@pytest.fixture
def public(db):
    dialogue = make_dialogue(title="Seen talks")
    Dialogue.objects.filter(pk=dialogue.pk).update(published_at=EARLIER, updated=EARLIER)
    return Dialogue.objects.get(pk=dialogue.pk)


def feed_items(client):
    response = client.get("/api/changes/?page_size=100")
    assert response.status_code == 200
    return {item["slug"]: item for item in response.json()["results"]}


def oai_get(client, query):
    response = client.get(f"/oai/?{query}")
    assert response.status_code == 200
    return etree.fromstring(response.content)


def oai_header(client, dialogue):
    identifier = f"oai:testserver:dialogue/{dialogue.pk}"
    root = oai_get(client, f"verb=GetRecord&metadataPrefix=oai_dc&identifier={identifier}")
    assert root.find("oai:error", NS) is None, etree.tostring(root)
    return root.find(".//oai:header", NS), root


def listed_headers(client, verb="ListIdentifiers"):
    root = oai_get(client, f"verb={verb}&metadataPrefix=oai_dc")
    return {
        h.findtext("oai:identifier", namespaces=NS).rsplit("/", 1)[1]: h
        for h in root.iterfind(".//oai:header", NS)
    }


def embargo(dialogue, until=None):
    dialogue = Dialogue.objects.get(pk=dialogue.pk)
    dialogue.embargo_until = until or tomorrow()
    dialogue.save()
    # OAI-PMH lists up to the current second: move the removal a little into the past.
    Removal.objects.update(removed_at=timezone.now() - datetime.timedelta(minutes=1))
    return dialogue


def test_a_new_embargo_on_a_public_record_is_announced_as_removed(client, public):
    assert feed_items(client)[public.slug]["type"] == "created"
    embargo(public)
    item = feed_items(client)[public.slug]
    assert item["type"] == "removed"
    header, _ = oai_header(client, public)
    assert header.get("status") == "deleted"
    for verb in ("ListIdentifiers", "ListRecords"):
        assert listed_headers(client, verb)[str(public.pk)].get("status") == "deleted"
    assert "Seen talks" not in client.get("/oai/?verb=ListRecords&metadataPrefix=oai_dc").text


def test_when_the_embargo_lifts_the_record_is_listed_again_and_not_as_removed(client, public):
    embargo(public)
    # The day comes without a save.
    Dialogue.objects.filter(pk=public.pk).update(embargo_until=timezone.localdate())
    response = client.get("/api/changes/?page_size=100").json()["results"]
    # Listed once, as changed (the save that set the embargo changed it), and not as removed.
    assert [item["type"] for item in response if item["slug"] == public.slug] == ["updated"]
    header, _ = oai_header(client, public)
    assert header.get("status") is None
    assert changes.count(changes.Selection().bounded()) == 1


def test_an_embargo_on_a_record_never_seen_leaves_no_removal(client):
    draft = make_dialogue(status="draft")
    draft.status = "published"
    draft.embargo_until = tomorrow()
    draft.save()
    embargo(draft, tomorrow() + datetime.timedelta(days=3))
    assert not Removal.objects.exists()
    assert draft.slug not in feed_items(client)


def test_a_withdrawal_is_announced_as_withdrawn_and_deleted(client, public):
    editorial.withdraw(public, user=None, reason="A duplicate.")
    Dialogue.objects.filter(pk=public.pk).update(
        withdrawn_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert feed_items(client)[public.slug]["type"] == "withdrawn"
    header, _ = oai_header(client, public)
    assert header.get("status") == "deleted"
    assert listed_headers(client)[str(public.pk)].get("status") == "deleted"


def test_a_newly_withheld_name_is_announced_as_an_update_with_the_name_masked(client, public):
    participation = add_participant(public, name="Zebulon Quartermaine")
    Dialogue.objects.filter(pk=public.pk).update(updated=EARLIER)
    before = feed_items(client)[public.slug]
    header, _ = oai_header(client, public)
    stamp_before = header.findtext("oai:datestamp", namespaces=NS)

    participation.withheld = True
    participation.save()

    after = feed_items(client)[public.slug]
    assert after["type"] == "updated"
    assert after["at"] > before["at"]
    header, root = oai_header(client, public)
    assert header.findtext("oai:datestamp", namespaces=NS) > stamp_before
    assert "Quartermaine" not in etree.tostring(root, encoding="unicode")
    assert "Quartermaine" not in client.get("/api/changes/?page_size=100").text


def test_saving_a_name_already_withheld_does_not_move_the_datestamp(client, public):
    participation = add_participant(public, name="Zebulon Quartermaine")
    Participation.objects.filter(pk=participation.pk).update(withheld=True)
    Dialogue.objects.filter(pk=public.pk).update(updated=EARLIER)
    participation.refresh_from_db()
    participation.note = "Still withheld."
    participation.save()
    assert Dialogue.objects.get(pk=public.pk).updated == EARLIER
