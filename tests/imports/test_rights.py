"""An editor's import may not decide what readers see; a publisher's may."""

import datetime

import pytest
from django.contrib.auth.models import Group, User

from dialogues.imports import apply
from dialogues.models import Dialogue, Participation

from ..factories import add_participant, make_dialogue

pytestmark = pytest.mark.django_db


@pytest.fixture
def publisher(db):
    user = User.objects.create_user("publisher", is_staff=True)
    user.groups.add(Group.objects.get(name="Publishers"))
    return user


@pytest.fixture
def oslo(world):
    dialogue = make_dialogue(
        slug="oslo", era=world.nineties, conflict=world.conflict, date="1993-01"
    )
    row = add_participant(dialogue, world.ahmed)
    row.withheld, row.withheld_until = True, datetime.date(2040, 1, 1)
    row.save()
    return dialogue


def _row(good_row, oslo, **cells):
    citation = oslo.citations.get()
    return good_row | {
        "slug": "oslo",
        "title": oslo.title,
        "summary": oslo.summary,
        "participant_list": "ahmed | participant | withheld, until 2040-01-01",
        "outcome_list": "",
        "citation_list": f"{citation.source.slug} | {citation.paragraph} | {citation.excerpt}",
        **cells,
    }


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"embargo_until": "2099-01-01"}, "embargo_until"),  # set: takes a public record down
        ({"participant_list": "ahmed | participant"}, "participant_list"),  # name unwithheld
        (
            {"participant_list": "ahmed | participant | withheld, until 2030-01-01"},
            "participant_list",
        ),
        (
            {"participant_list": "ahmed | participant | withheld, until 2040-01-01, side shown"},
            "participant_list",
        ),
    ],
)
def test_an_editors_import_may_not_decide_what_readers_see(
    world, good_row, to_csv, oslo, editor, publisher, cells, column
):
    content = to_csv(_row(good_row, oslo, **cells))
    batch, plan = apply.store("m.csv", content, user=editor)
    (row,) = plan.rows
    assert row.action == "invalid"
    (problem,) = row.problems
    assert problem.column == column
    assert "publisher" in problem.message
    with pytest.raises(apply.ImportRefused):
        apply.run_import(batch, user=editor)
    # The same file, by a publisher, is imported.
    batch, plan = apply.store("m.csv", content, user=publisher)
    assert plan.rows[0].action == "changed"
    apply.run_import(batch, user=publisher)
    assert Dialogue.objects.get(slug="oslo").version == oslo.version + 1


def test_an_editors_import_may_not_lift_an_embargo_a_new_record_may_not_bring_one(
    world, good_row, to_csv, oslo, editor
):
    Dialogue.objects.filter(pk=oslo.pk).update(embargo_until=datetime.date(2099, 1, 1))
    lifted = _row(good_row, oslo, embargo_until="")
    new = good_row | {"embargo_until": "2099-01-01"}
    _, plan = apply.store("m.csv", to_csv(lifted, new), user=editor)
    assert [row.action for row in plan.rows] == ["invalid", "invalid"]
    assert [p.column for row in plan.rows for p in row.problems] == ["embargo_until"] * 2
    assert "2099-01-01" in plan.rows[0].problems[0].message  # what the record has now


def test_an_editor_may_withhold_a_name_by_import(world, good_row, to_csv, oslo, editor):
    cells = {"participant_list": "ahmed | participant | withheld"}  # no end date: later
    batch, plan = apply.store("m.csv", to_csv(_row(good_row, oslo, **cells)), user=editor)
    assert plan.rows[0].action == "changed"
    apply.run_import(batch, user=editor)
    assert Participation.objects.get(dialogue=oslo).withheld_until is None


def test_an_import_checks_the_rights_of_whoever_imports_it(
    world, good_row, to_csv, oslo, editor, publisher
):
    content = to_csv(_row(good_row, oslo, embargo_until="2099-01-01"))
    batch, plan = apply.store("m.csv", content, user=publisher)
    assert plan.is_clean
    with pytest.raises(apply.ImportRefused):
        apply.run_import(batch, user=editor)
    assert Dialogue.objects.get(slug="oslo").embargo_until is None


def test_undo_that_would_lift_an_embargo_needs_a_publisher(
    world, good_row, to_csv, oslo, editor, publisher
):
    batch, _ = apply.store("m.csv", to_csv(_row(good_row, oslo, embargo_until="2099-01-01")))
    apply.run_import(batch, user=publisher)
    with pytest.raises(apply.ImportRefused, match="embargo_until"):
        apply.undo(batch, user=editor, reason="wrong file")
    assert Dialogue.objects.get(slug="oslo").embargo_until == datetime.date(2099, 1, 1)
    apply.undo(batch, user=publisher, reason="wrong file")
    assert Dialogue.objects.get(slug="oslo").embargo_until is None


def test_an_editor_may_not_add_back_named_a_person_withheld_before_an_earlier_import(
    world, good_row, to_csv, oslo, editor, publisher
):
    batch, plan = apply.store("m.csv", to_csv(_row(good_row, oslo, participant_list="")))
    assert plan.rows[0].action == "changed"
    apply.run_import(batch, user=editor)  # removing a withheld row shows nothing more
    assert not Participation.objects.filter(dialogue=oslo).exists()
    named = to_csv(
        _row(good_row, Dialogue.objects.get(pk=oslo.pk), participant_list="ahmed | participant")
    )
    batch, plan = apply.store("m.csv", named, user=editor)
    (row,) = plan.rows
    assert row.action == "invalid"
    (problem,) = row.problems
    assert problem.column == "participant_list"
    assert "withheld in an earlier version and removed since" in problem.message
    with pytest.raises(apply.ImportRefused):
        apply.run_import(batch, user=editor)
    assert not Participation.objects.filter(dialogue=oslo).exists()
    # Withheld again, an editor may; named, a publisher may.
    again = to_csv(
        _row(
            good_row,
            Dialogue.objects.get(pk=oslo.pk),
            participant_list="ahmed | participant | withheld",
        )
    )
    assert apply.store("m.csv", again, user=editor)[1].rows[0].action == "changed"
    batch, plan = apply.store("m.csv", named, user=publisher)
    assert plan.rows[0].action == "changed"
    apply.run_import(batch, user=publisher)
    assert not Participation.objects.get(dialogue=oslo).withheld
