"""Generate a synthetic archive of any size from a seed, in bulk, for load and search testing.

The records look like the real ones where it matters to the site's performance and to search:

* Titles, summaries, excerpts and notes draw their words from a vocabulary of a few thousand
  words (a core of real topical words plus pronounceable made-up ones) with probability
  proportional to 1 / rank^1.07, so word frequencies follow Zipf's law as in real text.
* Participants' activity follows a power law: a few take part in a large share of dialogues,
  while the median participant takes part in half as many as the mean.
* Every dialogue is dated inside its era (the archive's own eras when it has any), including the
  fuzzy bounds of approximate dates; about a fifth of the dates are uncertain.
* Choices (sides, kinds, roles, tracks, outcomes, venues) follow plausible skewed weights.

Every synthetic slug starts with `syn-`, which is how synthetic records are told from real ones.
The same seed gives the same records, and the same ids when the tables start empty: all
randomness comes from `random.Random` instances seeded from the seed, and timestamps fall in the
years before a fixed moment rather than before now.

Rows are built as plain tuples, a stage at a time, and written in batches (COPY on PostgreSQL,
`executemany` on SQLite, `bulk_create` elsewhere), with primary keys assigned up front so that
children can point at their parents without reading ids back. Everything, the search index
included, happens in one transaction, so a failed or interrupted run leaves the database as it
was.
"""

from __future__ import annotations

import calendar
import datetime
import itertools
import random
import sys
import time
from array import array
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import DateField, Max
from django.utils.text import slugify

from . import caching, search
from .models import (
    Background,
    Citation,
    Conflict,
    Dialogue,
    Era,
    Outcome,
    OutcomeKind,
    Participant,
    ParticipantKind,
    Participation,
    Role,
    Side,
    Source,
    Track,
    VenueKind,
)

PREFIX = "syn-"

MIN_DIALOGUES, MAX_DIALOGUES = 1, 10_000_000
MIN_BATCH_SIZE, MAX_BATCH_SIZE, DEFAULT_BATCH_SIZE = 100, 100_000, 5_000

# Zipf exponents: words as in natural language; participants a little flatter, so that in a
# large archive the busiest takes part in about a sixth of the dialogues, not nearly all.
WORD_EXPONENT = 1.07
PARTICIPANT_EXPONENT = 0.9
PLACE_EXPONENT = 1.0
SOURCE_EXPONENT = 1.0
CONFLICT_EXPONENT = 2.0
VOCABULARY_SIZE = 4_000
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

# Ordered by how often they host talks; several carry accents on purpose.
PLACES = (
    "Jerusalem",
    "Tel Aviv",
    "Amman",
    "Ramallah",
    "London",
    "Oslo",
    "Genève",
    "Cairo",
    "Washington",
    "Rome",
    "Paris",
    "New York",
    "Stockholm",
    "Montréal",
    "Haifa",
    "Bethlehem",
    "Nicosia",
    "Istanbul",
    "Madrid",
    "Brussels",
    "Berlin",
    "Vienna",
    "Copenhagen",
    "Helsinki",
    "Reykjavík",
    "Zürich",
    "Den Haag",
    "Athens",
    "Doha",
    "Rabat",
    "Beirut",
    "Gaza City",
    "Nablus",
    "Hebron",
    "Jericho",
    "Toronto",
    "Boston",
    "Cambridge",
    "Córdoba",
    "Kraków",
    "Malmö",
    "São Paulo",
    "Bogotá",
    "Pretoria",
)
FUNCTION_WORDS = "the of and to on in a for with between over about after".split()
FUNCTION_SET = frozenset(FUNCTION_WORDS)
TOPICAL_WORDS = """
    negotiations settlers refugees ceasefire water Jerusalem economy security prisoners borders
    talks peace trust delegates occupation statehood recognition violence elections
    reconciliation dialogue agreement proposal framework declaration withdrawal settlements
    sovereignty checkpoints trade aid education youth women religion holy sites Gaza Hebron
    Jordan Egypt Oslo leaders ministers envoys mediators channel secret informal official
    principles roadmap disengagement land annexation municipal infrastructure health
    reconstruction investment employment permits crossings fisheries electricity aquifer
    desalination archaeology heritage schools textbooks media incitement narratives memory
    compensation return citizenship residency identity minority rights courts detention
    amnesty militias policing intelligence coordination guarantees monitors timetable
""".split()
ONSETS = "b d f g h k l m n p r s t v z sh kh y".split()
# Slurs and obscenities that random syllables can spell; made-up words containing them are
# dropped, since the words end up in titles and names that people read.
UNPRINTABLE = "nazi kike rape homo paki dago hebe kafir zona niga nige fag kus shit fuk".split()
VOWELS = "a e i o u a e i o ai".split()
CODAS = ("", "", "", "n", "r", "l", "m", "s", "t")

