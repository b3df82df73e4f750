"""A small archive for the listing tests: two eras, four dialogues, both sides, outcomes."""

from __future__ import annotations

import pytest

from dialogues.models import OutcomeKind, Role, Side
from dialogues.search.index import rebuild_index
from tests.factories import (
    add_outcome,
    add_participant,
    make_conflict,
    make_dialogue,
    make_era,
    make_participant,
)


@pytest.fixture
def archive(db):
    early = make_era(slug="early", name="Early years", position=1, date="1975/1989")
    late = make_era(slug="late", name="Late years", position=2, date="1990/1999")
    conflict = make_conflict(slug="ip", name="Israeli–Palestinian conflict")
    israeli = make_participant(slug="amos", name="Amos", side=Side.ISRAELI, background="academic")
    other_israeli = make_participant(
        slug="dan", name="Dan", side=Side.ISRAELI, background="academic"
    )
    palestinian = make_participant(
        slug="leila", name="Leila", side=Side.PALESTINIAN, background="journalist"
    )
    first = make_dialogue(
        slug="first",
        title="First talks",
        era=early,
        conflict=conflict,
        date="1976~",
        summary="Scholars met to talk about water.",
    )
    second = make_dialogue(
        slug="second",
        title="Second",
        era=early,
        conflict=conflict,
        date="1988",
        place="Rome",
        summary="A walkout over water rights.",
    )
    third = make_dialogue(
        slug="third", title="Third talks", era=late, conflict=conflict, date="1992/1993"
    )
    fourth = make_dialogue(slug="fourth", title="Fourth", era=late, conflict=conflict, date="1995")
    add_participant(first, israeli)
    add_participant(first, other_israeli)
    add_participant(first, palestinian)
    add_participant(second, israeli, role=Role.ORGANISER)
    add_participant(third, palestinian)
    add_outcome(second, OutcomeKind.WALKOUT, "Someone walked out.")
    add_outcome(third, OutcomeKind.WALKOUT, "A walkout again.")
    add_outcome(third, OutcomeKind.BECAME_OFFICIAL, "It became official.")
    # Inside the test's transaction nothing commits, so the on-commit reindex never runs.
    rebuild_index()
    return {
        "eras": {"early": early, "late": late},
        "dialogues": {d.slug: d for d in (first, second, third, fourth)},
        "participants": {"amos": israeli, "dan": other_israeli, "leila": palestinian},
    }
