"""Plan the records that hang off dialogues: who took part, what came of it, what is cited.

These stages run after the dialogues have been planned, and read what the generator kept of
the earlier stages: the dialogues' tracks and first id, the participants' ids and activity
weights, and the sources' ids.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

from dialogues.models import (
    Basis,
    Capacity,
    Citation,
    Outcome,
    OutcomeKind,
    Participation,
    Role,
    Track,
)

from . import sampling
from .sampling import Weighted
from .writer import row

# Half the seats state no capacity, as in the sources; the rest spread over the others.
CAPACITIES = (Capacity.NOT_STATED,) * 4 + tuple(c for c in Capacity if c != Capacity.NOT_STATED)
CAPACITY_NOTE = "Synthetic: drawn at random."


class DialogueParts:
    """The participations, outcomes and citations stages of the Generator.

    Mixed into the Generator, whose `n`, `rng()`, `words()` and `next_id()` these use, with the
    state its earlier stages leave: `tracks`, `dialogue_first`, `participant_ids`,
    `participants_drawn` and `source_ids`.
    """

    def participations(self) -> tuple[Iterator[tuple], int]:
        """Plan who took part in each dialogue; the count is only known once planned.

        Every participant first joins one dialogue picked at random, so that nobody is left
        without any; the rest of each dialogue's seats go by the power-law weights.
        """
        rng = self.rng("participations")
        sizes = Weighted(sampling.PEOPLE_PER_DIALOGUE)
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
        roles = Weighted(sampling.ROLES)
        organisations = getattr(self, "organisation_ids", ())
        proposed = sampling.TRACK_INDEX[Track.PROPOSED]
        start, pk = 0, first
        for i, end in enumerate(self.people_end):
            for seat, participant in enumerate(self.people[start:end]):
                if self.tracks[i] == proposed:
                    role = Role.PROPOSER if seat == 0 else Role.PROPOSED
                else:
                    role = roles.draw(rng)
                note = words.sentence(5, 12) if rng.random() < 0.1 else ""
                capacity = CAPACITIES[int(rng.random() * len(CAPACITIES))]
                # Synthetic names are all public: not withheld, no date, side not shown.
                yield row(
                    Participation,
                    id=pk,
                    dialogue_id=self.dialogue_first + i,
                    participant_id=participant,
                    role=role,
                    note=note,
                    withheld=False,
                    withheld_until=None,
                    show_side=False,
                    capacity=capacity,
                    capacity_basis="" if capacity == Capacity.NOT_STATED else Basis.INFERRED,
                    capacity_note="" if capacity == Capacity.NOT_STATED else CAPACITY_NOTE,
                    # Officials sit for an organisation, when the organisations stage ran.
                    on_behalf_of_id=(
                        rng.choice(organisations)
                        if organisations and capacity in (Capacity.SERVING, Capacity.PERSONAL)
                        else None
                    ),
                )
                pk += 1
            start = end

    def outcomes(self) -> tuple[Iterator[tuple], int]:
        rng = self.rng("outcomes")
        sizes = Weighted(sampling.OUTCOMES_PER_DIALOGUE)
        self.outcome_count = bytearray(self.n)
        for i in range(self.n):
            self.outcome_count[i] = sizes.draw(rng)
        total = sum(self.outcome_count)
        self.outcome_first = self.next_id(Outcome)
        return self._outcome_rows(), total

    def _outcome_rows(self) -> Iterator[tuple]:
        rng, words = self.rng("outcome-rows"), self.words("outcomes")
        proposed, official = (
            sampling.TRACK_INDEX[Track.PROPOSED],
            sampling.TRACK_INDEX[Track.TRACK_II_TO_I],
        )
        pk = self.outcome_first
        for i, count in enumerate(self.outcome_count):
            if not count:
                continue
            pool = (
                sampling.PROPOSED_OUTCOME_KINDS
                if self.tracks[i] == proposed
                else sampling.OUTCOME_KINDS
            )
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
        sizes = Weighted(sampling.CITATIONS_PER_DIALOGUE)
        self.citation_count = bytearray(self.n)
        for i in range(self.n):
            self.citation_count[i] = sizes.draw(rng)
        return self._citation_rows(self.next_id(Citation)), sum(self.citation_count)

    def _citation_rows(self, first: int) -> Iterator[tuple]:
        rng, words = self.rng("citation-rows"), self.words("citations")
        sources = Weighted.zipf(self.source_ids, sampling.SOURCE_EXPONENT)
        pk, outcome_pk, people_start = first, self.outcome_first, 0
        for i, count in enumerate(self.citation_count):
            outcomes = range(outcome_pk, outcome_pk + self.outcome_count[i])
            outcome_pk += self.outcome_count[i]
            people = self.people[people_start : self.people_end[i]]
            people_start = self.people_end[i]
            for paragraph in sorted(rng.sample(range(1, 81), count)):
                outcome = rng.choice(outcomes) if outcomes and rng.random() < 0.4 else None
                participant = rng.choice(people) if people and rng.random() < 0.25 else None
                yield row(
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
