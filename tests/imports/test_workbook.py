"""XLSX workbooks are read within bounds, and broken ones are refused with the reason.

Every workbook here is built in code: a real one from openpyxl, then one of its parts rewritten
(a huge declared dimension, a far cell, a member that unpacks to more than the limit, a DOCTYPE,
nested entities, a truncated sheet, a missing sheet).
"""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from dialogues.imports import workbook
from dialogues.imports.reading import UnreadableFile, read
from dialogues.models import ImportBatch

from ..admin_forms import soup_of

SHEET = "xl/worksheets/sheet1.xml"


def real_workbook(rows=(("slug", "title"), ("a", "b"))) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewritten(content: bytes, **parts) -> bytes:
    """`content` with members replaced (bytes, or a function of the old bytes) or dropped (None).

    Keyword names stand for member paths with `__` for `/` and `_dot_` for `.`.
    """
    changes = {k.replace("__", "/").replace("_dot_", "."): v for k, v in parts.items()}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as old, zipfile.ZipFile(out, "w") as new:
        for name in old.namelist():
            data = old.read(name)
            change = changes.get(name, data)
            if change is None:
                continue
            data = change(data) if callable(change) else change
            new.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def sheet_rows(content: bytes, rows: str) -> bytes:
    """`content` with the sheet's rows replaced by the given <row> XML."""
    return rewritten(
        content,
        xl__worksheets__sheet1_dot_xml=lambda xml: re.sub(
            rb"<sheetData>.*</sheetData>", b"<sheetData>" + rows.encode() + b"</sheetData>", xml
        ),
    )


def test_a_declared_dimension_is_not_trusted():
    # Before: openpyxl padded each row to 702 columns and 3,000 rows, building 2 million cells.
    content = rewritten(
        real_workbook(),
        xl__worksheets__sheet1_dot_xml=lambda xml: xml.replace(
            b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:ZZ3000"/>'
        ),
    )
    grid = workbook.grid(content, str)
    assert grid == [(1, ["slug", "title"]), (2, ["a", "b"])]


def test_a_far_row_is_refused_before_the_blank_rows_are_built():
    content = sheet_rows(
        real_workbook(),
        '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    )
    with pytest.raises(UnreadableFile, match="100,000 rows"):
        workbook.grid(content, str)


def test_far_cells_count_with_their_padding():
    far = "".join(
        f'<row r="{n}"><c r="XFD{n}" t="inlineStr"><is><t>x</t></is></c></row>'
        for n in range(1, 80)
    )
    with pytest.raises(UnreadableFile, match="1,000,000 cells"):
        workbook.grid(sheet_rows(real_workbook(), far), str)


def test_too_many_cells_are_refused_before_openpyxl_reads_the_sheet(monkeypatch):
    monkeypatch.setattr(workbook, "MAX_CELLS", 1000)
    cells = "".join(f'<c r="A{n}"><v>{n}</v></c>' for n in range(1, 1500))
    with pytest.raises(UnreadableFile, match="more than 1,000 cells"):
        workbook.grid(sheet_rows(real_workbook(), f'<row r="1">{cells}</row>'), str)


def test_a_member_that_unpacks_past_the_limit_is_refused_unread():
    bomb = b" " * (workbook.MAX_UNPACKED + 1)
    content = rewritten(real_workbook(), docProps__app_dot_xml=bomb)
    assert len(content) < 1024 * 1024  # a small file
    with pytest.raises(UnreadableFile, match=r"unpacks to 100 MB \(docProps/app.xml"):
        read("bomb.xlsx", content)


BROKEN = {
    "doctype": (
        lambda c: rewritten(
            c, xl__workbook_dot_xml=lambda x: b'<?xml version="1.0"?><!DOCTYPE workbook>' + x
        ),
        "DOCTYPE or an entity declaration",
    ),
    "nested entities": (
        lambda c: rewritten(
            c,
            xl__worksheets__sheet1_dot_xml=lambda x: (
                b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
                b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
                + x.replace(b"<t>a</t>", b"<t>&c;</t>")
            ),
        ),
        "DOCTYPE or an entity declaration",
    ),
    "truncated sheet": (
        lambda c: rewritten(c, xl__worksheets__sheet1_dot_xml=lambda x: x[: len(x) // 2]),
        "its XML is broken",
    ),
    "missing sheet": (
        lambda c: rewritten(c, xl__worksheets__sheet1_dot_xml=None),
        "its first sheet is missing",
    ),
    "not a zip": (lambda c: b"PK\x03\x04" + b"\x00" * 200, "not a zip file"),
    "a zip without a workbook": (
        lambda c: rewritten(
            c, xl__workbook_dot_xml=None, xl___rels__workbook_dot_xml_dot_rels=None
        ),
        "cannot be read as an XLSX workbook",
    ),
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_a_broken_workbook_is_refused_with_the_reason(kind):
    make, reason = BROKEN[kind]
    with pytest.raises(UnreadableFile, match=re.escape(reason)) as refused:
        read("broken.xlsx", make(real_workbook()))
    assert "Accepted: CSV" in str(refused.value)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(BROKEN))
def test_the_admin_refuses_a_broken_workbook_with_the_reason(editor_client, kind):
    make, reason = BROKEN[kind]
    upload = SimpleUploadedFile("broken.xlsx", make(real_workbook()))
    response = editor_client.post(reverse("admin:dialogues_importbatch_upload"), {"file": upload})
    assert response.status_code == 200
    assert reason in soup_of(response).get_text(" ", strip=True)
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(BROKEN))
def test_the_command_refuses_a_broken_workbook_with_the_reason(tmp_path, kind):
    make, reason = BROKEN[kind]
    path = tmp_path / "broken.xlsx"
    path.write_bytes(make(real_workbook()))
    with pytest.raises(CommandError, match=re.escape(reason)):
        call_command("import_records", str(path), "--dry-run")
    assert not ImportBatch.objects.exists()
