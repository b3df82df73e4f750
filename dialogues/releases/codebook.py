"""The codebook of a release, in Markdown and HTML, written from the same Table Schemas as its
`datapackage.json`: every table, every field with its type and constraints, every value of
every vocabulary with its label, and the conventions a reader needs (uncertain dates,
paragraph numbers, withheld names, empty cells).
"""

from __future__ import annotations

import marko

from ..models import EXCERPT_MAX_WORDS, WITHHELD_NAME
from .schema import TABLES, table_schema

CONVENTIONS = f"""\
## Conventions

### Files

Each table is one CSV file in `data/`: UTF-8, comma-separated, fields quoted where needed,
one header row. `datapackage.json` describes the tables as a Frictionless Data Package (Table
Schema for every file, with primary and foreign keys), so `frictionless validate
datapackage.json` checks the whole release. An empty cell is a missing value: a text the
record leaves blank, or a key that points nowhere.

### Cells that start with =, +, - or @

Cells hold the records' text exactly as stored, even when it starts with `=`, `+`, `-` or `@`
(a summary may begin “-- ” or “+/-”): a release is data for analysis, checked against its
checksums and its schema, and a changed value would be a wrong value. A spreadsheet program
may take such a cell for a formula and run it. Open the CSV files with a program that reads
them as data (R, pandas, `csvkit`, a database), or import them into a spreadsheet with every
column set to text. The archive's live CSV export (`/dialogues/export.csv`), made for
spreadsheets, writes such a cell with a `'` in front instead.

### Keys

Every record is named by a key that does not change when its text is corrected: eras,
conflicts, sources, participants and dialogues by their slug (a dialogue's page is
`/dialogues/<slug>/`), an outcome and a citation by their dialogue's slug and a short `key`, a
participation by its dialogue's slug and its participant's slug. The same key names the same
record in every release, which is how the changelog matches them.

### Uncertain dates

Every date is an [EDTF](https://www.loc.gov/standards/datetime/) string (`date`): `1976~`
(about 1976), `1992/1993` (some time in 1992–1993), `2000-07` (July 2000), `2025-03-18`,
`2006?` (uncertain). Beside it are the earliest and latest possible day (`date_earliest`,
`date_latest`) and the date in words (`date_display`, e.g. “c. 1976”). An approximate or
uncertain year admits the year either side: that is the convention of the `edtf` library the
archive uses, not something a source says. A date that was inferred says how in `date_note`,
naming the paragraphs it rests on (`¶N`), which the record cites.

### Paragraphs

A citation's `paragraph` counts from the source's first paragraph, whose opening words are the
source's `first_words`. What comes before it (headline, byline, the site's header) is left
out, and every block of text after it counts, photo captions and the author's closing lines
included. Excerpts are verbatim and short (about {EXCERPT_MAX_WORDS} words at most).

### What a release holds

Only what readers of the archive may see on the day of the release: published dialogues not
under an embargo, and what hangs on them. Drafts, withdrawn records and embargoed dialogues are
left out. A participant whose name is withheld keeps the participation's row, with no
participant, the name “{WITHHELD_NAME}”, no note, and the side only where the editors allow it
to be shown; a participant named in no public dialogue is not listed. The
changelog says which records were withdrawn since the previous release.

### Translations

The records are written in English, and that English is the record: `title`, `summary`,
`name`, `bio`, `note` and the other text columns hold it. Some records carry the archive's own
translations of their words into Hebrew and Arabic, in the columns beside them named with the
language tag: `title_he` and `title_ar` translate `title`, `summary_he` and `summary_ar`
translate `summary`, and so on. A translation says no more than the English does. An empty
translation cell means the archive has no translation yet, and readers see the English. A
citation's `excerpt` stays verbatim in the language of its source: `excerpt_he` and
`excerpt_ar` are the archive's translations of it, never a replacement.
"""


def _escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _constraints(descriptor: dict) -> str:
    words = []
    constraints = descriptor.get("constraints", {})
    if constraints.get("unique"):
        words.append("unique")
    if "maxLength" in constraints:
        words.append(f"at most {constraints['maxLength']} characters")
    if "minimum" in constraints:
        words.append(f"at least {constraints['minimum']}")
    if "maximum" in constraints:
        words.append(f"at most {constraints['maximum']}")
    if "pattern" in constraints:
        words.append(f"pattern `{constraints['pattern']}`")
    if "enum" in constraints:
        words.append("one of the values below")
    if descriptor.get("format") == "uri":
        words.append("a URL")
    return "; ".join(words)


def markdown(version: str, released: str) -> str:
    """The codebook of release `version`, released on `released` (ISO date), in Markdown."""
    lines = [
        f"# Codebook: Track II Dialogue Archive, data release {version}",
        "",
        f"Released {released}. The tables, their fields and vocabularies are described below, "
        "from the same schema as `datapackage.json`.",
        "",
        "| Table | File | What it holds |",
        "| --- | --- | --- |",
    ]
    for table in TABLES:
        lines.append(f"| [{table.title}](#{table.name}) | `{table.path}` | {table.description} |")
    lines += ["", CONVENTIONS]
    for table in TABLES:
        schema = table_schema(table)
        lines += [f'## {table.title} <a id="{table.name}"></a>', "", table.description, ""]
        lines.append(f"File `{table.path}`. Primary key: {', '.join(table.primary_key)}.")
        for key in schema.get("foreignKeys", []):
            ref = key["reference"]
            lines.append(
                f"`{', '.join(key['fields'])}` refers to `{', '.join(ref['fields'])}` "
                f"of {ref['resource']}."
            )
        lines += [
            "",
            "| Field | Type | Required | Constraints | Description |",
            "| --- | --- | --- | --- | --- |",
        ]
        for descriptor in schema["fields"]:
            required = "yes" if descriptor.get("constraints", {}).get("required") else "no"
            lines.append(
                f"| `{descriptor['name']}` | {descriptor['type']} | {required} | "
                f"{_escape(_constraints(descriptor))} | {_escape(descriptor['description'])} |"
            )
        lines.append("")
        for descriptor in schema["fields"]:
            if "categories" not in descriptor:
                continue
            lines += [
                f"Values of `{table.name}.{descriptor['name']}`:",
                "",
                "| Value | Label |",
                "| --- | --- |",
            ]
            for category in descriptor["categories"]:
                lines.append(f"| `{category['value']}` | {_escape(category['label'])} |")
            lines.append("")
    return "\n".join(lines)


def html(markdown_text: str, version: str) -> str:
    """The Markdown codebook as a standalone HTML page."""
    body = marko.Markdown(extensions=["gfm"]).convert(markdown_text)
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Codebook: Track II Dialogue Archive, data release {version}</title>\n"
        f"</head>\n<body>\n{body}</body>\n</html>\n"
    )
