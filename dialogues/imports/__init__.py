"""Bulk import of dialogues from CSV or XLSX: read, check (a dry run), write as one batch, undo.

- `cells`: how a spreadsheet cell holds a list of participations, outcomes or citations; the
  CSV export writes the same, so an export can be imported again.
- `reading`: the uploaded file into a header and rows, with a clear message for a bad file.
- `plan`: every row checked and compared with the archive: new, changed (with a diff),
  unchanged or invalid. Nothing is written.
- `apply`: a clean plan written in one transaction as one batch with one revision, and the
  batch undone.
- `report`: the plan in words, for the command and the admin.
"""
