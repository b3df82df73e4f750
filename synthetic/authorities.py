"""The synthetic archive's organisations, places, series, name forms and affiliations (issue
21), so that the new filters are measured at scale: organisations that participants sit for,
places with coordinates (some dialogues with two, read "A or B"), series with their dialogues
in order, participants' names in Hebrew, Arabic and Latin scripts, and people's posts in
organisations with a role kind and EDTF dates, some held twice, each with its citation."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from dialogues.models import (
    Affiliation,
    AffiliationCitation,
    DialoguePlace,
    NameVariant,
    Organisation,
    OrganisationKind,
    Place,
    RoleKind,
    Series,
    SeriesKind,
    SeriesMembership,
    Status,
)

from .writer import row

PREFIX = "synthetic-"
COUNTRIES = ("IL", "PS", "JO", "EG", "NO", "SE", "IT", "CH", "US", "GB", "FR", "DE")
SCRIPTS = (
    ("he", "Hebr", 0x05D0, 0x05EA),
    ("ar", "Arab", 0x0627, 0x064A),
    ("en", "Latn", 0x0061, 0x007A),
)
NOTE = "Synthetic: made up for testing at scale."
# Fixed, so that a seed gives the same rows on every run.
MADE = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def _word(rng, low: int, high: int) -> str:
    return "".join(chr(rng.randint(low, high)) for _ in range(rng.randint(3, 7)))


class AuthorityParts:
    """Stages of the Generator; each returns (rows, count) like the others."""

    def organisations(self) -> tuple[Iterator[tuple], int]:
        count = max(3, self.n // 200)
        first = self.next_id(Organisation)
        self.organisation_ids = list(range(first, first + count))
        rng, kinds = self.rng("organisations"), list(OrganisationKind.values)
        rows = (
            row(
                Organisation,
                id=pk,
                slug=f"{PREFIX}organisation-{pk}",
                name=f"{_word(rng, 0x61, 0x7A).capitalize()} Institute {pk}",
                kind=rng.choice(kinds),
                country=rng.choice(COUNTRIES),
                status=Status.PUBLISHED,
                published_at=MADE,
                created=MADE,
                updated=MADE,
            )
            for pk in self.organisation_ids
        )
        return rows, count

    def places(self) -> tuple[Iterator[tuple], int]:
        count = max(5, self.n // 500)
        first = self.next_id(Place)
        self.place_ids = list(range(first, first + count))
        rng = self.rng("places")
        rows = (
            row(
                Place,
                id=pk,
                slug=f"{PREFIX}place-{pk}",
                name=f"{_word(rng, 0x61, 0x7A).capitalize()}ville",
                country=rng.choice(COUNTRIES),
                latitude=round(rng.uniform(-60, 70), 5),
                longitude=round(rng.uniform(-170, 170), 5),
                geography_source=NOTE,
                status=Status.PUBLISHED,
                published_at=MADE,
                created=MADE,
                updated=MADE,
            )
            for pk in self.place_ids
        )
        return rows, count

    def series(self) -> tuple[Iterator[tuple], int]:
        count = max(2, self.n // 1000)
        first = self.next_id(Series)
        self.series_ids = list(range(first, first + count))
        rng, kinds = self.rng("series"), list(SeriesKind.values)
        rows = (
            row(
                Series,
                id=pk,
                slug=f"{PREFIX}series-{pk}",
                name=f"The {_word(rng, 0x61, 0x7A)} process",
                kind=rng.choice(kinds),
                status=Status.PUBLISHED,
                published_at=MADE,
                created=MADE,
                updated=MADE,
            )
            for pk in self.series_ids
        )
        return rows, count

    def dialogue_places(self) -> tuple[Iterator[tuple], int]:
        rng = self.rng("dialogue-places")
        # One place for most dialogues, two alternatives for some, none for a few.
        plan = [rng.choice((0, 1, 1, 1, 2)) for _ in range(self.n)]
        first = self.next_id(DialoguePlace)

        def rows():
            pk = first
            for i, size in enumerate(plan):
                for position, place in enumerate(rng.sample(self.place_ids, size), start=1):
                    yield row(
                        DialoguePlace,
                        id=pk,
                        dialogue_id=self.dialogue_first + i,
                        place_id=place,
                        position=position,
                    )
                    pk += 1

        return rows(), sum(plan)

    def memberships(self) -> tuple[Iterator[tuple], int]:
        rng = self.rng("memberships")
        chosen = [(i, rng.choice(self.series_ids)) for i in range(self.n) if rng.random() < 0.2]
        first = self.next_id(SeriesMembership)

        def rows():
            positions = dict.fromkeys(self.series_ids, 0)
            for pk, (i, series) in enumerate(chosen, start=first):
                positions[series] += 1
                yield row(
                    SeriesMembership,
                    id=pk,
                    series_id=series,
                    dialogue_id=self.dialogue_first + i,
                    position=positions[series],
                    basis="inferred",
                    reason=NOTE,
                )

        return rows(), len(chosen)

    def name_forms(self) -> tuple[Iterator[tuple], int]:
        rng = self.rng("name-forms")
        chosen = [pk for pk in self.participant_ids if rng.random() < 0.3]
        first = self.next_id(NameVariant)

        def rows():
            for pk, participant in enumerate(chosen, start=first):
                language, script, low, high = rng.choice(SCRIPTS)
                yield row(
                    NameVariant,
                    id=pk,
                    participant_id=participant,
                    name=f"{_word(rng, low, high)} {_word(rng, low, high)}",
                    kind="alternative",
                    language=language,
                    script=script,
                    archive_note=NOTE,
                )

        return rows(), len(chosen)

    def affiliations(self) -> tuple[Iterator[tuple], int]:
        """About a third of the people hold a post; some hold two, or the same role twice."""
        rng, roles = self.rng("affiliations"), list(RoleKind.values)
        people = getattr(self, "person_ids", self.participant_ids)
        planned = []
        for person in people:
            if rng.random() >= 0.35:
                continue
            organisation, role = rng.choice(self.organisation_ids), rng.choice(roles)
            start = rng.randint(1970, 2015)
            spells = [(organisation, role, start, start + rng.randint(1, 8))]
            chance = rng.random()
            if chance < 0.15:
                # The same role again, later: a second spell is a row of its own.
                again = spells[0][3] + rng.randint(1, 5)
                spells.append((organisation, role, again, None))
            elif chance < 0.4:
                spells.append((rng.choice(self.organisation_ids), rng.choice(roles), None, None))
            planned.extend((person, *spell) for spell in spells)
        first = self.next_id(Affiliation)
        self.affiliation_ids = list(range(first, first + len(planned)))

        def rows():
            for pk, (person, organisation, role, start, end) in zip(
                self.affiliation_ids, planned, strict=True
            ):
                # Uncertain dates in EDTF: a year, an approximate year, or a span of years.
                if start is None:
                    start_text = ""
                else:
                    start_text = rng.choice((f"{start}", f"{start}~", f"{start}/{start + 1}"))
                end_text = f"{end}" if end is not None else ""
                yield row(
                    Affiliation,
                    id=pk,
                    participant_id=person,
                    organisation_id=organisation,
                    role=role,
                    title=rng.choice(("", "President", "Director", "Fellow", "Adviser")),
                    start=start_text,
                    end=end_text,
                    note=NOTE,
                    status=Status.PUBLISHED,
                    published_at=MADE,
                    created=MADE,
                    updated=MADE,
                )

        return rows(), len(planned)

    def affiliation_citations(self) -> tuple[Iterator[tuple], int]:
        """One passage for each affiliation, which a published one needs."""
        rng = self.rng("affiliation-citations")
        first = self.next_id(AffiliationCitation)
        ids = getattr(self, "affiliation_ids", [])

        def rows():
            for pk, affiliation in enumerate(ids, start=first):
                yield row(
                    AffiliationCitation,
                    id=pk,
                    affiliation_id=affiliation,
                    source_id=rng.choice(self.source_ids),
                    paragraph=rng.randint(1, 30),
                    excerpt="Synthetic: a made-up passage naming the post.",
                )

        return rows(), len(ids)
