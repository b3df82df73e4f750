"""A facet with many values shows those with the most dialogues, and says how many it leaves out."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from dialogues.listing import facets
from dialogues.models import DialoguePlace, Place, Status
from tests.factories import make_dialogue, make_era


class _Facet:
    name = "place"


def _values(counts: list[int]) -> list[tuple[str, str, int]]:
    return [(f"p{i}", f"Place {i}", n) for i, n in enumerate(counts)]


def test_a_short_facet_is_shown_whole():
    values = _values([1] * facets.SHOWN_VALUES)
    ((_, kept, left_out),) = facets.shown([(_Facet(), values)], {})
    assert kept == values
    assert left_out == 0


def test_a_long_facet_keeps_the_largest_values_in_their_own_order():
    counts = list(range(1, facets.SHOWN_VALUES + 6))  # the last ones have the most dialogues
    ((_, kept, left_out),) = facets.shown([(_Facet(), _values(counts))], {})
    assert left_out == 5
    assert [n for _, _, n in kept] == counts[5:]
    assert [value for value, _, _ in kept] == [f"p{i}" for i in range(5, len(counts))]


def test_the_selected_value_is_shown_however_few_dialogues_it_has():
    counts = list(range(1, facets.SHOWN_VALUES + 6))
    ((_, kept, left_out),) = facets.shown([(_Facet(), _values(counts))], {"place": "p0"})
    assert kept[0][0] == "p0"
    assert len(kept) == facets.SHOWN_VALUES + 1
    assert left_out == 4


@pytest.mark.django_db
def test_the_list_page_draws_only_the_largest_places_and_links_to_them_all(client):
    era = make_era()
    total = facets.SHOWN_VALUES + 3
    for i in range(total):
        place = Place.objects.create(
            slug=f"town-{i}", name=f"Town {i}", country="NO", status=Status.PUBLISHED
        )
        # Town i holds i + 1 dialogues: towns 0, 1 and 2 have the fewest.
        for _ in range(i + 1):
            DialoguePlace.objects.create(dialogue=make_dialogue(era=era), place=place, position=1)
    page = BeautifulSoup(client.get("/dialogues/").content, "html.parser")
    section = page.find("section", attrs={"aria-labelledby": "facet-place"})
    shown = [a.get_text(" ", strip=True).split(" ")[1] for a in section.select("ul a")]
    assert len(shown) == facets.SHOWN_VALUES
    assert {"0", "1", "2"}.isdisjoint(shown)
    more = section.find("p", class_="facet-more")
    assert "3 more" in more.get_text()
    assert client.get(more.find("a")["href"]).status_code == 200
    # Chosen, a small town is shown all the same.
    page = BeautifulSoup(client.get("/dialogues/?place=town-0").content, "html.parser")
    section = page.find("section", attrs={"aria-labelledby": "facet-place"})
    assert section.find("a", attrs={"aria-current": "true"}).get_text().startswith("Town 0")
