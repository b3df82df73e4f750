"""Facet counts: how many dialogues each value of a filter would leave, under the other filters.

A facet leaves out its own filter, so that choosing one era still shows every other era's
count; counts are cached until the archive changes.
"""

from __future__ import annotations

from django.db.models import Count, F, QuerySet

from .. import caching
from ..models import Background, Dialogue, OutcomeKind, Side
from .filters import DialogueFilterSet


class Facet:
    """Counts of dialogues per value of one filter, under every other active filter."""

    name: str
    label: str

    def __init__(self, filterset: DialogueFilterSet):
        self.filterset = filterset

    def base(self) -> QuerySet:
        ids = self.filterset.filter_queryset(Dialogue.objects.public(), without=self.name)
        return Dialogue.objects.filter(pk__in=ids.values("pk"))

    def counts(self) -> list[tuple[str, str, int]]:
        """Return (value, label, count) for every value with at least one dialogue."""
        raise NotImplementedError


class EraFacet(Facet):
    name, label = "era", "Era"

    def counts(self):
        rows = (
            self.base()
            .values(value=F("era__slug"), name=F("era__name"), position=F("era__position"))
            .annotate(n=Count("pk"))
            .order_by("position")
        )
        return [(r["value"], r["name"], r["n"]) for r in rows]


class ChoiceFacet(Facet):
    """A facet over a vocabulary reached through a relation; counts distinct dialogues."""

    path: str
    choices: type

    def counts(self):
        rows = (
            self.base()
            .filter(**{f"{self.path}__isnull": False})
            .exclude(**{self.path: ""})
            .values(value=F(self.path))
            .annotate(n=Count("pk", distinct=True))
        )
        found = {r["value"]: r["n"] for r in rows}
        return [(v, label, found[v]) for v, label in self.choices.choices if v in found]


class OutcomeFacet(ChoiceFacet):
    name, label, path, choices = "outcome", "Outcome", "outcomes__kind", OutcomeKind


class SideFacet(ChoiceFacet):
    name, label, path, choices = "side", "Side", "participations__participant__side", Side


class BackgroundFacet(ChoiceFacet):
    name, label, path, choices = (
        "background",
        "Background",
        "participations__participant__background",
        Background,
    )


FACETS = (EraFacet, OutcomeFacet, SideFacet, BackgroundFacet)


def facet_counts(filterset: DialogueFilterSet) -> list[tuple[Facet, list]]:
    """Return each facet with its counts; counts are cached until the archive changes."""
    result = []
    for facet in (cls(filterset) for cls in FACETS):
        key = filterset.cache_key(without=facet.name)
        result.append((facet, caching.cached(f"facet-{facet.name}", key, facet.counts)))
    return result
