"""The archive's revision history, read back: numbered versions, records as they were, diffs.

Revisions are written by django-reversion (the models are registered in `dialogues.models`);
this package only reads them. `records` numbers a record's versions and rebuilds a record
with its inline rows as they stood in one revision; `diff` compares two revisions.
"""
