"""Updating an index in place: the bits of the dialogues a save changed, not a rebuild.

`update(old, changed)` returns the index a build would return now, made from `old` (the index of
the archive just before the change) and the current state of the `changed` dialogues, read with
the very queries a build uses, restricted to them (`build.read_values(only=...)`):

- each changed dialogue is taken out of every bitmap, and put back under the values it has
  now; one that is no longer public (a draft, withdrawn, embargoed, deleted) is not put back,
  and a participation withheld since no longer counts by name;
- when no changed dialogue came or went and none moved in any order (its dates and title kept
  it between the same neighbours), every position stays: only those bits change;
- otherwise every bitmap is renumbered. The dialogues that did not change keep their order
  among themselves, so their positions move by a few constant offsets, one per stretch between
  changes: each stretch is a range cut out of the bitmap and shifted, in C, never a loop over
  its members. Where each changed dialogue now sits in each order is asked of the database
  for it alone (`_place`): the first unchanged public dialogue after it, a `LIMIT 1` range of
  the order's own index, so a save's queries are as many at a million dialogues as at fifty.
  The arrays of the orders and days are spliced with numpy. Only a change of more than
  `MOST_PLACED` dialogues (a bulk edit) reads the orders again in full (plain scans of ids).

The index is never changed where it stands: other threads may be reading it. The result shares
every array and bitmap that did not change with `old`.
"""

from __future__ import annotations

import array
import bisect
import datetime
import time

import numpy as np
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q
from pyroaring import BitMap

from ...models import Dialogue, public_q
from .build import _ordinal, _rows, _year, at_positions, read_eras, read_orders, read_values
from .index import FACETED, NO_ID, SERIALIZED, SORT_ORDERS, FacetIndex, Packed

# Beyond this many dialogues come, gone or moved, the orders are read again in full rather than
# each changed dialogue placed by its own queries (a few per dialogue and order).
MOST_PLACED = 200
# How many of those queries go to the database as one (a UNION ALL of them).
PLACED_AT_ONCE = 100
# Stands for a dialogue without a date in the arrays of days while they are renumbered.
_UNDATED = 2**31 - 1


