"""The facet index: every filter of the browse page as compressed bitmaps of public dialogues.

Counting the dialogues per value of a facet under the other active filters would otherwise be a
grouped scan for every combination of filters nobody asked for before, which is most of them.
Instead, once per archive generation and day, `build()` reads the public dialogues in three
streamed queries of plain values and two of their outcomes and participations, and keeps:

- the dialogues numbered by their position in date order (`Dialogue.CHRONOLOGICAL`): a set of
  dialogues is a `pyroaring.BitMap` of positions, and a page in date order is a slice of it;
- for the two other sorts (`-date`, `title`), each position's rank and each rank's position;
- one bitmap per value of each filter: era, conflict, track, place, outcome, side (only the
  participations whose side readers may see), background and participant (only disclosed
  participations), in the same words as `DialogueFilterSet`'s methods;
- each dialogue's earliest and latest possible day, to answer `from`/`to` as ranges.

A facet's count is then `len(value & rest)`, `rest` being the intersection of the other active
filters; a search joins as the bitmap of the ids its index matches (`search.search_ids`), and
a `place` (a substring) as the union of the places the database's own `icontains` accepts.

The index is exact the moment an editor saves: it is keyed by the generation (read from the
database once per request, bumped in the save's transaction) and by the day (an embargo lifts
and a withheld name appears at midnight without a save). It is built once for all workers and
app servers: the first to need it takes a lock in the shared cache (`cache.add`), builds it and
stores it serialized; the others wait for it and read it. Each process keeps its deserialized
copy while the generation and day last. A token stored beside it names the copy, so that a
process never trusts its own copy of an index the shared cache no longer vouches for.
"""

from __future__ import annotations

import array
import bisect
import datetime
import json
import logging
import pickle
import threading
import time
import uuid
from collections import defaultdict

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Aggregate, Max, TextField
from django.utils import timezone
from pyroaring import BitMap

from .. import caching
from ..models import Dialogue, Era, Outcome, Participation, public_q
from .filters import SORTS

logger = logging.getLogger(__name__)

# Bump when the stored shape changes, so that a new release never reads an old one.
FORMAT = 1
TIMEOUT = caching.TIMEOUT
# How long a build may hold the lock; a process killed mid-build lets another try after it.
BUILD_TIMEOUT = 600

# The filters whose values have a bitmap each, keyed as in `DialogueFilterSet`.
FACETED = ("era", "conflict", "track", "outcome", "side", "background", "participant")
# The sorts the index pages itself; "relevance" is ranked by the search backend.
SORT_ORDERS = {name: SORTS[name][1] for name in ("date", "-date", "title")}
NO_ID = -1


def _uints(values=()) -> array.array:
    return array.array("I", values)


