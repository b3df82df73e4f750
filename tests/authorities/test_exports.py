"""The list API, the exports and the releases carry issue 21's fields, published records only."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from dialogues.api.exports import CSV_COLUMNS
from dialogues.models import (
    Basis,
    Capacity,
    DialoguePlace,
    ExternalId,
    Organisation,
    Place,
    Series,
    SeriesMembership,
    Side,
    Status,
)
from dialogues.releases import tables
from dialogues.releases.schema import TABLES_BY_NAME
from tests.factories import add_participant, make_dialogue, make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def oslo_meeting():
    """A Track 1.5 meeting in Oslo or Stockholm, in a series, with capacities; and drafts."""
    dialogue = make_dialogue(slug="back-channel", level="track_1_5", talks="held")
    draft_dialogue = make_dialogue(slug="draft-meeting", status=Status.DRAFT)
    fafo = Organisation.objects.create(
        slug="fafo", name="Fafo", kind="think_tank", country="NO", status=Status.PUBLISHED
    )
    secret_org = Organisation.objects.create(slug="secret-org", name="Secret org", kind="ngo")
    oslo = Place.objects.create(
        slug="oslo", name="Oslo", country="NO", latitude="59.91273", longitude="10.74609",
        status=Status.PUBLISHED,
    )  # fmt: skip
    stockholm = Place.objects.create(
        slug="stockholm", name="Stockholm", country="SE", status=Status.PUBLISHED
    )
    hidden_place = Place.objects.create(slug="hidden-place", name="Hidden place", country="FR")
    for position, place in enumerate((oslo, stockholm, hidden_place), start=1):
        DialoguePlace.objects.create(dialogue=dialogue, place=place, position=position)
    DialoguePlace.objects.create(dialogue=draft_dialogue, place=oslo)
    series = Series.objects.create(
        slug="channel", name="The channel", kind="channel", status=Status.PUBLISHED
    )
    draft_series = Series.objects.create(slug="draft-series", name="Draft series", kind="forum")
    for one in (series, draft_series):
        SeriesMembership.objects.create(
            series=one, dialogue=dialogue, position=1, basis=Basis.INFERRED, reason="x"
        )
    ExternalId.objects.create(
        dialogue=dialogue, scheme="wikidata", value="Q42", source_url="https://example.org/"
    )
    ExternalId.objects.create(
        dialogue=draft_dialogue, scheme="wikidata", value="Q43", source_url="https://example.org/"
    )
    ExternalId.objects.create(
        place=hidden_place, scheme="geonames", value="123", source_url="https://example.org/"
    )
    official = add_participant(dialogue, make_participant(slug="official", name="Official"))
    official.capacity, official.capacity_basis = Capacity.SERVING, Basis.INFERRED
    official.capacity_note, official.on_behalf_of = "x", fafo
    official.side_then, official.then_note = Side.PALESTINIAN, "x"
    official.save()
    scholar = add_participant(dialogue, make_participant(slug="scholar", name="Scholar"))
    scholar.capacity, scholar.capacity_basis = Capacity.NON_OFFICIAL, Basis.INFERRED
    scholar.capacity_note, scholar.on_behalf_of = "x", secret_org
    scholar.save()
    secret = add_participant(dialogue, make_participant(slug="secret", name="Secret Person"))
    secret.capacity, secret.capacity_basis, secret.capacity_note = Capacity.FORMER, "inferred", "x"
    secret.withheld, secret.show_side = True, False
    secret.save()
    return dialogue


def _export(client, fmt, query=""):
    response = client.get(reverse("dialogues:export", args=[fmt]) + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_list_api_gives_level_places_series_ids_and_capacities(client, oslo_meeting):
    (item,) = client.get("/api/dialogues/").json()["results"]
    assert (item["talks"], item["level"], item["implied_level"]) == (
        "held",
        "track_1_5",
        "track_1_5",
    )
    assert [p["slug"] for p in item["places"]] == ["oslo", "stockholm"]
    assert item["places"][0] == {
        "slug": "oslo", "name": "Oslo", "country": "NO", "latitude": 59.91273,
        "longitude": 10.74609,
    }  # fmt: skip
    assert [m["series"]["slug"] for m in item["series"]] == ["channel"]
    assert [(e["scheme"], e["value"]) for e in item["external_ids"]] == [("wikidata", "Q42")]
    tables_ = {p["name"]: p["at_the_table"] for p in item["participants"]}
    assert tables_["Official"] == {
        "capacity": "serving", "basis": "inferred", "on_behalf_of": "fafo",
        "side": "palestinian", "background": "",
    }  # fmt: skip
    # A draft organisation is not named; a withheld name has no capacity.
    assert tables_["Scholar"]["on_behalf_of"] is None
    assert [name for name, at in tables_.items() if at is None] == [
        "A participant whose name is withheld"
    ]


def test_the_json_export_equals_the_list_api_with_the_new_fields(client, oslo_meeting):
    exported = json.loads(_export(client, "json"))
    assert exported == client.get("/api/dialogues/").json()["results"]
    assert "secret-org" not in json.dumps(exported)
    assert "Hidden place" not in json.dumps(exported)
    assert "draft-series" not in json.dumps(exported)


def test_the_csv_export_gives_the_new_fields_in_words(client, oslo_meeting):
    header, row = list(csv.reader(io.StringIO(_export(client, "csv"), newline="")))
    assert tuple(header) == CSV_COLUMNS
    cells = dict(zip(header, row, strict=True))
    assert cells["places"] == "Oslo or Stockholm"
    # What an import reads back: the published places' slugs in reading order.
    assert cells["place_slugs"] == "oslo\nstockholm"
    assert cells["countries"] == "NO | SE"
    assert cells["coordinates"] == "59.91273,10.74609"
    assert (cells["level"], cells["implied_level"], cells["talks"]) == (
        "Track 1.5",
        "Track 1.5",
        "Held",
    )
    assert (cells["level_code"], cells["talks_code"]) == ("track_1_5", "held")
    assert cells["series"] == "The channel #1"
    assert cells["external_ids"] == "Wikidata Q42"
    assert cells["capacities"].split(" | ") == [
        "Official: Serving official, on behalf of Fafo",
        "Scholar: Non-official",
    ]
    assert "Secret" not in ",".join(row) and "Hidden" not in ",".join(row)


def _release(name):
    columns = TABLES_BY_NAME[name].column_names
    return [dict(zip(columns, row, strict=True)) for row in tables.READERS[name]()]


def test_a_release_holds_published_places_series_organisations_and_ids_only(oslo_meeting):
    assert [r["slug"] for r in _release("places")] == ["oslo", "stockholm"]
    assert [r["slug"] for r in _release("organisations")] == ["fafo"]
    assert [r["slug"] for r in _release("series")] == ["channel"]
    assert [(r["dialogue"], r["place"]) for r in _release("dialogue_places")] == [
        ("back-channel", "oslo"),
        ("back-channel", "stockholm"),
    ]
    assert [(r["series"], r["dialogue"]) for r in _release("series_memberships")] == [
        ("channel", "back-channel")
    ]
    assert [(r["record_type"], r["record"], r["value"]) for r in _release("external_ids")] == [
        ("dialogue", "back-channel", "Q42")
    ]
    (dialogue,) = _release("dialogues")
    assert (dialogue["level"], dialogue["implied_level"], dialogue["talks"]) == (
        "track_1_5",
        "track_1_5",
        "held",
    )


def test_a_release_gives_capacities_but_none_for_a_withheld_name(oslo_meeting):
    rows = {r["participant_key"]: r for r in _release("participations")}
    assert (rows["official"]["capacity"], rows["official"]["on_behalf_of"]) == ("serving", "fafo")
    assert rows["official"]["side_at_meeting"] == "palestinian"
    # The draft organisation is not named; the withheld row says nothing of its capacity.
    assert rows["scholar"]["on_behalf_of"] == ""
    assert rows["withheld-1"]["capacity"] == rows["withheld-1"]["side_at_meeting"] == ""
