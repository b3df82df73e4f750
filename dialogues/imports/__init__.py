"""Bulk import of dialogues from CSV or XLSX: read, check (a dry run), write as one batch, undo.

- `cells`: how a spreadsheet cell holds a list of participations, outcomes or citations; the
  CSV export writes the same, so an export can be imported again.
- `reading`: the uploaded file into a header and rows, with a clear message for a bad file.
- `archive`: the records a file names, read in bulk; `checks`: one row against the archive's
  rules; `compare`: a row against its record, the diff; `plan`: the whole dry run, in which
  every row is new, changed, unchanged or invalid. Nothing there writes.
- `apply`: a clean plan written in one transaction as one batch; `history`: its one revision,
  written in bulk; `undo`: the batch undone.
- `report`: the plan in words, for the command.
"""