class FacetIndex:
    """The public dialogues of one generation and day as bitmaps; see the module docstring."""

    def __init__(self):
        self.size = 0
        self.ids = _uints()  # position -> dialogue id, in date order
        self.orders: dict[str, array.array] = {}  # sort -> rank -> position
        self.ranks: dict[str, array.array] = {}  # sort -> position -> rank
        self.values: dict[str, dict] = {name: {} for name in FACETED}
        self.places: dict[str, BitMap] = {}
        self.eras: dict[int, tuple[str, str, int]] = {}  # id -> (slug, name, position)
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
        return self.values[name].get(key) or BitMap()

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
            top = max(self.ids) + 1 if self.size else 0
            lookup = array.array("i", [NO_ID]) * top
            for position, pk in enumerate(self.ids):
                lookup[pk] = position
            self._id_lookup = lookup
        return self._id_lookup

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
        state = {
            "format": FORMAT,
            "size": self.size,
            "ids": self.ids.tobytes(),
            "orders": {k: v.tobytes() for k, v in self.orders.items()},
            "ranks": {k: v.tobytes() for k, v in self.ranks.items()},
            "values": {
                name: {key: bm.serialize() for key, bm in values.items()}
                for name, values in self.values.items()
            },
            "places": {key: bm.serialize() for key, bm in self.places.items()},
            "eras": self.eras,
            "earliest": (self.earliest.tobytes(), self.earliest_from),
            "latest": (self.latest.tobytes(), self.latest_from),
            "latest_years": [(a, b, bm.serialize()) for a, b, bm in self.latest_years],
            "built_in": self.built_in,
        }
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def loads(cls, blob: bytes) -> FacetIndex | None:
        state = pickle.loads(blob)  # noqa: S301 (written by `dumps` into our own cache)
        if state.get("format") != FORMAT:
            return None
        index = cls()
        index.size = state["size"]
        index.ids = _frombytes("I", state["ids"])
        index.orders = {k: _frombytes("I", v) for k, v in state["orders"].items()}
        index.ranks = {k: _frombytes("I", v) for k, v in state["ranks"].items()}
        index.values = {
            name: {key: BitMap.deserialize(raw) for key, raw in values.items()}
            for name, values in state["values"].items()
        }
        index.places = {key: BitMap.deserialize(raw) for key, raw in state["places"].items()}
        index.eras = state["eras"]
        index.earliest = _frombytes("i", state["earliest"][0])
        index.earliest_from = state["earliest"][1]
        index.latest = _frombytes("i", state["latest"][0])
        index.latest_from = state["latest"][1]
        index.latest_years = [
            (a, b, BitMap.deserialize(raw)) for a, b, raw in state["latest_years"]
        ]
        index.built_in = state["built_in"]
        return index


def _frombytes(code: str, raw: bytes) -> array.array:
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


# --- building --------------------------------------------------------------------------------


CHUNK = 10_000


def _rows(queryset, using: str):
    """Yield the plain rows of `queryset`, streamed, without Django's per-value converters.

    A server-side cursor on PostgreSQL (`chunked_cursor`), so a million rows never sit in
    memory at once. Dates come as they come: `date` objects, or ISO text on SQLite.
    """
    sql, params = queryset.query.sql_with_params()
    with connections[using].chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


def _ordinal(value) -> int:
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return value.toordinal()


class IdList(Aggregate):
    """The ids of a group as one comma-separated text: one row per value, not per dialogue."""

    function = "group_concat"
    template = "%(function)s(%(expressions)s)"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="string_agg",
            template="%(function)s(CAST(%(expressions)s AS text), ',')",
            **extra_context,
        )


def _grouped(queryset, key: str, ids: str, using: str):
    """Yield (value, ids as a BitMap) for each value of `key` in `queryset`."""
    rows = queryset.order_by().values(key).annotate(ids=IdList(ids)).values_list(key, "ids")
    for value, joined in _rows(rows, using):
        if joined:
            yield value, BitMap(map(int, joined.split(",")))


