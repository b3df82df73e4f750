"""Where the dialogues met: places counted from the facet index, or while it is being built
from grouped queries.

From the index (`counts_for`), each published place's bitmap of public dialogues is met with
the selection: a dialogue in two or more places' bitmaps is one with alternatives, so each
place's count splits into "sure" and "alternative" with two intersections, and each pair of
places named together is one more intersection. The work grows with the number of places, not
of dialogues; pairs are looked for among at most `PAIR_PLACES` places (those most often named
as one of several), which the figure says when it happens.

Without the index, for the selected public dialogues, one grouped query counts each public
place's dialogues where it is the only place ("sure"), another where it is one of several
alternatives ("Rome or Amman"), a grouped self-join counts each pair of alternatives, and one
count gives the dialogues with no place on the map (no place, or none with coordinates).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from pyroaring import BitMap

from ...listing import facet_index
from ...models import Dialogue, DialoguePlace, Place


@dataclass
class MapPlace:
    pk: int
    name: str
    url: str
    country: str
    lat: float | None
    lon: float | None
    sure: int = 0  # dialogues held here, as their only place
    alternative: int = 0  # dialogues that name it as one of several places


@dataclass
class PlaceCounts:
    places: dict[int, MapPlace] = field(default_factory=dict)
    pairs: list[tuple[int, int, int]] = field(default_factory=list)  # alternatives joined
    pairs_left_out: int = 0  # pairs of alternatives beyond MAX_PAIRS, not drawn or listed
    pair_places: int = 0  # when pairs were looked for among only this many places, that number
    unplaced: int = 0  # dialogues with no place that has coordinates
    total: int = 0

    @property
    def mapped(self) -> list[MapPlace]:
        return [p for p in self.places.values() if p.lat is not None and p.lon is not None]


# Pairs of alternatives are looked for among at most this many places: those most often named
# as one of several (every pair among them is one intersection of two bitmaps).
PAIR_PLACES = 120
# At most this many pairs of alternatives are drawn and listed: those named by the most
# dialogues. A large archive names almost every pair of places somewhere, and one dashed line
# each made the map (and every list page that shows it) megabytes long.
MAX_PAIRS = 30


def strongest_pairs(pairs: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The MAX_PAIRS pairs with the most dialogues (ties by the places' ids), in id order."""
    if len(pairs) <= MAX_PAIRS:
        return pairs
    return sorted(sorted(pairs, key=lambda row: (-row[2], row[0], row[1]))[:MAX_PAIRS])


