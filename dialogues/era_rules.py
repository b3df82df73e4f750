"""Keep the timeline whole: refuse an era's change or deletion that would break its rules.

Eras may not overlap, walked in position order they leave no gap, and every dialogue lies
inside its era. The checks are integrity.py's own, run on the eras as they would be after the
change; a change is refused only for problems it would add, so an old fault elsewhere in the
archive (which check_archive reports) does not block every other edit.
"""

from __future__ import annotations

from django.db.models import Count, Q

from .integrity import check_dialogues, check_era_overlaps, check_era_sequence
from .models import Era

# How many dialogues a refusal names before it only counts the rest.
NAMED_DIALOGUES = 3


def timeline_problems(eras: list[Era] | None = None) -> set[str]:
    """The messages of every overlap, gap or misordering among `eras` (default: all)."""
    ordered = sorted(Era.objects.all() if eras is None else eras, key=lambda era: era.position)
    return {p.message for p in (*check_era_overlaps(ordered), *check_era_sequence(ordered))}


def change_problems(era: Era) -> list[str]:
    """Say what saving `era`, with its new date (bounds filled) and position, would break."""
    if era.date_earliest is None or era.date_latest is None:
        return []  # an invalid date is refused by the date field itself
    stored = list(Era.objects.all())
    others = [other for other in stored if other.pk != era.pk]
    added = timeline_problems([*others, era]) - timeline_problems(stored)
    return sorted(added) + (_orphan_problems(era) if era.pk else [])


def _orphan_problems(era: Era) -> list[str]:
    """Name the era's dialogues that its new dates would leave outside it."""
    outside = (
        era.dialogues.filter(
            Q(date_earliest__lt=era.date_earliest) | Q(date_latest__gt=era.date_latest)
        )
        .annotate(citation_count=Count("citations"))
        .order_by(*era.dialogues.model.CHRONOLOGICAL)
    )
    total = outside.count()
    if not total:
        return []
    named = list(outside[:NAMED_DIALOGUES])
    for dialogue in named:
        dialogue.era = era  # judged against the era as it would be saved
    messages = [
        f"“{dialogue.title}”: {problem.message}"
        for dialogue in named
        for problem in check_dialogues([dialogue])
        if problem.code == "dialogue-outside-era"
    ]
    if total > len(named):
        messages.append(
            f"…and {total - len(named)} more of this era's dialogues would lie outside it."
        )
    return [
        f"These dates would leave {total} of this era's dialogues outside it. Move them to "
        "another era first, or choose dates that hold them all.",
        *messages,
    ]


def deletion_problems(era: Era) -> list[str]:
    """Say what deleting `era` would break: its dialogues, or a gap between its neighbours."""
    problems = []
    count = era.dialogues.count()
    if count:
        problems.append(
            f"The era “{era.name}” holds {count} dialogue{'s' if count != 1 else ''}; "
            "move them to another era before deleting it."
        )
    everything = list(Era.objects.all())
    remaining = [other for other in everything if other.pk != era.pk]
    return problems + _gap_problems(
        era, timeline_problems(remaining) - timeline_problems(everything)
    )


def _gap_problems(era: Era, added: set[str]) -> list[str]:
    if not added:
        return []
    return [
        f"Deleting the era “{era.name}” would leave a gap in the timeline. Extend a "
        "neighbouring era over its dates first.",
        *sorted(added),
    ]


class EraDeletionRefused(Exception):
    """Deleting eras would leave a gap in the timeline; the message says where."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def remember_timeline(era: Era) -> None:
    """Note the timeline's problems before `era` is deleted (a pre_delete receiver's job).

    Django sends every pre_delete of a deletion before its first row goes, and every post_delete
    after all of a model's rows went, so a deletion of several eras is judged as a whole.
    """
    era._timeline_before = timeline_problems()


def refuse_broken_timeline(era: Era) -> None:
    """Raise EraDeletionRefused if the deletion left new gaps; it is inside the delete's
    transaction, so the deletion is undone."""
    added = timeline_problems() - getattr(era, "_timeline_before", set())
    if added:
        raise EraDeletionRefused(_gap_problems(era, added))
