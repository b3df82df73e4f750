"""The import columns: their names, and how one cell holds a list of rows.

A dialogue's participations, outcomes and citations each go in one cell, one row per line,
with the fields of a row separated by ` | `:

- `participant_list`: `slug | role` and, for a confidential participation, a third field of
  flags: `withheld`, `until YYYY-MM-DD`, `side shown`, separated by commas. The public export
  writes a participation whose name is withheld today as `* | role | withheld`.
- `outcome_list`: `kind | description`.
- `citation_list`: `source-slug | paragraph | excerpt`.
- `place_slugs`: a place's slug a line, in the order the alternatives are read ("Rome or
  Amman" is `rome` then `amman`). It lists the published places; a row at a place not yet
  published is kept as it is, since the public export cannot name it.
- `series_list`: the dialogue's place in each published series, a row a line, with the
  evidence the membership rests on: `series-slug | position | stated | source-slug | paragraph
  | excerpt`, or `series-slug | position | inferred | reason`. A membership of a series not yet
  published is kept as it is, as a draft place is.

The last field of a row is free text: it may itself hold ` | `, and a line break in it is
written `\\n` (a backslash as `\\\\`), so that each row stays on one line.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from ..models.translations import translation_columns

SEPARATOR = " | "
MASKED_SLUG = "*"

# The columns the export adds after its original ones, which an import reads.
IMPORT_COLUMNS = (
    "era_slug",
    "conflict_slug",
    "venue_kind_code",
    "track_code",
    "talks_code",
    "level_code",
    "status",
    "embargo_until",
    "place_slugs",
    "series_list",
    "participant_list",
    "outcome_list",
    "citation_list",
)
# Without these an import cannot tell which record a row is or what it rests on.
REQUIRED_COLUMNS = (
    "slug",
    "title",
    "date_edtf",
    "era_slug",
    "conflict_slug",
    "summary",
    "citation_list",
)
# The archive's Hebrew and Arabic of a dialogue's title, summary and date note: `title_he`,
# `title_ar`, `summary_he`, … Empty where there is no translation; the English stays in `title`.
TRANSLATED_FIELDS = ("title", "summary", "date_note")
TRANSLATION_COLUMNS = translation_columns(TRANSLATED_FIELDS)
# Read by the import when present; a column left out of the file leaves that field as it is.
OPTIONAL_COLUMNS = (
    "date_note",
    "place",
    "venue",
    "venue_kind_code",
    "track_code",
    "talks_code",
    "level_code",
    "level_note",
    "embargo_until",
    "place_slugs",
    "series_list",
    "participant_list",
    "outcome_list",
    *TRANSLATION_COLUMNS,
)
# Written by the export for people to read, and ignored by the import: words worked out from
# the columns above (`era` is the era's name, `participants` the names in words, …), and the
# status, which only a publisher changes.
DERIVED_COLUMNS = (
    "url",
    "date_display",
    "date_earliest",
    "date_latest",
    "era",
    "conflict",
    "venue_kind",
    "track",
    "talks",
    "level",
    "implied_level",
    "places",
    "countries",
    "coordinates",
    "series",
    "external_ids",
    "capacities",
    "participants",
    "outcomes",
    "sources",
    "status",
)


PARAGRAPH = "The paragraph “{}” must be a number from 1 to 999,999,999, in the digits 0-9."


def paragraph_number(text: str) -> int | None:
    """A paragraph number written in the digits 0-9, from 1 to 999,999,999 (within the column
    on every database); None otherwise. str.isdigit() alone takes "²", which int() refuses."""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text.lstrip("0")[:10] or "0")
    return number if 1 <= number < 10**9 else None


def escape(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace("\n", "\\n")


_ESCAPED = re.compile(r"\\(.)")


def unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: "\n" if m[1] == "n" else m[1], text)


def lines(cell: str) -> list[str]:
    """The non-blank lines of a list cell."""
    return [line.strip() for line in (cell or "").splitlines() if line.strip()]


def split(line: str, fields: int) -> list[str]:
    """Split a row into at most `fields` fields; the last keeps any further separators."""
    parts = re.split(r"\s*\|\s*", line, maxsplit=fields - 1)
    return [part.strip() for part in parts]


# --- Participations -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Taking:
    """A participation as a cell row gives it."""

    slug: str
    role: str
    withheld: bool = False
    until: datetime.date | None = None
    show_side: bool = False

    def line(self) -> str:
        flags = []
        if self.withheld:
            flags.append("withheld")
        if self.until:
            flags.append(f"until {self.until.isoformat()}")
        if self.show_side:
            flags.append("side shown")
        parts = [self.slug, self.role, ", ".join(flags)] if flags else [self.slug, self.role]
        return SEPARATOR.join(parts)


def participation_line(slug, role, withheld, until, show_side) -> str:
    return Taking(slug or MASKED_SLUG, role, bool(withheld), until, bool(show_side)).line()


def masked_line(role: str) -> str:
    return Taking(MASKED_SLUG, role, True).line()


def parse_flags(text: str) -> tuple[bool, datetime.date | None, bool]:
    """Read `withheld, until YYYY-MM-DD, side shown`; raise ValueError naming a bad flag."""
    withheld, until, show_side = False, None, False
    for flag in filter(None, (part.strip().lower() for part in text.split(","))):
        if flag == "withheld":
            withheld = True
        elif flag == "side shown":
            show_side = True
        elif flag.startswith("until "):
            try:
                until = datetime.date.fromisoformat(flag.removeprefix("until ").strip())
            except ValueError:
                raise ValueError(f"“{flag}”: write the day as until YYYY-MM-DD") from None
        else:
            raise ValueError(f"“{flag}” is not a flag")
    return withheld, until, show_side


# --- Outcomes and citations -----------------------------------------------------------------


def outcome_line(kind: str, description: str) -> str:
    return SEPARATOR.join([kind, escape(description)])


def citation_line(source_slug: str, paragraph, excerpt: str) -> str:
    return SEPARATOR.join([source_slug, str(paragraph), escape(excerpt)])


def joined(rows: list[str]) -> str:
    """The cell holding `rows`, in a fixed order so that two exports of a record agree."""
    return "\n".join(sorted(rows))


# --- Series memberships ---------------------------------------------------------------------

STATED, INFERRED = "stated", "inferred"


@dataclass(frozen=True, slots=True)
class Membership:
    """A dialogue's place in a series as a cell row gives it, with its evidence."""

    series: str
    position: int
    basis: str  # STATED or INFERRED
    source: str = ""
    paragraph: int | None = None
    excerpt: str = ""
    reason: str = ""

    def line(self) -> str:
        if self.basis == INFERRED:
            return SEPARATOR.join([self.series, str(self.position), INFERRED, escape(self.reason)])
        return SEPARATOR.join(
            [
                self.series,
                str(self.position),
                STATED,
                self.source,
                str(self.paragraph),
                escape(self.excerpt),
            ]
        )


def membership_line(series, position, basis, source, paragraph, excerpt, reason) -> str:
    if basis == INFERRED:
        return Membership(series, position, INFERRED, reason=reason or "").line()
    return Membership(series, position, STATED, source or "", paragraph, excerpt or "").line()
