"""What a revision says to readers, kept apart from what it says to editors.

A revision's `comment` (django-reversion's own field) is the editors' account: the reason, and
an internal note when one was given; the admin's history shows it. `RevisionReason` holds the
reason for readers, the only words of a revision the public history and version pages show.
The admin writes both (`reversion.add_meta`). A revision without one (published, withdrawn,
loaded or imported by code) shows its comment through `public_reason`, which never shows an
import's file name.
"""

from __future__ import annotations

import re

from django.db import models
from reversion.models import Revision

# The comment an import leaves: the file name is the uploader's, and may say anything.
IMPORTED = re.compile(r"Imported from .* \(import #(?P<number>\d+)\)", re.DOTALL)


class RevisionReason(models.Model):
    revision = models.OneToOneField(
        Revision, on_delete=models.CASCADE, related_name="reason", primary_key=True
    )
    public = models.TextField(
        "reason for readers",
        blank=True,
        help_text="Shown to readers in the record's public history.",
    )
    internal = models.TextField(
        "internal note", blank=True, help_text="Seen by editors only, in the admin's history."
    )

    def __str__(self):
        return self.public


def masked_comment(comment: str) -> str:
    """A revision comment as readers may read it: an import is named by number, not file."""
    match = IMPORTED.fullmatch(comment or "")
    if match:
        return f"Imported (import #{match['number']})"
    return comment or ""


def public_reason(revision: Revision) -> str:
    """The words of `revision` readers may see."""
    try:
        return revision.reason.public
    except RevisionReason.DoesNotExist:
        return masked_comment(revision.comment)
