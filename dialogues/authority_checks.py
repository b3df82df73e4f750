"""`check_archive`'s rules for issue 21's records, each in a fixed number of queries:

- a published affiliation without a citation (`affiliation-no-citation`);
- a recorded level that contradicts the capacities at the table, with no note saying why
  (`level-contradicts-capacities`);
- a place without a country (`place-no-country`).
"""

from __future__ import annotations

from django.db.models import Count, Prefetch

from .models import Affiliation, Dialogue, Participation, Place, Status
from .problems import Problem, dialogue_label
from .problems import record_of as _record


def check_authorities() -> list[Problem]:
    return [*check_affiliations(), *check_levels(), *check_places()]


def check_affiliations() -> list[Problem]:
    bare = (
        Affiliation.objects.filter(status=Status.PUBLISHED)
        .annotate(n=Count("citations"))
        .filter(n=0)
        .select_related("participant", "organisation")
        .order_by("participant__slug", "organisation__slug", "start", "pk")
    )
    return [
        Problem(
            "affiliation-no-citation",
            f"affiliation {a.participant.slug} / {a.organisation.slug}",
            f"“{a}” is published without a citation: add the passage that states it.",
            _record(a),
        )
        for a in bare
    ]


def check_levels() -> list[Problem]:
    rows = Participation.objects.only("dialogue_id", "role", "capacity")
    dialogues = (
        Dialogue.objects.exclude(level_note__regex=r"\S")
        .only("slug", "level", "level_note")
        .prefetch_related(Prefetch("participations", queryset=rows))
        .order_by("slug")
    )
    problems = []
    for dialogue in dialogues:
        contradiction = dialogue.level_contradiction()
        if contradiction:
            problems.append(
                Problem(
                    "level-contradicts-capacities",
                    dialogue_label(dialogue),
                    contradiction,
                    _record(dialogue),
                )
            )
    return problems


def check_places() -> list[Problem]:
    return [
        Problem(
            "place-no-country",
            f"place {place.slug}",
            f"The place “{place.name}” has no country: give its ISO 3166 code.",
            _record(place),
        )
        for place in Place.objects.filter(country="").order_by("slug")
    ]