FIRST_NAMES = {
    Side.ISRAELI: "Yossi Avi Yael Noa Shira Eitan Dafna Moshe Tamar Ariel Ronit Gideon Michal "
    "Amos Orly Uri Naama Ehud Talia Yonatan",
    Side.PALESTINIAN: "Ahmad Mahmoud Rania Leila Khalil Samir Huda Nabil Mariam Yasmin Omar "
    "Hanan Ziad Salim Dalia Fadi Nour Tariq Hiba Issa",
    Side.THIRD_PARTY: "José Renée Søren Zoë François Ólafur Jürgen Inés Łukasz Chloé Björn Ana "
    "Mário Henrik Siobhán Margarethe Pál Dóra Ingrid Kåre Thomas Helen David Sarah",
}
LAST_NAMES = {
    Side.ISRAELI: "Cohen Levi Mizrahi Peretz Biton Friedman Shapiro Katz Avraham Ben-David "
    "Golan Harel Barak Sharabi Segal Azoulay Dahan Ornstein Rosen",
    Side.PALESTINIAN: "Haddad Saleh Hamdan Mansour Odeh Qassis Shaheen Awad Darwish Najjar "
    "Sabbagh Tamimi Zaher Khalidi Jaber Nassar Salameh Khoury",
    Side.THIRD_PARTY: "Müller Søgaard Núñez Dubois Lefèvre Jónsson Åberg Nowak O'Brien Rossi "
    "García Petersen Novák Schröder Smith Johansen Lindqvist Carter Meyer Brennan",
}
GROUP_PATTERNS = (
    "{place} Forum for {Topic}",
    "Centre for {Topic} Studies",
    "{Pseudo} Institute",
    "Council on {Topic} and {Other}",
    "{Pseudo} Foundation",
)
PUBLICATIONS = (
    "Journal of {Topic} Studies",
    "The {Pseudo} Review",
    "{Pseudo} Quarterly",
    "Proceedings of the {Pseudo} Forum",
)
CONFLICT_NAMES = (
    ("Israeli–Palestinian conflict", "The conflict most synthetic dialogues belong to."),
    ("Israel–Lebanon conflict", "A second conflict, so that lists and filters have a choice."),
    ("Cyprus conflict", "A third conflict, rarely chosen."),
)


class SyntheticError(Exception):
    """The archive cannot take synthetic records as asked; the message says why."""


