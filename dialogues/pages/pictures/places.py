"""Where the dialogues met: places counted from grouped queries, so the map costs the same for
ten dialogues or a million.

For the selected public dialogues, one grouped query counts each public place's dialogues where
it is the only place ("sure"), another where it is one of several alternatives ("Rome or
Amman"), a grouped self-join counts each pair of alternatives, and one count gives the
dialogues with no place on the map (no place, or none with coordinates).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

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
    unplaced: int = 0  # dialogues with no place that has coordinates
    total: int = 0

    @property
    def mapped(self) -> list[MapPlace]:
        return [p for p in self.places.values() if p.lat is not None and p.lon is not None]


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
    pairs = [row for row in _pairs(dialogues, public_places) if row[0] in found.places]
    found.pairs = strongest_pairs(pairs)
    found.pairs_left_out = len(pairs) - len(found.pairs)
    mapped = public_places.filter(latitude__isnull=False, longitude__isnull=False)
    found.total = dialogues.count()
    found.unplaced = dialogues.exclude(
        pk__in=DialoguePlace.objects.filter(place__in=mapped.values("pk")).values("dialogue")
    ).count()
    return found
