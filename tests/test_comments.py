"""Comments and docstrings that name code name code that exists.

Every dotted path into the project's packages (`dialogues.listing.browse.Browse`) named in a
comment or docstring must import (a module, then attributes of it), and every path to a file of
the repository (`dialogues/models/removals.py`) must exist. A move or a rename that leaves a
comment pointing at the old place fails here.
"""

from __future__ import annotations

import ast
import importlib
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("dialogues", "synthetic", "trackii", "bench", "scripts", "tests")
FOLDERS = (*PACKAGES, "templates", "static", "deploy", "fixtures", ".ci")
DOTTED = re.compile(rf"(?<![\w./-])(?:{'|'.join(PACKAGES)})(?:\.[A-Za-z_]\w*)+")
FILE = re.compile(rf"(?<![\w./-])(?:{'|'.join(re.escape(f) for f in FOLDERS)})/[\w./*-]*[\w*/]")
# A module named by its file alone ("see writes.py"): it must be a file of the project.
BARE_FILE = re.compile(r"(?<![\w./-])[a-z_][a-z0-9_]*\.py\b")
# A file name given as an example (`dialogues.csv`), not a module path.
FILE_SUFFIXES = (".py", ".html", ".json", ".md", ".txt", ".csv", ".xlsx", ".zip", ".atom")


def _sources() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def _prose(path: Path) -> list[tuple[int, str]]:
    """Each comment and docstring of the module at `path`, with its line."""
    text = path.read_text()
    found = [
        (token.start[0], token.string)
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.COMMENT
    ]
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            docstring = ast.get_docstring(node, clean=False)
            if docstring:
                found.append((node.body[0].lineno, docstring))
    return found


def _imports(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                try:
                    target = importlib.import_module(f"{target.__name__}.{name}")
                except (ImportError, AttributeError):
                    return False
            else:
                target = getattr(target, name)
        return True
    return False


def _is_placeholder(name: str) -> bool:
    """A name standing for any (`scripts.NAME`), not one that must exist."""
    return any(part.isupper() for part in re.split(r"[./]", name))


def _ignored_by_git(path: str) -> bool:
    """A folder git ignores is made by a run (bench/tmp/): it need not exist in the tree."""
    lines = (ROOT / ".gitignore").read_text().splitlines()
    return any(line.endswith("/") and path.rstrip("/") + "/" == line for line in lines)


def _exists(path: str) -> bool:
    path = path.rstrip("/.")
    if "*" in path:
        return any(ROOT.glob(path))
    # A template is named relative to templates/, as Django looks it up.
    return (ROOT / path).exists() or (ROOT / "templates" / path).exists()


def _file_named(name: str) -> bool:
    return (
        any(any((ROOT / package).rglob(name)) for package in (*PACKAGES, "manage.py"))
        or (ROOT / name).exists()
    )


def named_in_prose():
    for path in _sources():
        for line, text in _prose(path):
            where = f"{path.relative_to(ROOT)}:{line}"
            for dotted in DOTTED.findall(text):
                if dotted.endswith(FILE_SUFFIXES) or _is_placeholder(dotted):
                    continue
                yield where, "module", dotted.rstrip(".")
            for file in FILE.findall(text):
                if not _is_placeholder(file):
                    yield where, "file", file
            for name in BARE_FILE.findall(text):
                yield where, "file name", name


CHECKS = {
    "module": _imports,
    "file": lambda name: _exists(name) or _ignored_by_git(name),
    "file name": _file_named,
}


def test_the_scan_finds_what_the_comments_name():
    named = {(kind, name) for _, kind, name in named_in_prose()}
    assert ("module", "dialogues.writes") in named or ("file", "dialogues/writes.py") in named
    assert len(named) > 20


def test_every_module_and_file_a_comment_names_exists():
    missing = sorted(
        f"{where}: {kind} {name}"
        for where, kind, name in named_in_prose()
        if not CHECKS[kind](name)
    )
    assert missing == [], "comments name what is not there:\n" + "\n".join(missing)


@pytest.mark.parametrize(
    "name, kind, exists",
    [
        ("dialogues.listing.browse.Browse", "module", True),
        ("dialogues.history_of_everything", "module", False),
        ("dialogues/models/removals.py", "file", True),
        ("dialogues/history.py", "file", False),
        ("bench/tmp/", "file", True),
        ("writes.py", "file name", True),
        ("signals.py", "file name", False),
    ],
)
def test_a_missing_name_is_told_from_a_real_one(name, kind, exists):
    assert CHECKS[kind](name) is exists
