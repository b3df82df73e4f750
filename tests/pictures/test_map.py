"""The map of places: markers against the table, alternatives, the unplaced, framing, filters."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dialogues.models import DialoguePlace, Place, Status
from dialogues.pages.pictures import map_drawing
from dialogues.pages.pictures.places import MapPlace, PlaceCounts, place_counts

from ..factories import make_conflict, make_dialogue, make_era

pytestmark = pytest.mark.django_db


def place(slug, name, lat, lon, status=Status.PUBLISHED):
    return Place.objects.create(
        slug=slug,
        name=name,
        latitude=None if lat is None else Decimal(str(lat)),
        longitude=None if lon is None else Decimal(str(lon)),
        status=status,
    )


@pytest.fixture
def places():
    conflict = make_conflict(slug="levant")
    era = make_era(slug="era", name="Era", date="1990/1999")
    found = {
        "oslo": place("oslo", "Oslo", 59.91, 10.75),
        "jerusalem": place("jerusalem", "Jerusalem", 31.77, 35.21),
        "rome": place("rome", "Rome", 41.89, 12.48),
        "amman": place("amman", "Amman", 31.95, 35.93),
        "nowhere": place("nowhere", "Somewhere unmapped", None, None),
        "draft": place("draft", "Secret Draftville", 48.85, 2.35, status=Status.DRAFT),
    }
    for n, names in enumerate(
        [["oslo"], ["oslo"], ["jerusalem"], ["rome", "amman"], [], ["nowhere"], ["draft"]]
    ):
        dialogue = make_dialogue(era=era, conflict=conflict, date=f"199{n}", cite=False)
        for position, name in enumerate(names, start=1):
            DialoguePlace.objects.create(dialogue=dialogue, place=found[name], position=position)
    return found


def soup(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def block(page):
    return page.select_one("section.map-block")


def test_markers_match_the_table_and_alternatives_read_as_or(client, places):
    section = block(soup(client, "/places/"))
    markers = {a["data-place"]: a for a in section.select("svg a.map-place")}
    rows = {tr["data-place"]: tr for tr in section.select("table tbody tr")}
    mapped = {k for k, tr in rows.items() if not tr.has_attr("data-unmapped")}
    assert set(markers) == mapped
    assert {str(places[n].pk) for n in ("oslo", "jerusalem", "rome", "amman")} == mapped
    oslo = str(places["oslo"].pk)
    assert rows[oslo].select_one("td.sure").text == "2"
    assert "map-sure" in markers[oslo].circle["class"]
    for name in ("rome", "amman"):
        pk = str(places[name].pk)
        assert "map-hollow" in markers[pk].circle["class"]
        assert rows[pk].select_one("td.alternative").text == "1"
    dashed = section.select("svg line.map-or")
    assert [(line["data-a"], line["data-b"]) for line in dashed] == [
        tuple(sorted((str(places["rome"].pk), str(places["amman"].pk)), key=int))
    ]
    assert "Rome or Amman (1 dialogue)" in section.select_one("ul.map-alternatives-list").text


def test_drafts_never_appear_and_the_unplaced_are_counted(client, places):
    page = soup(client, "/places/")
    assert "Draftville" not in str(page)
    # No place, a place without coordinates, and a draft place: three of seven not on the map.
    assert block(page).select_one(".map-unplaced")["data-unplaced"] == "3"
    assert "3 of 7 dialogues" in block(page).select_one(".map-unplaced").text


def test_the_map_frames_what_it_shows():
    counts = PlaceCounts()
    for pk, name, lat, lon in [(1, "Oslo", 59.9, 10.7), (2, "Jerusalem", 31.8, 35.2)]:
        counts.places[pk] = MapPlace(pk, name, "/", "", lat, lon, sure=1)
    figure = map_drawing.drawing(counts)
    x, y, w, h = (float(v) for v in figure["view"].split())
    for p in figure["places"]:
        assert x < p["x"] < x + w and y < p["y"] < y + h
    # Coordinates are tenths of a degree: the frame is about the two places, not the world.
    assert h < 0.3 * 1800 and w < 0.25 * 3600
    assert len(figure["outlines"]) < len(map_drawing.countries()) / 2


def test_the_list_s_map_follows_its_filters(client, places):
    section = block(soup(client, "/dialogues/?from=1990&to=1991"))
    assert {a["data-place"] for a in section.select("svg a.map-place")} == {str(places["oslo"].pk)}
    era = block(soup(client, "/eras/era/"))
    assert len(era.select("svg a.map-place")) == 4


@pytest.mark.parametrize("query", ["?from=zz", "?era=nope", "?q=%00", "?page=-1"])
def test_bad_parameters_are_no_server_error(client, places, query):
    assert client.get("/dialogues/" + query).status_code == 200
    response = client.get("/places/map.svg" + query)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"


def test_the_download_embeds_caption_filters_and_natural_earth(client, places):
    text = client.get("/places/map.svg?from=1990&to=1991").content.decode()
    assert "Natural Earth" in text and "Filters:" in text and "1990" in text


def test_the_counts_cost_the_same_queries_at_any_size(places):
    with CaptureQueriesContext(connection) as small:
        place_counts()
    era = make_era(date="2001/2009", position=9)
    for n in range(30):
        dialogue = make_dialogue(era=era, date=f"200{n % 9 + 1}", cite=False)
        DialoguePlace.objects.create(dialogue=dialogue, place=places["oslo"])
    with CaptureQueriesContext(connection) as large:
        counts = place_counts()
    assert len(large) == len(small)
    assert counts.places[places["oslo"].pk].sure == 32


def test_only_the_pairs_named_most_often_are_joined(client, places, monkeypatch):
    from dialogues.pages.pictures import places as place_module

    era = make_era(slug="later", name="Later", date="2000/2009")
    # Oslo or Jerusalem twice: the strongest pair; Rome or Amman once (from the fixture).
    for year in ("2001", "2002"):
        dialogue = make_dialogue(era=era, date=year, cite=False)
        DialoguePlace.objects.create(dialogue=dialogue, place=places["oslo"], position=1)
        DialoguePlace.objects.create(dialogue=dialogue, place=places["jerusalem"], position=2)
    monkeypatch.setattr(place_module, "MAX_PAIRS", 1)
    monkeypatch.setattr(map_drawing, "MAX_PAIRS", 1)
    section = block(soup(client, "/places/"))
    kept = tuple(sorted((str(places["oslo"].pk), str(places["jerusalem"].pk)), key=int))
    dashed = section.select("svg line.map-or")
    assert [(line["data-a"], line["data-b"]) for line in dashed] == [kept]
    listed = section.select("ul.map-alternatives-list li")
    assert [(li["data-a"], li["data-b"]) for li in listed] == [kept]
    assert section.select_one("p.map-pairs-left-out")["data-left-out"] == "1"
    assert "1 more pair is left out" in section.select_one("figcaption").text


def test_strongest_pairs_keeps_the_largest_in_id_order(monkeypatch):
    from dialogues.pages.pictures import places as place_module

    monkeypatch.setattr(place_module, "MAX_PAIRS", 2)
    pairs = [(1, 2, 5), (1, 3, 1), (2, 3, 7), (3, 4, 5)]
    # 7 first, then the tie at 5 broken by the places' ids: (1, 2) before (3, 4).
    assert place_module.strongest_pairs(pairs) == [(1, 2, 5), (2, 3, 7)]


def _as_compared(found):
    return (
        {pk: (p.sure, p.alternative, p.lat is None) for pk, p in found.places.items()},
        found.pairs,
        found.pairs_left_out,
        found.unplaced,
        found.total,
    )


@pytest.mark.parametrize("query", ["", "era=era", "era=later", "from=1993&to=1995", "q=nothing"])
def test_the_index_counts_what_the_queries_count(places, query):
    from django.http import QueryDict

    from dialogues.listing import facet_index
    from dialogues.listing.browse import Browse
    from dialogues.pages.pictures.places import counts_for

    era = make_era(slug="later", name="Later", date="2000/2009")
    # Three places named together, and a draft place beside a public one.
    trio = make_dialogue(era=era, date="2001", cite=False)
    for position, name in enumerate(("oslo", "rome", "jerusalem"), start=1):
        DialoguePlace.objects.create(dialogue=trio, place=places[name], position=position)
    hidden = make_dialogue(era=era, date="2002", cite=False)
    DialoguePlace.objects.create(dialogue=hidden, place=places["draft"], position=1)
    DialoguePlace.objects.create(dialogue=hidden, place=places["amman"], position=2)
    by_sql = counts_for(Browse(QueryDict(query)))
    assert facet_index.current(inline=True) is not None
    assert facet_index.selection(Browse(QueryDict(query)).filterset) is not None
    with CaptureQueriesContext(connection) as queries:
        by_index = counts_for(Browse(QueryDict(query)))
    assert _as_compared(by_index) == _as_compared(by_sql)
    # From the index, only the places' names and coordinates are read.
    assert len(queries) <= 2


def test_pairs_are_looked_for_among_the_places_most_named_as_alternatives(places, monkeypatch):
    from django.http import QueryDict

    from dialogues.listing import facet_index
    from dialogues.listing.browse import Browse
    from dialogues.pages.pictures import places as place_module

    era = make_era(slug="later", name="Later", date="2000/2009")
    for year in ("2001", "2002"):
        dialogue = make_dialogue(era=era, date=year, cite=False)
        DialoguePlace.objects.create(dialogue=dialogue, place=places["oslo"], position=1)
        DialoguePlace.objects.create(dialogue=dialogue, place=places["jerusalem"], position=2)
    monkeypatch.setattr(place_module, "PAIR_PLACES", 2)
    assert facet_index.current(inline=True) is not None
    found = place_module.counts_for(Browse(QueryDict("")))
    # Oslo and Jerusalem are named as alternatives twice each, Rome and Amman once.
    assert found.pair_places == 2
    assert found.pairs == [tuple(sorted((places["oslo"].pk, places["jerusalem"].pk))) + (2,)]
    assert "among the 2 places" in map_drawing.thinning_rule(found)


def test_only_the_busiest_places_are_named_and_dots_grow_with_their_share(
    client, places, monkeypatch
):
    monkeypatch.setattr(map_drawing, "LABELLED", 1)
    section = block(soup(client, "/places/"))
    labels = [text.get_text() for text in section.select("svg a.map-place text")]
    # Oslo has two dialogues, the others one each.
    assert labels == ["Oslo"]
    assert "The 1 places with the most dialogues are named" in section.select_one("figcaption").text
    radii = {a["data-place"]: float(a.circle["r"]) for a in section.select("svg a.map-place")}
    assert radii[str(places["oslo"].pk)] == max(radii.values())
    assert radii[str(places["jerusalem"].pk)] < radii[str(places["oslo"].pk)]
    # Every place keeps its name in its tooltip and in the table.
    assert len(section.select("svg a.map-place title")) == len(radii)
