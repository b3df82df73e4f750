"""Read an uploaded file into its header and rows, or say plainly why it cannot be read.

CSV must be UTF-8 (a byte-order mark is allowed, as Excel writes one); XLSX is read from its
first sheet with openpyxl, within the bounds `workbook` sets. A row whose first cell starts
with `#` is a comment: the template's example and the `# complete: N rows` line that older
exports ended with are skipped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from .cells import DERIVED_COLUMNS, IMPORT_COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from .workbook import UnreadableFile, grid

# A spreadsheet cell starting with one of these is exported with a quote in front (see
# `api.exports.defuse_formula`); the import takes the quote off again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_BYTES = 50 * 1024 * 1024
FORMATS = ("csv", "xlsx")


@dataclass
class Table:
    header: list[str]
    # (row number in the file, counting the header as row 1; cells by column name)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # (row number, message) for rows that do not fit the header
    misfits: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def undefuse(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def read(name: str, content: bytes) -> Table:
    """Read `content`, a file called `name`, into a Table; raise UnreadableFile if it can't."""
    if not content:
        raise UnreadableFile("The file is empty. Upload a CSV or XLSX file with a header row.")
    if len(content) > MAX_BYTES:
        raise UnreadableFile(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    is_zip = content[:4] == b"PK\x03\x04"
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == "xlsx" or (is_zip and suffix != "csv"):
        grid = _xlsx_grid(content)
    elif suffix in ("csv", "txt", ""):
        if is_zip:
            raise UnreadableFile(
                "The file is a zipped (XLSX or other) file, not CSV: name it .xlsx, or save it "
                "as CSV UTF-8."
            )
        grid = _csv_grid(content)
    else:
        raise UnreadableFile(f"“{name}” is not a CSV or XLSX file. Accepted: .csv, .xlsx.")
    return _table(grid)


def _csv_grid(content: bytes):
    if b"\x00" in content[:4096]:
        raise UnreadableFile(
            "The file is not text (it holds binary data), so it is not a CSV file. "
            "Accepted: CSV saved as UTF-8, or XLSX."
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). Save it as "
            "“CSV UTF-8” and upload it again."
        ) from None
    try:
        return [
            (number, [undefuse(cell) for cell in row])
            for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
        ]
    except csv.Error as exc:
        raise UnreadableFile(f"The file is not well-formed CSV: {exc}.") from None


def _xlsx_grid(content: bytes):
    return grid(content, undefuse)


def _table(grid) -> Table:
    rows = [(number, cells) for number, cells in grid if any(c.strip() for c in cells)]
    if not rows:
        raise UnreadableFile("The file has no rows. Upload a CSV or XLSX file with a header row.")
    header_number, header_cells = rows[0]
    header = [cell.strip().lstrip("\ufeff") for cell in header_cells]
    while header and not header[-1]:
        header.pop()
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        shown = ", ".join(header[:6]) + (", …" if len(header) > 6 else "")
        plural = "s" if len(missing) > 1 else ""
        raise UnreadableFile(
            f"The header row (row {header_number}) lacks the required column{plural} "
            f"{', '.join(missing)}. It has: {shown or 'nothing'}. Required: "
            + ", ".join(REQUIRED_COLUMNS)
            + " (download the template to see them all)."
        )
    duplicates = sorted({name for name in header if name and header.count(name) > 1})
    if duplicates:
        raise UnreadableFile(f"The header names {', '.join(duplicates)} more than once.")
    known = {*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *DERIVED_COLUMNS, *IMPORT_COLUMNS}
    table = Table(header=header, ignored_columns=[h for h in header if h and h not in known])
    for number, cells in rows[1:]:
        if cells and cells[0].lstrip().startswith("#"):
            continue
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            table.misfits.append(
                (number, f"has {len(header) + len(extra)} cells, the header has {len(header)}")
            )
            continue
        padded = cells + [""] * (len(header) - len(cells))
        table.rows.append((number, dict(zip(header, padded, strict=False))))
    return table