@dataclass
class Result:
    """What a run made (or, for a dry run, would make), and how long each stage took."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    reused: dict[str, int] = field(default_factory=dict)
    indexed: int = 0
    dry_run: bool = False


Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


# --- Arguments ----------------------------------------------------------------------------


def _whole_number(value) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value)
    raise ValueError(value)


def check_dialogues(value) -> int:
    """Return the number of dialogues asked for, or raise ValueError saying what is accepted."""
    try:
        number = _whole_number(value)
    except ValueError:
        number = None
    if number is None or not MIN_DIALOGUES <= number <= MAX_DIALOGUES:
        raise ValueError(
            f"expected a whole number of dialogues from {MIN_DIALOGUES:,} to {MAX_DIALOGUES:,}, "
            f"not “{value}”"
        )
    return number


def check_seed(value) -> int:
    """Return the seed as an integer, or raise ValueError saying what is accepted."""
    try:
        return _whole_number(value)
    except ValueError:
        raise ValueError(f"expected a whole number such as 1 or 42, not “{value}”") from None


def check_batch_size(value) -> int:
    """Return the batch size, or raise ValueError saying what is accepted."""
    try:
        number = _whole_number(value)
    except ValueError:
        number = None
    if number is None or not MIN_BATCH_SIZE <= number <= MAX_BATCH_SIZE:
        raise ValueError(
            f"expected a whole number of rows from {MIN_BATCH_SIZE:,} to {MAX_BATCH_SIZE:,}, "
            f"not “{value}”"
        )
    return number


def real_dialogue_count(using: str = DEFAULT_DB_ALIAS) -> int:
    """Count the dialogues that are not synthetic."""
    return Dialogue.objects.using(using).exclude(slug__startswith=PREFIX).count()


# --- Sampling -----------------------------------------------------------------------------


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


class Words:
    """A stream of words from a Zipf-weighted vocabulary, drawn in blocks for speed.

    Drawing ten million words one bisect at a time would take seconds; instead each word gets
    a share of a table of 65,536 slots in proportion to its weight, and a block of random
    16-bit numbers is turned into words by a C-level map. With 4,000 words the rarest one's
    share is 1.3 slots, so every word keeps a slot and the head of the curve is exact.
    """

    TABLE_SIZE = 1 << 16
    BLOCK = 65_536

    def __init__(self, vocabulary: list[str], rng: random.Random):
        self.vocabulary = vocabulary
        self.rng = rng
        weights = [1 / rank**WORD_EXPONENT for rank in range(1, len(vocabulary) + 1)]
        total = sum(weights)
        slots = [max(1, round(weight / total * self.TABLE_SIZE)) for weight in weights]
        slots[0] += self.TABLE_SIZE - sum(slots)
        self.table = [
            word for word, count in zip(vocabulary, slots, strict=True) for _ in range(count)
        ]
        self.buffer: list[str] = []
        self.position = 0

    def _refill(self, n: int) -> None:
        count = max(self.BLOCK, n)
        numbers = array("H")
        numbers.frombytes(self.rng.getrandbits(16 * count).to_bytes(2 * count, "little"))
        if sys.byteorder == "big":  # the bytes are little-endian, for the same words everywhere
            numbers.byteswap()
        self.buffer = list(map(self.table.__getitem__, numbers))
        self.position = 0

    def take(self, n: int) -> list[str]:
        if self.position + n > len(self.buffer):
            self._refill(n)
        words = self.buffer[self.position : self.position + n]
        self.position += n
        return words

    def content(self, n: int) -> list[str]:
        """Take n words, skipping function words: Zipf's law still holds for the rest."""
        words: list[str] = []
        while len(words) < n:
            words.extend(word for word in self.take(2 * n) if word not in FUNCTION_SET)
        return words[:n]

    def phrase(self, low: int, high: int) -> str:
        # random() is several times cheaper than randint(), and this runs a million times.
        return " ".join(self.take(low + int(self.rng.random() * (high - low + 1))))

    def sentence(self, low: int, high: int) -> str:
        text = self.phrase(low, high)
        return text[0].upper() + text[1:] + "."

    def sentences(self, low: int, high: int, count_low: int, count_high: int) -> str:
        count = self.rng.randint(count_low, count_high)
        return " ".join(self.sentence(low, high) for _ in range(count))


def build_vocabulary(rng: random.Random, size: int = VOCABULARY_SIZE) -> list[str]:
    """Return `size` words in rank order: function words, then topical words among made-up ones.

    The topical words are scattered over the first few hundred ranks, so that they are common
    without all crowding the top.
    """
    core = set(word.casefold() for word in FUNCTION_WORDS + TOPICAL_WORDS)
    made_up: list[str] = []
    seen = set(core)
    while len(made_up) < size - len(core):
        syllables = rng.choice((2, 2, 2, 3))
        word = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables))
        word += rng.choice(CODAS)
        if len(word) >= 4 and word not in seen and not any(bad in word for bad in UNPRINTABLE):
            seen.add(word)
            made_up.append(word)
    spread = len(FUNCTION_WORDS) + 4 * len(TOPICAL_WORDS)
    slots = sorted(rng.sample(range(len(FUNCTION_WORDS), spread), len(TOPICAL_WORDS)))
    ranked = list(FUNCTION_WORDS)
    topical = iter(TOPICAL_WORDS)
    made = iter(made_up)
    slot_set = set(slots)
    for rank in range(len(FUNCTION_WORDS), size):
        ranked.append(next(topical) if rank in slot_set else next(made))
    return ranked


# --- Dates --------------------------------------------------------------------------------


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


def _era_dates(count: int, first: int, last: int) -> list[str]:
    """Split the years first..last into `count` contiguous eras, as EDTF spans."""
    years = last - first + 1
    edges = [first + round(i * years / count) for i in range(count + 1)]
    return [f"{edges[i]}/{edges[i + 1] - 1}" for i in range(count)]


def _timestamps(rng: random.Random, not_before: datetime.date | None = None):
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


# --- Writing ------------------------------------------------------------------------------


