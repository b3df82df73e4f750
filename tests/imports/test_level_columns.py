"""The import reads the status of talks, the level and its evidence: unknown codes are named
with the accepted ones, and a file exported and imported again changes nothing."""

from __future__ import annotations

import pytest

from dialogues import editorial
from dialogues.imports import apply
from dialogues.imports.plan import make_plan
from dialogues.models import Dialogue, DialoguePlace, Level, Place, TalksStatus

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


@pytest.fixture
def places():
    made = {}
    for slug, status in (("rome", "published"), ("amman", "published"), ("villa", "draft")):
        made[slug] = Place.objects.create(slug=slug, name=slug.title(), country="IT", status=status)
    return made


def _places_of(slug):
    rows = DialoguePlace.objects.filter(dialogue__slug=slug).order_by("position", "pk")
    return [row.place.slug for row in rows]


def test_an_unknown_or_repeated_place_is_named(world, good_row, to_csv, places):
    for cell, message in (
        ("rome\natlantis", "No place has the slug “atlantis”"),
        ("rome\nrome", "This place is listed twice"),
    ):
        (row,) = make_plan("file.csv", to_csv({**good_row, "place_slugs": cell})).rows
        assert row.action == "invalid"
        assert any(message in p.message for p in row.problems if p.column == "place_slugs")


def test_places_are_imported_in_order_a_draft_place_is_kept_and_undo_restores(
    world, good_row, to_csv, editor, places
):
    batch, plan = apply.store(
        "new.csv", to_csv({**good_row, "place_slugs": "rome\namman"}), user=editor
    )
    assert plan.is_clean
    apply.run_import(batch, user=editor)
    assert _places_of("talks-in-oslo") == ["rome", "amman"]
    dialogue = Dialogue.objects.get(slug="talks-in-oslo")
    DialoguePlace.objects.create(dialogue=dialogue, place=places["villa"], position=3)
    changed = {**good_row, "slug": "talks-in-oslo", "place_slugs": "amman"}
    (row,) = make_plan("again.csv", to_csv(changed)).rows
    assert ("place_slugs", "rome\namman", "amman") in row.diff
    batch, _ = apply.store("again.csv", to_csv(changed), user=editor)
    apply.run_import(batch, user=editor)
    # The cell names the published places; the draft place, which no public file can name, stays.
    assert _places_of("talks-in-oslo") == ["amman", "villa"]
    apply.undo(batch, user=editor, reason="the wrong file")
    assert sorted(_places_of("talks-in-oslo")) == ["amman", "rome", "villa"]


def test_an_exported_file_imported_again_changes_no_place(
    client, world, good_row, to_csv, editor, places
):
    batch, _ = apply.store(
        "new.csv", to_csv({**good_row, "place_slugs": "amman\nrome"}), user=editor
    )
    apply.run_import(batch, user=editor)
    dialogue = Dialogue.objects.get(slug="talks-in-oslo")
    editorial.publish(dialogue, user=None)
    DialoguePlace.objects.create(dialogue=dialogue, place=places["villa"], position=3)
    response = client.get("/dialogues/export.csv")
    exported = b"".join(response.streaming_content)
    assert b"villa" not in exported  # a draft place is not named to readers
    (row,) = make_plan("export.csv", exported).rows
    assert row.action == "unchanged", row.diff
    assert _places_of("talks-in-oslo") == ["amman", "rome", "villa"]
