"""Who met whom: people and organisations joined by the dialogues they shared.

The rule, stated on the figure: two people are joined when both took part, by name, in the same
public dialogue; the line's weight is how many. An organisation is joined to the people
affiliated with it (published affiliations), weighted by their dialogues here. Withheld
participations are not read at all (`Participation.objects.visible`), so a withheld person is
never a node, never an anonymous node and never in a count, and no organisation appears
through them.

At any size the figure keeps the `limit` people with the most such dialogues (N is stated on
the figure): one grouped query ranks them, one grouped self-join counts the pairs among them and
one reads their affiliations, so the work grows with N, not with the archive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
from django.db import connection
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from pyroaring import BitMap

from ...models import Affiliation, Organisation, Participant, Participation

SEED = 23  # the layout's seed: the same archive gives the same picture


@dataclass
class Node:
    key: str  # "p<id>" or "o<id>"
    name: str
    url: str
    kind: str  # "person" or "organisation"
    side: str = ""
    dialogues: int = 0
    ties: dict[str, int] = field(default_factory=dict)  # other key -> weight


@dataclass
class Network:
    nodes: dict[str, Node]
    limit: int
    people_total: int  # people with a shared dialogue under the filters, before the limit

    @property
    def edges(self) -> list[tuple[str, str, int]]:
        return sorted(
            (a, b, w) for a, node in self.nodes.items() for b, w in node.ties.items() if a < b
        )

    def strongest(self, key: str, n: int = 5) -> list[tuple[Node, int]]:
        ties = sorted(self.nodes[key].ties.items(), key=lambda t: (-t[1], self.nodes[t[0]].name))
        return [(self.nodes[other], w) for other, w in ties[:n]]


def _pairs(visible: QuerySet, ids: list[int]) -> list[tuple[int, int, int]]:
    """(participant, participant, shared dialogues) among `ids`, from one grouped self-join."""
    if len(ids) < 2:
        return []
    table = Participation._meta.db_table
    rows_sql, rows_params = visible.filter(participant__in=ids).values("pk").query.sql_with_params()
    sql = (
        f"SELECT a.participant_id, b.participant_id, COUNT(DISTINCT a.dialogue_id) "
        f"FROM {table} a JOIN {table} b ON a.dialogue_id = b.dialogue_id "
        f"AND a.participant_id < b.participant_id "
        f"WHERE a.id IN ({rows_sql}) AND b.id IN ({rows_sql}) "
        f"GROUP BY a.participant_id, b.participant_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rows_params, *rows_params])
        return [tuple(row) for row in cursor.fetchall()]


def _ranked_sql(dialogues, limit, around):
    """(chosen {participant: dialogues}, pairs, people in all) by grouped queries."""
    visible = Participation.objects.visible(timezone.localdate())
    if dialogues is not None:
        visible = visible.filter(dialogue__in=dialogues.values("pk"))
    if around is not None:
        visible = visible.filter(
            dialogue__in=visible.filter(participant__in=around).values("dialogue")
        )
    ranked = (
        visible.values("participant")
        .annotate(n=Count("dialogue", distinct=True))
        .order_by("-n", "participant")
    )
    people_total = ranked.count()
    chosen = {row["participant"]: row["n"] for row in ranked[:limit]}
    if around and not set(around) <= set(chosen):
        for row in ranked.filter(participant__in=around):
            chosen[row["participant"]] = row["n"]
    return chosen, _pairs(visible, list(chosen)), people_total


def _ranked_index(index, positions, limit, around):
    """The same from the facet index's bitmaps of disclosed participations: no query.

    `positions` are the selected dialogues (None for all); each count is an intersection.
    """
    people = {pk: bitmap for pk, bitmap in index.bitmaps("participant")}
    if positions is not None:
        people = {pk: bitmap & positions for pk, bitmap in people.items()}
    if around is not None:
        met = BitMap.union(BitMap(), *(people[pk] for pk in around if pk in people))
        people = {pk: bitmap & met for pk, bitmap in people.items()}
    counts = {pk: len(bitmap) for pk, bitmap in people.items() if bitmap}
    ranked = sorted(counts, key=lambda pk: (-counts[pk], pk))
    chosen = {pk: counts[pk] for pk in ranked[:limit]}
    for pk in around or []:
        if pk in counts:
            chosen[pk] = counts[pk]
    keys = sorted(chosen)
    pairs = []
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            shared = people[a].intersection_cardinality(people[b])
            if shared:
                pairs.append((a, b, shared))
    return chosen, pairs, len(counts)


def network(
    dialogues: QuerySet | None = None,
    *,
    limit: int = 40,
    around: list[int] | None = None,
    indexed: tuple | None = None,
) -> Network:
    """The network of the public `dialogues` (all when None).

    `around` (participant ids) draws those people and the `limit` people who shared most
    dialogues with them, for a participant's or organisation's page. `indexed` is
    (facet index, positions or None) when the filters can be read off the index: then the
    counts cost no query.
    """
    if indexed is not None:
        chosen, pairs, people_total = _ranked_index(*indexed, limit, around)
    else:
        chosen, pairs, people_total = _ranked_sql(dialogues, limit, around)
    people = Participant.objects.filter(pk__in=chosen).values_list("pk", "slug", "name", "side")
    nodes: dict[str, Node] = {}
    for pk, slug, name, side in people:
        url = reverse("dialogues:participant", args=[slug])
        nodes[f"p{pk}"] = Node(f"p{pk}", name, url, "person", side, chosen[pk])
    for a, b, weight in pairs:
        nodes[f"p{a}"].ties[f"p{b}"] = weight
        nodes[f"p{b}"].ties[f"p{a}"] = weight
    affiliations = (
        Affiliation.objects.public()
        .filter(participant__in=chosen, organisation__in=Organisation.objects.public())
        .values_list("participant", "organisation", "organisation__slug", "organisation__name")
        .distinct()
    )
    for person, org, slug, name in affiliations:
        key = f"o{org}"
        if key not in nodes:
            url = reverse("dialogues:organisation", args=[slug])
            nodes[key] = Node(key, name, url, "organisation")
        node = nodes[key]
        weight = chosen[person]
        node.ties[f"p{person}"] = weight
        node.dialogues += weight
        nodes[f"p{person}"].ties[key] = weight
    return Network(nodes=nodes, limit=limit, people_total=people_total)


def _component_layout(g: nx.Graph) -> dict[str, tuple[float, float]]:
    """One connected part in [0, 1]², by a spring layout with a fixed seed."""
    if len(g) == 1:
        return {next(iter(g)): (0.5, 0.5)}
    found = nx.spring_layout(g, seed=SEED, weight="weight", iterations=80)
    xs = [x for x, _ in found.values()]
    ys = [y for _, y in found.values()]
    wide, high = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
    return {
        key: (float((x - min(xs)) / wide), float((y - min(ys)) / high))
        for key, (x, y) in found.items()
    }


def _part_graph(g: nx.Graph, part: list[str]) -> nx.Graph:
    """The part of `g` holding the nodes `part`, as a graph of its own with its nodes and lines
    in sorted order. A subgraph view of a small part lists its nodes in the order of a Python
    set, which changes from one process to the next (string hashing is salted), and the spring
    layout follows the order of the nodes: the same archive would give another picture."""
    h = nx.Graph()
    h.add_nodes_from(part)
    h.add_weighted_edges_from(
        sorted((min(a, b), max(a, b), w) for a, b, w in g.subgraph(part).edges(data="weight"))
    )
    return h


def layout(graph: Network, per_row: int = 4) -> dict[str, tuple[float, float]]:
    """Positions in [0, 1]²: each connected part laid out alone, then the parts set side by side
    in rows, largest first, each as wide as the square root of its size allows.

    Laying out the parts together would push them to the edges and leave the middle empty.
    """
    g = nx.Graph()
    g.add_nodes_from(sorted(graph.nodes))
    for a, b, weight in graph.edges:
        g.add_edge(a, b, weight=weight)
    parts = sorted(
        (sorted(part) for part in nx.connected_components(g)), key=lambda p: (-len(p), p[0])
    )
    rows = [parts[i : i + per_row] for i in range(0, len(parts), per_row)]
    heights = [max(len(p) for p in row) ** 0.5 for row in rows]
    placed: dict[str, tuple[float, float]] = {}
    top = 0.0
    for row, height in zip(rows, heights, strict=True):
        widths = [len(p) ** 0.5 for p in row]
        left = 0.0
        for part, width in zip(row, widths, strict=True):
            share = width / sum(widths)
            inner = _component_layout(_part_graph(g, part))
            row_height = height / sum(heights)
            for key, (x, y) in inner.items():
                placed[key] = (left + share * (0.1 + 0.8 * x), top + row_height * (0.1 + 0.8 * y))
            left += share
        top += height / sum(heights)
    return placed
