"""Compile the interface's translation catalogues (locale/*/LC_MESSAGES/django.po) into the .mo
files Django reads, with Babel: GNU gettext's msgfmt is not needed, so a fresh machine with only
Python compiles them. The compiled files are committed, and a test checks that each still says
what its .po says (`stale`).

    python -m scripts.catalogues           # compile every catalogue
    python -m scripts.catalogues --check   # exit 1 if a .mo is missing or stale
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def catalogues(root: Path = LOCALE) -> list[Path]:
    """Every .po file under `root`, in a stable order."""
    return sorted(root.glob("*/LC_MESSAGES/*.po"))


def _read_po(po: Path):
    with po.open("rb") as handle:
        # The language comes from the header's "Language:" line.
        return read_po(handle)


def messages(catalog) -> dict:
    """The translated messages of a catalogue: (context, msgid) → msgstr, fuzzy ones left out
    (as msgfmt and write_mo leave them out)."""
    found = {}
    for m in catalog:
        string = tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string
        if not m.id or m.fuzzy or not string or (isinstance(string, tuple) and not all(string)):
            continue
        ident = tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id
        found[(m.context, ident)] = string
    return found


def compiled(po: Path) -> bytes:
    """The .mo bytes for `po`."""
    buffer = io.BytesIO()
    write_mo(buffer, _read_po(po), use_fuzzy=False)
    return buffer.getvalue()


def stale(po: Path) -> list[str]:
    """What differs between `po` and its .mo beside it: [] when they say the same."""
    mo = po.with_suffix(".mo")
    if not mo.exists():
        return [f"{mo} is missing"]
    with mo.open("rb") as handle:
        have = messages(read_mo(handle))
    want = messages(_read_po(po))
    problems = [f"{mo}: {key[1]!r} is not compiled" for key in want.keys() - have.keys()]
    problems += [f"{mo}: {key[1]!r} is no longer in the .po" for key in have.keys() - want.keys()]
    problems += [
        f"{mo}: {key[1]!r} is translated differently"
        for key in want.keys() & have.keys()
        if want[key] != have[key]
    ]
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale .mo files")
    args = parser.parse_args(argv)
    if args.check:
        problems = [problem for po in catalogues() for problem in stale(po)]
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    for po in catalogues():
        po.with_suffix(".mo").write_bytes(compiled(po))
        print(f"compiled {po.relative_to(LOCALE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
