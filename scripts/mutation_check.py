"""Break named behaviours one at a time and show that the test suite fails for each.

    python -m scripts.mutation_check            # the control run, then every mutant
    python -m scripts.mutation_check --list     # name the mutants and what each breaks

A green suite is only worth something if it turns red when the code is wrong. Each mutant is an
exact search-and-replace in one module, applied to a throwaway copy of the files git tracks, so the
working tree is never left mutated, even if the run is killed. The whole non-browser suite runs
from that copy with `-x`. A mutant counts as caught only when pytest reports failing tests (exit
code 1): a crash, a collection error or an interrupted run proves nothing about the tests. The
unmutated copy runs first as a control and must pass.

When the code a mutant patches moves, the patch no longer matches exactly once and this script
stops with an error naming the mutant: update the mutant rather than letting it pass silently.

The same module is the pytest plugin (`-p scripts.mutation_check`) loaded into every run: it
refuses to run tests against project modules imported from anywhere but the copy (the editable
install points at the working tree), and records the first failing test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = ("dialogues", "synthetic", "trackii", "scripts", "tests")
OWN_TESTS = "tests/test_mutation_check.py"
# The script's own tests read the sources a mutant has just patched, so they would "catch" every
# mutant and hide a real gap; they run in the ordinary suite instead.
PYTEST_ARGS = (
    "-x",
    "-q",
    "-p",
    "no:cacheprovider",
    "-m",
    "not browser",
    f"--ignore={OWN_TESTS}",
)
# Read by the plugin half of this module, inside the suite's process.
REPORT_ENV, ROOT_ENV = "MUTATION_CHECK_REPORT", "MUTATION_CHECK_ROOT"
CAUGHT_EXIT_CODE = 1  # pytest's "some tests failed"


@dataclass(frozen=True)
class Mutant:
    """One deliberate regression: `search` must occur exactly once in `path`."""

    name: str
    breaks: str
    path: str
    search: str
    replace: str


MUTANTS = (
    Mutant(
        name="sort-ignored",
        breaks="`?sort=title` (or any chosen sort) no longer orders the list",
        path="dialogues/listing/filters.py",
        search="        return SORTS[self.active_sort][1]\n",
        replace='        return SORTS["relevance" if self.searching else "date"][1]\n',
    ),
    Mutant(
        name="facet-counts-own-filter",
        breaks="a facet's counts no longer leave out the facet's own filter",
        path="dialogues/listing/facets.py",
        search="rest = selection.rest(without=self.name)",
        replace="rest = selection.rest(without=None)",
    ),
    Mutant(
        name="embargo-ignored",
        breaks="a dialogue embargoed until a later day is shown to readers now",
        path="dialogues/models/publishing.py",
        search='| Q(**{f"{prefix}embargo_until__lte": today})',
        replace='| Q(**{f"{prefix}embargo_until__isnull": False})',
    ),
    Mutant(
        name="snippet-not-escaped",
        breaks="snippet text is no longer HTML-escaped before the <mark> tags are added",
        path="dialogues/search/snippets.py",
        search="    html = escape(text)\n",
        replace="    html = text\n",
    ),
    Mutant(
        name="date-earliest-a-day-early",
        breaks="a date's earliest possible day is one day too early",
        path="dialogues/dates.py",
        search="earliest = struct_time_to_date(parsed.lower_fuzzy())\n",
        replace=(
            "earliest = struct_time_to_date(parsed.lower_fuzzy()) - datetime.timedelta(days=1)\n"
        ),
    ),
    Mutant(
        name="date-earliest-a-day-late",
        breaks="a date's earliest possible day is one day too late",
        path="dialogues/dates.py",
        search="earliest = struct_time_to_date(parsed.lower_fuzzy())\n",
        replace=(
            "earliest = struct_time_to_date(parsed.lower_fuzzy()) + datetime.timedelta(days=1)\n"
        ),
    ),
)


class StaleCheck(Exception):
    """The check no longer fits the code: a patch does not match once, or a path moved."""


def apply_patch(text: str, mutant: Mutant) -> str:
    """Return `text` with the mutant's one replacement, or raise StaleCheck."""
    found = text.count(mutant.search)
    if found != 1:
        where = "is not in" if found == 0 else f"occurs {found} times in"
        raise StaleCheck(
            f"mutant {mutant.name}: its search text {where} {mutant.path}; the code moved, so "
            f"update the mutant in scripts/mutation_check.py. Search text: {mutant.search!r}"
        )
    return text.replace(mutant.search, mutant.replace)


def mutate(tree: Path, mutant: Mutant) -> None:
    """Apply the mutant to the copy rooted at `tree`."""
    target = tree / mutant.path
    target.write_text(apply_patch(target.read_text(encoding="utf-8"), mutant), encoding="utf-8")


def tracked_files(repo: Path) -> list[str]:
    """The files git tracks or would track, as paths relative to `repo`.

    New files not yet added count, as they do for `make test`; ignored ones (.venv, databases,
    screenshots) do not.
    """
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return [name for name in out.split("\0") if name]


def copy_tracked_tree(repo: Path, dest: Path) -> None:
    """Copy those files as they are in the working tree (uncommitted edits included)."""
    for name in tracked_files(repo):
        source = repo / name
        if not source.is_file():  # deleted in the working tree but not yet in git
            continue
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest / name)


