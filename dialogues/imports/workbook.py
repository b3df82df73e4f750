"""Read an XLSX workbook's first sheet within fixed bounds, or say plainly why it cannot be read.

A workbook is a zip of XML files, so a small upload can unpack into far more: a zip bomb, a
sheet of millions of cells, or a sheet that declares a huge `<dimension>`, which openpyxl pads
every row to. The bounds are checked while reading, before any grid is built:

- the zip's members are listed first, and their unpacked sizes (which zipfile enforces as it
  unpacks) may add up to at most `MAX_UNPACKED`;
- each XML member is then streamed once: a DOCTYPE or an entity declaration (which a workbook
  never needs, and which entity attacks rely on) refuses the file, and a sheet may hold at
  most `MAX_CELLS` cells;
- the sheet is read by openpyxl in read-only mode with its declared dimension dropped, row by
  row, counting every cell it yields (blank rows and padding too) against `MAX_CELLS` and every
  row against `MAX_ROWS`.

Any other fault of the file (truncated XML, a missing sheet, a bad member) refuses it with the
reason. openpyxl parses with defusedxml when it is installed, as it is here.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile


class UnreadableFile(ValueError):
    """The file as a whole cannot be imported; the message says why and what is accepted."""


MAX_UNPACKED = 100 * 1024 * 1024
MAX_CELLS = 1_000_000
MAX_ROWS = 100_000
MAX_MEMBERS = 1_000
CHUNK = 1024 * 1024

DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
ACCEPTED = "Accepted: CSV saved as UTF-8, or an XLSX workbook saved by a spreadsheet program."


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def _refuse(reason: str) -> UnreadableFile:
    return UnreadableFile(f"The file cannot be read as an XLSX workbook: {reason}. {ACCEPTED}")


def _members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise _refuse(f"it holds {len(members):,} files (a workbook holds a few dozen)")
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED:
        largest = max(members, key=lambda member: member.file_size)
        raise _refuse(
            f"it unpacks to {_mb(unpacked)} ({largest.filename} alone to "
            f"{_mb(largest.file_size)}), more than the {_mb(MAX_UNPACKED)} accepted"
        )
    return members


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Stream one XML member: refuse declarations, and count a sheet's cells."""
    is_sheet = member.filename.startswith("xl/worksheets/")
    cells = 0
    tail = b""
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(CHUNK)
            buffer = tail + chunk
            if DECLARATION.search(buffer):
                raise _refuse(
                    f"{member.filename} holds a DOCTYPE or an entity declaration, which a "
                    "workbook never needs"
                )
            # A match is a few bytes long: one starting in the last 64 is counted with the
            # next chunk, which it is kept for.
            cut = max(len(buffer) - 64, 0) if chunk else len(buffer)
            if is_sheet:
                cells += sum(1 for match in CELL.finditer(buffer) if match.start() < cut)
                if cells > MAX_CELLS:
                    raise _refuse(f"its sheet holds more than {MAX_CELLS:,} cells")
            if not chunk:
                return
            tail = buffer[cut:]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(book):
    if not book.worksheets:
        raise _refuse("its first sheet is missing")
    sheet = book.worksheets[0]
    # The declared <dimension> is the file's claim, not its content: openpyxl would pad every
    # row to it. Without it, a row is as wide as its last cell.
    sheet.reset_dimensions()
    cells = 0
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells += max(len(row), 1)
        if cells > MAX_CELLS or number > MAX_ROWS:
            raise _refuse(
                f"its sheet reaches past {MAX_ROWS:,} rows or {MAX_CELLS:,} cells "
                "(blank rows and columns before the last cell count too)"
            )
        yield number, row


def grid(content: bytes, undefuse) -> list[tuple[int, list[str]]]:
    """The first sheet's rows as (row number, cell texts), within the bounds above."""
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse("it is not a zip file, as every XLSX workbook is") from None
    try:
        with archive:
            for member in _members(archive):
                if member.filename.endswith((".xml", ".rels", ".vml")):
                    _scan(archive, member)
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001  (any fault of an untrusted file is the file's)
        raise _refuse(_described(exc)) from None
    try:
        return [
            (number, [undefuse(_cell_text(value)) for value in row]) for number, row in _rows(book)
        ]
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _refuse(_described(exc)) from None
    finally:
        book.close()


def _described(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"a part it names is missing ({exc.args[0] if exc.args else 'unnamed'})"
    if isinstance(exc, SyntaxError):  # xml.etree's ParseError
        return f"its XML is broken ({exc})"
    if isinstance(exc, zipfile.BadZipFile):
        return f"the zip is damaged ({exc})"
    return f"{exc.__class__.__name__}: {str(exc)[:200]}" if str(exc) else exc.__class__.__name__