def build(day: datetime.date | None = None, *, using: str = DEFAULT_DB_ALIAS) -> FacetIndex:
    """Read the public dialogues of today (or `day`) into a new index.

    The orders are plain scans of ids, each read off the index that serves it. Every filter's
    values come grouped by the database, one row per value with its ids joined in one text
    (`IdList`), so Python touches each dialogue a few times, not each participation or outcome.
    """
    started = time.perf_counter()
    today = day or timezone.localdate()
    index = FacetIndex()
    dialogues = Dialogue.objects.using(using)
    public = dialogues.filter(public_q())
    top = dialogues.aggregate(top=Max("pk"))["top"] or 0
    positions = array.array("i", [NO_ID]) * (top + 1)
    public_ids = BitMap()
    for (pk,) in _rows(public.order_by().values_list("pk"), using):
        public_ids.add(pk)

    # Date order numbers the dialogues; its index holds the earliest day too.
    earliest_from = None
    ordered = dialogues.order_by(*SORT_ORDERS["date"]).values_list("pk", "date_earliest")
    for pk, first_day in _rows(ordered, using):
        if pk not in public_ids:
            continue
        position = len(index.ids)
        index.ids.append(pk)
        positions[pk] = position
        if first_day is not None:
            if earliest_from is None:
                earliest_from = position
            index.earliest.append(_ordinal(first_day))
    index.size = len(index.ids)
    index.earliest_from = earliest_from or 0
    index._id_lookup = positions

    def at(ids: BitMap) -> BitMap:
        return BitMap([positions[pk] for pk in ids & public_ids])

    # The two other orders, each from the database, so ties and collation are the database's.
    order, years, latest_from = _uints(), [], None
    ordered = dialogues.order_by(*SORT_ORDERS["-date"]).values_list("pk", "date_latest")
    for pk, last_day in _rows(ordered, using):
        if pk not in public_ids:
            continue
        rank = len(order)
        order.append(positions[pk])
        if last_day is not None:
            if latest_from is None:
                latest_from = rank
            index.latest.append(-_ordinal(last_day))
            year = _year(last_day)
            if not years or years[-1][2] != year:
                years.append([rank, rank + 1, year])
            else:
                years[-1][1] = rank + 1
    index.orders["-date"] = order
    index.latest_from = latest_from or 0
    index.latest_years = [(a, b, BitMap(order[a:b])) for a, b, _ in years]
    order = _uints()
    for (pk,) in _rows(dialogues.order_by(*SORT_ORDERS["title"]).values_list("pk"), using):
        if pk in public_ids:
            order.append(positions[pk])
    index.orders["title"] = order
    for sort in ("-date", "title"):
        rank = _uints([0]) * index.size
        for r, position in enumerate(index.orders[sort]):
            rank[position] = r
        index.ranks[sort] = rank

    # One scan of the dialogues, grouped by every value of theirs at once.
    fields = {"era": "era_id", "conflict": "conflict_id", "track": "track", "place": "place"}
    parts = {name: defaultdict(list) for name in fields}
    rows = (
        public.order_by()
        .values(*fields.values())
        .annotate(ids=IdList("pk"))
        .values_list(*fields.values(), "ids")
    )
    for *keys, joined in _rows(rows, using):
        found = at(BitMap(map(int, joined.split(","))))
        for name, key in zip(fields, keys, strict=True):
            parts[name][key].append(found)
    for name in ("era", "conflict", "track"):
        index.values[name] = {key: BitMap.union(*bms) for key, bms in parts[name].items()}
    index.places = {key: BitMap.union(*bms) for key, bms in parts["place"].items()}
    del parts
    outcomes = Outcome.objects.using(using).exclude(kind="")
    index.values["outcome"] = {
        key: at(ids) for key, ids in _grouped(outcomes, "kind", "dialogue_id", using)
    }
    # The same rules as the filters: a withheld participation counts by side only where its
    # side is shown, and never by name or background.
    participations = Participation.objects.using(using)
    sides = participations.shows_side(today).exclude(participant__side="")
    index.values["side"] = {
        key: at(ids) for key, ids in _grouped(sides, "participant__side", "dialogue_id", using)
    }
    named = participations.disclosed(today)
    backgrounds = named.exclude(participant__background="")
    index.values["background"] = {
        key: at(ids)
        for key, ids in _grouped(backgrounds, "participant__background", "dialogue_id", using)
    }
    people = {}
    for key, ids in _grouped(named, "participant_id", "dialogue_id", using):
        found = at(ids)
        if found:
            people[key] = found
    index.values["participant"] = people

    for name in FACETED:
        index.values[name] = {key: bm for key, bm in index.values[name].items() if bm}
    index.eras = {
        pk: (slug, name, position)
        for pk, slug, name, position in Era.objects.using(using).values_list(
            "pk", "slug", "name", "position"
        )
    }
    for values in (*index.values.values(), index.places):
        for bitmap in values.values():
            bitmap.run_optimize()
    index.built_in = time.perf_counter() - started
    return index


