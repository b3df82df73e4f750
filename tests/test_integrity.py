"""The integrity checks: every kind of problem is found, and a clean archive has none."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dialogues import integrity
from dialogues.models import EXCERPT_MAX_WORDS, Citation, Dialogue, Era, Source
from tests import factories as f
from tests.archives import ESSAY, ESSAY_TITLE, OTHER_ESSAY, build_clean_archive

pytestmark = pytest.mark.django_db


def codes(problems) -> set[str]:
    return {problem.code for problem in problems}


def test_a_clean_archive_has_no_problems():
    build_clean_archive()

    assert integrity.find_problems() == []


def test_an_empty_archive_has_no_problems():
    assert integrity.find_problems() == []


# --- One table row per kind of problem: break a clean archive in one way, find that one way.


def add_overlapping_era(archive):
    f.make_era(slug="overlapper", name="Overlapper", position=3, date="2005/2015")
    return "noughties"


def add_era_after_a_gap(archive):
    f.make_era(slug="late-era", name="Late era", position=3, date="2011/2019")
    return "late-era"


def add_era_out_of_order(archive):
    f.make_era(slug="eighties", name="The eighties", position=3, date="1980/1989")
    return "eighties"


def give_era_invalid_date(archive):
    era = archive["noughties"]
    era.date = "the noughties"
    era.save()
    return "noughties"


def give_source_invalid_date(archive):
    source = archive["early"].citations.get().source
    source.date = "2006-13"
    source.save()
    return source.slug


def give_dialogue_invalid_date(archive):
    dialogue = archive["early"]
    dialogue.date = "mid-1995"
    dialogue.save()
    return dialogue.slug


def make_era_bounds_stale(archive):
    # A bulk update skips the signal that keeps the bounds in step with the date.
    Era.objects.filter(slug="nineties").update(date="1991/1999")
    return "nineties"


def move_dialogue_out_of_its_era(archive):
    dialogue = archive["early"]
    dialogue.date = "2005"
    dialogue.save()
    return dialogue.slug


def add_uncited_dialogue(archive):
    return f.make_dialogue(era=archive["nineties"], conflict=archive["conflict"], cite=False).slug


def lengthen_an_excerpt(archive):
    Citation.objects.filter(dialogue=archive["early"]).update(
        excerpt=" ".join(["word"] * (EXCERPT_MAX_WORDS + 6))
    )
    return archive["early"].slug


def empty_an_excerpt(archive):
    Citation.objects.filter(dialogue=archive["early"]).update(excerpt="   ")
    return archive["early"].slug


def cite_another_dialogues_outcome(archive):
    outcome = f.add_outcome(archive["late"])
    Citation.objects.filter(dialogue=archive["early"]).update(outcome=outcome)
    return archive["early"].slug


@pytest.mark.parametrize(
    "break_archive, code",
    [
        (add_overlapping_era, "era-overlap"),
        (add_era_after_a_gap, "era-gap"),
        (add_era_out_of_order, "era-order"),
        (give_era_invalid_date, "invalid-date"),
        (give_source_invalid_date, "invalid-date"),
        (give_dialogue_invalid_date, "invalid-date"),
        (make_era_bounds_stale, "stale-date-bounds"),
        (move_dialogue_out_of_its_era, "dialogue-outside-era"),
        (add_uncited_dialogue, "no-citation"),
        (lengthen_an_excerpt, "excerpt-too-long"),
        (empty_an_excerpt, "excerpt-empty"),
        (cite_another_dialogues_outcome, "citation-outcome"),
    ],
)
def test_each_kind_of_problem_is_found_and_names_its_record(break_archive, code):
    archive = build_clean_archive()
    slug = break_archive(archive)

    problems = integrity.find_problems()

    assert codes(problems) == {code}
    assert all(slug in problem.label for problem in problems)
    assert all(slug in str(problem) and code in str(problem) for problem in problems)


def test_an_overlap_names_both_eras():
    archive = build_clean_archive()
    f.make_era(slug="overlapper", name="Overlapper", position=3, date="2005/2015")

    (problem,) = integrity.find_problems()

    assert archive["noughties"].name in problem.message
    assert "Overlapper" in problem.message


def test_a_gap_names_the_missing_days():
    build_clean_archive()
    f.make_era(slug="late-era", position=3, date="2011/2019")

    (problem,) = integrity.find_problems()

    assert "2010-01-01 to 2010-12-31" in problem.message


def test_eras_that_meet_day_to_day_leave_no_gap():
    f.make_era(position=1, date="1990-01-01/1993-09-12")
    f.make_era(position=2, date="1993-09-13/1999")

    assert integrity.find_problems() == []


def test_an_era_with_an_invalid_date_does_not_cause_a_false_gap():
    build_clean_archive()
    middle = f.make_era(slug="middle", position=3, date="2010/2019")
    f.make_era(slug="last", position=4, date="2020/2029")
    middle.date = "the teens"
    middle.save()

    assert codes(integrity.find_problems()) == {"invalid-date"}


@pytest.mark.parametrize(
    "extra_words, flagged",
    [(0, False), (5, False), (6, True)],
)
def test_an_excerpt_may_run_a_few_words_past_the_limit(extra_words, flagged):
    archive = build_clean_archive()
    words = EXCERPT_MAX_WORDS + extra_words
    Citation.objects.filter(dialogue=archive["early"]).update(excerpt=" ".join(["w"] * words))

    problems = integrity.find_problems()

    assert ("excerpt-too-long" in codes(problems)) is flagged
    if flagged:
        assert str(words) in problems[0].message


def test_a_problem_carries_the_model_and_natural_key_of_its_record():
    archive = build_clean_archive()
    dialogue = f.make_dialogue(era=archive["nineties"], conflict=archive["conflict"], cite=False)

    (problem,) = integrity.find_problems()

    assert problem.record == ("dialogues.dialogue", (dialogue.slug,))


def grow_archive(archive, n: int) -> None:
    for _ in range(n):
        dialogue = f.make_dialogue(era=archive["nineties"], conflict=archive["conflict"])
        f.add_participant(dialogue)
        outcome = f.add_outcome(dialogue)
        Citation.objects.create(
            dialogue=dialogue,
            source=Source.objects.first(),
            outcome=outcome,
            excerpt="Once upon a time",
            paragraph=2,
        )


def test_the_record_checks_take_the_same_number_of_queries_however_large_the_archive():
    archive = build_clean_archive()
    with CaptureQueriesContext(connection) as small:
        integrity.find_problems()
    grow_archive(archive, 5)
    with CaptureQueriesContext(connection) as large:
        integrity.find_problems()

    assert Dialogue.objects.count() > 5
    assert len(large) == len(small)


# --- Excerpts against the source texts ----------------------------------------------------


@pytest.fixture
def essay_folder(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "across.txt").write_text(ESSAY, encoding="utf-8")
    return folder


def cite_essay(excerpt: str, paragraph: int) -> Citation:
    era = f.make_era(position=1, date="1990/1999")
    dialogue = f.make_dialogue(era=era, date="1995", cite=False)
    source = f.make_source(title=ESSAY_TITLE, first_words="When the delegations")
    return Citation.objects.create(
        dialogue=dialogue, source=source, excerpt=excerpt, paragraph=paragraph
    )


@pytest.mark.parametrize(
    "excerpt, paragraph, code",
    [
        ("nobody expected the talks to last.", 1, None),
        # Straight quotes, a hyphen for the dash, one space for the line break.
        ('The hotel\'s meeting room was "too small for two peoples," one of them said -', 2, None),
        # Counting starts at the first words, so title and byline are not paragraphs.
        ("Neither side would say so in public. For months, the drafts", 3, None),
        ("nobody expected the talks to last", 2, "excerpt-wrong-paragraph"),
        ("nobody expected the talks to end", 1, "excerpt-not-verbatim"),
        ("Nobody expected the talks to last", 1, "excerpt-not-verbatim"),
        ("former negotiator", 1, "excerpt-not-verbatim"),
        ("nobody expected the talks to last", 4, "paragraph-missing"),
        ("nobody expected the talks to last", 0, "paragraph-missing"),
    ],
)
def test_an_excerpt_is_checked_against_its_cited_paragraph(essay_folder, excerpt, paragraph, code):
    cite_essay(excerpt, paragraph)

    problems = integrity.find_problems(sources_dir=essay_folder)

    assert [problem.code for problem in problems] == ([code] if code else [])


def test_an_excerpt_in_the_wrong_paragraph_says_where_it_is(essay_folder):
    cite_essay("Neither side would say so in public.", 1)

    (problem,) = integrity.find_problems(sources_dir=essay_folder)

    assert "paragraph 3" in problem.message


def test_a_missing_paragraph_says_how_many_there_are(essay_folder):
    cite_essay("Critics disagreed.", 7)

    (problem,) = integrity.find_problems(sources_dir=essay_folder)

    assert problem.code == "paragraph-missing"
    assert "1 to 3" in problem.message
    assert "not in any paragraph" in problem.message


def test_a_source_without_a_text_file_is_reported(essay_folder):
    cite_essay("nobody expected the talks to last.", 1)
    missing = f.make_source(title="An Essay Nobody Saved")

    problems = integrity.find_problems(sources_dir=essay_folder)

    assert [(p.code, p.label) for p in problems] == [
        ("source-text-missing", f"source {missing.slug}")
    ]


def test_a_source_whose_first_words_are_not_in_its_text_is_reported(essay_folder):
    citation = cite_essay("nobody expected the talks to last.", 1)
    Source.objects.filter(pk=citation.source_id).update(first_words="It was a dark night")

    problems = integrity.find_problems(sources_dir=essay_folder)

    assert codes(problems) == {"first-words-missing"}


def test_the_file_carrying_the_title_in_its_heading_is_chosen(essay_folder):
    # The other essay names this one's title in its body, so both files contain it.
    (essay_folder / "back-channels.txt").write_text(OTHER_ESSAY, encoding="utf-8")
    cite_essay("nobody expected the talks to last.", 1)

    assert integrity.find_problems(sources_dir=essay_folder) == []


def test_two_files_with_the_same_heading_are_reported_as_ambiguous(essay_folder):
    (essay_folder / "copy.txt").write_text(ESSAY, encoding="utf-8")
    cite_essay("nobody expected the talks to last.", 1)

    assert codes(integrity.find_problems(sources_dir=essay_folder)) == {"source-text-ambiguous"}


def test_the_source_text_check_takes_the_same_number_of_queries_however_many_citations(
    essay_folder,
):
    citation = cite_essay("nobody expected the talks to last.", 1)
    texts = integrity.read_source_texts(essay_folder)
    with CaptureQueriesContext(connection) as small:
        integrity.check_source_texts(texts)
    for paragraph in (2, 3, 3):
        dialogue = f.make_dialogue(era=citation.dialogue.era, date="1996", cite=False)
        Citation.objects.create(
            dialogue=dialogue, source=citation.source, excerpt="the drafts", paragraph=paragraph
        )
    with CaptureQueriesContext(connection) as large:
        problems = integrity.check_source_texts(texts)

    assert len(problems) == 1  # the excerpt is in paragraph 3, not 2
    assert len(large) == len(small)


def write_unreadable_text(folder):
    (folder / "bad.txt").write_bytes(b"Talking Across the Line\n\n\xff\xfe broken")
    return "UTF-8"


@pytest.mark.parametrize(
    "make_folder, expected",
    [
        (lambda tmp: tmp / "nowhere", "does not exist"),
        (lambda tmp: (tmp / "a.txt").write_text("x") and tmp / "a.txt", "is a file"),
        (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "holds no .txt files"),
        (lambda tmp: write_unreadable_text(tmp) and tmp, "not UTF-8"),
        (lambda tmp: "", "No folder was given"),
    ],
    ids=["missing", "a-file", "empty", "not-utf-8", "blank"],
)
def test_an_unusable_sources_folder_raises_a_clear_error(tmp_path, make_folder, expected):
    folder = make_folder(tmp_path)

    with pytest.raises(integrity.SourceTextError, match=expected):
        integrity.find_problems(sources_dir=folder)


@pytest.mark.parametrize(
    "excerpt, paragraph, code",
    [
        ("nobody expected the talks to last.", 1, None),
        ("nobody expected the talks to end", 1, "excerpt-not-verbatim"),
        ("nobody expected the talks to last", 3, "excerpt-wrong-paragraph"),
    ],
)
def test_each_side_of_a_disagreement_is_checked_against_its_paragraph(
    essay_folder, excerpt, paragraph, code
):
    source = cite_essay("nobody expected the talks to last.", 1).source
    other = f.make_source(title="Another Essay Nobody Saved")
    point = f.make_disagreement(
        (source, paragraph, excerpt, "One version."), (other, 1, "Other words.", "Another.")
    )

    problems = [
        p for p in integrity.find_problems(sources_dir=essay_folder) if p.code.startswith("excerpt")
    ]

    assert [p.code for p in problems] == ([code] if code else [])
    if code:
        assert problems[0].label.startswith(f"sources-differ {point.slug} / {source.slug}")


def test_a_photo_caption_and_the_closing_lines_count_as_paragraphs(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    text = "A Title\n\nFirst words here.\n\nPhoto (C) Someone\n\nAfter the caption.\n\nBy-line.\n"
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (source_text,) = integrity.read_source_texts(folder)

    paragraphs = source_text.paragraphs("First words")

    assert paragraphs == [
        "First words here.",
        "Photo (C) Someone",
        "After the caption.",
        "By-line.",
    ]


# --- A dialogue lies in its era when the span its date states does.


@pytest.mark.parametrize(
    ("date", "inside"),
    [
        ("2006?", True),  # claims 2006; the library pads it to 2005-2007
        ("2006", True),
        ("2006-05/2006-09?", True),
        ("2006~", False),  # about 2006 may be 2005 or 2007
        ("2006%", False),  # about 2006, uncertain: approximate all the same
        ("2007?", False),
        ("2005/2006", False),
    ],
)
def test_an_uncertain_date_belongs_to_the_era_of_the_year_it_claims(date, inside):
    f.make_era(slug="before", name="Before", position=1, date="2003/2005")
    era = f.make_era(slug="the-year", name="The year", position=2, date="2006")
    f.make_era(slug="after", name="After", position=3, date="2007/2010")
    dialogue = f.make_dialogue(era=era, date="2006")
    Dialogue.objects.filter(pk=dialogue.pk).update(date=date)
    dialogue.refresh_from_db()
    dialogue.save()  # recompute the bounds for the new date

    problems = [p for p in integrity.find_problems() if p.code == "dialogue-outside-era"]

    assert (problems == []) is inside
    # The admin's validation agrees with the check.
    if inside:
        dialogue.full_clean()
    else:
        with pytest.raises(ValidationError):
            dialogue.full_clean()


def test_the_padding_of_an_inherited_uncertainty_may_reach_the_next_era():
    before = f.make_era(slug="before", name="Before", position=1, date="2003/2005")
    era = f.make_era(slug="the-year", name="The year", position=2, date="2006")
    dialogue = f.make_dialogue(era=era, date="2006?")

    assert dialogue.date_earliest <= before.date_latest  # 2005: the library's extra year
    assert integrity.find_problems() == []
