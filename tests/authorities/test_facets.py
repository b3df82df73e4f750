"""Issue 21's filters and facets: organisation, series, level, capacity and country, by the
facet index and by plain SQL alike, on the list page and the API, withheld names left out."""

from __future__ import annotations

import random

import pytest
from bs4 import BeautifulSoup

from dialogues.listing import facet_index
from dialogues.models import (
    Background,
    Basis,
    Capacity,
    Dialogue,
    DialoguePlace,
    Level,
    Organisation,
    Participation,
    Place,
    Series,
    SeriesMembership,
    Side,
    Status,
)
from tests.factories import add_participant, make_dialogue, make_participant
from tests.listing.test_facet_index import index_and_sql, mixed_archive, random_query  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def authority_archive(mixed_archive):  # noqa: F811
    """The mixed archive with levels, capacities, organisations, series and places, each with
    a draft among the published ones."""
    rng = random.Random(21)
    organisations = [
        Organisation.objects.create(slug=f"org-{i}", name=f"Org {i}", kind="ngo", status=status)
        for i, status in enumerate([Status.PUBLISHED, Status.PUBLISHED, Status.DRAFT])
    ]
    series = [
        Series.objects.create(slug=f"s-{i}", name=f"Series {i}", kind="forum", status=status)
        for i, status in enumerate([Status.PUBLISHED, Status.DRAFT])
    ]
    places = [
        Place.objects.create(slug=slug, name=slug, country=country, status=status)
        for slug, country, status in [
            ("oslo", "NO", Status.PUBLISHED),
            ("rome", "IT", Status.PUBLISHED),
            ("amman", "JO", Status.DRAFT),
            ("nowhere", "", Status.PUBLISHED),
        ]
    ]
    positions = {s.pk: 0 for s in series}
    for dialogue in mixed_archive["dialogues"]:
        Dialogue.objects.filter(pk=dialogue.pk).update(level=rng.choice(list(Level.values)))
        for place in rng.sample(places, rng.randrange(3)):
            DialoguePlace.objects.create(dialogue=dialogue, place=place)
        for chosen in rng.sample(series, rng.randrange(2)):
            positions[chosen.pk] += 1
            SeriesMembership.objects.create(
                series=chosen, dialogue=dialogue, position=positions[chosen.pk],
                basis=Basis.INFERRED, reason="test",
            )  # fmt: skip
    for participation in Participation.objects.all():
        participation.capacity = rng.choice(list(Capacity.values))
        participation.on_behalf_of = rng.choice([None, *organisations])
        # Now and then a side or background held at that meeting, unlike the person's own.
        participation.side_then = rng.choice(["", "", *Side.values])
        participation.background_then = rng.choice(["", "", *Background.values])
        participation.save()
    return {**mixed_archive, "organisations": organisations, "series": series}


def authority_query(rng, archive) -> str:
    choices = {
        "organisation": lambda: rng.choice(archive["organisations"][:2]).slug,
        "series": lambda: archive["series"][0].slug,
        "level": lambda: rng.choice(list(Level.values)),
        "capacity": lambda: rng.choice(list(Capacity.values)),
        "country": lambda: rng.choice(["NO", "IT", "JO"]),
        # Published places by slug; a draft's slug and other text read as words of a place.
        "place": lambda: rng.choice(["oslo", "rome", "amman", "nowhere", "rom"]),
    }
    names = rng.sample(list(choices), rng.randrange(1, 3))
    mine = "&".join(f"{name}={choices[name]()}" for name in names)
    other = random_query(rng, archive)
    return f"{mine}&{other}" if other else mine


def test_the_index_agrees_with_sql_on_the_new_filters(authority_archive):
    rng = random.Random(5)
    seen = 0
    for _ in range(60):
        query = authority_query(rng, authority_archive)
        index, sql = index_and_sql(query, rng)
        assert index == sql, query
        seen += sql["count"] > 0
    assert seen > 12, "enough combinations must match something to prove much"


def test_drafts_and_withheld_names_never_count(authority_archive):
    index = facet_index.build()
    draft_org, draft_series = authority_archive["organisations"][2], authority_archive["series"][1]
    assert not index.value("organisation", draft_org.pk)
    assert not index.value("series", draft_series.pk)
    assert not index.value("country", "JO")  # Amman is a draft place
    withheld = Participation.objects.withheld().exclude(on_behalf_of=None).first()
    assert withheld is not None
    only_withheld = not Participation.objects.disclosed().filter(
        dialogue=withheld.dialogue, on_behalf_of=withheld.on_behalf_of
    )
    position = index.positions_of([withheld.dialogue_id])
    if only_withheld and position:
        assert not index.value("organisation", withheld.on_behalf_of_id) & position


def test_the_list_page_and_api_filter_and_each_facet_keeps_its_other_values(client):
    fafo = Organisation.objects.create(
        slug="fafo", name="Fafo", kind="think_tank", status=Status.PUBLISHED
    )
    oslo = Place.objects.create(slug="oslo", name="Oslo", country="NO", status=Status.PUBLISHED)
    chosen = make_dialogue(slug="chosen", level=Level.TRACK_1_5)
    other = make_dialogue(slug="other", level=Level.TRACK_II)
    DialoguePlace.objects.create(dialogue=chosen, place=oslo)
    for dialogue, capacity in ((chosen, Capacity.PERSONAL), (other, Capacity.NON_OFFICIAL)):
        participation = add_participant(dialogue, make_participant())
        participation.capacity, participation.on_behalf_of = capacity, fafo
        participation.save()
    facet_index.forget()
    for query in ("organisation=fafo&level=track_1_5", "country=NO", "capacity=personal"):
        page = BeautifulSoup(client.get(f"/dialogues/?{query}").content, "html.parser")
        cards = [
            a["href"] for a in page.select("article h2 a, .card h2 a, h2 a[href^='/dialogues/']")
        ]
        assert cards == ["/dialogues/chosen/"], (query, cards)
        api = client.get(f"/api/dialogues/?{query}").json()
        assert [d["slug"] for d in api["results"]] == ["chosen"]
    page = BeautifulSoup(client.get("/dialogues/?level=track_1_5").content, "html.parser")
    levels = page.select_one("section[aria-labelledby=facet-level]").get_text(" ", strip=True)
    # The level facet leaves out its own filter: Track II is still offered, with its count.
    assert "Track 1.5" in levels and "Track II" in levels


@pytest.mark.parametrize(
    "query, words",
    [
        ("country=Norway", "not an ISO 3166 country code"),
        ("level=track_9", "not a known level"),
        ("organisation=nobody", "There is no organisation"),
        ("capacity=boss", "not a known capacity"),
    ],
)
def test_a_bad_value_gets_a_clear_message_not_an_error(client, query, words):
    make_dialogue()
    page = client.get(f"/dialogues/?{query}")
    assert page.status_code == 200
    assert words in BeautifulSoup(page.content, "html.parser").get_text(" ", strip=True)
    api = client.get(f"/api/dialogues/?{query}")
    assert api.status_code in (400, 404)
    assert words in str(api.json())