def verdict(returncode: int) -> str:
    """Say what a mutant run's pytest exit code proves."""
    if returncode == CAUGHT_EXIT_CODE:
        return "caught"
    if returncode == 0:
        return "SURVIVED"
    return f"ERROR (pytest exit {returncode}, not a test failure)"


@dataclass(frozen=True)
class Run:
    returncode: int
    seconds: float
    first_failure: str
    imported_from: str
    output: str


def run_suite(tree: Path, python: str) -> Run:
    """Run the non-browser suite from the copy at `tree`, with this module as a plugin."""
    report = tree / ".mutation-report.json"
    env = {**os.environ, ROOT_ENV: str(tree), REPORT_ENV: str(report)}
    # As `make test` does: the development settings, unless the caller chose otherwise.
    env.setdefault("DJANGO_DEBUG", "true")
    # Nothing from the working tree may leak in through the environment.
    env.pop("PYTHONPATH", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    started = time.monotonic()
    done = subprocess.run(
        [python, "-m", "pytest", "-p", "scripts.mutation_check", *PYTEST_ARGS],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    facts = json.loads(report.read_text()) if report.exists() else {}
    return Run(
        returncode=done.returncode,
        seconds=seconds,
        first_failure=facts.get("first_failure", ""),
        imported_from=facts.get("dialogues", ""),
        output=done.stdout + done.stderr,
    )


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def check(mutants=MUTANTS, *, python: str = sys.executable, repo: Path = ROOT) -> int:
    """Run the control and every mutant; return the number of problems (0 means all caught)."""
    # Every patch is checked before anything runs, so a stale mutant fails in seconds.
    for mutant in mutants:
        apply_patch((repo / mutant.path).read_text(encoding="utf-8"), mutant)
    # pytest ignores a missing --ignore path without a word, and the moved tests would then
    # "catch" every mutant.
    if not (repo / OWN_TESTS).is_file():
        raise StaleCheck(f"{OWN_TESTS} moved; update OWN_TESTS in scripts/mutation_check.py")
    problems = 0
    with tempfile.TemporaryDirectory(prefix="mutation-check-") as workspace:
        for mutant in (None, *mutants):
            tree = Path(workspace) / (mutant.name if mutant else "control")
            copy_tracked_tree(repo, tree)
            if mutant:
                mutate(tree, mutant)
            run = run_suite(tree, python)
            inside = os.path.join(os.path.realpath(tree), "")
            if not os.path.realpath(run.imported_from or os.sep).startswith(inside):
                print(f"the run imported dialogues from {run.imported_from or 'nowhere'}")
                print(_tail(run.output))
                return problems + 1
            if mutant is None:
                ok = run.returncode == 0
                result = "passed" if ok else f"FAILED (pytest exit {run.returncode})"
                print(f"control{'':<23} {result:<10} {run.seconds:6.1f} s  (dialogues from copy)")
            else:
                result = verdict(run.returncode)
                ok = result == "caught"
                shown = run.first_failure or "-"
                print(f"{mutant.name:<30} {result:<10} {run.seconds:6.1f} s  {shown}")
            sys.stdout.flush()
            if not ok:
                problems += 1
                print(_tail(run.output))
                if mutant is None:  # a failing control makes every verdict meaningless
                    return problems
            shutil.rmtree(tree)
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="name the mutants and stop")
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="run only this mutant (repeatable)"
    )
    args = parser.parse_args(argv)
    known = {mutant.name: mutant for mutant in MUTANTS}
    if args.list:
        for mutant in MUTANTS:
            print(f"{mutant.name:<30} {mutant.path}: {mutant.breaks}")
        return 0
    unknown = sorted(set(args.only or ()) - set(known))
    if unknown:
        parser.error(f"unknown mutant {', '.join(unknown)}; known: {', '.join(known)}")
    chosen = [known[name] for name in args.only] if args.only else list(MUTANTS)
    try:
        problems = check(chosen)
    except StaleCheck as exc:
        print(exc, file=sys.stderr)
        return 2
    if problems:
        print(f"{problems} problem(s): the suite must pass unmutated and fail for every mutant.")
        return 1
    print(f"All {len(chosen)} mutants were caught.")
    return 0


# --- The plugin half: runs inside the suite's process ---------------------------------------


def foreign_modules(modules: dict, root: str) -> dict[str, str]:
    """Return the project modules (name: file) that were not imported from under `root`."""
    inside = os.path.join(os.path.realpath(root), "")
    foreign = {}
    for name, module in modules.items():
        if name.split(".")[0] not in PROJECT_PACKAGES:
            continue
        path = getattr(module, "__file__", None)
        if path and not os.path.realpath(path).startswith(inside):
            foreign[name] = path
    return foreign


_facts: dict[str, str] = {}


def _record(**facts) -> None:
    _facts.update(facts)
    Path(os.environ[REPORT_ENV]).write_text(json.dumps(_facts))


def pytest_collection_finish(session) -> None:
    if REPORT_ENV not in os.environ:
        return
    module = sys.modules.get("dialogues")
    _record(dialogues=getattr(module, "__file__", None) or "")
    foreign = foreign_modules(dict(sys.modules), os.environ[ROOT_ENV])
    if foreign:
        listed = ", ".join(f"{name} from {path}" for name, path in sorted(foreign.items()))
        pytest.exit(f"project modules imported from outside the copy: {listed}", returncode=3)


def pytest_runtest_logreport(report) -> None:
    if REPORT_ENV in os.environ and report.failed and "first_failure" not in _facts:
        _record(first_failure=report.nodeid)


if __name__ == "__main__":
    sys.exit(main())
