"""What each dialogue is indexed on: the same columns, gathered alike on both databases."""

from __future__ import annotations

import pytest

from dialogues.search.columns import COLUMNS, id_filter, texts


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_every_column_has_an_expression_on_the_aliased_dialogue(vendor):
    expressions = texts(vendor, alias="x")
    assert tuple(expressions) == COLUMNS
    # The English title first, then each translation only where there is one.
    assert expressions["title"].startswith("x.title || ")
    for field in ("x.title_he", "x.title_ar", "x.summary_he", "x.summary_ar"):
        assert f"nullif({field}, '')" in expressions[field.split("_")[0][2:]]
    for column in ("people", "outcomes", "excerpts"):
        assert "x.id" in expressions[column]
        # Joined values are ordered, so snippets read the same on every run.
        assert "ORDER BY" in expressions[column]


def test_id_filter_keeps_the_batch_or_everything():
    assert id_filter("d.id", [3, 5]) == ("WHERE d.id IN (%s, %s)", [3, 5])
    assert id_filter("d.id", None) == ("", [])
