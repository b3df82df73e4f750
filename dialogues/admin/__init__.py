"""The editors' admin.

Editors are staff in the Editors group (see migration 0002): they add, change and view records
but cannot delete them. Every changelist fetches its related rows and counts in the main query,
so a page costs the same number of queries however many rows it shows.
"""

from . import dialogue, records  # noqa: F401  (registers the admin pages)
