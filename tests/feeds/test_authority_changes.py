"""Organisations, places and series in the feeds: the changes feed lists them as created,
updated, withdrawn and removed (a merged one naming where it went), Atom lists the public ones,
OAI-PMH stays a list of dialogues whose records carry them, and a dialogue whose place, series
or organisation changes is announced as updated."""

import datetime

import pytest
from django.core.cache import caches
from django.utils import timezone
from lxml import etree

from dialogues import editorial
from dialogues.feeds import changes, oai
from dialogues.models import (
    Dialogue,
    DialoguePlace,
    Organisation,
    Place,
    Removal,
    Series,
    SeriesMembership,
    Status,
)
from tests.admin_forms import admin_url

from ..factories import add_participant, make_dialogue

pytestmark = pytest.mark.django_db

NS = {"oai": oai.OAI, "dc": oai.DC}
ATOM = {"atom": "http://www.w3.org/2005/Atom"}
EARLIER = timezone.now() - datetime.timedelta(days=2)


@pytest.fixture(autouse=True)
def settled(monkeypatch):
    monkeypatch.setattr(changes, "SETTLE", datetime.timedelta(0))


def _org(slug="fafo", name="Fafo", status=Status.PUBLISHED):
    return Organisation.objects.create(slug=slug, name=name, kind="think_tank", status=status)


def _place(slug="oslo", name="Oslo", status=Status.PUBLISHED):
    return Place.objects.create(slug=slug, name=name, country="NO", status=status)


def _series(slug="oslo-channel", name="The Oslo channel", status=Status.PUBLISHED):
    return Series.objects.create(slug=slug, name=name, kind="channel", status=status)


MAKERS = {"organisation": _org, "place": _place, "series": _series}


def feed(client):
    """Every item of the changes feed, read a page of one at a time through the cursors."""
    items, since = [], "0"
    while True:
        response = client.get(f"/api/changes/?page_size=1&since={since}")
        assert response.status_code == 200
        body = response.json()
        items.extend(body["results"])
        since = body["next"]
        if not body["more"]:
            return items


def by_kind(client):
    return {(item["kind"], item["slug"]): item for item in feed(client)}


def atom_titles(client):
    response = client.get("/feeds/changes.atom")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    return [
        entry.findtext("atom:title", namespaces=ATOM) for entry in root.iterfind("atom:entry", ATOM)
    ]


def oai_root(client, query):
    response = client.get(f"/oai/?{query}")
    assert response.status_code == 200
    return etree.fromstring(response.content)


def backdate(record):
    type(record).objects.filter(pk=record.pk).update(published_at=EARLIER, updated=EARLIER)
    return type(record).objects.get(pk=record.pk)


@pytest.mark.parametrize("kind", list(MAKERS))
def test_a_public_record_is_listed_as_created_with_its_page_and_api_address(client, kind):
    record = MAKERS[kind]()
    item = by_kind(client)[kind, record.slug]
    assert item["type"] == "created"
    assert item["title"] == record.name
    assert item["id"] == record.pk
    assert item["withdrawal"] is None and item["merged_into"] is None
    for address in (item["url"], item["api_url"]):
        assert client.get(address).status_code == 200
    assert record.name in atom_titles(client)


@pytest.mark.parametrize("kind", list(MAKERS))
def test_a_draft_is_in_no_feed(client, kind):
    draft = MAKERS[kind](slug="secret-draft", name="Secret draft record", status=Status.DRAFT)
    dialogue = make_dialogue(title="Public talks")
    assert (kind, draft.slug) not in by_kind(client)
    assert ("dialogue", dialogue.slug) in by_kind(client)
    assert "Secret draft record" not in client.get("/feeds/changes.atom").text
    assert "Secret draft record" not in client.get("/api/changes/?page_size=1000").text
    records = client.get("/oai/?verb=ListRecords&metadataPrefix=oai_dc").text
    assert "Secret draft record" not in records and "secret-draft" not in records


@pytest.mark.parametrize("kind", list(MAKERS))
def test_unpublishing_leaves_a_removal_and_publishing_again_clears_it(client, kind):
    record = backdate(MAKERS[kind]())
    record.status = Status.DRAFT
    record.save()
    removal = Removal.objects.get(kind=kind, object_id=record.pk)
    assert removal.slug == record.slug and removal.merged_into is None
    item = by_kind(client)[kind, record.slug]
    assert item["type"] == "removed"
    assert item["title"] is None and item["url"] is None and item["api_url"] is None
    assert record.name not in atom_titles(client)

    record.status = Status.PUBLISHED
    record.save()
    assert not Removal.objects.filter(kind=kind, object_id=record.pk).exists()
    assert by_kind(client)[kind, record.slug]["type"] == "updated"


