"""The API's organisations, places and series, and the dialogue's issue 21 fields."""

from __future__ import annotations

import pytest

from dialogues.models import (
    Capacity,
    DialoguePlace,
    ExternalId,
    NameVariant,
    Organisation,
    Place,
    Series,
    Status,
)
from tests.factories import add_participant, make_dialogue, make_participant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model, fields, route",
    [
        (Organisation, {"kind": "ngo"}, "organisations"),
        (Place, {"country": "JO"}, "places"),
        (Series, {"kind": "forum"}, "series"),
    ],
)
def test_lists_and_records_give_published_records_only(client, model, fields, route):
    model.objects.create(slug="draft", name="A draft", **fields)
    shown = model.objects.create(slug="shown", name="Shown", status=Status.PUBLISHED, **fields)
    listed = client.get(f"/api/{route}/").json()
    assert [item["slug"] for item in listed["results"]] == ["shown"]
    assert client.get(f"/api/{route}/draft/").status_code == 404
    assert client.get(f"/api/{route}/shown/").json()["name"] == "Shown"
    shown.slug = "moved"
    shown.save()
    response = client.get(f"/api/{route}/shown/")
    assert (response.status_code, response["Location"]) == (301, f"/api/{route}/moved/")


def test_a_place_gives_its_geography_names_and_ids(client):
    amman = Place.objects.create(
        slug="amman", name="Amman", country="JO", latitude="31.95522", longitude="35.94503",
        geonames_id=250441, status=Status.PUBLISHED,
    )  # fmt: skip
    NameVariant.objects.create(
        place=amman, name="عمّان", language="ar", script="Arab", archive_note="supplied"
    )
    ExternalId.objects.create(
        place=amman, scheme="wikidata", value="Q3805", source_url="https://example.org/"
    )
    body = client.get("/api/places/amman/").json()
    assert (body["country"], body["latitude"], body["geonames_id"]) == ("JO", 31.95522, 250441)
    assert body["names"][0]["script"] == "Arab"
    assert body["external_ids"][0]["url"] == "https://www.wikidata.org/wiki/Q3805"


def test_a_dialogue_gives_level_places_and_capacity_but_none_for_a_withheld_name(client):
    dialogue = make_dialogue(slug="sarpsborg", level="track_1_5")
    fafo = Organisation.objects.create(
        slug="fafo", name="Fafo", kind="think_tank", status=Status.PUBLISHED
    )
    oslo = Place.objects.create(slug="oslo", name="Oslo", country="NO", status=Status.PUBLISHED)
    DialoguePlace.objects.create(dialogue=dialogue, place=oslo)
    for name, withheld in (("Open Person", False), ("Secret Person", True)):
        participation = add_participant(dialogue, make_participant(name=name))
        participation.capacity = Capacity.PERSONAL
        participation.capacity_basis = "inferred"
        participation.on_behalf_of = fafo
        participation.withheld = withheld
        participation.save()
    body = client.get("/api/dialogues/sarpsborg/").json()
    assert (body["level"], body["implied_level"]) == ("track_1_5", "track_1_5")
    assert body["places"] == [
        {"slug": "oslo", "name": "Oslo", "country": "NO", "latitude": None, "longitude": None}
    ]
    tables = {p["name"]: p["at_the_table"] for p in body["participants"]}
    assert tables["Open Person"] == {
        "capacity": "personal",
        "basis": "inferred",
        "on_behalf_of": "fafo",
        "side": "israeli",
        "background": "",
    }
    (masked,) = [name for name in tables if name != "Open Person"]
    assert tables[masked] is None


def test_the_openapi_document_describes_the_new_routes(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for route in ("organisations", "places", "series"):
        assert f"/api/{route}/" in paths and f"/api/{route}/{{slug}}/" in paths


def test_oai_gives_places_as_coverage_and_series_links_and_ids_as_relations(client):
    from bs4 import BeautifulSoup

    from dialogues.models import Basis, DialogueLink, SeriesMembership

    dialogue, later = make_dialogue(slug="first"), make_dialogue(slug="second")
    rome = Place.objects.create(slug="rome", name="Rome", country="IT", status=Status.PUBLISHED)
    DialoguePlace.objects.create(dialogue=dialogue, place=rome)
    series = Series.objects.create(slug="s", name="S", kind="forum", status=Status.PUBLISHED)
    SeriesMembership.objects.create(
        series=series, dialogue=dialogue, position=1, basis=Basis.INFERRED, reason="x"
    )
    DialogueLink.objects.create(
        origin=dialogue, target=later, relation="led_to", basis=Basis.INFERRED, reason="x"
    )
    ExternalId.objects.create(
        dialogue=dialogue, scheme="wikidata", value="Q5", source_url="https://example.org/"
    )
    identifier = f"oai:testserver:dialogue/{dialogue.pk}"
    response = client.get(
        "/oai/", {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": identifier}
    )
    record = BeautifulSoup(response.content, "xml").find("dc")
    assert record is not None, response.content.decode()[:600]
    assert "Rome, Italy" in [c.text for c in record.find_all("coverage")]
    relations = {r.text for r in record.find_all("relation")}
    assert {"http://testserver/series/s/", "http://testserver/dialogues/second/"} <= relations
    assert "https://www.wikidata.org/wiki/Q5" in relations
