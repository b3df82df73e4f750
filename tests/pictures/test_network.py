"""The network of who met whom: nodes and lines against the list, withheld names, filters, cost."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dialogues.models import Affiliation, Organisation, Participation, Side, Status

from ..factories import add_participant, make_conflict, make_dialogue, make_era, make_participant

pytestmark = pytest.mark.django_db
SECRET = "Zebulon Quartermaine"


@pytest.fixture
def met():
    """Amal and Ben met twice, Ben and Carmel once; the secret person sat with them, withheld."""
    conflict = make_conflict()
    early = make_era(slug="early", name="Early", date="1990/1994", position=1)
    late = make_era(slug="late", name="Late", date="1995/1999", position=2)
    people = {
        name: make_participant(slug=name.lower().split()[0], name=name, side=side)
        for name, side in [
            ("Amal", Side.PALESTINIAN),
            ("Ben", Side.ISRAELI),
            ("Carmel", Side.ISRAELI),
            (SECRET, Side.PALESTINIAN),
        ]
    }
    first = make_dialogue(era=early, conflict=conflict, date="1991", cite=False)
    second = make_dialogue(era=early, conflict=conflict, date="1992", cite=False)
    third = make_dialogue(era=late, conflict=conflict, date="1996", cite=False)
    for dialogue, names in [
        (first, ["Amal", "Ben"]),
        (second, ["Amal", "Ben"]),
        (third, ["Ben", "Carmel"]),
    ]:
        for name in names:
            add_participant(dialogue, people[name])
    for dialogue in (first, third):
        hidden = add_participant(dialogue, people[SECRET])
        Participation.objects.filter(pk=hidden.pk).update(withheld=True)
    org = Organisation.objects.create(
        slug="forum", name="The Forum", kind="ngo", status=Status.PUBLISHED
    )
    for name in ("Carmel", SECRET):
        Affiliation.objects.create(
            participant=people[name], organisation=org, role="member", status=Status.PUBLISHED
        )
    return people


def soup(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def drawn(page):
    nodes = {a["data-key"]: a for a in page.select("svg a.net-node")}
    edges = {
        frozenset((line["data-a"], line["data-b"])): int(line["data-weight"])
        for line in page.select("svg line.net-edge")
    }
    listed = {li["data-key"]: li for li in page.select("ol.network-list > li")}
    return nodes, edges, listed


def key(person) -> str:
    return f"p{person.pk}"


def test_the_figure_and_its_list_show_the_same_people_and_ties(client, met):
    nodes, edges, listed = drawn(soup(client, "/network/"))
    assert set(nodes) == set(listed)
    amal, ben, carmel = key(met["Amal"]), key(met["Ben"]), key(met["Carmel"])
    assert edges[frozenset((amal, ben))] == 2
    assert edges[frozenset((ben, carmel))] == 1
    assert frozenset((amal, carmel)) not in edges
    for node_key, item in listed.items():
        ties = [(a["href"], int(a["data-weight"])) for a in item.select("a.tie")]
        drawn_ties = sorted((w for pair, w in edges.items() if node_key in pair), reverse=True)
        assert [w for _, w in ties] == drawn_ties[:5]
        assert nodes[node_key]["href"] == item.a["href"]
    assert "Ben (3 dialogues)" in nodes[ben].title.text


@pytest.mark.parametrize(
    "url",
    ["/network/", "/network/figure.svg", "/participants/ben/", "/organisations/forum/"],
)
def test_a_withheld_person_is_nowhere_in_any_network(client, met, url):
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert SECRET not in text and "/participants/zebulon/" not in text
    assert f'"{key(met[SECRET])}"' not in text
    if url == "/network/":
        assert "all 3 people" in text  # the withheld person is not counted either


def test_an_organisation_is_joined_to_its_named_people_only(client, met):
    nodes, edges, _ = drawn(soup(client, "/network/"))
    org = next(k for k in nodes if k.startswith("o"))
    assert {k for pair in edges for k in pair if org in pair} == {org, key(met["Carmel"])}


@pytest.mark.parametrize(
    ("query", "people"),
    [
        ("era=early", {"Amal", "Ben"}),
        ("era=late", {"Ben", "Carmel"}),
        ("", {"Amal", "Ben", "Carmel"}),
    ],
)
def test_the_network_follows_its_filters(client, met, query, people):
    nodes, _, _ = drawn(soup(client, f"/network/?{query}"))
    assert {k for k in nodes if k.startswith("p")} == {key(met[name]) for name in people}


@pytest.mark.parametrize(
    "query", ["era=nope", "side=martian", "series=%00", "level=" + "x" * 500, "era[]=1"]
)
def test_bad_filters_are_reported_not_a_server_error(client, met, query):
    page = soup(client, f"/network/?{query}")
    assert page.select("svg a.net-node")
    if "[]" not in query:
        assert page.select_one("[role=alert]")
    assert client.get(f"/network/figure.svg?{query}").status_code == 200


def test_the_layout_is_the_same_every_time(client, met):
    from django.core.cache import cache

    first = soup(client, "/network/").select_one("svg.network")
    cache.clear()
    assert soup(client, "/network/").select_one("svg.network") == first


def test_a_participant_page_has_a_small_network_around_them(client, met):
    nodes, edges, listed = drawn(soup(client, "/participants/amal/"))
    assert set(nodes) == set(listed) == {key(met["Amal"]), key(met["Ben"])}
    assert edges == {frozenset((key(met["Amal"]), key(met["Ben"]))): 2}


def test_the_download_carries_the_filters(client, met):
    text = client.get(reverse("dialogues:network_figure") + "?era=early").content.decode()
    assert "Filters: era: Early" in text and "Amal" in text and "Carmel" not in text


def network_queries(client) -> int:
    from django.core.cache import cache

    cache.clear()
    client.get("/network/")
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get("/network/")
    return len(queries)


def test_the_network_s_query_count_does_not_grow_with_the_records(client, met):
    small = network_queries(client)
    era = make_era(date="2001/2009", position=9)
    for n in range(30):
        dialogue = make_dialogue(era=era, date=f"200{n % 9 + 1}", cite=False)
        for side in (Side.ISRAELI, Side.PALESTINIAN, Side.ISRAELI):
            add_participant(dialogue, side=side)
    assert network_queries(client) <= small


def test_a_name_withheld_until_yesterday_shows_again(client, met):
    Participation.objects.filter(withheld=True).update(
        withheld_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    nodes, _, _ = drawn(soup(client, "/network/"))
    assert key(met[SECRET]) in nodes


def test_at_scale_only_each_node_s_strongest_ties_are_drawn_and_the_figure_says_so():
    from dialogues.pages.pictures import network_drawing
    from dialogues.pages.pictures.network import Network, Node

    nodes = {
        f"p{i}": Node(f"p{i}", f"Person {i}", f"/p/{i}/", "person", dialogues=20) for i in range(20)
    }
    for i in range(20):
        for j in range(20):
            if i != j:
                nodes[f"p{i}"].ties[f"p{j}"] = 1 + (i * j) % 7
    graph = Network(nodes=nodes, limit=40, people_total=20)
    figure = network_drawing.drawing(graph, rule="Shown: all 20.")
    assert len(graph.edges) > network_drawing.MAX_LINES
    drawn = {frozenset((e["a"], e["b"])) for e in figure["edges"]}
    for key in nodes:
        for other, _ in graph.strongest(key, network_drawing.KEPT_TIES):
            assert frozenset((key, other.key)) in drawn
    assert len(drawn) < len(graph.edges)
    assert f"strongest ties ({len(drawn)} of {len(graph.edges)})" in figure["rule"]


@pytest.mark.parametrize("query", ["", "era=early", "side=israeli", "era=late&side=israeli"])
def test_the_facet_index_gives_the_network_the_sql_gives(met, query):
    from django.http import QueryDict

    from dialogues.listing import facet_index
    from dialogues.pages.pictures import network_views
    from dialogues.pages.pictures.network import network

    chosen = network_views.NetworkFilters(QueryDict(query)).valid()
    by_sql = network(network_views._dialogues(chosen), limit=2)
    assert facet_index.current(inline=True) is not None
    indexed = network_views._indexed(chosen)
    assert indexed is not None
    by_index = network(network_views._dialogues(chosen), limit=2, indexed=indexed)
    assert by_index.people_total == by_sql.people_total
    assert {k: (n.dialogues, n.ties) for k, n in by_index.nodes.items()} == {
        k: (n.dialogues, n.ties) for k, n in by_sql.nodes.items()
    }
    around = [met["Carmel"].pk]
    assert {k: n.ties for k, n in network(limit=5, around=around).nodes.items()} == {
        k: n.ties
        for k, n in network(
            limit=5, around=around, indexed=network_views._indexed({})
        ).nodes.items()
    }


def test_a_label_clears_the_other_nodes_or_is_left_out():
    from dialogues.pages.pictures.network_drawing import _label

    name = "Left-leaning organisers"  # about 143 pixels at 6.2 a letter
    # Nothing in the way: to the right of the node.
    assert _label(name, 300, 5, 1000, 0, 100, []) == (name, "start", 308)
    # A node just to its right: the label goes to the left instead.
    right = (330, 92, 342, 104)
    assert _label(name, 300, 5, 1000, 0, 100, [], [right]) == (name, "end", 292)
    # Nodes on both sides: no label (the node's title and the list still name it).
    left = (250, 95, 260, 105)
    assert _label(name, 300, 5, 1000, 0, 100, [], [right, left]) == ("", "start", 0)
    # A node above or below the line of text is no obstacle.
    assert _label(name, 300, 5, 1000, 0, 100, [], [(330, 120, 342, 132)])[1] == "start"


LAYOUT_IN_A_PROCESS = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings")
django.setup()
from dialogues.pages.pictures.network import Network, Node, layout
nodes = {f"p{i}": Node(f"p{i}", f"Person {i}", "/", "person") for i in range(1, 31)}
ties = [(1, 2, 3), (1, 3, 1), (2, 3, 2), (3, 4, 1), (4, 5, 2), (2, 5, 1)]
ties += [(i, i + 1, 1) for i in range(6, 30, 2)]
for a, b, w in ties:
    nodes[f"p{a}"].ties[f"p{b}"] = w
    nodes[f"p{b}"].ties[f"p{a}"] = w
print(sorted(layout(Network(nodes, limit=40, people_total=30)).items()))
"""


def test_the_layout_is_the_same_in_every_process():
    """Python salts string hashing per process, so a layout that followed the order of a set
    would differ from one worker or run to the next."""
    import os
    import subprocess
    import sys

    outputs = {
        subprocess.run(
            [sys.executable, "-c", LAYOUT_IN_A_PROCESS],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(outputs) == 1 and "p30" in next(iter(outputs))