def _pairs(dialogues: QuerySet, public_places: QuerySet) -> list[tuple[int, int, int]]:
    table = DialoguePlace._meta.db_table
    d_sql, d_params = dialogues.values("pk").query.sql_with_params()
    p_sql, p_params = public_places.values("pk").query.sql_with_params()
    sql = (
        f"SELECT a.place_id, b.place_id, COUNT(DISTINCT a.dialogue_id) FROM {table} a "
        f"JOIN {table} b ON a.dialogue_id = b.dialogue_id AND a.place_id < b.place_id "
        f"WHERE a.dialogue_id IN ({d_sql}) AND a.place_id IN ({p_sql}) "
        f"AND b.place_id IN ({p_sql}) GROUP BY a.place_id, b.place_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*d_params, *p_params, *p_params])
        return sorted(tuple(row) for row in cursor.fetchall())


def _describe(found: PlaceCounts, public_places: QuerySet, sure: dict, alternative: dict) -> None:
    """Read the counted places' names, countries and coordinates into `found.places`."""
    rows = public_places.filter(pk__in={*sure, *alternative}).values_list(
        "pk", "slug", "name", "country", "latitude", "longitude"
    )
    for pk, slug, name, country, lat, lon in rows:
        found.places[pk] = MapPlace(
            pk=pk,
            name=name,
            url=reverse("dialogues:place", args=[slug]),
            country=str(country or ""),
            lat=float(lat) if lat is not None else None,
            lon=float(lon) if lon is not None else None,
            sure=sure.get(pk, 0),
            alternative=alternative.get(pk, 0),
        )


def place_counts(dialogues: QuerySet | None = None) -> PlaceCounts:
    """Counts for the public `dialogues` (every public dialogue when None)."""
    dialogues = Dialogue.objects.public() if dialogues is None else dialogues
    public_places = Place.objects.public()
    named = DialoguePlace.objects.filter(
        dialogue__in=dialogues.values("pk"), place__in=public_places.values("pk")
    )
    several = (
        DialoguePlace.objects.filter(place__in=public_places.values("pk"))
        .values("dialogue")
        .annotate(k=Count("pk"))
        .filter(k__gt=1)
        .values("dialogue")
    )

    # Both counts in one grouped query: the list page's query budget has no room for two.
    alternatives = Q(dialogue__in=several)
    counted = (
        named.order_by()
        .values("place")
        .annotate(
            sure=Count("dialogue", distinct=True, filter=~alternatives),
            alternative=Count("dialogue", distinct=True, filter=alternatives),
        )
        .values_list("place", "sure", "alternative")
    )
    sure, alternative = {}, {}
    for place, n_sure, n_alternative in counted:
        if n_sure:
            sure[place] = n_sure
        if n_alternative:
            alternative[place] = n_alternative
    found = PlaceCounts()
    _describe(found, public_places, sure, alternative)
    pairs = [row for row in _pairs(dialogues, public_places) if row[0] in found.places]
    found.pairs = strongest_pairs(pairs)
    found.pairs_left_out = len(pairs) - len(found.pairs)
    mapped = public_places.filter(latitude__isnull=False, longitude__isnull=False)
    found.total = dialogues.count()
    found.unplaced = dialogues.exclude(
        pk__in=DialoguePlace.objects.filter(place__in=mapped.values("pk")).values("dialogue")
    ).count()
    return found


def counts_for(browse) -> PlaceCounts:
    """Counts for the dialogues `browse` selects: from the facet index once it is built."""
    selection = facet_index.selection(browse.filterset)
    if selection is None:
        return place_counts(browse.queryset)
    return _from_index(selection)


def _from_index(selection) -> PlaceCounts:
    positions = selection.positions
    at = {pk: bitmap for pk, bitmap in selection.index.bitmaps("place") if bitmap}
    # A dialogue in two places' bitmaps or more is one whose place is one of several.
    seen, several = BitMap(), BitMap()
    for bitmap in at.values():
        several |= seen & bitmap
        seen |= bitmap
    chosen_several = positions & several
    sure, alternative = {}, {}
    for pk, bitmap in at.items():
        n = positions.intersection_cardinality(bitmap)
        if not n:
            continue
        k = chosen_several.intersection_cardinality(bitmap) if chosen_several else 0
        if n - k:
            sure[pk] = n - k
        if k:
            alternative[pk] = k
    found = PlaceCounts(total=len(positions))
    _describe(found, Place.objects.public(), sure, alternative)
    on_map = [at[pk] for pk, place in found.places.items() if place.lat is not None]
    placed = positions.intersection_cardinality(BitMap.union(*on_map)) if on_map else 0
    found.unplaced = found.total - placed
    ranked = sorted(alternative, key=lambda pk: (-alternative[pk], pk))
    if len(ranked) > PAIR_PLACES:
        found.pair_places = PAIR_PLACES
    candidates = sorted(ranked[:PAIR_PLACES])
    parts = {pk: at[pk] & chosen_several for pk in candidates}
    pairs = []
    for i, a in enumerate(candidates):
        for b in candidates[i + 1 :]:
            n = parts[a].intersection_cardinality(parts[b])
            if n:
                pairs.append((a, b, n))
    found.pairs = strongest_pairs(pairs)
    found.pairs_left_out = len(pairs) - len(found.pairs)
    return found