def update(
    old: FacetIndex,
    changed,
    day: datetime.date,
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> FacetIndex:
    """Return `old` brought up to date with the current state of the `changed` dialogue ids."""
    started = time.perf_counter()
    changed = sorted(set(changed))
    dialogues = Dialogue.objects.using(using)
    now_public = {
        pk: (first, last)
        for pk, first, last in _rows(
            dialogues.filter(public_q(), pk__in=changed)
            .order_by()
            .values_list("pk", "date_earliest", "date_latest"),
            using,
        )
    }
    was_public = {pk: old.position(pk) for pk in changed if old.position(pk) != NO_ID}
    new = FacetIndex()
    if set(was_public) == set(now_public) and _in_place(old, now_public, was_public, using):
        _share_orders(old, new)
        public_ids = BitMap(now_public)
        moves = None
    elif len(now_public) + len(was_public) <= MOST_PLACED and (
        moves := _place(old, new, changed, now_public, was_public, using)
    ):
        public_ids = BitMap(now_public)
    else:
        new = FacetIndex()
        public_ids = read_orders(new, using)
        moves = _Moves(
            sorted(was_public.values()),
            sorted(new._id_lookup[pk] for pk in now_public),
            max(old.size, new.size),
        )
    gone = BitMap(was_public.values())

    fresh = FacetIndex()
    at = at_positions(new._lookup(), public_ids & BitMap(changed))
    read_values(fresh, at, day, using, only=changed)
    for name in FACETED:
        new.values[name] = _merged(old.values[name], fresh.values[name], gone, moves, name)
    new.places = _merged(old.places, fresh.places, gone, moves, "place")
    new.labels = fresh.labels
    # The eras' names and order are read whole, as a build reads them: a few rows.
    read_eras(new, using)
    new.built_in = time.perf_counter() - started
    return new


def _in_place(old: FacetIndex, now: dict, was: dict, using: str) -> bool:
    """Whether every changed public dialogue keeps its place in every order and its dates.

    Each order is checked against the database on a handful of rows: the changed dialogues and
    their old neighbours. Dialogues that did not change keep their order among themselves, so a
    changed one sorted between the same neighbours as before sits where it sat.
    """
    if not was:
        return True
    lookup = old._lookup()
    for pk, position in was.items():
        first, last = now[pk]
        rank = old.ranks["-date"][position]
        had_first = (
            old.earliest[position - old.earliest_from]
            if old.earliest_from <= position < old.earliest_from + len(old.earliest)
            else None
        )
        had_last = (
            -old.latest[rank - old.latest_from]
            if old.latest_from <= rank < old.latest_from + len(old.latest)
            else None
        )
        if had_first != (None if first is None else _ordinal(first)):
            return False
        if had_last != (None if last is None else _ordinal(last)):
            return False
    dialogues = Dialogue.objects.using(using)
    kept = True
    for sort, fields in SORT_ORDERS.items():
        ranks = old.ranks.get(sort)
        order = old.orders.get(sort)

        def rank_of(position, ranks=ranks):
            return position if ranks is None else ranks[position]

        def at_rank(rank, order=order):
            return rank if order is None else order[rank]

        chosen = set()
        for position in was.values():
            rank = rank_of(position)
            for near in (rank - 1, rank, rank + 1):
                if 0 <= near < old.size:
                    chosen.add(old.ids[at_rank(near)])
        expected = sorted(chosen, key=lambda pk: rank_of(lookup[pk]))
        found = list(dialogues.filter(pk__in=chosen).order_by(*fields).values_list("pk", flat=True))
        # Every order is asked even once one has moved: a save runs the same queries whatever
        # the archive around it.
        kept = kept and found == expected
    return kept


def _place(old: FacetIndex, new: FacetIndex, changed, now_public: dict, was_public: dict, using):
    """Renumber `new` from `old` without reading the orders: return the moves, or None when a
    dialogue's neighbour was not where the index had it (then the orders are read again).

    Each changed public dialogue is placed in each order by the first unchanged public
    dialogue the database sorts after it (`_successors`: a few `LIMIT 1` queries read off the
    order's own index), and among the other changed ones by one query on their ids. The
    arrays are then spliced: the changed dialogues' entries cut out, their new ones put in,
    and the unchanged ones' positions shifted by a constant per stretch between changes, all
    in a few array operations.
    """
    dialogues = Dialogue.objects.using(using)
    came = sorted(now_public)
    names = sorted({field.lstrip("-") for fields in SORT_ORDERS.values() for field in fields})
    keyed = {
        row[0]: dict(zip(names, row[1:], strict=True))
        for row in dialogues.filter(pk__in=came).values_list("pk", *names)
    }
    gone_positions = np.array(sorted(was_public.values()), dtype=np.int64)
    unchanged = old.size - len(was_public)
    size = unchanged + len(came)
    placed = {}
    for sort, fields in SORT_ORDERS.items():
        ranks = None if sort == "date" else old.ranks[sort]
        gone_ranks = (
            gone_positions
            if ranks is None
            else np.sort(np.array([ranks[p] for p in was_public.values()], dtype=np.int64))
        )
        slots = {}
        if came:
            for pk, after in _successors(dialogues, fields, keyed, changed, using).items():
                if after is None:
                    slots[pk] = unchanged
                    continue
                position = old.position(after)
                if position == NO_ID:
                    return None
                rank = position if ranks is None else ranks[position]
                slots[pk] = rank - int(np.searchsorted(gone_ranks, rank))
            among = dialogues.filter(pk__in=came).order_by(*fields).values_list("pk", flat=True)
            among = {pk: i for i, pk in enumerate(among)}
            ordered = sorted(came, key=lambda pk: (slots[pk], among[pk]))
        else:
            ordered = []
        placed[sort] = (gone_ranks, np.array([slots[pk] for pk in ordered], np.int64), ordered)

    _, slots, ordered = placed["date"]
    at = {pk: int(slot) + i for i, (pk, slot) in enumerate(zip(ordered, slots, strict=True))}

    def moved(positions: np.ndarray) -> np.ndarray:
        """The new positions of unchanged dialogues, from their old ones."""
        kept = positions - np.searchsorted(gone_positions, positions)
        return kept + np.searchsorted(slots, kept, side="right")

    def spliced(values: np.ndarray, sort: str, inserted) -> np.ndarray:
        gone_ranks, slots, ordered = placed[sort]
        kept = np.delete(values, gone_ranks) if len(gone_ranks) else values
        return np.insert(kept, slots, [inserted(pk) for pk in ordered])

    new.size = size
    ids = spliced(np.frombuffer(old.ids, dtype=np.uint32).astype(np.int64), "date", int)
    new.ids = _array("I", ids)
    lookup = np.full(max(len(old._lookup()), int(ids.max(initial=-1)) + 1), NO_ID, np.int32)
    lookup[ids] = np.arange(size, dtype=np.int32)
    new._id_lookup = _array("i", lookup)
    for sort in ("-date", "title"):
        kept = moved(np.frombuffer(old.orders[sort], dtype=np.uint32).astype(np.int64))
        order = spliced(kept, sort, at.__getitem__)
        new.orders[sort] = _array("I", order)
        rank = np.empty(size, dtype=np.uint32)
        rank[order] = np.arange(size, dtype=np.uint32)
        new.ranks[sort] = _array("I", rank)

    def days(values, start: int, sort: str, day_of):
        full = np.full(old.size, _UNDATED, dtype=np.int64)
        full[start : start + len(values)] = np.frombuffer(values, dtype=np.int32)
        full = spliced(full, sort, day_of)
        dated = full != _UNDATED
        return _array("i", full[dated]), int(np.argmax(dated)) if dated.any() else 0

    def earliest(pk):
        first = now_public[pk][0]
        return _UNDATED if first is None else _ordinal(first)

    def latest(pk):
        last = now_public[pk][1]
        return _UNDATED if last is None else -_ordinal(last)

    new.earliest, new.earliest_from = days(old.earliest, old.earliest_from, "date", earliest)
    new.latest, new.latest_from = days(old.latest, old.latest_from, "-date", latest)

    moves = _Moves(list(gone_positions), sorted(at.values()), max(old.size, size))
    gone = BitMap(was_public.values())
    years = {}
    for first, _, positions in old.latest_years:
        year = datetime.date.fromordinal(-old.latest[first - old.latest_from]).year
        years[year] = moves(positions - gone)
    for pk in came:
        last = now_public[pk][1]
        if last is not None:
            years.setdefault(_year(last), BitMap()).add(at[pk])
    latest_days = np.frombuffer(new.latest, dtype=np.int32)
    new.latest_years = []
    for year, positions in years.items():
        if positions:
            low = -datetime.date(year, 12, 31).toordinal()
            high = -datetime.date(year, 1, 1).toordinal()
            first = new.latest_from + int(np.searchsorted(latest_days, low))
            end = new.latest_from + int(np.searchsorted(latest_days, high, side="right"))
            positions.run_optimize()
            new.latest_years.append((first, end, positions))
    new.latest_years.sort(key=lambda year: year[0])
    return moves


def _successors(dialogues, fields, keyed: dict, changed, using: str) -> dict:
    """For each of `keyed` (id -> its values of `fields`), the id of the first unchanged public
    dialogue after it in the order of `fields`, or None if it comes last.

    "After" is spelled as the order's own index reads it: for each depth, the dialogues equal
    to it on the first fields and after it on the next one, deepest first, each a `LIMIT 1`
    range of the index (with NULLs where the database sorts them: last ascending on
    PostgreSQL, first on SQLite). The first range that holds one holds the successor.
    """
    nulls_largest = connections[using].features.nulls_order_largest
    candidates = dialogues.filter(public_q()).exclude(pk__in=changed).order_by(*fields)
    parts = []
    for pk, values in keyed.items():
        for depth in range(len(fields) - 1, -1, -1):
            equal = Q()
            for field in fields[:depth]:
                name = field.lstrip("-")
                value = values[name]
                equal &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
            name = fields[depth].lstrip("-")
            descending = fields[depth].startswith("-")
            value = values[name]
            nulls_after = nulls_largest != descending and _nullable(name)
            if value is None:
                afters = [] if nulls_after else [Q(**{f"{name}__isnull": False})]
            else:
                afters = [Q(**{f"{name}__{'lt' if descending else 'gt'}": value})]
                if nulls_after:
                    afters.append(Q(**{f"{name}__isnull": True}))
            for after in afters:
                parts.append((pk, candidates.filter(equal & after).values_list("pk")[:1]))
    found = {}
    connection = connections[dialogues.db]
    for start in range(0, len(parts), PLACED_AT_ONCE):
        chunk = parts[start : start + PLACED_AT_ONCE]
        sqls, params = [], []
        for i, (_, queryset) in enumerate(chunk):
            sql, part_params = queryset.query.get_compiler(dialogues.db).as_sql()
            sqls.append(f"SELECT {i} AS part, s{i}.* FROM ({sql}) s{i}")
            params.extend(part_params)
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(sqls), params)
            rows = sorted(cursor.fetchall())
        for i, successor in rows:
            found.setdefault(chunk[i][0], (start + i, successor))
    # The parts of a dialogue are in order, so its first with a row holds its successor.
    return {pk: found[pk][1] if pk in found else None for pk in keyed}


