"""The place filter names a place record; side and background match what held at the meeting.

Each is read the same way by the facet index and by plain SQL, on the list page and the API,
and each facet leaves out its own filter.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.http import QueryDict

from dialogues.listing import facet_index
from dialogues.listing.facets import facet_counts, sql_facet_counts
from dialogues.listing.filters import DialogueFilterSet
from dialogues.models import Background, DialoguePlace, Place, Side, Status
from tests.factories import add_participant, make_dialogue, make_participant

pytestmark = pytest.mark.django_db


def _facets(query: str, name: str) -> tuple[list, list]:
    """A facet's counts by the index and by SQL, for `query`."""
    facet_index.forget()
    assert facet_index.current(inline=True) is not None
    filterset = DialogueFilterSet(QueryDict(query))
    by_index = dict((f.name, rows) for f, rows in facet_counts(filterset))[name]
    by_sql = dict((f.name, rows) for f, rows in sql_facet_counts(filterset))[name]
    return by_index, by_sql


def _api(client, query: str) -> list[str]:
    response = client.get(f"/api/dialogues/?{query}")
    assert response.status_code == 200, response.content
    return [d["slug"] for d in response.json()["results"]]


def _page(client, query: str) -> list[str]:
    response = client.get(f"/dialogues/?{query}")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [a["href"] for a in soup.select("h2 a[href^='/dialogues/']")]


@pytest.fixture
def places():
    rome = Place.objects.create(slug="rome", name="Rome", country="IT", status=Status.PUBLISHED)
    amman = Place.objects.create(slug="amman", name="Amman", country="JO", status=Status.PUBLISHED)
    draft = Place.objects.create(slug="secret-villa", name="Secret villa", country="FR")
    either = make_dialogue(slug="rome-or-amman", place="Rome or Amman")
    for position, place in enumerate((rome, amman), start=1):
        DialoguePlace.objects.create(dialogue=either, place=place, position=position)
    in_rome = make_dialogue(slug="in-rome", place="Rome, Italy")
    DialoguePlace.objects.create(dialogue=in_rome, place=rome)
    hidden = make_dialogue(slug="at-the-villa", place="A villa in Norway")
    DialoguePlace.objects.create(dialogue=hidden, place=draft)
    return rome, amman


def test_a_place_is_chosen_by_its_slug_and_alternatives_count_for_each(client, places):
    facet_index.forget()
    assert _api(client, "place=amman") == ["rome-or-amman"]
    assert sorted(_api(client, "place=rome")) == ["in-rome", "rome-or-amman"]
    assert _page(client, "place=amman") == ["/dialogues/rome-or-amman/"]


def test_the_place_facet_leaves_out_its_own_filter_by_index_and_by_sql(places):
    by_index, by_sql = _facets("place=amman", "place")
    assert by_index == by_sql
    # Choosing Amman still offers Rome, with both of its dialogues; the draft place is absent.
    assert by_index == [("amman", "Amman", 1), ("rome", "Rome", 2)]
    # Another filter narrows it: the country of Amman leaves Rome one dialogue (the "or").
    by_index, by_sql = _facets("country=JO", "place")
    assert by_index == by_sql == [("amman", "Amman", 1), ("rome", "Rome", 1)]


def test_an_old_text_link_still_matches_the_place_in_words(client, places):
    # Made before places were records: not a slug, read as words of the dialogue's place.
    facet_index.forget()
    assert _api(client, "place=Norway") == ["at-the-villa"]
    # A draft place's slug is no place to readers: only words, which match nothing here.
    assert _api(client, "place=secret-villa") == []
    page = client.get("/dialogues/?place=Norway")
    text = BeautifulSoup(page.content, "html.parser").get_text(" ", strip=True)
    assert "matching “Norway”" in text


@pytest.fixture
def changed_sides():
    """A person whose side and background at one meeting differ from their own."""
    person = make_participant(slug="convert", side=Side.ISRAELI, background="academic")
    then = make_dialogue(slug="then")
    later = make_dialogue(slug="later")
    participation = add_participant(then, person)
    participation.side_then, participation.background_then = Side.THIRD_PARTY, "journalist"
    participation.then_note = "Inferred for the test."
    participation.save()
    add_participant(later, person)
    return then, later


@pytest.mark.parametrize(
    "query, expected",
    [
        ("side=third_party", ["then"]),
        ("side=israeli", ["later"]),
        ("background=journalist", ["then"]),
        ("background=academic", ["later"]),
    ],
)
def test_side_and_background_filters_match_what_held_at_the_meeting(
    client, changed_sides, query, expected
):
    facet_index.forget()
    assert _api(client, query) == expected
    assert _page(client, query) == [f"/dialogues/{slug}/" for slug in expected]


@pytest.mark.parametrize("name", ["side", "background"])
def test_the_index_builds_sides_and_backgrounds_at_the_meeting_as_sql_counts_them(
    changed_sides, name
):
    by_index, by_sql = _facets(f"{name}=international" if name == "side" else "", name)
    assert by_index == by_sql
    counts = {value: n for value, _, n in by_index}
    if name == "side":
        # The side facet leaves out its own filter: both sides keep their one dialogue.
        assert counts == {Side.ISRAELI: 1, Side.THIRD_PARTY: 1}
    else:
        assert counts == {Background.ACADEMIC: 1, Background.JOURNALIST: 1}


def test_a_withheld_side_never_counts_and_a_shown_one_counts_as_held_then(client):
    dialogue = make_dialogue(slug="quiet")
    hidden = add_participant(dialogue, make_participant(side=Side.ISRAELI))
    hidden.side_then, hidden.then_note = Side.PALESTINIAN, "x"
    hidden.withheld, hidden.show_side = True, False
    hidden.save()
    facet_index.forget()
    assert _api(client, "side=palestinian") == []
    assert _api(client, "side=israeli") == []
    hidden.show_side = True
    hidden.save()
    facet_index.forget()
    assert _api(client, "side=palestinian") == ["quiet"]
    # The side shown for the withheld name is the one the filter matched.
    (person,) = client.get("/api/dialogues/quiet/").json()["participants"]
    assert (person["name_withheld"], person["side"]) == (True, "palestinian")
