"""The editors' admin.

Editors are staff in the Editors group (migrations 0002 and 0009): they add, change and view
records and remove inline rows, but cannot delete records. Publishers may also publish,
withdraw, revert and merge participants (`publishing.py`). Every changelist fetches its
related rows and counts in the main query, so a page costs the same number of queries however
many rows it shows.
"""

from . import authorities, dialogue, imports, records  # noqa: F401  (registers the admin pages)
