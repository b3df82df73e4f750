"""Plan a synthetic archive stage by stage: sources, eras, conflicts, participants, dialogues,
participations, outcomes and citations, as rows ready to write.

Every synthetic slug starts with `syn-`, which is how synthetic records are told from real ones.
The same seed gives the same rows, and the same ids when the tables start empty: all randomness
comes from `random.Random` instances seeded from the seed and the stage's name.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Max
from django.utils.text import slugify

from dialogues.models import (
    Affiliation,
    AffiliationCitation,
    Citation,
    Conflict,
    Dialogue,
    DialoguePlace,
    Era,
    NameVariant,
    Organisation,
    Outcome,
    Participant,
    ParticipantKind,
    Participation,
    Place,
    Series,
    SeriesMembership,
    Side,
    Source,
    Status,
    VenueKind,
)
from dialogues.models.table import FROM_TRACK

from . import sampling, vocabulary
from .arguments import check_dialogues, check_seed
from .authorities import AuthorityParts
from .parts import DialogueParts
from .sampling import EraSpan, Weighted, era_dates, timestamps
from .vocabulary import (
    CONFLICT_NAMES,
    GROUP_PATTERNS,
    PLACES,
    PUBLICATIONS,
    Words,
    build_vocabulary,
)
from .writer import row

PREFIX = "syn-"


class SyntheticError(Exception):
    """The archive cannot take synthetic records as asked; the message says why."""


class Generator(AuthorityParts, DialogueParts):
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
            year = rng.randint(sampling.FIRST_YEAR, sampling.LAST_YEAR)
            author = vocabulary.person_name(rng, rng.choice(list(Side)))
            topic, other = words.content(2)
            title = f"{topic.capitalize()} and {other}: notes from the talks"
            publication = rng.choice(PUBLICATIONS).format(
                Topic=topic.capitalize(), Pseudo=vocabulary.pseudo(words)
            )
            created, updated = timestamps(rng)
            yield row(
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
        spans = era_dates(sampling.ERA_COUNT, sampling.FIRST_YEAR, sampling.LAST_YEAR)
        self.era_spans = []
        rows = []
        words = self.words("eras")
        for position, edtf in enumerate(spans, 1):
            pk = first + position - 1
            start, end = (int(year) for year in edtf.split("/"))
            earliest, latest = datetime.date(start, 1, 1), datetime.date(end, 12, 31)
            self.era_spans.append(EraSpan(pk, earliest, latest))
            rows.append(
                row(
                    Era,
                    id=pk,
                    date=edtf,
                    date_earliest=earliest,
                    date_latest=latest,
                    date_note="",
                    slug=f"{PREFIX}era-{pk}",
                    name=f"The {vocabulary.pseudo(words)} years, {start}–{end}",
                    position=position,
                    summary=words.sentences(6, 14, 1, 2),
                    boundary_note="A synthetic era: the years are split evenly.",
                )
            )
        return iter(rows), len(rows)

    def conflicts(self) -> tuple[Iterator[tuple], int]:
        existing = list(Conflict.objects.using(self.using).order_by("pk").values_list("pk"))
        if existing:
            self.conflicts_drawn = Weighted.zipf(
                [pk for (pk,) in existing], sampling.CONFLICT_EXPONENT
            )
            return iter(()), 0
        first = self.next_id(Conflict)
        ids = list(range(first, first + len(CONFLICT_NAMES)))
        self.conflicts_drawn = Weighted.zipf(ids, sampling.CONFLICT_EXPONENT)
        rows = [
            row(Conflict, id=pk, slug=f"{PREFIX}conflict-{pk}", name=name, summary=summary)
            for pk, (name, summary) in zip(ids, CONFLICT_NAMES, strict=True)
        ]
        return iter(rows), len(rows)

    def participants(self) -> tuple[Iterator[tuple], int]:
        first = self.next_id(Participant)
        ids = list(range(first, first + self.participant_count))
        # Activity ranks are shuffled, so the busiest participants are not simply the first ids.
        ranked = ids[:]
        self.rng("participant-ranks").shuffle(ranked)
        self.participants_drawn = Weighted.zipf(ranked, sampling.PARTICIPANT_EXPONENT)
        self.participant_ids = ids
        return self._participant_rows(ids), len(ids)

    def _participant_rows(self, ids: list[int]) -> Iterator[tuple]:
        rng, words = self.rng("participants"), self.words("participants")
        sides, kinds = Weighted(sampling.SIDES), Weighted(sampling.KINDS)
        person_backgrounds, group_backgrounds = (
            Weighted(sampling.PERSON_BACKGROUNDS),
            Weighted(sampling.GROUP_BACKGROUNDS),
        )
        places = Weighted.zipf(PLACES, sampling.PLACE_EXPONENT)
        # The people among them, for the affiliations stage (groups hold no posts).
        self.person_ids = []
        for pk in ids:
            side, kind = sides.draw(rng), kinds.draw(rng)
            if kind == ParticipantKind.PERSON:
                self.person_ids.append(pk)
                name = vocabulary.person_name(rng, side)
                background = person_backgrounds.draw(rng)
            else:
                topic, other = (word.capitalize() for word in words.content(2))
                name = rng.choice(GROUP_PATTERNS).format(
                    place=places.draw(rng),
                    Topic=topic,
                    Other=other,
                    Pseudo=vocabulary.pseudo(words),
                )
                background = group_backgrounds.draw(rng)
            created, updated = timestamps(rng)
            yield row(
                Participant,
                id=pk,
                created=created,
                updated=updated,
                slug=f"{PREFIX}{pk}-{slugify(name)}"[:100].rstrip("-"),
                name=name,
                kind=kind,
                side=side,
                side_note="",
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
        uncertain = set(rng.sample(range(self.n), round(self.n * sampling.UNCERTAIN_SHARE)))
        tracks, venues = Weighted(sampling.TRACKS), Weighted(sampling.VENUE_KINDS)
        places = Weighted.zipf(PLACES, sampling.PLACE_EXPONENT)
        self.tracks = bytearray(self.n)
        for i in range(self.n):
            pk = first + i
            era = eras.draw(rng)
            if i in uncertain:
                edtf, earliest, latest, note = era.uncertain(rng)
            else:
                edtf, earliest, latest, note = era.precise(rng)
            track = tracks.draw(rng)
            self.tracks[i] = sampling.TRACK_INDEX[track]
            place = places.draw(rng) if rng.random() < 0.9 else ""
            venue_kind = venues.draw(rng)
            if venue_kind == VenueKind.ONLINE and latest.year < 2000:
                venue_kind = VenueKind.NOT_STATED
            title = vocabulary.title(rng, words, place)
            created, updated = timestamps(rng, latest)
            yield row(
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
                venue=vocabulary.venue(rng, words, venue_kind, place),
                venue_kind=venue_kind,
                track=track,
                # Read from the track as migration 0015 reads the archive's own.
                talks=FROM_TRACK[track][0],
                level=FROM_TRACK[track][1],
                level_note="Synthetic: read from the track; the capacities are drawn apart.",
                summary=words.sentences(6, 16, 2, 4),
                # Test data stands for a published archive: every page and count sees it.
                status=Status.PUBLISHED,
                review_requested=False,
                published_at=created,
                embargo_until=None,
                withdrawn_at=None,
                withdrawal_reason="",
                replaced_by_id=None,
            )


# The stages in the order they are planned and written: each one's rows point at earlier ones.
STAGES = (
    ("sources", Source),
    ("eras", Era),
    ("conflicts", Conflict),
    ("participants", Participant),
    ("organisations", Organisation),
    ("places", Place),
    ("series", Series),
    ("dialogues", Dialogue),
    ("participations", Participation),
    ("outcomes", Outcome),
    ("citations", Citation),
    ("dialogue_places", DialoguePlace),
    ("memberships", SeriesMembership),
    ("name_forms", NameVariant),
    ("affiliations", Affiliation),
    ("affiliation_citations", AffiliationCitation),
)
