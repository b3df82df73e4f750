import io

import pytest
from openpyxl import Workbook

from dialogues.imports.cells import REQUIRED_COLUMNS
from dialogues.imports.reading import UnreadableFile, read

HEADER = ",".join(REQUIRED_COLUMNS)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", b"", "The file is empty"),
        ("a.csv", b"\n\n , \n", "The file has no rows"),
        ("a.csv", "slug,title\nb,é\n".encode("latin-1") + b"\xe9", "not UTF-8"),
        ("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not text"),
        ("a.csv", b"PK\x03\x04rest of a zip", "zipped"),
        ("a.xlsx", b"PK\x03\x04not really a workbook", "cannot be read as an XLSX"),
        ("a.pdf", b"%PDF-1.4", "Accepted: .csv, .xlsx"),
        ("a.csv", b"slug,title,summary\nx,y,z\n", "lacks the required columns date_edtf"),
        ("a.csv", f"{HEADER},title\n".encode(), "names title more than once"),
    ],
)
def test_a_file_that_cannot_be_imported_says_why(name, content, message):
    with pytest.raises(UnreadableFile, match=message):
        read(name, content)


def test_comment_rows_the_trailer_and_a_byte_order_mark_are_skipped():
    content = f"\ufeff{HEADER}\n# an example\nx,Title,1990,e,c,s,m | 1 | w\n# complete: 1 rows\n"
    table = read("a.csv", content.encode("utf-8"))
    assert table.header == list(REQUIRED_COLUMNS)
    assert [(number, row["slug"]) for number, row in table.rows] == [(3, "x")]


def test_a_quote_the_export_put_before_a_formula_is_taken_off():
    table = read("a.csv", f"{HEADER}\nx,'=SUM(A1),1990,e,c,s,c\n".encode())
    assert table.rows[0][1]["title"] == "=SUM(A1)"


def test_a_row_with_more_cells_than_the_header_is_a_misfit():
    table = read("a.csv", f"{HEADER}\nx,T,1990,e,c,s,c,extra\n".encode())
    assert table.rows == [] and table.misfits[0][0] == 2


def test_an_xlsx_workbook_is_read_from_its_first_sheet():
    book = Workbook()
    sheet = book.active
    sheet.append([*REQUIRED_COLUMNS, "unknown"])
    sheet.append(["x", "Title", "1990", "e", "c", "s", "memoir | 7 | w", 12.0])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read("dialogues.xlsx", buffer.getvalue())
    assert table.rows[0][1]["citation_list"] == "memoir | 7 | w"
    assert table.rows[0][1]["unknown"] == "12"
    assert table.ignored_columns == ["unknown"]
