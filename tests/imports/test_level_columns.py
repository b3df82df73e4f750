"""The import reads the status of talks, the level and its evidence: unknown codes are named
with the accepted ones, and a file exported and imported again changes nothing."""

from __future__ import annotations

import pytest

from dialogues.imports import apply
from dialogues.imports.plan import make_plan
from dialogues.models import Dialogue, Level, TalksStatus

from ..factories import make_dialogue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("talks_code", "maybe", "Not a known status of talks. Accepted: held, proposed"),
        ("level_code", "track_iv", "Not a known level (track). Accepted: track_i, track_1_5"),
    ],
)
def test_an_unknown_code_names_the_accepted_ones(world, good_row, to_csv, column, value, message):
    plan = make_plan("file.csv", to_csv({**good_row, column: value}))
    (row,) = plan.rows
    assert row.action == "invalid"
    problems = [p for p in row.problems if p.column == column]
    assert problems and message in problems[0].message
    assert problems[0].value == value
    assert not plan.is_clean


def test_the_level_and_its_evidence_are_imported_and_shown_in_the_diff(
    world, good_row, to_csv, editor
):
    wanted = {
        **good_row,
        "talks_code": "proposed",
        "level_code": "track_1_5",
        "level_note": "Inferred from ¶3: officials sat unofficially.",
    }
    batch, plan = apply.store("levels.csv", to_csv(wanted), user=editor)
    assert plan.is_clean
    apply.run_import(batch, user=editor)
    dialogue = Dialogue.objects.get(slug="talks-in-oslo")
    assert (dialogue.talks, dialogue.level) == (TalksStatus.PROPOSED, Level.TRACK_1_5)
    assert dialogue.level_note == "Inferred from ¶3: officials sat unofficially."
    changed = {**wanted, "slug": "talks-in-oslo", "level_code": "track_ii"}
    (row,) = make_plan("again.csv", to_csv(changed)).rows
    assert ("level_code", "track_1_5", "track_ii") in row.diff


def test_a_file_without_the_new_columns_leaves_them_as_they_are(world, good_row, to_csv, editor):
    dialogue = make_dialogue(
        slug="kept", era=world.nineties, conflict=world.conflict, level=Level.TRACK_I,
        level_note="Stated in ¶4.",
    )  # fmt: skip
    columns = [c for c in good_row if c not in ("talks_code", "level_code", "level_note")]
    row = {**good_row, "slug": "kept"}
    batch, _ = apply.store("old.csv", to_csv(row, columns=columns), user=editor)
    apply.run_import(batch, user=editor)
    dialogue.refresh_from_db()
    assert (dialogue.level, dialogue.level_note) == (Level.TRACK_I, "Stated in ¶4.")
