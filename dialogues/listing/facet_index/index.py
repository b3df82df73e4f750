"""The index itself: the public dialogues as bitmaps, how it is read, and how it is stored."""

from __future__ import annotations

import array
import bisect
import json
import pickle
import struct

import numpy
from django.db import connections
from pyroaring import BitMap

from ..filters import SORTS
from .authorities import AUTHORITY_FACETED

# Bump when the stored shape changes, so that a new release never reads an old one.
FORMAT = 4

# The filters whose values have a bitmap each, keyed as in `DialogueFilterSet`.
FACETED = (
    *("era", "conflict", "track", "outcome", "side", "background", "participant"),
    *AUTHORITY_FACETED,
)
# The sorts the index pages itself; "relevance" is ranked by the search backend.
SORT_ORDERS = {name: SORTS[name][1] for name in ("date", "-date", "title")}
NO_ID = -1
# Values kept serialized, each made a bitmap only when a filter names it (they are never
# counted as a facet). There are many participants with few dialogues each: at 1M dialogues,
# 200,000 small bitmaps cost a worker about 100 MB as objects, against 18 MB packed.
SERIALIZED = frozenset({"participant"})


def _uints(values=()) -> array.array:
    return array.array("I", values)


class Packed:
    """Many small bitmaps serialized end to end in one buffer, found by key (an int) with a
    binary search: a few bytes each beyond their own, where a dict of bitmap objects costs
    hundreds. Reads like the dict it replaces, its values being serialized bitmaps."""

    def __init__(self, bitmaps: dict[int, BitMap | bytes]):
        # A value may come serialized already (an update in place keeps those it did not touch).
        self.keys = array.array("q", sorted(bitmaps))
        self.ends = _uints()
        parts = []
        end = 0
        for key in self.keys:
            value = bitmaps[key]
            raw = value if isinstance(value, (bytes, memoryview)) else value.serialize()
            parts.append(raw)
            end += len(raw)
            self.ends.append(end)
        self.data = b"".join(parts)

    @classmethod
    def of(cls, keys, ends, data) -> Packed:
        """A Packed of its three parts as stored (views of a mapped file)."""
        packed = cls.__new__(cls)
        packed.keys, packed.ends, packed.data = keys, ends, data
        return packed

    def copied(self) -> Packed:
        """This Packed in plain arrays and bytes of its own (from views of a mapped file), as the
        shared cache's blob stores it."""
        if not isinstance(self.data, memoryview):
            return self
        return Packed.of(
            _frombytes("q", bytes(self.keys)), _frombytes("I", bytes(self.ends)), bytes(self.data)
        )

    def get(self, key, default=None):
        if not isinstance(key, int):
            return default
        at = bisect.bisect_left(self.keys, key)
        if at == len(self.keys) or self.keys[at] != key:
            return default
        return self.data[self.ends[at - 1] if at else 0 : self.ends[at]]

    def __iter__(self):
        return iter(self.keys)

    def __len__(self):
        return len(self.keys)

    def items(self):
        return ((key, self.get(key)) for key in self.keys)

    def __eq__(self, other):
        if not isinstance(other, Packed):
            return NotImplemented
        return (self.keys, self.ends, self.data) == (other.keys, other.ends, other.data)


