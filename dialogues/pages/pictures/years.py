"""Dialogues by year: the weights behind the histogram, from the facet index or from SQL.

The rule, stated on the figure: each dialogue weighs 1, split evenly over the calendar years its
possible dates cover (a dialogue dated "1988/1990" adds a third to each of 1988, 1989 and 1990),
so an uncertain date spreads over its span instead of piling onto one year. Dialogues without a
readable date are counted beside the figure.

With the facet index the weights come from bitmap intersections: for each year `y` that some
selected dialogue may start in, the selected dialogues starting in `y` are split by the year `z`
they may end in, and each (y, z, track) group's size is spread over y..z. The work grows with the
years and the tracks, not with the dialogues, and costs no query. While the index is being built,
the same weights come from one grouped query, cached per combination of filters.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext_lazy

from ... import caching
from ...listing import facet_index
from ...models import Dialogue, Track

RULE = gettext_lazy(
    "Each dialogue weighs 1, split evenly over the calendar years its possible dates cover; "
    "an uncertain date spreads over its span."
)
STACKS = [(value, label) for value, label in Track.choices]
# A date whose span reaches further than this is spread over its first MAX_SPAN years only; no
# record of the archive comes near it, but the loop stays bounded whatever is entered.
MAX_SPAN = 200


@dataclass
class YearWeights:
    """Weight per year and track, and how many selected dialogues have no readable date."""

    years: dict[int, dict[str, float]] = field(default_factory=dict)
    undated: int = 0

    def add(self, first: int, last: int, track: str, count: int) -> None:
        last = min(last, first + MAX_SPAN - 1)
        share = count / (last - first + 1)
        for year in range(first, last + 1):
            stack = self.years.setdefault(year, defaultdict(float))
            stack[track] += share

    @property
    def total(self) -> float:
        return sum(sum(stack.values()) for stack in self.years.values())


def _year_range(year: int) -> tuple[int, int]:
    return datetime.date(year, 1, 1).toordinal(), datetime.date(year, 12, 31).toordinal()


def _from_index(selection) -> YearWeights:
    index = selection.index
    positions = selection.positions
    dated = positions & index.earliest_between(None, None)
    found = YearWeights(undated=len(positions) - len(dated))
    tracks = [(key, bitmap & dated) for key, bitmap in index.bitmaps("track")]
    latest: dict[int, object] = {}

    def ending_in(year: int):
        if year not in latest:
            latest[year] = index.latest_between(*_year_range(year))
        return latest[year]

    remaining = dated
    while remaining:
        # Positions run in date order, so the first remaining one starts the earliest.
        first_day = index.earliest[remaining.min() - index.earliest_from]
        year = datetime.date.fromordinal(first_day).year
        starting = remaining & index.earliest_between(*_year_range(year))
        remaining = remaining - starting
        end_year = year
        while starting and end_year < year + MAX_SPAN:
            part = starting & ending_in(end_year)
            if part:
                starting = starting - part
                for key, bitmap in tracks:
                    count = part.intersection_cardinality(bitmap)
                    if count:
                        found.add(year, end_year, key, count)
            end_year += 1
        for key, bitmap in tracks:  # spans longer than MAX_SPAN, if any
            count = starting.intersection_cardinality(bitmap) if starting else 0
            if count:
                found.add(year, year + MAX_SPAN - 1, key, count)
    return found


def _from_sql(filterset) -> YearWeights:
    rows = (
        filterset.filter_queryset(Dialogue.objects.public())
        .order_by()
        .values_list("date_earliest__year", "date_latest__year", "track")
        .annotate(n=Count("pk"))
    )
    found = YearWeights()
    for first, last, track, count in rows:
        if first is None or last is None or last < first:
            found.undated += count
        else:
            found.add(first, last, track, count)
    return found


def year_weights(filterset) -> YearWeights:
    """The selected dialogues' weights by year and track (see the module's rule)."""
    selection = facet_index.selection(filterset)
    if selection is not None:
        return _from_index(selection)
    return caching.cached("year-weights", filterset.cache_key(), lambda: _from_sql(filterset))