class Writer:
    """Write rows of one model at a time, in batches, and count them.

    Rows are tuples in the order of the model's concrete fields. PostgreSQL takes them through
    COPY and SQLite through `executemany`: `bulk_create` builds a model instance and prepares
    each value in Python and, on SQLite, binds at most 999 values per statement; a
    100,000-dialogue run on SQLite took 68 s of CPU with it against 25 s without. Other
    databases get `bulk_create`. A dry run only counts.
    """

    def __init__(self, using: str, batch_size: int, dry_run: bool, progress: Progress):
        self.using, self.batch_size, self.dry_run = using, batch_size, dry_run
        self.progress = progress
        self.connection = connections[using]
        vendor = self.connection.vendor
        if dry_run:
            self.method = self._count
        elif vendor == "postgresql":
            self.method = self._copy
        elif vendor == "sqlite":
            self.method = self._executemany
        else:
            self.method = self._bulk_create

    def write(self, stage: str, model, rows: Iterable[tuple], total: int) -> int:
        """Write the rows batch by batch, reporting progress after each; return how many."""
        rows = iter(rows)
        done = 0
        self.progress(stage, 0, total)
        while count := self.method(model, itertools.islice(rows, self.batch_size)):
            done += count
            self.progress(stage, done, max(total, done))
        if done != total:
            self.progress(stage, done, done)
        return done

    def _names(self, model) -> tuple[str, str]:
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in model._meta.concrete_fields)
        return quote(model._meta.db_table), columns

    @staticmethod
    def _count(model, rows: Iterator[tuple]) -> int:
        return sum(1 for _ in rows)

    def _copy(self, model, rows: Iterator[tuple]) -> int:
        first = next(rows, None)
        if first is None:
            return 0
        table, columns = self._names(model)
        self.connection.ensure_connection()
        count = 1
        # The raw cursor shares the connection, so COPY runs inside the same transaction.
        # Rows are generated as they are sent, so the server works while Python makes more.
        with self.connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write_row(first)
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count

    def _executemany(self, model, rows: Iterator[tuple]) -> int:
        batch = list(rows)
        if not batch:
            return 0
        table, columns = self._names(model)
        fields = model._meta.concrete_fields
        placeholders = ", ".join(["%s"] * len(fields))
        # Dates and times are stored as the backend's own text, as the ORM would store them.
        adapters = [
            (i, f.get_db_prep_save) for i, f in enumerate(fields) if isinstance(f, DateField)
        ]
        if adapters:
            adapted = []
            for row in batch:
                row = list(row)
                for i, adapt in adapters:
                    row[i] = adapt(row[i], self.connection)
                adapted.append(row)
            batch = adapted
        with self.connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", batch)
        return len(batch)

    def _bulk_create(self, model, rows: Iterator[tuple]) -> int:
        objects = [model(*row) for row in rows]
        model._base_manager.using(self.using).bulk_create(objects, batch_size=self.batch_size)
        return len(objects)


# --- The generator ------------------------------------------------------------------------