def test_a_publisher_returning_an_organisation_to_draft_in_the_admin_leaves_a_removal(
    client, publisher
):
    organisation = backdate(_org())
    client.force_login(publisher)
    response = client.post(
        admin_url("organisation", "changelist"),
        {"action": "unpublish_selected", "_selected_action": [organisation.pk]},
    )
    assert response.status_code == 302
    client.logout()
    assert by_kind(client)["organisation", "fafo"]["type"] == "removed"


def test_an_embargo_on_a_public_place_is_a_removal_until_it_lifts(client):
    place = backdate(_place())
    place.embargo_until = timezone.localdate() + datetime.timedelta(days=1)
    place.save()
    assert by_kind(client)["place", "oslo"]["type"] == "removed"
    # The day comes without a save: the place is listed again, not as removed.
    Place.objects.filter(pk=place.pk).update(embargo_until=timezone.localdate())
    # A new day: the pages kept under yesterday's tag are not served any more.
    for kept in caches.all():
        kept.clear()
    assert by_kind(client)["place", "oslo"]["type"] == "updated"


def test_a_draft_unpublished_or_deleted_leaves_no_removal(client):
    draft = _series(status=Status.DRAFT)
    draft.name = "Renamed"
    draft.save()
    draft.delete()
    assert not Removal.objects.exists()
    assert ("series", "oslo-channel") not in by_kind(client)


def test_deleting_a_public_series_leaves_a_removal(client):
    series = backdate(_series())
    series.delete()
    assert by_kind(client)["series", "oslo-channel"]["type"] == "removed"


def test_a_withdrawal_is_listed_as_withdrawn_with_its_reason_and_no_page(client, publisher):
    organisation = backdate(_org())
    client.force_login(publisher)
    client.post(
        admin_url("organisation", "changelist"),
        {"action": "withdraw_selected", "_selected_action": [organisation.pk]},
    )
    client.logout()
    item = by_kind(client)["organisation", "fafo"]
    assert item["type"] == "withdrawn"
    assert item["withdrawal"]["reason"] == "withdrawn by a publisher"
    assert item["withdrawal"]["replaced_by"] is None
    assert item["url"] is None and item["api_url"] is None
    assert client.get("/organisations/fafo/").status_code in (404, 410)


@pytest.mark.parametrize("kind", list(MAKERS))
def test_a_merge_leaves_a_removal_pointing_to_the_record_kept(client, publisher, kind):
    keep = MAKERS[kind](slug="kept", name="Kept record")
    lose = backdate(MAKERS[kind](slug="merged-away", name="Merged record"))
    lose_pk = lose.pk
    editorial.merge_records(keep, lose, user=publisher)
    item = by_kind(client)[kind, "merged-away"]
    assert item["type"] == "removed"
    assert item["id"] == lose_pk
    target = item["merged_into"]
    assert target["id"] == keep.pk and target["slug"] == "kept"
    assert client.get(target["url"]).status_code == 200
    assert client.get(target["api_url"]).status_code == 200


def test_a_merge_into_a_draft_names_no_destination_until_it_is_public(client, publisher):
    keep = _place(slug="kept", name="Kept", status=Status.DRAFT)
    lose = backdate(_place(slug="merged-away", name="Merged"))
    editorial.merge_records(keep, lose, user=publisher)
    assert by_kind(client)["place", "merged-away"]["merged_into"] is None
    keep.status = Status.PUBLISHED
    keep.save()
    assert by_kind(client)["place", "merged-away"]["merged_into"]["slug"] == "kept"


def test_a_record_merged_twice_leads_to_the_last_one(client, publisher):
    first, second = backdate(_org("first", "First")), backdate(_org("second", "Second"))
    last = _org("last", "Last")
    editorial.merge_records(second, first, user=publisher)
    editorial.merge_records(last, second, user=publisher)
    items = by_kind(client)
    assert items["organisation", "first"]["merged_into"]["slug"] == "last"
    assert items["organisation", "second"]["merged_into"]["slug"] == "last"


def _dialogue_stamp(client, dialogue):
    identifier = f"oai:testserver:dialogue/{dialogue.pk}"
    root = oai_root(client, f"verb=GetRecord&metadataPrefix=oai_dc&identifier={identifier}")
    return root.findtext(".//oai:header/oai:datestamp", namespaces=NS), root


def _old_dialogue(**kw):
    dialogue = make_dialogue(title="Talks in Oslo", **kw)
    return dialogue


def _age(dialogue):
    Dialogue.objects.filter(pk=dialogue.pk).update(published_at=EARLIER, updated=EARLIER)


