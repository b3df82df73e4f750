"""Seeded random choices: weighted draws, the shapes of the archive, dates and timestamps.

* Participants' activity follows a power law: a few take part in a large share of dialogues,
  while the median participant takes part in half as many as the mean.
* Every dialogue is dated inside its era, including the fuzzy bounds of approximate dates;
  about a fifth of the dates are uncertain.
* Choices (sides, kinds, roles, tracks, outcomes, venues) follow plausible skewed weights.

Timestamps fall in the years before a fixed moment rather than before now, so that a seed
always gives the same rows.
"""

from __future__ import annotations

import calendar
import datetime
import itertools
import random
from bisect import bisect
from collections.abc import Iterable

from dialogues.models import Background, OutcomeKind, ParticipantKind, Role, Side, Track, VenueKind

# Zipf exponents: participants a little flatter than words, so that in a large archive the
# busiest takes part in about a sixth of the dialogues, not nearly all.
PARTICIPANT_EXPONENT = 0.9
PLACE_EXPONENT = 1.0
SOURCE_EXPONENT = 1.0
CONFLICT_EXPONENT = 2.0
UNCERTAIN_SHARE = 0.2

# Timestamps are spread over the years before this moment, never before the clock's "now",
# so that a seed always gives the same rows.
EPOCH = datetime.datetime(2025, 6, 30, 12, 0, tzinfo=datetime.UTC)
HISTORY_SECONDS = 4 * 365 * 86_400

# Eras made when the archive has none: contiguous, covering these years.
ERA_COUNT, FIRST_YEAR, LAST_YEAR = 8, 1975, 2025

# (value, weight) pairs; the weights need not add up to anything.
PEOPLE_PER_DIALOGUE = ((1, 10), (2, 30), (3, 30), (4, 15), (5, 10), (6, 5))  # mean 3.0
OUTCOMES_PER_DIALOGUE = ((0, 10), (1, 40), (2, 40), (3, 10))  # mean 1.5
CITATIONS_PER_DIALOGUE = ((1, 40), (2, 30), (3, 20), (4, 10))  # mean 2.0
SIDES = ((Side.ISRAELI, 40), (Side.PALESTINIAN, 40), (Side.THIRD_PARTY, 20))
KINDS = ((ParticipantKind.PERSON, 85), (ParticipantKind.GROUP, 15))
PERSON_BACKGROUNDS = (
    (Background.ACADEMIC, 28),
    (Background.FORMER_DIPLOMAT, 14),
    (Background.POLITICIAN, 12),
    (Background.CIVIL_SOCIETY, 12),
    (Background.SECURITY_OFFICIAL, 10),
    (Background.JOURNALIST, 9),
    (Background.BUSINESSPERSON, 6),
    (Background.ORGANISER, 4),
    ("", 5),
)
GROUP_BACKGROUNDS = (
    (Background.CIVIL_SOCIETY, 35),
    (Background.ACADEMIC, 25),
    (Background.ORGANISER, 20),
    (Background.POLITICIAN, 10),
    ("", 10),
)
TRACKS = ((Track.TRACK_II, 85), (Track.PROPOSED, 10), (Track.TRACK_II_TO_I, 5))
# Dialogues' tracks are kept as small numbers for the later stages, one byte a dialogue.
TRACK_INDEX = {track: i for i, (track, _) in enumerate(TRACKS)}
ROLES = ((Role.PARTICIPANT, 80), (Role.ORGANISER, 12), (Role.OBSERVER, 8))
VENUE_KINDS = (
    (VenueKind.NOT_STATED, 35),
    (VenueKind.HOTEL, 20),
    (VenueKind.THINK_TANK, 14),
    (VenueKind.UNIVERSITY, 12),
    (VenueKind.HOTEL_OR_THINK_TANK, 5),
    (VenueKind.GOVERNMENT, 5),
    (VenueKind.PRIVATE, 5),
    (VenueKind.ONLINE, 4),
)
OUTCOME_KINDS = (
    (OutcomeKind.UNDERSTANDING, 35),
    (OutcomeKind.PROPOSAL, 22),
    (OutcomeKind.STALLED, 20),
    (OutcomeKind.ADVANCED_PROCESS, 12),
    (OutcomeKind.WALKOUT, 7),
    (OutcomeKind.BECAME_OFFICIAL, 4),
)
# Talks that were only proposed rarely "advanced the process", and never became official.
PROPOSED_OUTCOME_KINDS = (
    (OutcomeKind.STALLED, 50),
    (OutcomeKind.PROPOSAL, 35),
    (OutcomeKind.UNDERSTANDING, 15),
)
# Which kind of uncertain date, when the era leaves room for it.
UNCERTAIN_KINDS = (("approximate", 30), ("uncertain", 20), ("years", 25), ("month", 25))


# --- Weighted draws -------------------------------------------------------------------------


