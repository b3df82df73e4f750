"""What a dialogue's page says about its history: its public versions and the one it cites."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from ..citations import CitedVersion
from ..history.records import NumberedVersion, public_versions


@dataclass
class RecordHistory:
    versions: list[NumberedVersion]
    shown: NumberedVersion | None
    cited: CitedVersion | None

    @property
    def latest(self) -> NumberedVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def context(self) -> dict:
        return {
            "versions": self.versions,
            "latest_version": self.latest,
            "shown_version": self.shown,
            "cited_version": self.cited,
        }


class UnknownVersion(LookupError):
    """No public version of the record has that number."""


def version_url(request, slug: str, number: int) -> str:
    return request.build_absolute_uri(reverse("dialogues:dialogue_version", args=[slug, number]))


def record_history(request, dialogue, number: int | None = None) -> RecordHistory:
    """Read the dialogue's public versions; the one shown is `number`, or else the latest.

    Raises UnknownVersion when `number` names no public version.
    """
    versions = public_versions(dialogue)
    if number is None:
        shown = versions[-1] if versions else None
    elif 1 <= number <= len(versions):
        shown = versions[number - 1]
    else:
        raise UnknownVersion(number)
    cited = None
    if shown is not None:
        cited = CitedVersion(
            shown.number, shown.day, version_url(request, dialogue.slug, shown.number)
        )
    return RecordHistory(versions, shown, cited)