class Generator:
    """Plan and write a synthetic archive of `dialogues` dialogues from `seed`.

    Each stage draws from its own random stream, derived from the seed and the stage's name, so
    a stage's rows do not depend on how the previous stage was batched or written.
    """

    def __init__(self, dialogues: int, seed: int, *, using: str = DEFAULT_DB_ALIAS):
        self.n = check_dialogues(dialogues)
        self.seed = check_seed(seed)
        self.using = using
        self.participant_count = max(1, round(self.n / 5))
        self.source_count = max(2, self.n // 1000)
        self.vocabulary = build_vocabulary(self.rng("vocabulary"))

    def rng(self, stage: str) -> random.Random:
        # A string seed is hashed with SHA-512, so "1:x" and "-1:x" differ, unlike ints 1 and -1.
        return random.Random(f"{self.seed}:{stage}")

    def words(self, stage: str) -> Words:
        return Words(self.vocabulary, self.rng(f"{stage}:words"))

    def next_id(self, model) -> int:
        top = model._base_manager.using(self.using).aggregate(top=Max("pk"))["top"]
        return (top or 0) + 1

    # Each stage returns (rows, count); rows are generated lazily, in the order written.

    def sources(self) -> tuple[Iterator[tuple], int]:
        first = self.next_id(Source)
        self.source_ids = list(range(first, first + self.source_count))
        return self._source_rows(first), self.source_count

    def _source_rows(self, first: int) -> Iterator[tuple]:
        rng, words = self.rng("sources"), self.words("sources")
        for pk in range(first, first + self.source_count):
            year = rng.randint(FIRST_YEAR, LAST_YEAR)
            author = self._person_name(rng, rng.choice(list(Side)))
            topic, other = words.content(2)
            title = f"{topic.capitalize()} and {other}: notes from the talks"
            publication = rng.choice(PUBLICATIONS).format(
                Topic=topic.capitalize(), Pseudo=self._pseudo(words)
            )
            created, updated = _timestamps(rng)
            yield self._row(
                Source,
                id=pk,
                date=f"{year:04d}",
                date_earliest=datetime.date(year, 1, 1),
                date_latest=datetime.date(year, 12, 31),
                date_note="",
                created=created,
                updated=updated,
                slug=f"{PREFIX}source-{pk}",
                title=title[:300],
                author=author,
                author_role=words.sentence(4, 10),
                publication=publication,
                url=f"https://example.org/synthetic/{pk}" if rng.random() < 0.5 else "",
                first_words=words.sentence(5, 9)[:-1],
                description=words.sentences(6, 14, 1, 2),
            )

    def eras(self) -> tuple[Iterator[tuple], int]:
        """Use the archive's eras when it has any, else plan contiguous ones."""
        existing = [
            era
            for era in Era.objects.using(self.using).order_by("position")
            if era.date_earliest is not None and era.date_latest is not None
        ]
        if existing:
            self.era_spans = [EraSpan(e.pk, e.date_earliest, e.date_latest) for e in existing]
            return iter(()), 0
        if Era.objects.using(self.using).exists():
            raise SyntheticError(
                "The archive's eras all have invalid dates, so no dialogue can be placed in one. "
                "Fix the eras' dates (manage.py check_archive lists them) and run again."
            )
        first = self.next_id(Era)
        spans = _era_dates(ERA_COUNT, FIRST_YEAR, LAST_YEAR)
        self.era_spans = []
        rows = []
        words = self.words("eras")
        for position, edtf in enumerate(spans, 1):
            pk = first + position - 1
            start, end = (int(year) for year in edtf.split("/"))
            earliest, latest = datetime.date(start, 1, 1), datetime.date(end, 12, 31)
            self.era_spans.append(EraSpan(pk, earliest, latest))
            rows.append(
                self._row(
                    Era,
                    id=pk,
                    date=edtf,
                    date_earliest=earliest,
                    date_latest=latest,
                    date_note="",
                    slug=f"{PREFIX}era-{pk}",
                    name=f"The {self._pseudo(words)} years, {start}–{end}",
                    position=position,
                    summary=words.sentences(6, 14, 1, 2),
                    boundary_note="A synthetic era: the years are split evenly.",
                )
            )
        return iter(rows), len(rows)

    def conflicts(self) -> tuple[Iterator[tuple], int]:
        existing = list(Conflict.objects.using(self.using).order_by("pk").values_list("pk"))
        if existing:
            self.conflicts_drawn = Weighted.zipf([pk for (pk,) in existing], CONFLICT_EXPONENT)
            return iter(()), 0
        first = self.next_id(Conflict)
        ids = list(range(first, first + len(CONFLICT_NAMES)))
        self.conflicts_drawn = Weighted.zipf(ids, CONFLICT_EXPONENT)
        rows = [
            self._row(Conflict, id=pk, slug=f"{PREFIX}conflict-{pk}", name=name, summary=summary)
            for pk, (name, summary) in zip(ids, CONFLICT_NAMES, strict=True)
        ]
        return iter(rows), len(rows)

    def participants(self) -> tuple[Iterator[tuple], int]:
        first = self.next_id(Participant)
        ids = list(range(first, first + self.participant_count))
        # Activity ranks are shuffled, so the busiest participants are not simply the first ids.
        ranked = ids[:]
        self.rng("participant-ranks").shuffle(ranked)
        self.participants_drawn = Weighted.zipf(ranked, PARTICIPANT_EXPONENT)
        self.participant_ids = ids
        return self._participant_rows(ids), len(ids)

    def _participant_rows(self, ids: list[int]) -> Iterator[tuple]:
        rng, words = self.rng("participants"), self.words("participants")
        sides, kinds = Weighted(SIDES), Weighted(KINDS)
        person_backgrounds, group_backgrounds = (
            Weighted(PERSON_BACKGROUNDS),
            Weighted(GROUP_BACKGROUNDS),
        )
        places = Weighted.zipf(PLACES, PLACE_EXPONENT)
        for pk in ids:
            side, kind = sides.draw(rng), kinds.draw(rng)
            if kind == ParticipantKind.PERSON:
                name = self._person_name(rng, side)
                background = person_backgrounds.draw(rng)
            else:
                topic, other = (word.capitalize() for word in words.content(2))
                name = rng.choice(GROUP_PATTERNS).format(
                    place=places.draw(rng), Topic=topic, Other=other, Pseudo=self._pseudo(words)
                )
                background = group_backgrounds.draw(rng)
            created, updated = _timestamps(rng)
            yield self._row(
                Participant,
                id=pk,
                created=created,
                updated=updated,
                slug=f"{PREFIX}{pk}-{slugify(name)}"[:100].rstrip("-"),
                name=name,
                kind=kind,
                side=side,
                background=background,
                background_note="",
                bio=words.sentences(6, 16, 1, 2) if rng.random() < 0.7 else "",
            )

    def dialogues(self) -> tuple[Iterator[tuple], int]:
        first = self.next_id(Dialogue)
        self.dialogue_first = first
        return self._dialogue_rows(first), self.n

    def _dialogue_rows(self, first: int) -> Iterator[tuple]:
        rng, words = self.rng("dialogues"), self.words("dialogues")
        # Eras get dialogues in proportion to their length; a year's grace keeps short ones in.
        eras = Weighted((span, span.days + 365) for span in self.era_spans)
        uncertain = set(rng.sample(range(self.n), round(self.n * UNCERTAIN_SHARE)))
        tracks, venues = Weighted(TRACKS), Weighted(VENUE_KINDS)
        places = Weighted.zipf(PLACES, PLACE_EXPONENT)
        self.tracks = bytearray(self.n)
        for i in range(self.n):
            pk = first + i
            era = eras.draw(rng)
            if i in uncertain:
                edtf, earliest, latest, note = era.uncertain(rng)
            else:
                edtf, earliest, latest, note = era.precise(rng)
            track = tracks.draw(rng)
            self.tracks[i] = TRACK_INDEX[track]
            place = places.draw(rng) if rng.random() < 0.9 else ""
            venue_kind = venues.draw(rng)
            if venue_kind == VenueKind.ONLINE and latest.year < 2000:
                venue_kind = VenueKind.NOT_STATED
            title = self._title(rng, words, place)
            created, updated = _timestamps(rng, latest)
            yield self._row(
                Dialogue,
                id=pk,
                date=edtf,
                date_earliest=earliest,
                date_latest=latest,
                date_note=note,
                created=created,
                updated=updated,
                title=title,
                slug=f"{PREFIX}{pk}-{slugify(title)}"[:120].rstrip("-"),
                era_id=era.pk,
                conflict_id=self.conflicts_drawn.draw(rng),
                place=place,
                venue=self._venue(rng, words, venue_kind, place),
                venue_kind=venue_kind,
                track=track,
                summary=words.sentences(6, 16, 2, 4),
            )

    def participations(self) -> tuple[Iterator[tuple], int]:
        """Plan who took part in each dialogue; the count is only known once planned.

        Every participant first joins one dialogue picked at random, so that nobody is left
        without any; the rest of each dialogue's seats go by the power-law weights.
        """
        rng = self.rng("participations")
        sizes = Weighted(PEOPLE_PER_DIALOGUE)
        homes: dict[int, list[int]] = {}
        for pk in self.participant_ids:
            homes.setdefault(rng.randrange(self.n), []).append(pk)
        self.people = array("q")
        self.people_end = array("q")
        cap = len(self.participant_ids)
        for i in range(self.n):
            taken = set(homes.get(i, ()))
            self.participants_drawn.draw_distinct(rng, min(sizes.draw(rng), cap), taken)
            # Sorted, so the order does not depend on set iteration.
            self.people.extend(sorted(taken))
            self.people_end.append(len(self.people))
        return self._participation_rows(self.next_id(Participation)), len(self.people)

    def _participation_rows(self, first: int) -> Iterator[tuple]:
        rng, words = self.rng("participation-rows"), self.words("participations")
        roles = Weighted(ROLES)
        proposed = TRACK_INDEX[Track.PROPOSED]
        start, pk = 0, first
        for i, end in enumerate(self.people_end):
            for seat, participant in enumerate(self.people[start:end]):
                if self.tracks[i] == proposed:
                    role = Role.PROPOSER if seat == 0 else Role.PROPOSED
                else:
                    role = roles.draw(rng)
                note = words.sentence(5, 12) if rng.random() < 0.1 else ""
                yield (pk, self.dialogue_first + i, participant, role, note)
                pk += 1
            start = end

    def outcomes(self) -> tuple[Iterator[tuple], int]:
        rng = self.rng("outcomes")
        sizes = Weighted(OUTCOMES_PER_DIALOGUE)
        self.outcome_count = bytearray(self.n)
        for i in range(self.n):
            self.outcome_count[i] = sizes.draw(rng)
        total = sum(self.outcome_count)
        self.outcome_first = self.next_id(Outcome)
        return self._outcome_rows(), total

    def _outcome_rows(self) -> Iterator[tuple]:
        rng, words = self.rng("outcome-rows"), self.words("outcomes")
        proposed, official = TRACK_INDEX[Track.PROPOSED], TRACK_INDEX[Track.TRACK_II_TO_I]
        pk = self.outcome_first
        for i, count in enumerate(self.outcome_count):
            if not count:
                continue
            pool = PROPOSED_OUTCOME_KINDS if self.tracks[i] == proposed else OUTCOME_KINDS
            kinds = [OutcomeKind.BECAME_OFFICIAL] if self.tracks[i] == official else []
            pool = [pair for pair in pool if pair[0] not in kinds]
            while len(kinds) < count and pool:
                kind = Weighted(pool).draw(rng)
                kinds.append(kind)
                pool = [pair for pair in pool if pair[0] != kind]
            # Exactly the planned number, so that citations can find a dialogue's outcomes by id.
            for kind in kinds[:count]:
                # Columns: id, dialogue, key (the kind, as for real outcomes), kind, description.
                yield (pk, self.dialogue_first + i, kind, kind, words.sentence(8, 20))
                pk += 1

    def citations(self) -> tuple[Iterator[tuple], int]:
        rng = self.rng("citations")
        sizes = Weighted(CITATIONS_PER_DIALOGUE)
        self.citation_count = bytearray(self.n)
        for i in range(self.n):
            self.citation_count[i] = sizes.draw(rng)
        return self._citation_rows(self.next_id(Citation)), sum(self.citation_count)

    def _citation_rows(self, first: int) -> Iterator[tuple]:
        rng, words = self.rng("citation-rows"), self.words("citations")
        sources = Weighted.zipf(self.source_ids, SOURCE_EXPONENT)
        pk, outcome_pk, people_start = first, self.outcome_first, 0
        for i, count in enumerate(self.citation_count):
            outcomes = range(outcome_pk, outcome_pk + self.outcome_count[i])
            outcome_pk += self.outcome_count[i]
            people = self.people[people_start : self.people_end[i]]
            people_start = self.people_end[i]
            for paragraph in sorted(rng.sample(range(1, 81), count)):
                outcome = rng.choice(outcomes) if outcomes and rng.random() < 0.4 else None
                participant = rng.choice(people) if people and rng.random() < 0.25 else None
                yield self._row(
                    Citation,
                    id=pk,
                    key=f"c{pk}",
                    dialogue_id=self.dialogue_first + i,
                    source_id=sources.draw(rng),
                    outcome_id=outcome,
                    participant_id=participant,
                    excerpt=words.sentence(8, 28),
                    paragraph=paragraph,
                )
                pk += 1

    # --- Pieces ---

    _ORDER: dict[type, tuple[str, ...]] = {}

    @classmethod
    def _row(cls, model, **values) -> tuple:
        """Return the values as a tuple in the model's concrete field order."""
        order = cls._ORDER.get(model)
        if order is None:
            order = cls._ORDER[model] = tuple(f.attname for f in model._meta.concrete_fields)
        return tuple(values[name] for name in order)

    @staticmethod
    def _pseudo(words: Words) -> str:
        # Made-up words sit below the topical ones, so a draw from the tail gives one.
        return words.vocabulary[
            words.rng.randrange(len(words.vocabulary) // 2, len(words.vocabulary))
        ].capitalize()

    @staticmethod
    def _person_name(rng: random.Random, side) -> str:
        first = rng.choice(FIRST_NAMES[side].split())
        last = rng.choice(LAST_NAMES[side].split())
        if rng.random() < 0.3:
            return f"{first} {rng.choice('ABCDEFGHIJKLMNOPRSTVWZ')}. {last}"
        return f"{first} {last}"

    @staticmethod
    def _title(rng: random.Random, words: Words, place: str) -> str:
        a, b, c = words.content(3)
        roll = rng.random()
        if place and roll < 0.35:
            return f"{place} talks on {a} and {b}"
        if roll < 0.55:
            return f"Workshop on {a}, {b} and {c}"
        if roll < 0.75:
            return f"{a[0].upper()}{a[1:]} and {b}: a {c} dialogue"
        if roll < 0.9:
            return f"Meeting on {a} {b}"
        return f"Seminar on {a} and {b}"

    @staticmethod
    def _venue(rng: random.Random, words: Words, kind, place: str) -> str:
        if kind == VenueKind.NOT_STATED:
            return ""
        if kind == VenueKind.HOTEL:
            return f"Hotel {Generator._pseudo(words)}"
        if kind == VenueKind.THINK_TANK:
            (topic,) = words.content(1)
            return f"{Generator._pseudo(words)} Institute for {topic.capitalize()} Studies"
        if kind == VenueKind.UNIVERSITY:
            return f"University of {place}" if place else "A university"
        if kind == VenueKind.HOTEL_OR_THINK_TANK:
            return "A hotel or think-tank meeting room"
        if kind == VenueKind.GOVERNMENT:
            return rng.choice(("A government guest house", "The foreign ministry"))
        if kind == VenueKind.PRIVATE:
            return "A private residence"
        return "A video call"


# --- Running ------------------------------------------------------------------------------

STAGES = (
    ("sources", Source),
    ("eras", Era),
    ("conflicts", Conflict),
    ("participants", Participant),
    ("dialogues", Dialogue),
    ("participations", Participation),
    ("outcomes", Outcome),
    ("citations", Citation),
)


def generate(
    dialogues: int,
    seed: int,
    *,
    using: str = DEFAULT_DB_ALIAS,
    batch_size: int = DEFAULT_BATCH_SIZE,
    force: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Result:
    """Create a synthetic archive of `dialogues` dialogues from `seed`, all or nothing.

    Refuse (SyntheticError) when the database holds real dialogues, unless `force`. A dry run
    generates every row in memory, reports the counts and writes nothing. `progress`, if given,
    is called with (stage, rows done, rows in the stage) as the work goes on.
    """
    progress = progress or _no_progress
    batch_size = check_batch_size(batch_size)
    generator = Generator(dialogues, seed, using=using)
    if not force:
        real = real_dialogue_count(using)
        if real:
            noun = "dialogue" if real == 1 else "dialogues"
            raise SyntheticError(
                f"The database “{using}” holds {real:,} real {noun} (slugs not starting with "
                f"“{PREFIX}”). Synthetic records would be mixed in with them; use a database of "
                "their own, or --force to add them anyway."
            )
    result = Result(dry_run=dry_run)
    writer = Writer(using, batch_size, dry_run, progress)
    if dry_run:
        _run_stages(generator, writer, result)
        return result
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for _, m in STAGES)
            with connection.cursor() as cursor:
                # Ids are assigned from the tables' maxima, so no one else may insert meanwhile.
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
                # Foreign keys are checked as each batch is written rather than all at commit:
                # the queue of deferred checks would hold an entry for every row written.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        _run_stages(generator, writer, result)
        _reset_sequences(using)
        started = time.monotonic()
        progress("search index", 0, 1)
        _prepare_for_indexing(using)
        # COPY, executemany and bulk_create send no signals: the index is rebuilt by hand.
        result.indexed = search.rebuild_index(using=using)
        _analyze_dialogues(using)
        progress("search index", 1, 1)
        result.seconds["search index"] = time.monotonic() - started
        started = time.monotonic()
        progress("commit", 0, 1)
    progress("commit", 1, 1)
    result.seconds["commit"] = time.monotonic() - started
    # The same writes skip the receivers that mark cached counts and facets stale.
    caching.bump()
    return result


def _run_stages(generator: Generator, writer: Writer, result: Result) -> None:
    for stage, model in STAGES:
        started = time.monotonic()
        rows, total = getattr(generator, stage)()
        written = writer.write(stage, model, rows, total) if total else 0
        result.counts[stage] = written
        if stage in ("eras", "conflicts") and not written:
            result.reused[stage] = (
                len(generator.era_spans)
                if stage == "eras"
                else len(generator.conflicts_drawn.values)
            )
        result.seconds[stage] = time.monotonic() - started


def _prepare_for_indexing(using: str) -> None:
    """Give PostgreSQL what it needs to rebuild the search index in one pass over the archive.

    The index is built from correlated subqueries on the tables just filled. Their statistics
    still describe them as they were, often empty, which makes the planner scan whole tables
    once per dialogue: without ANALYZE a 100,000-dialogue rebuild took four minutes instead of
    about half a minute. JIT compiling the rebuild's query took over a second, and its time
    goes into text search functions that compiled expressions do not speed up.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for _, m in STAGES)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
        cursor.execute("SET LOCAL jit = off")


def _analyze_dialogues(using: str) -> None:
    """Refresh PostgreSQL's statistics on the new search vectors, for the first searches' plans."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Dialogue._meta.db_table)}")


def _reset_sequences(using: str) -> None:
    """Move id sequences past the ids written, so that later ordinary inserts do not collide.

    On PostgreSQL a sequence only ever moves forward here: ids of rows deleted earlier are not
    handed out again. SQLite's AUTOINCREMENT keeps track of explicit ids by itself.
    """
    connection = connections[using]
    models = [model for _, model in STAGES]
    if connection.vendor == "sqlite":
        return
    if connection.vendor != "postgresql":
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            table, column = model._meta.db_table, model._meta.pk.column
            cursor.execute(
                "SELECT setval(seq, GREATEST(top, pg_sequence_last_value(seq))) FROM "
                "(SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) AS s, "
                f"(SELECT max({quote(column)}) AS top FROM {quote(table)}) AS t "
                "WHERE top IS NOT NULL",
                [quote(table), column],
            )
