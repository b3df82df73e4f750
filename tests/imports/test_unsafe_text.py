"""An import refuses text that XML 1.0 cannot hold, naming the row and the column."""

import pytest

from dialogues.imports.plan import make_plan


@pytest.mark.parametrize("char", ["\x01", "\x0c", "\ufffe"])
def test_an_import_refuses_the_cell_naming_row_and_column(world, good_row, to_csv, char):
    bad = good_row | {"summary": f"Academics{char} met.", "title": "Other talks"}
    plan = make_plan("file.csv", to_csv(good_row, bad))
    fine, row = plan.rows
    assert fine.action == "new"
    assert row.action == "invalid" and row.number == 3
    (problem,) = [p for p in row.problems if p.column == "summary"]
    assert f"U+{ord(char):04X}" in problem.message
    # The value is shown with the character named, not raw.
    assert problem.value == f"Academics[U+{ord(char):04X}] met."
    assert not plan.is_clean
