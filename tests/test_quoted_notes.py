"""Quotations inside the archive's own words are checked against the source texts."""

from __future__ import annotations

import pytest

from dialogues import integrity
from tests import factories as f
from tests.archives import ESSAY, ESSAY_TITLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay_folder(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "across.txt").write_text(ESSAY, encoding="utf-8")
    f.make_source(title=ESSAY_TITLE, first_words="When the delegations")
    return folder


def quotation_problems(folder):
    return [p for p in integrity.find_problems(folder) if p.code == "quotation-not-verbatim"]


@pytest.mark.parametrize(
    "bio",
    [
        "Said the room was “too small for two peoples” (¶2).",
        "Met “in Stockholm” (¶1–¶3).",  # a range: any paragraph in it
        "Recalled that “the drafts travelled” (the essay, ¶3).",
        "Said the room was “The hotel’s meeting room … too small” (¶2).",  # a cut, marked
        "Unquoted words, or a quotation with no paragraph: “anything at all”.",
    ],
)
def test_a_quotation_the_source_bears_out_is_no_problem(essay_folder, bio):
    f.make_participant(bio=bio)

    assert quotation_problems(essay_folder) == []


@pytest.mark.parametrize(
    "bio",
    [
        "Said the room was “too small for both peoples” (¶2).",  # not verbatim
        "Met “in Stockholm” (¶2).",  # the wrong paragraph
        "Said it was “too small … and cried” (¶2).",  # one part is not there
    ],
)
def test_a_quotation_the_source_does_not_bear_out_is_reported(essay_folder, bio):
    participant = f.make_participant(bio=bio)

    (problem,) = quotation_problems(essay_folder)

    assert problem.record == ("dialogues.participant", (participant.slug,))
    assert problem.label.endswith(": bio")
    assert "is not verbatim" in problem.message


def test_a_dialogue_s_summary_is_checked_too(essay_folder):
    f.make_dialogue(summary="It opened with “everybody expected” (¶1).")

    (problem,) = quotation_problems(essay_folder)

    assert problem.label.endswith(": summary")
