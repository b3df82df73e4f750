"""The import's `series_list`: a dialogue's place in each published series with its evidence,
checked row by row with messages that say what is accepted, written all or nothing, put back
by an undo, and read back unchanged from the export."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from dialogues import editorial
from dialogues.imports import apply
from dialogues.imports.plan import make_plan
from dialogues.models import Basis, Dialogue, Series, SeriesMembership

from ..factories import make_dialogue

pytestmark = pytest.mark.django_db

STATED = "oslo-channel | 2 | stated | memoir | 7 | We met again a month later"
INFERRED = "forum | 1 | inferred | The same hosts and agenda as the forum's other meetings."


@pytest.fixture
def series(world):
    made = {}
    for slug, status in (
        ("oslo-channel", "published"),
        ("forum", "published"),
        ("secret", "draft"),
    ):
        made[slug] = Series.objects.create(
            slug=slug, name=slug.title(), kind="forum", status=status
        )
    return made


def _memberships(slug):
    rows = SeriesMembership.objects.filter(dialogue__slug=slug).order_by("series__slug")
    return [
        (m.series.slug, m.position, m.basis, m.cited_paragraph, m.cited_excerpt, m.reason)
        for m in rows
    ]


def test_stated_and_inferred_memberships_are_imported_and_undo_restores_them(
    world, series, good_row, to_csv, editor
):
    batch, plan = apply.store(
        "new.csv", to_csv({**good_row, "series_list": f"{STATED}\n{INFERRED}"}), user=editor
    )
    assert plan.is_clean, [p.message for row in plan.rows for p in row.problems]
    apply.run_import(batch, user=editor)
    assert _memberships("talks-in-oslo") == [
        ("forum", 1, Basis.INFERRED, None, "", INFERRED.split(" | ", 3)[3]),
        ("oslo-channel", 2, Basis.STATED, 7, "We met again a month later", ""),
    ]
    stated = SeriesMembership.objects.get(series__slug="oslo-channel")
    assert stated.cited_source == world.memoir
    assert not stated.evidence_problems()

    # A draft series' membership, which no public file can name, is kept by a later import.
    dialogue = Dialogue.objects.get(slug="talks-in-oslo")
    SeriesMembership.objects.create(
        series=series["secret"], dialogue=dialogue, position=1, basis="inferred", reason="Hosts."
    )
    moved = "oslo-channel | 3 | inferred | The memoir's order of meetings."
    changed = {**good_row, "slug": "talks-in-oslo", "series_list": moved}
    (row,) = make_plan("again.csv", to_csv(changed)).rows
    assert row.action == "changed"
    assert ("series_list", STATED, moved) in row.diff
    assert ("series_list", INFERRED, "—") in row.diff
    batch, _ = apply.store("again.csv", to_csv(changed), user=editor)
    apply.run_import(batch, user=editor)
    assert [m[:3] for m in _memberships("talks-in-oslo")] == [
        ("oslo-channel", 3, Basis.INFERRED),
        ("secret", 1, Basis.INFERRED),
    ]

    apply.undo(batch, user=editor, reason="the wrong file")
    assert [m[:4] for m in _memberships("talks-in-oslo")] == [
        ("forum", 1, Basis.INFERRED, None),
        ("oslo-channel", 2, Basis.STATED, 7),
        ("secret", 1, Basis.INFERRED, None),
    ]


@pytest.mark.parametrize(
    "cell, message",
    [
        ("atlantis | 1 | inferred | A guess.", "No published series has the slug “atlantis”"),
        ("secret | 1 | inferred | A guess.", "No published series has the slug “secret”"),
        ("forum | 1", "The evidence is missing"),
        ("forum | first | inferred | A guess.", "must be a whole number from 1 to 32767"),
        ("forum | 0 | inferred | A guess.", "must be a whole number from 1 to 32767"),
        ("forum | 1 | rumoured | A guess.", "“rumoured” is not a kind of evidence"),
        ("forum | 1 | inferred", "An inferred membership needs its reason"),
        ("forum | 1 | stated | memoir | 7", "A stated membership needs its source, paragraph"),
        ("forum | 1 | stated | diary | 7 | We met.", "No source has the slug “diary”"),
        ("forum | 1 | stated | memoir | ² | We met.", "The paragraph “²” must be a number"),
        ("forum | 1 | stated | memoir | 7 | " + "word " * 40, "quote at most about 30"),
        (f"{INFERRED}\n{INFERRED}", "This series is listed twice"),
    ],
)
def test_a_bad_row_is_invalid_and_says_what_is_accepted(
    world, series, good_row, to_csv, cell, message
):
    (row,) = make_plan("file.csv", to_csv({**good_row, "series_list": cell})).rows
    assert row.action == "invalid"
    found = [p.message for p in row.problems if p.column == "series_list"]
    assert any(message in text for text in found), found


def test_a_position_held_by_another_dialogue_or_claimed_twice_is_refused_and_nothing_written(
    world, series, good_row, to_csv, editor
):
    holder = make_dialogue(slug="holder", era=world.nineties, conflict=world.conflict)
    SeriesMembership.objects.create(
        series=series["forum"], dialogue=holder, position=1, basis="inferred", reason="Hosts."
    )
    (row,) = make_plan("file.csv", to_csv({**good_row, "series_list": INFERRED})).rows
    assert row.action == "invalid"
    assert any("Another dialogue holds position 1" in p.message for p in row.problems)

    free = "forum | 2 | inferred | The same hosts."
    second = {**good_row, "title": "More talks in Oslo", "series_list": free}
    plan = make_plan("two.csv", to_csv({**good_row, "series_list": free}, second))
    assert [row.action for row in plan.rows] == ["new", "invalid"]
    assert any("Row 2 puts its dialogue at position 2" in p.message for p in plan.rows[1].problems)
    before = SeriesMembership.objects.count()
    batch, _ = apply.store("two.csv", to_csv({**good_row, "series_list": free}, second))
    with pytest.raises(apply.ImportRefused):
        apply.run_import(batch, user=editor)
    assert SeriesMembership.objects.count() == before
    assert not Dialogue.objects.filter(slug="talks-in-oslo").exists()


def test_two_dialogues_may_exchange_their_positions_in_one_file(
    world, series, good_row, to_csv, editor
):
    first = make_dialogue(slug="first", era=world.nineties, conflict=world.conflict)
    second = make_dialogue(slug="second", era=world.nineties, conflict=world.conflict)
    for dialogue, position in ((first, 1), (second, 2)):
        SeriesMembership.objects.create(
            series=series["forum"], dialogue=dialogue, position=position, basis="inferred",
            reason="Hosts.",
        )  # fmt: skip
    rows = [
        {**good_row, "slug": slug, "title": slug, "series_list": f"forum | {n} | inferred | Hosts."}
        for slug, n in (("first", 2), ("second", 1))
    ]
    batch, plan = apply.store("swap.csv", to_csv(*rows), user=editor)
    assert plan.is_clean, [p.message for row in plan.rows for p in row.problems]
    apply.run_import(batch, user=editor)
    assert _memberships("first")[0][:2] == ("forum", 2)
    assert _memberships("second")[0][:2] == ("forum", 1)


def test_an_exported_file_imported_again_changes_no_membership(
    client, world, series, good_row, to_csv, editor
):
    wanted = {**good_row, "series_list": f"{STATED}\n{INFERRED}"}
    batch, _ = apply.store("new.csv", to_csv(wanted), user=editor)
    apply.run_import(batch, user=editor)
    dialogue = Dialogue.objects.get(slug="talks-in-oslo")
    editorial.publish(dialogue, user=None)
    SeriesMembership.objects.create(
        series=series["secret"], dialogue=dialogue, position=1, basis="inferred", reason="Hosts."
    )
    exported = b"".join(client.get("/dialogues/export.csv").streaming_content)
    assert b"We met again a month later" in exported
    assert b"secret |" not in exported  # a draft series is not named to readers
    (row,) = make_plan("export.csv", exported).rows
    assert row.action == "unchanged", row.diff
    assert len(_memberships("talks-in-oslo")) == 3


def test_the_template_documents_the_column(editor_client):
    response = editor_client.get(reverse("admin:dialogues_importbatch_template"))
    header, example = list(csv.reader(io.StringIO(response.content.decode())))[:2]
    cell = example[header.index("series_list")]
    assert cell.split(" | ")[2] == "inferred"