class FacetIndex:
    """The public dialogues of one generation and day as bitmaps; see the package docstring."""

    def __init__(self):
        self.size = 0
        self.ids = _uints()  # position -> dialogue id, in date order
        self.orders: dict[str, array.array] = {}  # sort -> rank -> position
        self.ranks: dict[str, array.array] = {}  # sort -> position -> rank
        self.values: dict[str, dict] = {name: {} for name in FACETED}
        self.places: dict[str, BitMap] = {}
        self.eras: dict[int, tuple[str, str, int]] = {}  # id -> (slug, name, position)
        # Organisations and series: facet -> id -> (slug, name), as the facets label them.
        self.labels: dict[str, dict[int, tuple[str, str]]] = {}
        # Earliest days along date order (non-null only, from `earliest_from`), and latest days
        # negated along `-date` order (from `latest_from`), both ascending for bisect.
        self.earliest = array.array("i")
        self.earliest_from = 0
        self.latest = array.array("i")
        self.latest_from = 0
        # `-date` ranks split by year of the latest day: (first rank, end rank, positions).
        self.latest_years: list[tuple[int, int, BitMap]] = []
        self._id_lookup: array.array | None = None
        self._place_cache: dict[tuple[str, str], BitMap] = {}
        self.built_in = 0.0

    # --- reading ----------------------------------------------------------------------------

    @property
    def everything(self) -> BitMap:
        return BitMap(range(self.size))

    def value(self, name: str, key) -> BitMap:
        found = self.values[name].get(key)
        if found is None:
            return BitMap()
        return BitMap.deserialize(found) if name in SERIALIZED else found

    def bitmaps(self, name: str):
        """(key, bitmap) for every value of filter `name`."""
        for key in self.values[name]:
            yield key, self.value(name, key)

    def positions_of(self, ids) -> BitMap:
        """Return the positions of those of `ids` that are public dialogues."""
        lookup = self._lookup()
        found = _uints()
        limit = len(lookup)
        for pk in ids:
            if pk < limit:
                position = lookup[pk]
                if position != NO_ID:
                    found.append(position)
        return BitMap(found)

    def _lookup(self) -> array.array:
        # Not stored: rebuilt from `ids` by the process that loads the index.
        if self._id_lookup is None:
            ids = numpy.frombuffer(self.ids, dtype=numpy.uint32)
            lookup = numpy.full(int(ids.max()) + 1 if self.size else 0, NO_ID, numpy.int32)
            lookup[ids] = numpy.arange(self.size, dtype=numpy.int32)
            self._id_lookup = array.array("i", lookup.tobytes())
        return self._id_lookup

    def position(self, pk: int) -> int:
        """Dialogue `pk`'s position in date order, or NO_ID if it is not public."""
        lookup = self._lookup()
        return lookup[pk] if 0 <= pk < len(lookup) else NO_ID

    def neighbours_of(self, pk: int) -> tuple[int | None, int | None] | None:
        """The ids before and after dialogue `pk` in date order; None if it is not public."""
        position = self.position(pk)
        if position == NO_ID:
            return None
        before = self.ids[position - 1] if position > 0 else None
        after = self.ids[position + 1] if position + 1 < self.size else None
        return before, after

    def earliest_between(self, start: int | None, end: int | None) -> BitMap:
        """Positions whose earliest day (as an ordinal) lies in [start, end]; a None is open."""
        low = 0 if start is None else bisect.bisect_left(self.earliest, start)
        high = len(self.earliest) if end is None else bisect.bisect_right(self.earliest, end)
        return BitMap(range(self.earliest_from + low, self.earliest_from + max(low, high)))

    def latest_between(self, start: int | None, end: int | None) -> BitMap:
        """Positions whose latest day (as an ordinal) lies in [start, end]; a None is open."""
        # `latest` holds negated days in `-date` order, so [start, end] is [-end, -start].
        low = 0 if end is None else bisect.bisect_left(self.latest, -end)
        high = len(self.latest) if start is None else bisect.bisect_right(self.latest, -start)
        low, high = self.latest_from + low, self.latest_from + high
        parts = []
        order = self.orders["-date"]
        for first, end_rank, positions in self.latest_years:
            if end_rank <= low or first >= high:
                continue
            if low <= first and end_rank <= high:
                parts.append(positions)
            else:
                parts.append(BitMap(order[max(low, first) : min(high, end_rank)]))
        return BitMap.union(*parts) if parts else BitMap()

    def page(self, positions: BitMap, sort: str, start: int, stop: int) -> list[int]:
        """Return the ids of `positions` from `start` to `stop` in the order of `sort`."""
        if start >= stop or start >= len(positions):
            return []
        if sort == "date":
            chosen = list(positions[start:stop])
        elif len(positions) == self.size:
            chosen = list(self.orders[sort][start:stop])
        elif stop * self.size < 4 * len(positions) ** 2:
            # Dense enough: walking the sort's order meets `stop` members soon.
            chosen, seen = [], 0
            for position in self.orders[sort]:
                if position in positions:
                    if seen >= start:
                        chosen.append(position)
                    seen += 1
                    if seen >= stop:
                        break
        else:
            rank, order = self.ranks[sort], self.orders[sort]
            chosen = [order[r] for r in sorted(rank[p] for p in positions)[start:stop]]
        return [self.ids[position] for position in chosen]

    def places_matching(self, text: str, using: str) -> BitMap:
        """Dialogues whose place contains `text`, as the database's `icontains` decides.

        The distinct places are few; asking the database about them (not the dialogues) keeps
        the test exactly Django's: SQLite folds ASCII case only, PostgreSQL compares UPPER().
        """
        key = (using, text)
        if key not in self._place_cache:
            names = [name for name in self.places if name]
            matched = _matching_places(names, text, using) if names else []
            self._place_cache[key] = (
                BitMap.union(*(self.places[n] for n in matched)) if matched else BitMap()
            )
        return self._place_cache[key]

    # --- storing ----------------------------------------------------------------------------

    def dumps(self) -> bytes:
        """The index as one blob, for the shared cache."""
        return pickle.dumps(self._state(bytes), protocol=pickle.HIGHEST_PROTOCOL)

    def _state(self, raw) -> dict:
        """The stored shape: every array and the packed bitmaps as `raw(buffer)`."""
        values = {}
        for name, found in self.values.items():
            if name not in SERIALIZED:
                values[name] = {key: bm.serialize() for key, bm in found.items()}
            elif raw is bytes:
                values[name] = found.copied()
            else:
                values[name] = (raw(found.keys), raw(found.ends), raw(found.data))
        state = {
            "format": FORMAT,
            "size": self.size,
            "ids": raw(self.ids),
            "orders": {k: raw(v) for k, v in self.orders.items()},
            "ranks": {k: raw(v) for k, v in self.ranks.items()},
            "values": values,
            "places": {key: bm.serialize() for key, bm in self.places.items()},
            "eras": self.eras,
            "labels": self.labels,
            "earliest": (raw(self.earliest), self.earliest_from),
            "latest": (raw(self.latest), self.latest_from),
            "latest_years": [(a, b, bm.serialize()) for a, b, bm in self.latest_years],
            "built_in": self.built_in,
        }
        if raw is not bytes:
            state["lookup"] = raw(self._lookup())
        return state

    def dump(self, out) -> None:
        """Write the index to the file `out`, for `mapped`: the same state as `dumps`, its
        arrays and packed bitmaps laid out after it (aligned), where a mapping reads them."""
        buffers = []
        state = pickle.dumps(
            self._state(pickle.PickleBuffer),
            protocol=5,
            buffer_callback=lambda buffer: buffers.append(buffer.raw()),
        )
        table_end = _HEADER.size + _PART.size * len(buffers)
        offset = _aligned(table_end + len(state))
        parts = []
        for buffer in buffers:
            parts.append((offset, buffer.nbytes))
            offset = _aligned(offset + buffer.nbytes)
        out.write(_HEADER.pack(_MAGIC, FORMAT, len(buffers), len(state)))
        for part in parts:
            out.write(_PART.pack(*part))
        out.write(state)
        written = table_end + len(state)
        for (start, _), buffer in zip(parts, buffers, strict=True):
            out.write(b"\0" * (start - written))
            out.write(buffer)
            written = start + buffer.nbytes

    @classmethod
    def mapped(cls, buffer) -> FacetIndex | None:
        """Read an index written by `dump` from `buffer` (a mapped file) without copying its
        arrays or packed bitmaps: they are views of the mapping, shared by every process that
        maps the same file. None if it is of another format."""
        view = memoryview(buffer)
        magic, version, count, length = _HEADER.unpack_from(view, 0)
        if magic != _MAGIC or version != FORMAT:
            return None
        parts = [_PART.unpack_from(view, _HEADER.size + _PART.size * i) for i in range(count)]
        start = _HEADER.size + _PART.size * count
        views = [view[offset : offset + size] for offset, size in parts]
        state = pickle.loads(view[start : start + length], buffers=views)  # noqa: S301 (ours)
        return cls._from_state(state)

    @classmethod
    def loads(cls, blob: bytes) -> FacetIndex | None:
        state = pickle.loads(blob)  # noqa: S301 (written by `dumps` into our own cache)
        if state.get("format") != FORMAT:
            return None
        return cls._from_state(state)

    @classmethod
    def _from_state(cls, state: dict) -> FacetIndex:
        index = cls()
        index.size = state["size"]
        index.ids = _frombytes("I", state["ids"])
        index.orders = {k: _frombytes("I", v) for k, v in state["orders"].items()}
        index.ranks = {k: _frombytes("I", v) for k, v in state["ranks"].items()}
        index.values = {}
        for name, values in state["values"].items():
            if name not in SERIALIZED:
                values = {key: BitMap.deserialize(raw) for key, raw in values.items()}
            elif isinstance(values, tuple):
                keys, ends, data = values
                values = Packed.of(_frombytes("q", keys), _frombytes("I", ends), data)
            index.values[name] = values
        index.places = {key: BitMap.deserialize(raw) for key, raw in state["places"].items()}
        index.eras = state["eras"]
        index.labels = state["labels"]
        index.earliest = _frombytes("i", state["earliest"][0])
        index.earliest_from = state["earliest"][1]
        index.latest = _frombytes("i", state["latest"][0])
        index.latest_from = state["latest"][1]
        index.latest_years = [
            (a, b, BitMap.deserialize(raw)) for a, b, raw in state["latest_years"]
        ]
        index.built_in = state["built_in"]
        if "lookup" in state:
            index._id_lookup = _frombytes("i", state["lookup"])
        return index


_MAGIC = b"TRFACETS"
_HEADER = struct.Struct("<8sIIQ")
_PART = struct.Struct("<QQ")


def _aligned(offset: int) -> int:
    return (offset + 7) // 8 * 8


def _frombytes(code: str, raw):
    """An array of `raw`: a view of it when it is a mapping's (memoryview), else a copy."""
    if isinstance(raw, memoryview):
        return raw.cast(code)
    values = array.array(code)
    values.frombytes(raw)
    return values


def _matching_places(names: list[str], text: str, using: str) -> list[str]:
    connection = connections[using]
    pattern = "%" + connection.ops.prep_for_like_query(text) + "%"
    lhs = connection.ops.lookup_cast("icontains", "CharField") % "name"
    rhs = connection.operators["icontains"] % "%s"
    if connection.vendor == "postgresql":
        sql = f"SELECT name FROM unnest(%s::text[]) AS name WHERE {lhs} {rhs}"
        params = [names, pattern]
    else:
        sql = f"SELECT name FROM (SELECT value AS name FROM json_each(%s)) WHERE {lhs} {rhs}"
        params = [json.dumps(names), pattern]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
