"""Check the quotations inside the archive's own words against the source texts.

Summaries, notes and bios quote the sources too: “picked up steam” (¶1). Wherever such a
quotation is followed by the paragraph it comes from, it must be verbatim in that paragraph
(or in one of a range, ¶6–¶7) of one of the sources, as a citation's excerpt must. An ellipsis
(…) inside a quotation stands for words left out; each part must be in the paragraph.
"""

from __future__ import annotations

import re

from .models import (
    Conflict,
    Dialogue,
    DisagreementCitation,
    Era,
    Outcome,
    Participant,
    Participation,
    Source,
    SourceDisagreement,
)
from .problems import Problem
from .problems import record_of as _record
from .source_texts import SourceText, match_source_text, normalise

# A quotation, then its paragraph in brackets, perhaps after the source's name:
# “…” (¶4), “…” (2025 post, ¶2), “…” (¶6–¶7).
QUOTED = re.compile(r"“([^”]+)”\s*\((?:[^()¶]*,\s*)?¶(\d+)(?:–¶(\d+))?\)")

# The archive's own words, record by record: the fields that may quote a source.
FIELDS = {
    Source: ("date_note", "description"),
    Era: ("summary", "boundary_note"),
    Conflict: ("summary",),
    Participant: ("side_note", "background_note", "bio"),
    Dialogue: ("title", "summary", "date_note"),
    Participation: ("note",),
    Outcome: ("description",),
    SourceDisagreement: ("note",),
    DisagreementCitation: ("says",),
}


def check_quoted_notes(texts: list[SourceText]) -> list[Problem]:
    """Return a problem for every quotation with a paragraph that the sources do not bear out."""
    paragraphs = []
    for source in Source.objects.order_by("slug"):
        candidates = match_source_text(source, texts)
        if len(candidates) == 1:
            found = candidates[0].paragraphs(source.first_words)
            if found is not None:
                paragraphs.append([p.casefold() for p in found])
    if not paragraphs:
        return []  # nothing to check against; check_source_texts says why
    problems = []
    for model, fields in FIELDS.items():
        for record in model._default_manager.order_by("pk"):
            for name in fields:
                for match in QUOTED.finditer(getattr(record, name) or ""):
                    problem = _check(record, name, match, paragraphs)
                    if problem is not None:
                        problems.append(problem)
    return problems


def _check(record, field: str, match: re.Match, paragraphs: list[list[str]]) -> Problem | None:
    quote, first, last = match.group(1), int(match.group(2)), match.group(3)
    numbers = range(first, int(last or first) + 1)
    parts = [normalise(part).casefold() for part in quote.split("…")]
    parts = [part for part in parts if part]
    for source in paragraphs:
        for number in numbers:
            if 1 <= number <= len(source) and all(part in source[number - 1] for part in parts):
                return None
    where = f"¶{first}" + (f"–¶{last}" if last else "")
    return Problem(
        "quotation-not-verbatim",
        f"{record._meta.verbose_name} {_name(record)}: {field}",
        f"The quotation “{quote}” is not verbatim in {where} of any source.",
        _record(record),
    )


def _name(record) -> str:
    return " / ".join(map(str, record.natural_key()))