def _year(value) -> int:
    return int(value[:4]) if isinstance(value, str) else value.year


# --- the current index, shared --------------------------------------------------------------

_process_lock = threading.Lock()
_process: dict[str, tuple[str, FacetIndex]] = {}


def _keys(using: str, generation: int | None = None, day: datetime.date | None = None):
    generation = caching.generation() if generation is None else generation
    day = day or timezone.localdate()
    base = f"facet-index:{FORMAT}:{using}:{generation}:{day.isoformat()}"
    return f"{base}:token", f"{base}:lock"


def current(*, using: str = DEFAULT_DB_ALIAS, inline: bool = False) -> FacetIndex | None:
    """Return the index of the current generation and day, or None while it is being built.

    Read from this process's memory, else from the shared cache, else built: by the one
    process that wins the lock (`cache.add`), so workers and app servers build it once. The
    build runs in a thread on its own connection, outside the request's query budget, and
    until it is stored every worker answers with the plain SQL way: exact, only slower, and no
    request waits for a build. Inside a transaction no thread could see its writes, so nothing
    is built unless `inline` asks for it (on this connection, at once: scripts and tests).
    """
    generation, day = caching.generation(), timezone.localdate()
    token_key, lock_key = _keys(using, generation, day)
    token = cache.get(token_key)
    with _process_lock:
        held = _process.get(using)
    if token is not None and held is not None and held[0] == token:
        return held[1]
    index = _load(token) if token is not None else None
    if index is None:
        in_transaction = connections[using].in_atomic_block
        if in_transaction and not inline:
            return None
        if not cache.add(lock_key, 1, timeout=BUILD_TIMEOUT):
            return None  # another process is building it
        if not (inline or in_transaction):
            thread = threading.Thread(
                target=_build_in_background,
                args=(using, generation, day),
                name="facet-index-build",
                daemon=True,
            )
            thread.start()
            return None
        try:
            token, index = _build_and_store(using, generation, day)
        finally:
            cache.delete(lock_key)
    with _process_lock:
        _process[using] = (token, index)
    return index


def _load(token: str) -> FacetIndex | None:
    blob = cache.get(f"facet-index-blob:{token}")
    return FacetIndex.loads(blob) if blob is not None else None


def _build_and_store(using: str, generation: int, day: datetime.date):
    index = build(day, using=using)
    token = uuid.uuid4().hex
    token_key, _ = _keys(using, generation, day)
    cache.set(f"facet-index-blob:{token}", index.dumps(), timeout=TIMEOUT)
    cache.set(token_key, token, timeout=TIMEOUT)
    logger.info("facet index: %d dialogues in %.2f s", index.size, index.built_in)
    return token, index


def _build_in_background(using: str, generation: int, day: datetime.date) -> None:
    _, lock_key = _keys(using, generation, day)
    try:
        index = build(day, using=using)
        # A save committed during the build may be half in it: keep it only if none was.
        if caching.read_generation(using=using) == generation:
            token = uuid.uuid4().hex
            token_key, _ = _keys(using, generation, day)
            cache.set(f"facet-index-blob:{token}", index.dumps(), timeout=TIMEOUT)
            cache.set(token_key, token, timeout=TIMEOUT)
            logger.info("facet index: %d dialogues in %.2f s", index.size, index.built_in)
    except Exception:
        logger.exception("facet index: the build failed; lists use SQL until the next try")
    finally:
        cache.delete(lock_key)
        connections[using].close()


def forget() -> None:
    """Drop this process's copy (tests, and a process that wants to free the memory)."""
    with _process_lock:
        _process.clear()


# --- a filterset over the index --------------------------------------------------------------


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
            if name in FACETED:
                self.parts[name] = index.value(name, getattr(value, "pk", value))
            elif name == "place":
                self.parts[name] = index.places_matching(value, using)
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
    from ..search.queryset import search_ids

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
