"""What the integrity checks report: a `Problem`, and how records are named in it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record.

    `record` names the record as (model label, natural key) so that callers can tell which
    record it is without parsing the label; it takes no part in comparing problems.
    """

    code: str
    label: str
    message: str
    record: tuple[str, tuple] | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"[{self.code}] {self.label}: {self.message}"


class SourceTextError(Exception):
    """The folder of source texts, or a file in it, cannot be read."""


# --- Labels -------------------------------------------------------------------------------


def record_of(obj) -> tuple[str, tuple]:
    return (obj._meta.label_lower, tuple(obj.natural_key()))


def era_label(era) -> str:
    return f"era {era.slug}"


def source_label(source) -> str:
    return f"source {source.slug}"


def dialogue_label(dialogue) -> str:
    return f"dialogue {dialogue.slug}"


def citation_label(citation) -> str:
    return f"citation {citation.dialogue.slug} / {citation.source.slug} ¶{citation.paragraph}"


def disagreement_citation_label(citation) -> str:
    return (
        f"sources-differ {citation.disagreement.slug} / {citation.source.slug} "
        f"¶{citation.paragraph}"
    )
