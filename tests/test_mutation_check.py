"""The mutation check's own logic, without running the suite: `make mutation-check` does that."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from scripts import mutation_check
from scripts.mutation_check import (
    MUTANTS,
    Mutant,
    StaleCheck,
    apply_patch,
    copy_tracked_tree,
    foreign_modules,
    mutate,
    verdict,
)

ROOT = Path(__file__).resolve().parent.parent


def mutant(search="old", replace="new", name="demo") -> Mutant:
    return Mutant(name=name, breaks="a demo", path="module.py", search=search, replace=replace)


def test_the_mutants_break_the_named_behaviours():
    assert {(m.name, m.path) for m in MUTANTS} == {
        ("sort-ignored", "dialogues/listing/filters.py"),
        ("facet-counts-own-filter", "dialogues/listing/facets.py"),
        ("embargo-ignored", "dialogues/models/publishing.py"),
        ("snippet-not-escaped", "dialogues/search/snippets.py"),
        ("date-earliest-a-day-early", "dialogues/dates.py"),
        ("date-earliest-a-day-late", "dialogues/dates.py"),
    }


@pytest.mark.parametrize("m", MUTANTS, ids=lambda m: m.name)
def test_every_mutant_still_applies_once_and_leaves_valid_python(m):
    source = (ROOT / m.path).read_text(encoding="utf-8")
    mutated = apply_patch(source, m)
    assert mutated != source
    compile(mutated, m.path, "exec")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nothing to see", "is not in module.py"),
        ("old and old again", "occurs 2 times in module.py"),
    ],
)
def test_a_patch_that_does_not_match_exactly_once_fails_loudly(text, message):
    with pytest.raises(StaleCheck, match=message) as raised:
        apply_patch(text, mutant())
    assert "mutant demo" in str(raised.value)


def test_a_patch_replaces_its_one_match():
    assert apply_patch("keep old keep", mutant()) == "keep new keep"


@pytest.mark.parametrize(
    ("returncode", "expected"),
    [
        (1, "caught"),
        (0, "SURVIVED"),
        (2, "ERROR (pytest exit 2, not a test failure)"),
        (3, "ERROR (pytest exit 3, not a test failure)"),
        (4, "ERROR (pytest exit 4, not a test failure)"),
        (5, "ERROR (pytest exit 5, not a test failure)"),
    ],
)
def test_only_failing_tests_count_as_caught(returncode, expected):
    assert verdict(returncode) == expected


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "module.py").write_text("value = 'old'\n")
    (root / "new_test.py").write_text("# not added yet\n")
    (root / "db.sqlite3").write_text("ignored\n")
    (root / ".gitignore").write_text("db.sqlite3\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "pkg", ".gitignore"], cwd=root, check=True)
    return root


def test_the_copy_holds_the_files_git_would_track_and_not_ignored_ones(repo, tmp_path):
    copy = tmp_path / "copy"
    copy_tracked_tree(repo, copy)
    files = sorted(str(p.relative_to(copy)) for p in copy.rglob("*") if p.is_file())
    assert files == [".gitignore", "new_test.py", "pkg/module.py"]


def test_a_mutant_changes_the_copy_and_never_the_working_tree(repo, tmp_path):
    copy = tmp_path / "copy"
    copy_tracked_tree(repo, copy)
    m = Mutant(name="demo", breaks="a demo", path="pkg/module.py", search="'old'", replace="'new'")
    mutate(copy, m)
    assert (copy / "pkg" / "module.py").read_text() == "value = 'new'\n"
    assert (repo / "pkg" / "module.py").read_text() == "value = 'old'\n"


def test_a_stale_mutant_stops_the_check_before_any_suite_runs(repo):
    stale = Mutant(name="stale", breaks="x", path="pkg/module.py", search="gone", replace="y")
    # A python that does not exist would fail any run, so reaching one would raise otherwise.
    with pytest.raises(StaleCheck, match="mutant stale"):
        mutation_check.check([stale], python="/nonexistent/python", repo=repo)


def test_project_modules_imported_from_outside_the_copy_are_named(tmp_path):
    copy = tmp_path / "copy"
    modules = {
        "dialogues": SimpleNamespace(__file__=str(copy / "dialogues" / "__init__.py")),
        "dialogues.dates": SimpleNamespace(__file__="/elsewhere/dialogues/dates.py"),
        "trackii.settings": SimpleNamespace(__file__=str(tmp_path / "copy2" / "settings.py")),
        "django": SimpleNamespace(__file__="/site-packages/django/__init__.py"),
        "tests": SimpleNamespace(),  # a namespace package has no file
    }
    assert foreign_modules(modules, str(copy)) == {
        "dialogues.dates": "/elsewhere/dialogues/dates.py",
        "trackii.settings": str(tmp_path / "copy2" / "settings.py"),
    }


def test_list_names_every_mutant_and_what_it_breaks(capsys):
    assert mutation_check.main(["--list"]) == 0
    out = capsys.readouterr().out
    for m in MUTANTS:
        assert m.name in out and m.breaks in out


def test_an_unknown_mutant_name_is_refused_with_the_known_ones(capsys):
    with pytest.raises(SystemExit) as exited:
        mutation_check.main(["--only", "nonsense"])
    assert exited.value.code == 2
    assert "unknown mutant nonsense; known: sort-ignored" in capsys.readouterr().err


def test_a_moved_test_module_of_the_script_stops_the_check(repo):
    fine = Mutant(name="fine", breaks="x", path="pkg/module.py", search="'old'", replace="'new'")
    with pytest.raises(StaleCheck, match="tests/test_mutation_check.py moved"):
        mutation_check.check([fine], python="/nonexistent/python", repo=repo)