class Weighted:
    """Draw values with given weights, by bisecting cumulative weights (O(log n) a draw)."""

    def __init__(self, pairs: Iterable[tuple[object, float]]):
        pairs = list(pairs)
        self.values = [value for value, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]

    @classmethod
    def zipf(cls, values: Iterable, exponent: float) -> Weighted:
        """Weigh values by 1 / rank^exponent, the first value having rank 1."""
        return cls((value, 1 / rank**exponent) for rank, value in enumerate(values, 1))

    def draw(self, rng: random.Random):
        return self.values[bisect(self.cumulative, rng.random() * self.total)]

    def draw_distinct(self, rng: random.Random, k: int, taken: set) -> None:
        """Add draws to `taken` until it holds k values (k must not exceed len(values))."""
        tries = 0
        while len(taken) < k:
            taken.add(self.draw(rng))
            tries += 1
            if tries > 50 * k:
                # Heavy weights on a few values can starve the rest; finish uniformly.
                rest = [value for value in self.values if value not in taken]
                taken.update(rng.sample(rest, k - len(taken)))


# --- Dates ----------------------------------------------------------------------------------


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


class EraSpan:
    """One era's id and bounds, with the uncertain dates that fit wholly inside it.

    An approximate or uncertain year (`1976~`, `1976?`) spans the years either side of it, so
    only years with a whole year of the era on both sides may be used.
    """

    def __init__(self, pk: int, earliest: datetime.date, latest: datetime.date):
        self.pk, self.earliest, self.latest = pk, earliest, latest
        self.days = (latest - earliest).days + 1
        whole = {
            year
            for year in range(earliest.year, latest.year + 1)
            if datetime.date(year, 1, 1) >= earliest and datetime.date(year, 12, 31) <= latest
        }
        self.fuzzy_years = sorted(y for y in whole if y - 1 in whole and y + 1 in whole)
        self.year_spans = sorted(
            (start, start + length)
            for start in whole
            for length in (1, 2)
            if start + length in whole
        )
        self.months = [
            (year, month)
            for year in range(earliest.year, latest.year + 1)
            for month in range(1, 13)
            if datetime.date(year, month, 1) >= earliest
            and datetime.date(year, month, _last_day(year, month)) <= latest
        ]
        options = {
            "approximate": bool(self.fuzzy_years),
            "uncertain": bool(self.fuzzy_years),
            "years": bool(self.year_spans),
            "month": bool(self.months),
        }
        pairs = [(kind, weight) for kind, weight in UNCERTAIN_KINDS if options[kind]]
        if not pairs and self.days >= 2:
            pairs = [("days", 1)]
        self.uncertain_kinds = Weighted(pairs) if pairs else None

    def precise(self, rng: random.Random) -> tuple[str, datetime.date, datetime.date, str]:
        day = self.earliest + datetime.timedelta(days=rng.randrange(self.days))
        return day.isoformat(), day, day, ""

    def uncertain(self, rng: random.Random) -> tuple[str, datetime.date, datetime.date, str]:
        """Return an uncertain EDTF date inside the era, its fuzzy bounds, and a date note."""
        if self.uncertain_kinds is None:
            return self.precise(rng)
        kind = self.uncertain_kinds.draw(rng)
        if kind in ("approximate", "uncertain"):
            year = rng.choice(self.fuzzy_years)
            earliest, latest = datetime.date(year - 1, 1, 1), datetime.date(year + 1, 12, 31)
            if kind == "approximate":
                return f"{year:04d}~", earliest, latest, f"The source says “about {year}”."
            return f"{year:04d}?", earliest, latest, f"The source gives {year}, with a doubt."
        if kind == "years":
            start, end = rng.choice(self.year_spans)
            earliest, latest = datetime.date(start, 1, 1), datetime.date(end, 12, 31)
            note = f"The source places it between {start} and {end}."
            return f"{start:04d}/{end:04d}", earliest, latest, note
        if kind == "month":
            year, month = rng.choice(self.months)
            earliest = datetime.date(year, month, 1)
            latest = datetime.date(year, month, _last_day(year, month))
            return f"{year:04d}-{month:02d}", earliest, latest, "The source gives only the month."
        # An era too short to hold a whole month: a span of a few days.
        start = self.earliest + datetime.timedelta(days=rng.randrange(self.days - 1))
        length = rng.randint(1, min(5, (self.latest - start).days))
        end = start + datetime.timedelta(days=length)
        note = "The source gives the days only as a span."
        return f"{start.isoformat()}/{end.isoformat()}", start, end, note


def era_dates(count: int, first: int, last: int) -> list[str]:
    """Split the years first..last into `count` contiguous eras, as EDTF spans."""
    years = last - first + 1
    edges = [first + round(i * years / count) for i in range(count + 1)]
    return [f"{edges[i]}/{edges[i + 1] - 1}" for i in range(count)]


def timestamps(rng: random.Random, not_before: datetime.date | None = None):
    """Return (created, updated) from the years before EPOCH, created after `not_before`."""
    start = EPOCH - datetime.timedelta(seconds=HISTORY_SECONDS)
    if not_before is not None:
        floor = datetime.datetime.combine(
            not_before + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC
        )
        start = min(max(start, floor), EPOCH)
    span = int((EPOCH - start).total_seconds())
    created = start + datetime.timedelta(seconds=rng.randrange(span + 1))
    if rng.random() < 0.6:
        return created, created
    rest = int((EPOCH - created).total_seconds())
    return created, created + datetime.timedelta(seconds=rng.randrange(rest + 1))
