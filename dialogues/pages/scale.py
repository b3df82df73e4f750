"""The timeline's time axis: a piecewise linear map from days to x, one piece per era and gap."""

from __future__ import annotations

import datetime
from bisect import bisect_right
from dataclasses import dataclass

# Every era gets at least this share of the axis, and otherwise a share proportional to its
# length. The archive's eras are very uneven: one spans 2007–2025 and holds no records, another
# lasts two months and holds one. A linear axis would squeeze the short, busy eras to a few
# pixels, so the axis is piecewise linear instead: linear inside each era (marks within an era
# keep their true proportions and order) but with the era's width floored. The year ticks show
# where the scale changes.
MIN_ERA_SHARE = 0.08


@dataclass(frozen=True)
class Segment:
    start: int  # ordinal of the first day
    end: int  # ordinal of the day after the last
    x0: float
    x1: float

    def x(self, ordinal: float) -> float:
        return self.x0 + (ordinal - self.start) / (self.end - self.start) * (self.x1 - self.x0)


class Scale:
    """Map days to x: piecewise linear, one piece per era and per gap between eras."""

    def __init__(self, eras, left: float, right: float):
        pieces: list[tuple[int, int, bool]] = []  # (start, end, is_era)
        cursor = None
        for era in sorted(eras, key=lambda e: e.date_earliest):
            start, end = era.date_earliest.toordinal(), era.date_latest.toordinal() + 1
            if cursor is not None:
                # Eras may not overlap, but a clamp keeps the scale monotonic if they ever do.
                start = max(start, cursor)
                if start > cursor:
                    pieces.append((cursor, start, False))
            if end > start:
                pieces.append((start, end, True))
                cursor = end
        total = sum(end - start for start, end, _ in pieces) or 1
        floor = MIN_ERA_SHARE * total
        weights = [
            max(end - start, floor) if is_era else end - start for start, end, is_era in pieces
        ]
        unit = (right - left) / (sum(weights) or 1)
        self.segments: list[Segment] = []
        x = left
        for (start, end, _), weight in zip(pieces, weights, strict=True):
            self.segments.append(Segment(start, end, x, x + weight * unit))
            x += weight * unit
        self._starts = [segment.start for segment in self.segments]
        self.left, self.right = left, right

    @property
    def first_day(self) -> int:
        return self.segments[0].start

    @property
    def last_day(self) -> int:
        return self.segments[-1].end

    def __call__(self, ordinal: float) -> float:
        if not self.segments:
            return self.left
        if ordinal <= self.first_day:
            return self.segments[0].x0
        if ordinal >= self.last_day:
            return self.segments[-1].x1
        index = max(bisect_right(self._starts, ordinal) - 1, 0)
        return self.segments[index].x(ordinal)

    def day_span(self, earliest: datetime.date, latest: datetime.date) -> tuple[float, float]:
        return self(earliest.toordinal()), self(latest.toordinal() + 1)