def _nullable(name: str) -> bool:
    return name != "pk" and Dialogue._meta.get_field(name).null


def _array(code: str, values: np.ndarray) -> array.array:
    result = array.array(code)
    result.frombytes(values.astype(np.dtype(code)).tobytes())
    return result


def _share_orders(old: FacetIndex, new: FacetIndex) -> None:
    for name in ("size", "ids", "orders", "ranks", "earliest", "earliest_from", "latest"):
        setattr(new, name, getattr(old, name))
    new.latest_from = old.latest_from
    new.latest_years = old.latest_years
    new._id_lookup = old._lookup()


class _Moves:
    """Where the positions of the unchanged dialogues go once the changed ones are renumbered.

    `gone` are the changed dialogues' old positions, `came` their new ones. An unchanged
    dialogue ranked r among the unchanged sat at r + (gone ranked at or before r) and now sits
    at r + (came ranked at or before r): constant between two changes.
    """

    def __init__(self, gone: list[int], came: list[int], size: int):
        cuts_gone = [p - i for i, p in enumerate(gone)]
        cuts_came = [p - i for i, p in enumerate(came)]
        cuts = sorted({0, *cuts_gone, *cuts_came})
        self.stretches = []
        for i, low in enumerate(cuts):
            high = cuts[i + 1] if i + 1 < len(cuts) else None
            before = bisect.bisect_right(cuts_gone, low)
            after = bisect.bisect_right(cuts_came, low)
            start = low + before
            stop = size if high is None else high + before
            if stop > start:
                self.stretches.append((BitMap(range(start, stop)), after - before))
        # Below the first position that moves, a bitmap stays as it is.
        self.still = min((s.min() for s, shift in self.stretches if shift), default=size)

    def __call__(self, bitmap: BitMap) -> BitMap:
        parts = []
        for stretch, shift in self.stretches:
            part = bitmap & stretch
            if part:
                parts.append(part.shift(shift) if shift else part)
        return BitMap.union(*parts) if parts else BitMap()


def _merged(old_values, fresh: dict, gone: BitMap, moves, name: str):
    """One filter's values: the old bitmaps without the changed dialogues, renumbered, with
    the changed dialogues' current values added. Values no change reached are kept as they
    were: the same bitmap, or the same serialized bytes."""
    serialized = name in SERIALIZED
    kept, made = {}, {}
    for key in old_values:
        raw = old_values.get(key)
        bitmap = BitMap.deserialize(raw) if serialized else raw
        still = moves is None or (bool(bitmap) and bitmap.max() < moves.still)
        if still and key not in fresh and not bitmap.intersect(gone):
            kept[key] = raw
            continue
        if bitmap.intersect(gone):
            bitmap = bitmap - gone
        made[key] = moves(bitmap) if moves is not None else BitMap(bitmap)
    for key, bitmap in fresh.items():
        if bitmap:
            made[key] = made[key] | bitmap if key in made else bitmap
    for bitmap in made.values():
        bitmap.run_optimize()
    merged = {**kept, **{key: bitmap for key, bitmap in made.items() if bitmap}}
    if serialized:
        return Packed(merged)
    return merged
