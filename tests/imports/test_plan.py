import pytest

from dialogues.imports.plan import make_plan
from dialogues.models import Participation, Status

from ..factories import make_dialogue

pytestmark = pytest.mark.django_db

WORDS_40 = " ".join(["word"] * 40)

# (column changed, its value, the column the problem names, words the message must hold)
INVALID = [
    ("date_edtf", "1993-13-45", "date_edtf", "is not a valid EDTF date. Valid examples"),
    ("date_edtf", "", "date_edtf", "is not a valid EDTF date"),
    ("era_slug", "atlantis", "era_slug", "No era has this slug. Accepted: nineties, noughties"),
    ("date_edtf", "2004", "date_edtf", "lies outside the era “The nineties”"),
    ("date_edtf", "1999/2001", "date_edtf", "lies outside the era"),
    ("citation_list", "", "citation_list", "Missing citation"),
    ("citation_list", f"memoir | 7 | {WORDS_40}", "citation_list", "The excerpt has 40 words"),
    ("citation_list", "atlas | 7 | We met", "citation_list", "No source has the slug “atlas”"),
    ("citation_list", "memoir | seven | We met", "citation_list", "must be a number"),
    ("citation_list", "memoir | ² | We met", "citation_list", "in the digits 0-9"),
    ("citation_list", "memoir | ٣ | We met", "citation_list", "in the digits 0-9"),
    ("citation_list", "memoir | 0 | We met", "citation_list", "must be a number from 1"),
    ("citation_list", "memoir | 99999999999 | We met", "citation_list", "to 999,999,999"),
    ("citation_list", "memoir | 7", "citation_list", "source-slug | paragraph | excerpt"),
    ("participant_list", "nobody | organiser", "participant_list", "No participant has the slug"),
    ("participant_list", "yair | boss", "participant_list", "Unknown role “boss”. Accepted:"),
    ("participant_list", "yair | organiser | secret", "participant_list", "Accepted flags"),
    ("participant_list", "yair | organiser | until 2030-01-01", "participant_list", "withheld"),
    ("participant_list", "yair | organiser\nyair | observer", "participant_list", "twice"),
    ("outcome_list", "peace | It worked.", "outcome_list", "Unknown outcome kind “peace”"),
    ("outcome_list", "stalled", "outcome_list", "kind | description"),
    ("track_code", "track_iii", "track_code", "Accepted: track_ii, track_ii_to_i"),
    ("venue_kind_code", "castle", "venue_kind_code", "Accepted: not_stated, hotel"),
    ("conflict_slug", "mars", "conflict_slug", "Accepted: levant"),
    ("embargo_until", "next week", "embargo_until", "YYYY-MM-DD"),
    ("title", "", "title", "A title is required"),
    ("summary", "", "summary", "A summary is required"),
    ("slug", "Not a slug!", "slug", "letters, digits, hyphens"),
]


@pytest.mark.parametrize(("column", "value", "named", "message"), INVALID)
def test_an_invalid_cell_names_its_row_column_value_and_what_is_accepted(
    world, good_row, to_csv, column, value, named, message
):
    bad = {**good_row, column: value}
    plan = make_plan("file.csv", to_csv(good_row | {"title": "Fine"}, bad))
    fine, row = plan.rows
    assert fine.action == "new"
    assert row.action == "invalid" and row.number == 3
    problems = [p for p in row.problems if p.column == named]
    assert problems, row.problems
    assert any(message in p.message for p in problems), problems
    if value.strip():
        assert any(p.value.strip() and p.value.rstrip("…") in value for p in problems)
    assert not plan.is_clean


def test_a_valid_row_is_new_with_a_slug_made_from_its_title(world, good_row, to_csv):
    make_dialogue(slug="talks-in-oslo", era=world.nineties, conflict=world.conflict)
    plan = make_plan("file.csv", to_csv(good_row, good_row))
    assert [row.action for row in plan.rows] == ["new", "new"]
    # The title's slug is taken in the archive, and the next one by the first row.
    assert [row.slug for row in plan.rows] == ["talks-in-oslo-2", "talks-in-oslo-3"]
    assert plan.is_clean


def test_a_slug_given_twice_makes_the_second_row_invalid(world, good_row, to_csv):
    row = good_row | {"slug": "oslo"}
    plan = make_plan("file.csv", to_csv(row, row))
    assert [r.action for r in plan.rows] == ["new", "invalid"]
    assert "Row 2 has the same slug" in plan.rows[1].problems[0].message


def test_a_changed_published_record_shows_its_diff_and_that_it_goes_live(world, good_row, to_csv):
    dialogue = make_dialogue(
        slug="oslo", title="Talks in Oslo", era=world.nineties, conflict=world.conflict, cite=False
    )
    row = good_row | {"slug": "oslo", "place": "Sarpsborg"}
    plan = make_plan("file.csv", to_csv(row))
    (result,) = plan.rows
    assert result.action == "changed" and result.published
    diff = {column: (before, after) for column, before, after in result.diff}
    assert diff["place"] == ("—", "Sarpsborg")
    assert diff["date_edtf"] == (dialogue.date, "1993-01")
    assert diff["citation_list"] == ("—", "memoir | 7 | We met at a farmhouse near Oslo")


def test_a_withdrawn_record_is_refused_only_when_the_row_would_change_it(world, good_row, to_csv):
    make_dialogue(slug="oslo", era=world.nineties, conflict=world.conflict, status=Status.WITHDRAWN)
    plan = make_plan("file.csv", to_csv(good_row | {"slug": "oslo"}))
    assert plan.rows[0].action == "invalid"
    assert "withdrawn" in plan.rows[0].problems[0].message


def test_masked_participants_keep_the_withheld_ones_and_must_match_them(world, good_row, to_csv):
    dialogue = make_dialogue(slug="oslo", era=world.nineties, conflict=world.conflict)
    Participation.objects.create(dialogue=dialogue, participant=world.ahmed, withheld=True)
    row = good_row | {"slug": "oslo"}
    masked = "* | participant | withheld"
    plan = make_plan("file.csv", to_csv(row | {"participant_list": f"yair | organiser\n{masked}"}))
    assert plan.rows[0].action == "changed"
    assert [d for d in plan.rows[0].diff if d[0] == "participant_list"] == [
        ("participant_list", "—", "yair | organiser")
    ]
    twice = f"yair | organiser\n{masked}\n{masked}"
    plan = make_plan("file.csv", to_csv(row | {"participant_list": twice}))
    assert plan.rows[0].action == "invalid"
    assert "withheld today and not named" in plan.rows[0].problems[0].message
    # Without masked rows the cell is the whole list, as in the editors' export: the dry run
    # shows the withheld participant going.
    plan = make_plan("file.csv", to_csv(row | {"participant_list": "yair | organiser"}))
    assert ("participant_list", "ahmed | participant | withheld", "—") in plan.rows[0].diff


def test_the_plan_reads_the_archive_in_a_fixed_number_of_queries(
    world, good_row, to_csv, django_assert_max_num_queries
):
    def rows(n):
        return [good_row | {"title": f"Talks {i}"} for i in range(n)]

    with django_assert_max_num_queries(15):
        small = make_plan("file.csv", to_csv(*rows(3)))
    with django_assert_max_num_queries(15):
        large = make_plan("file.csv", to_csv(*rows(60)))
    assert small.count("new") == 3 and large.count("new") == 60
