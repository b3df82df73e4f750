"""A filterset over the index: its active filters as bitmaps, counted and paged."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS
from pyroaring import BitMap

from ... import caching
from .index import FACETED, SORT_ORDERS, FacetIndex
from .shared import current


class Selection:
    """The active filters of a `DialogueFilterSet` as bitmaps of one index.

    `parts` holds one bitmap per active filter (`dates` for `from`/`to`/`match` together);
    `rest(without=name)` intersects all but one, which is what a facet counts under.
    """

    def __init__(self, index: FacetIndex, filterset, *, using: str = DEFAULT_DB_ALIAS):
        self.index = index
        self.parts: dict[str, BitMap] = {}
        cleaned = filterset.cleaned
        for name, value in cleaned.items():
            if name == "place" and isinstance(value, str):
                # Text that is no place's slug: the words of the dialogue's place (old links).
                self.parts[name] = index.places_matching(value, using)
            elif name in FACETED:
                self.parts[name] = index.value(name, getattr(value, "pk", value))
        dates = _dates(index, cleaned)
        if dates is not None:
            self.parts["dates"] = dates
        if filterset.searching:
            found = search_positions(index, filterset.query, using=using)
            if found is not None:
                self.parts["q"] = found

    def rest(self, *, without: str | None = None) -> BitMap | None:
        """Intersect every active filter but `without`; None when none is left (all public)."""
        parts = sorted((bitmap for name, bitmap in self.parts.items() if name != without), key=len)
        if not parts:
            return None
        return BitMap.intersection(*parts) if len(parts) > 1 else parts[0]

    @property
    def positions(self) -> BitMap:
        if not hasattr(self, "_positions"):
            found = self.rest()
            self._positions = self.index.everything if found is None else found
        return self._positions

    @property
    def count(self) -> int:
        found = self.rest()
        return self.index.size if found is None else len(found)

    def count_within(self, bitmap: BitMap, rest: BitMap | None) -> int:
        return len(bitmap) if rest is None else bitmap.intersection_cardinality(rest)

    def page(self, sort: str, start: int, stop: int) -> list[int]:
        return self.index.page(self.positions, sort, start, stop)


def _dates(index: FacetIndex, cleaned: dict) -> BitMap | None:
    start, end = cleaned.get("from"), cleaned.get("to")
    if start is None and end is None:
        return None
    start = start.toordinal() if start else None
    end = end.toordinal() if end else None
    if cleaned.get("match") == "within":
        found = [index.earliest_between(start, None), index.latest_between(None, end)]
    else:
        # An uncertain date counts when any day it may be falls in the range.
        found = [index.latest_between(start, None), index.earliest_between(None, end)]
    return BitMap.intersection(*found)


def search_positions(index: FacetIndex, query, *, using: str = DEFAULT_DB_ALIAS) -> BitMap | None:
    """The public dialogues a search matches, as positions; None when it narrows nothing.

    The matching ids are read once per generation, day and query, and kept in the shared cache.
    """
    from ...search.queryset import search_ids

    def matching():
        found = search_ids(query, using=using)
        if found is None:
            return None
        ids, excluded = found
        return BitMap(sorted(set(ids))).serialize(), excluded

    key = (using, query.groups, query.excluded)
    found = caching.cached("search-ids", key, matching)
    if found is None:
        return None
    raw, excluded = found
    ids = BitMap.deserialize(raw)
    positions = index.positions_of(ids)
    return index.everything - positions if excluded else positions


def selection(filterset, *, using: str = DEFAULT_DB_ALIAS) -> Selection | None:
    """Return the filterset's `Selection` over the current index, made once per filterset and
    index; None while the index is being built (use the plain SQL way then)."""
    index = current(using=using)
    if index is None:
        return None
    made = getattr(filterset, "_facet_selection", None)
    # A filterset kept across a save meets a new index: its bitmaps are made again.
    if made is None or made.index is not index:
        made = Selection(index, filterset, using=using)
        filterset._facet_selection = made
    return made


def sort_of(filterset) -> str | None:
    """The index's name for the filterset's order, or None when only the search can rank it."""
    ordering = tuple(filterset.ordering())
    for name, fields in SORT_ORDERS.items():
        if tuple(fields) == ordering:
            return name
    return None
