"""Updating an index in place: the bits of the dialogues a save changed, not a rebuild.

`update(old, changed)` returns the index a build would return now, made from `old` (the index of
the archive just before the change) and the current state of the `changed` dialogues, read with
the very queries a build uses, restricted to them (`build.read_values(only=...)`):

- each changed dialogue is taken out of every bitmap, and put back under the values it has
  now; one that is no longer public (a draft, withdrawn, embargoed, deleted) is not put back,
  and a participation withheld since no longer counts by name;
- when no changed dialogue came or went and none moved in any order (its dates and title kept
  it between the same neighbours), every position stays: only those bits change;
- otherwise the orders are read again (plain scans of ids) and every bitmap is renumbered.
  The dialogues that did not change keep their order among themselves, so their positions move
  by a few constant offsets, one per stretch between changes: each stretch is a range cut out
  of the bitmap and shifted, in C, never a loop over its members.

The index is never changed where it stands: other threads may be reading it. The result shares
every array and bitmap that did not change with `old`.
"""

from __future__ import annotations

import bisect
import datetime
import time

from django.db import DEFAULT_DB_ALIAS
from pyroaring import BitMap

from ...models import Dialogue, public_q
from .build import _ordinal, _rows, at_positions, read_eras, read_orders, read_values
from .index import FACETED, NO_ID, SERIALIZED, SORT_ORDERS, FacetIndex, Packed


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
    else:
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
        if found != expected:
            return False
    return True


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
        if moves is None and key not in fresh and not bitmap.intersect(gone):
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
