"""Building an index: the public dialogues read in a few streamed, grouped queries."""

from __future__ import annotations

import array
import datetime
import time
from collections import defaultdict
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Aggregate, Max, TextField
from django.utils import timezone
from pyroaring import BitMap

from ...models import Dialogue, Era, Outcome, Participation, public_q
from ...models.table import BACKGROUND_AT_MEETING, SIDE_AT_MEETING
from ...progress import Report, silent
from .authorities import add_values
from .index import FACETED, NO_ID, SERIALIZED, SORT_ORDERS, FacetIndex, Packed, _uints

CHUNK = 10_000
# Who hears of the build's steps: `build_facet_index` sets it for its own build, on its thread.
progress: ContextVar[Report] = ContextVar("facet_index_progress", default=silent)
STEPS = 9


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
    report = progress.get()
    steps = iter(range(STEPS + 1))

    def step() -> None:
        report("facet index steps", next(steps), STEPS)

    step()
    today = day or timezone.localdate()
    index = FacetIndex()
    public_ids = read_orders(index, using, step)
    read_values(index, at_positions(index._id_lookup, public_ids), today, using, step=step)
    finish(index, using)
    index.built_in = time.perf_counter() - started
    step()
    return index


def at_positions(positions: array.array, public_ids: BitMap):
    """Turn a bitmap of dialogue ids into one of the positions of those that are public."""

    def at(ids: BitMap) -> BitMap:
        return BitMap([positions[pk] for pk in ids & public_ids])

    return at


def read_orders(index: FacetIndex, using: str, step=lambda: None) -> BitMap:
    """Fill `index`'s numbering and orders from the database; return the public ids."""
    dialogues = Dialogue.objects.using(using)
    public = dialogues.filter(public_q())
    top = dialogues.aggregate(top=Max("pk"))["top"] or 0
    positions = array.array("i", [NO_ID]) * (top + 1)
    public_ids = BitMap()
    for (pk,) in _rows(public.order_by().values_list("pk"), using):
        public_ids.add(pk)
    step()

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
    step()

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
    step()
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
    step()
    return public_ids


def read_values(
    index: FacetIndex,
    at,
    today: datetime.date,
    using: str,
    *,
    only: list[int] | None = None,
    step=lambda: None,
) -> None:
    """Fill `index.values` and `index.places` with every filter's bitmaps (as dicts).

    `only` restricts every query to those dialogues: an update in place reads the changed
    dialogues' values with the very queries a build reads all of them with.
    """

    def of(queryset, field: str = "dialogue_id"):
        return queryset if only is None else queryset.filter(**{f"{field}__in": only})

    public = of(Dialogue.objects.using(using).filter(public_q()), "pk")
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
    step()
    outcomes = of(Outcome.objects.using(using).exclude(kind=""))
    index.values["outcome"] = {
        key: at(ids) for key, ids in _grouped(outcomes, "kind", "dialogue_id", using)
    }
    step()
    # The same rules as the filters: a withheld participation counts by side only where its
    # side is shown, and never by name or background; side and background are those held at
    # the meeting (the participation's own where recorded, else the participant's).
    participations = of(Participation.objects.using(using))
    sides = participations.shows_side(today).annotate(side_at=SIDE_AT_MEETING).exclude(side_at="")
    index.values["side"] = {
        key: at(ids) for key, ids in _grouped(sides, "side_at", "dialogue_id", using)
    }
    named = participations.disclosed(today)
    backgrounds = named.annotate(background_at=BACKGROUND_AT_MEETING).exclude(background_at="")
    index.values["background"] = {
        key: at(ids) for key, ids in _grouped(backgrounds, "background_at", "dialogue_id", using)
    }
    step()
    people = {}
    for key, ids in _grouped(named, "participant_id", "dialogue_id", using):
        found = at(ids)
        if found:
            people[key] = found
    index.values["participant"] = people
    add_values(index, at, _grouped, public, named, using, only=only)
    step()


def finish(index: FacetIndex, using: str) -> None:
    """Drop empty values, read the eras, compress the bitmaps and pack the many small ones."""
    for name in FACETED:
        index.values[name] = {key: bm for key, bm in index.values[name].items() if bm}
    index.places = {key: bm for key, bm in index.places.items() if bm}
    read_eras(index, using)
    for values in (*index.values.values(), index.places):
        for bitmap in values.values():
            bitmap.run_optimize()
    for name in SERIALIZED:
        index.values[name] = Packed(index.values[name])


def read_eras(index: FacetIndex, using: str) -> None:
    index.eras = {
        pk: (slug, name, position)
        for pk, slug, name, position in Era.objects.using(using).values_list(
            "pk", "slug", "name", "position"
        )
    }


def _year(value) -> int:
    return int(value[:4]) if isinstance(value, str) else value.year