def test_renaming_a_public_place_announces_its_dialogues_as_updated(client):
    place = _place()
    dialogue = _old_dialogue()
    DialoguePlace.objects.create(dialogue=dialogue, place=place)
    _age(dialogue)
    stamp_before, _ = _dialogue_stamp(client, dialogue)
    assert by_kind(client)["dialogue", dialogue.slug]["type"] == "created"

    place.name = "Oslo (Christiania)"
    place.save()

    stamp_after, root = _dialogue_stamp(client, dialogue)
    assert stamp_after > stamp_before
    coverage = [node.text for node in root.iterfind(".//dc:coverage", NS)]
    assert "Oslo (Christiania), Norway" in coverage
    assert by_kind(client)["dialogue", dialogue.slug]["type"] == "updated"


def test_editing_a_draft_place_leaves_its_dialogues_alone(client):
    place = _place(status=Status.DRAFT)
    dialogue = _old_dialogue()
    DialoguePlace.objects.create(dialogue=dialogue, place=place)
    _age(dialogue)
    place.name = "Still a draft"
    place.save()
    assert by_kind(client)["dialogue", dialogue.slug]["type"] == "created"
    assert Dialogue.objects.get(pk=dialogue.pk).updated == EARLIER


def test_unpublishing_a_series_announces_its_dialogues_and_their_records_drop_it(client):
    series = _series()
    dialogue = _old_dialogue()
    SeriesMembership.objects.create(
        series=series, dialogue=dialogue, position=1, basis="inferred", reason="Same hosts."
    )
    _age(dialogue)
    _, root = _dialogue_stamp(client, dialogue)
    relations = [node.text for node in root.iterfind(".//dc:relation", NS)]
    assert "http://testserver/series/oslo-channel/" in relations

    series.status = Status.DRAFT
    series.save()

    assert by_kind(client)["dialogue", dialogue.slug]["type"] == "updated"
    _, root = _dialogue_stamp(client, dialogue)
    assert "oslo-channel" not in etree.tostring(root, encoding="unicode")


def test_adding_a_dialogue_to_a_series_outside_its_own_form_announces_it(client):
    series = _series()
    dialogue = _old_dialogue()
    _age(dialogue)
    SeriesMembership.objects.create(
        series=series, dialogue=dialogue, position=1, basis="inferred", reason="Same hosts."
    )
    assert by_kind(client)["dialogue", dialogue.slug]["type"] == "updated"


def test_an_organisation_merged_away_announces_the_dialogues_it_acted_in(client, publisher):
    keep, lose = _org("kept", "Kept"), _org("merged-away", "Merged away")
    dialogue = _old_dialogue()
    row = add_participant(dialogue)
    row.on_behalf_of = lose
    row.save()
    _age(dialogue)
    editorial.merge_records(keep, lose, user=publisher)
    assert by_kind(client)["dialogue", dialogue.slug]["type"] == "updated"


def test_oai_pmh_lists_dialogues_only_and_hears_nothing_of_other_removals(client):
    dialogue = make_dialogue()
    organisation = backdate(_org())
    organisation.status = Status.DRAFT
    organisation.save()
    backdate(_place())
    # OAI-PMH lists up to the current second: move everything a little into the past.
    _age(dialogue)
    Removal.objects.update(removed_at=timezone.now() - datetime.timedelta(minutes=1))
    assert Removal.objects.filter(kind="organisation").exists()
    root = oai_root(client, "verb=ListIdentifiers&metadataPrefix=oai_dc")
    identifiers = [node.text for node in root.iterfind(".//oai:identifier", NS)]
    assert identifiers == [f"oai:testserver:dialogue/{dialogue.pk}"]
    assert root.find(".//oai:header[@status='deleted']", NS) is None


def test_cursors_walk_every_kind_once_in_order(client):
    _org()
    make_dialogue()
    _place()
    _series()
    items = feed(client)
    assert sorted(item["kind"] for item in items) == ["dialogue", "organisation", "place", "series"]
    moments = [item["at"] for item in items]
    assert moments == sorted(moments)
    assert changes.count(changes.Selection(kinds=changes.KINDS).bounded()) == 4


def test_an_eras_lists_hold_no_organisation_place_or_series(client):
    dialogue = make_dialogue()
    _org()
    selection = changes.Selection(era_id=dialogue.era_id, kinds=changes.KINDS).bounded()
    found, _ = changes.page(selection, None, 100)
    assert [change.kind for change in found] == ["dialogue"]


def test_the_openapi_document_names_the_new_kinds_and_merged_into(client):
    document = client.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    change = next(
        schema for name, schema in schemas.items() if "merged_into" in schema.get("properties", {})
    )
    kind = change["properties"]["kind"]
    if "$ref" in kind or "allOf" in kind:
        ref = (kind.get("$ref") or kind["allOf"][0]["$ref"]).rsplit("/", 1)[1]
        kind = schemas[ref]
    assert set(kind["enum"]) == {"dialogue", "organisation", "place", "series"}
    merged = change["properties"]["merged_into"]
    assert "null" in str(merged) or merged.get("nullable")
