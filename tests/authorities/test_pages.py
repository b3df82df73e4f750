"""The public pages of organisations, places and series, and what dialogue and participant
pages gain: only published records, only visible participations, lineage and `sameAs`."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from dialogues.models import (
    Affiliation,
    AffiliationCitation,
    Basis,
    Capacity,
    DialogueLink,
    DialoguePlace,
    ExternalId,
    NameVariant,
    Organisation,
    PastSlug,
    Place,
    Series,
    SeriesMembership,
    Status,
)
from tests.factories import add_participant, make_dialogue, make_participant, make_source

pytestmark = pytest.mark.django_db


def soup(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def json_ld(page) -> dict:
    return json.loads(page.select_one('script[type="application/ld+json"]').string)


def _published(model, **fields):
    return model.objects.create(status=Status.PUBLISHED, **fields)


@pytest.mark.parametrize(
    "model, fields, prefix",
    [
        (Organisation, {"kind": "ngo"}, "/organisations/"),
        (Place, {"country": "NO"}, "/places/"),
        (Series, {"kind": "channel"}, "/series/"),
    ],
)
def test_only_published_records_have_pages_and_old_slugs_move(client, model, fields, prefix):
    draft = model.objects.create(slug="secret", name="Secret draft", **fields)
    shown = _published(model, slug="shown", name="Shown record", **fields)
    listing = client.get(prefix).content.decode()
    assert "Shown record" in listing and "Secret draft" not in listing
    assert client.get(f"{prefix}{draft.slug}/").status_code == 404
    assert soup(client.get(f"{prefix}shown/")).h1.get_text() == "Shown record"
    shown.slug = "renamed"
    shown.save()
    assert PastSlug.objects.filter(slug="shown").exists()
    response = client.get(f"{prefix}shown/")
    assert (response.status_code, response["Location"]) == (301, f"{prefix}renamed/")


def test_an_organisation_page_names_only_visible_participants_on_its_behalf(client):
    fafo = _published(Organisation, slug="fafo", name="Fafo", kind="think_tank")
    dialogue = make_dialogue(title="Sarpsborg meeting")
    named = add_participant(dialogue, make_participant(name="Named Person"))
    hidden = add_participant(dialogue, make_participant(name="Hidden Person"))
    for participation in (named, hidden):
        participation.on_behalf_of = fafo
        participation.capacity = Capacity.PERSONAL
    hidden.withheld = True
    named.save()
    hidden.save()
    ExternalId.objects.create(
        organisation=fafo, scheme="wikidata", value="Q123", source_url="https://example.org/fafo"
    )
    page = soup(client.get("/organisations/fafo/"))
    text = page.get_text(" ", strip=True)
    assert "Named Person" in text and "Hidden Person" not in text
    assert json_ld(page)["sameAs"] == ["https://www.wikidata.org/wiki/Q123"]
    dialogue_page = soup(client.get(dialogue.get_absolute_url())).get_text(" ", strip=True)
    assert "official in a personal capacity, on behalf of Fafo" in dialogue_page
    assert "Hidden Person" not in dialogue_page


def test_a_dialogue_page_shows_places_level_series_and_lineage(client):
    dialogue, before = make_dialogue(title="Second round"), make_dialogue(title="First round")
    for position, (slug, name, country) in enumerate(
        [("oslo", "Oslo", "NO"), ("stockholm", "Stockholm", "SE")], start=1
    ):
        place = _published(Place, slug=slug, name=name, country=country, geonames_id=position)
        DialoguePlace.objects.create(dialogue=dialogue, place=place, position=position)
    series = _published(Series, slug="channel", name="The channel", kind="channel")
    for position, member in enumerate([before, dialogue], start=1):
        SeriesMembership.objects.create(
            series=series, dialogue=member, position=position, basis=Basis.INFERRED, reason="x"
        )
    DialogueLink.objects.create(
        origin=before, target=dialogue, relation="led_to", basis=Basis.INFERRED, reason="dates"
    )
    participation = add_participant(dialogue)
    participation.capacity = Capacity.SERVING
    participation.save()
    ExternalId.objects.create(
        dialogue=dialogue, scheme="wikidata", value="Q9", source_url="https://example.org/"
    )
    page = soup(client.get(dialogue.get_absolute_url()))
    assert page.select_one("dd.places").get_text(" ", strip=True) == "Oslo or Stockholm"
    text = page.get_text(" ", strip=True)
    assert "the capacities at the table imply: Track I" in text
    assert "The channel : number 2 of 2" in text
    assert "First round led to this dialogue" in text
    data = json_ld(page)
    assert data["sameAs"] == ["https://www.wikidata.org/wiki/Q9"]
    assert [place["name"] for place in data["location"]] == ["Oslo", "Stockholm"]


def test_a_draft_place_or_series_stays_off_the_dialogue_page(client):
    dialogue = make_dialogue()
    place = Place.objects.create(slug="draft-place", name="Draftville", country="NO")
    DialoguePlace.objects.create(dialogue=dialogue, place=place)
    series = Series.objects.create(slug="draft-series", name="Draft series", kind="forum")
    SeriesMembership.objects.create(
        series=series, dialogue=dialogue, position=1, basis=Basis.INFERRED, reason="x"
    )
    text = soup(client.get(dialogue.get_absolute_url())).get_text(" ", strip=True)
    assert "Draftville" not in text and "Draft series" not in text


def test_a_participant_page_shows_published_affiliations_in_order_and_name_forms(client):
    person = make_participant(name="Ahmed Qurei")
    add_participant(make_dialogue(), person)
    plo = _published(Organisation, slug="plo", name="PLO", kind="party")
    draft_org = Organisation.objects.create(slug="draft-org", name="Draft Org", kind="ngo")
    source = make_source()
    for start, organisation, status in [
        ("1990", plo, Status.PUBLISHED),
        ("1970~", plo, Status.PUBLISHED),
        ("1980", plo, Status.DRAFT),
        ("1985", draft_org, Status.PUBLISHED),
    ]:
        affiliation = Affiliation.objects.create(
            participant=person,
            organisation=organisation,
            role="member",
            title=f"Member from {start}",
            start=start,
            status=status,
        )
        AffiliationCitation.objects.create(
            affiliation=affiliation, source=source, paragraph=1, excerpt="Once"
        )
    NameVariant.objects.create(
        participant=person, name="Abu Ala", kind="nom_de_guerre", archive_note="supplied"
    )
    NameVariant.objects.create(
        participant=person, name="أحمد قريع", language="ar", script="Arab", archive_note="x"
    )
    page = soup(client.get(person.get_absolute_url()))
    items = [li.get_text(" ", strip=True) for li in page.select("ol.affiliations li")]
    assert [item.split(",")[0] for item in items] == ["Member from 1970~", "Member from 1990"]
    names = page.select_one("ul.name-forms").get_text(" ", strip=True)
    assert "Abu Ala" in names and "أحمد قريع" in names
    assert page.select_one('ul.name-forms span[lang="ar"]') is not None


def test_the_authority_pages_keep_their_query_count_as_records_grow(
    client, django_assert_max_num_queries
):
    plo = _published(Organisation, slug="plo", name="PLO", kind="party")
    rome = _published(Place, slug="rome", name="Rome", country="IT")

    def grow(n):
        for _ in range(n):
            dialogue = make_dialogue(cite=False)
            DialoguePlace.objects.create(dialogue=dialogue, place=rome)
            participation = add_participant(dialogue)
            participation.on_behalf_of = plo
            participation.save()

    grow(3)
    counts = {}
    for url in ("/organisations/plo/", "/places/rome/", "/organisations/", "/places/"):
        with django_assert_max_num_queries(40) as captured:
            client.get(url)
        counts[url] = len(captured.captured_queries)
    grow(30)
    for url, count in counts.items():
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


def test_the_place_and_series_lists_count_only_public_dialogues(client):
    rome = _published(Place, slug="rome", name="Rome", country="IT")
    _published(Place, slug="amman", name="Amman", country="JO")
    channel = _published(Series, slug="channel", name="The channel", kind="channel")
    public = [make_dialogue(cite=False) for _ in range(2)]
    draft = make_dialogue(cite=False, status=Status.DRAFT)
    for position, dialogue in enumerate([*public, draft], start=1):
        DialoguePlace.objects.create(dialogue=dialogue, place=rome)
        SeriesMembership.objects.create(series=channel, dialogue=dialogue, position=position)

    def counts(url):
        page = soup(client.get(url))
        return {
            li.a.get_text(strip=True): li.select_one("span.muted").get_text(" ", strip=True)
            for li in page.select("main li")
            if li.a is not None and li.select_one("span.muted") is not None
        }

    places = counts("/places/")
    assert places["Rome"].endswith("2 dialogues")
    assert places["Amman"].endswith("0 dialogues")
    assert counts("/series/")["The channel"].endswith("2 dialogues")
