"""What a picture's place on a page says while the facet index it is drawn from is being built.

Only when the settings keep grouped queries from standing in for the index
(`FACETS_BY_SQL_WHILE_INDEXING` off, the production default; see `listing.facets.counted_later`).
The page is then marked incomplete, so no cache keeps it, and the next request draws the figure.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from ...listing.browse import Browse
from ...listing.facets import counted_later


def waiting(browse: Browse) -> bool:
    return counted_later(browse.filterset)


def block(kind: str, id_prefix: str, heading: str) -> SafeString:
    return render_to_string(
        "pictures/_pending.html", {"kind": kind, "id": id_prefix, "heading": heading}
    )
