"""Find what is wrong in the archive: broken dates, eras that overlap or leave gaps, dialogues
outside their era or without a citation, overlong excerpts, and excerpts that are not verbatim
in the paragraph they cite.

Each check reads the whole archive in a fixed number of queries and returns `Problem`s; nothing
here changes a record. The `check_archive` command prints them and `load_initial_data` refuses
fixtures that add any.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path

from django.db.models import Count

from . import dates
from .authority_checks import check_authorities
from .models import EXCERPT_MAX_WORDS, Citation, Dialogue, Era, Source
from .problems import (
    Problem,
    SourceTextError,
    citation_label,
    dialogue_label,
    era_label,
    source_label,
)
from .problems import record_of as _record
from .quoted_notes import check_quoted_notes
from .source_texts import check_source_texts, read_source_texts

__all__ = [
    "Problem",
    "SourceTextError",
    "check_records",
    "check_source_texts",
    "find_problems",
    "read_source_texts",
]

# How far past EXCERPT_MAX_WORDS an excerpt may run: the limit is "about" 30 words.
EXCERPT_WORD_SLACK = 5

ONE_DAY = datetime.timedelta(days=1)


# --- Checks on the records ----------------------------------------------------------------


def find_problems(sources_dir: str | Path | None = None) -> list[Problem]:
    """Return every problem in the archive, checking excerpts against texts in `sources_dir`.

    The folder is read before the database, so an unreadable folder fails fast with
    SourceTextError instead of after the slower checks.
    """
    texts = read_source_texts(sources_dir) if sources_dir is not None else None
    problems = check_records()
    if texts is not None:
        problems += check_source_texts(texts)
        problems += check_quoted_notes(texts)
    return problems


def check_records() -> list[Problem]:
    """Return the problems that the records alone reveal (everything but the source texts)."""
    eras = list(Era.objects.ordered())
    sources = list(Source.objects.order_by("slug"))
    dialogues = list(
        Dialogue.objects.select_related("era")
        .annotate(citation_count=Count("citations"))
        .order_by("slug")
    )
    citations = list(
        Citation.objects.select_related("dialogue", "source", "outcome").order_by(
            "dialogue__slug", "source__slug", "paragraph", "pk"
        )
    )
    return [
        *check_dates(eras, label=era_label),
        *check_dates(sources, label=source_label),
        *check_dates(dialogues, label=dialogue_label),
        *check_era_overlaps(eras),
        *check_era_sequence(eras),
        *check_dialogues(dialogues),
        *check_citations(citations),
        *check_authorities(),
    ]


def check_dates(records: Iterable, *, label) -> list[Problem]:
    """Flag dates that are not valid EDTF, and stored bounds that no longer match the date.

    Stale bounds happen when a row is changed by a bulk update, which skips the signal that
    fills them; every range filter and the era checks below would then read the wrong days.
    """
    problems = []
    for record in records:
        try:
            bounds = dates.parse(record.date)
        except dates.InvalidDate:
            problems.append(
                Problem(
                    "invalid-date",
                    label(record),
                    dates.invalid_message(record.date or ""),
                    _record(record),
                )
            )
            continue
        stored = (record.date_earliest, record.date_latest)
        if stored != (bounds.earliest, bounds.latest):
            problems.append(
                Problem(
                    "stale-date-bounds",
                    label(record),
                    f"The date “{record.date}” runs from {bounds.earliest} to {bounds.latest}, "
                    f"but the stored bounds say {stored[0]} to {stored[1]}. Save the record "
                    "again to recompute them.",
                    _record(record),
                )
            )
    return problems


def _has_bounds(record) -> bool:
    return record.date_earliest is not None and record.date_latest is not None


def check_era_overlaps(eras: list[Era]) -> list[Problem]:
    """Flag every pair of eras whose stored days overlap."""
    problems = []
    dated = [era for era in eras if _has_bounds(era)]
    for i, era in enumerate(dated):
        for other in dated[i + 1 :]:
            if era.overlaps(other):
                problems.append(
                    Problem(
                        "era-overlap",
                        era_label(era),
                        f"“{era.name}” ({era.date_earliest} to {era.date_latest}) overlaps "
                        f"“{other.name}” ({other.date_earliest} to {other.date_latest}). "
                        "Eras may not overlap.",
                        _record(era),
                    )
                )
    return problems


def check_era_sequence(eras: list[Era]) -> list[Problem]:
    """Walk the eras in position order and flag each one that does not start the next day.

    Overlaps are left to check_era_overlaps; here an era that starts before its predecessor
    ends is only flagged when the two do not overlap at all, that is, when it is out of order.
    An era with no bounds (an invalid date, flagged elsewhere) breaks the walk, since nothing
    can be said about what lies next to it.
    """
    problems = []
    previous = None
    for era in eras:
        if not _has_bounds(era):
            previous = None
            continue
        if previous is not None:
            expected = previous.date_latest + ONE_DAY
            if era.date_earliest > expected:
                problems.append(
                    Problem(
                        "era-gap",
                        era_label(era),
                        f"Nothing covers {expected} to {era.date_earliest - ONE_DAY}: "
                        f"“{previous.name}” (position {previous.position}) ends on "
                        f"{previous.date_latest}, but “{era.name}” (position {era.position}) "
                        f"starts on {era.date_earliest}. Each era must start the day after "
                        "the previous one ends.",
                        _record(era),
                    )
                )
            elif era.date_earliest < expected and not era.overlaps(previous):
                problems.append(
                    Problem(
                        "era-order",
                        era_label(era),
                        f"“{era.name}” (position {era.position}) ends on {era.date_latest}, "
                        f"before “{previous.name}” (position {previous.position}) starts on "
                        f"{previous.date_earliest}. Number the eras in date order.",
                        _record(era),
                    )
                )
        previous = era
    return problems


def check_dialogues(dialogues: list[Dialogue]) -> list[Problem]:
    """Flag dialogues dated outside their era and dialogues with no citation.

    A dialogue lies in its era when the span its date claims does (`dates.Bounds.claimed`):
    "about 1990" may be 1989, so its era must hold 1989; "2006?" says 2006, with a doubt, so
    its era must hold 2006, and the extra year either side that the date library gives an
    uncertain date may reach into the neighbouring era. So a date can keep an uncertainty it
    inherits (from the uncertain year of the essay it is counted from, say).

    Expects the dialogues with `era` selected and `citation_count` annotated.
    """
    problems = []
    for dialogue in dialogues:
        era = dialogue.era
        if (
            _has_bounds(dialogue)
            and _has_bounds(era)
            and not era.contains(
                *dates.claimed_bounds(dialogue.date, dialogue.date_earliest, dialogue.date_latest)
            )
        ):
            problems.append(
                Problem(
                    "dialogue-outside-era",
                    dialogue_label(dialogue),
                    f"The date “{dialogue.date}” ({dialogue.date_earliest} to "
                    f"{dialogue.date_latest}) lies outside its era “{era.name}” "
                    f"({era.date_earliest} to {era.date_latest}).",
                    _record(dialogue),
                )
            )
        if dialogue.citation_count == 0:
            problems.append(
                Problem(
                    "no-citation",
                    dialogue_label(dialogue),
                    "The dialogue cites no source. Every record must rest on at least one passage.",
                    _record(dialogue),
                )
            )
    return problems


def check_citations(citations: list[Citation]) -> list[Problem]:
    """Flag empty or overlong excerpts, and outcomes that belong to another dialogue.

    Expects the citations with `dialogue`, `source` and `outcome` selected.
    """
    problems = []
    limit = EXCERPT_MAX_WORDS + EXCERPT_WORD_SLACK
    for citation in citations:
        words = len(citation.excerpt.split())
        if words == 0:
            problems.append(
                Problem(
                    "excerpt-empty",
                    citation_label(citation),
                    "The excerpt is empty.",
                    _record(citation),
                )
            )
        elif words > limit:
            problems.append(
                Problem(
                    "excerpt-too-long",
                    citation_label(citation),
                    f"The excerpt has {words} words; quote at most about {EXCERPT_MAX_WORDS} "
                    f"(up to {limit}).",
                    _record(citation),
                )
            )
        if citation.outcome is not None and citation.outcome.dialogue_id != citation.dialogue_id:
            problems.append(
                Problem(
                    "citation-outcome",
                    citation_label(citation),
                    f"The outcome “{citation.outcome}” it supports belongs to another dialogue.",
                    _record(citation),
                )
            )
    return problems
