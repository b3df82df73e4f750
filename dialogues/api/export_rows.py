"""Read the rows of an export as plain values, a chunk at a time (`export_shapes` shapes them).

An export of the whole archive is 100,000 dialogues and half a million related rows. Building
a model instance for each, and running each through a DRF serializer, took minutes; reading
tuples with `values_list` and shaping them by hand takes seconds.

Each chunk costs seven queries, however many rows it holds: the dialogues, then their
participants, outcomes, citations, places, series and external ids, each in the order the API
gives them.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Case, F, When
from django.urls import reverse

from ..imports.cells import TRANSLATION_COLUMNS
from ..models import (
    WITHHELD_NAME,
    Citation,
    DialoguePlace,
    ExternalId,
    Participant,
    Participation,
    SeriesMembership,
    public_q,
)
from ..models import Outcome as OutcomeModel
from ..models.disclosure import is_withheld, today
from ..models.translations import translation_columns

CHUNK_SIZE = 2000

DIALOGUE_FIELDS = (
    "pk",
    "slug",
    "title",
    "date",
    "date_display",
    "date_earliest",
    "date_latest",
    "date_note",
    "era__slug",
    "era__name",
    "conflict__slug",
    "conflict__name",
    "place",
    "venue",
    "venue_kind",
    "track",
    "talks",
    "level",
    "level_note",
    "summary",
    "status",
    "embargo_until",
    *TRANSLATION_COLUMNS,
)
# A participation row as a Row holds it: (dialogue_id, slug, name, kind, side, background,
# role, name_withheld, withheld, withheld_until, show_side, at_the_table, capacity); the three
# flags as stored are read only by the CSV's `participant_list`; `at_the_table` is the API's
# object (None while the name is withheld) and `capacity` counts towards the implied level.
PARTICIPATION_FIELDS = (
    "dialogue_id",
    "participant_id",
    "role",
    "pk",
    "withheld",
    "withheld_until",
    "show_side",
    "capacity",
    "capacity_basis",
    "public_on_behalf_of",
    "on_behalf_of__name",
    "side_then",
    "background_then",
)
PLACE_FIELDS = (
    "dialogue_id",
    "place__slug",
    "place__name",
    "place__country",
    "place__latitude",
    "place__longitude",
)
MEMBERSHIP_FIELDS = (
    "dialogue_id",
    "series__slug",
    "series__name",
    "position",
    # The evidence, which the import's `series_list` reads back.
    "basis",
    "cited_source__slug",
    "cited_paragraph",
    "cited_excerpt",
    "reason",
)
EXTERNAL_ID_FIELDS = ("dialogue_id", "scheme", "value", "source_url")
PERSON_FIELDS = ("pk", "slug", "name", "kind", "side", "background")
OUTCOME_FIELDS = ("dialogue_id", "kind", "description")
CITATION_FIELDS = (
    "dialogue_id",
    "source__slug",
    "source__title",
    "source__author",
    "excerpt",
    "paragraph",
    *translation_columns(("excerpt",)),
)


@dataclass(slots=True)
class Row:
    """One dialogue and its related rows, as tuples in the field orders above."""

    values: tuple
    participants: list[tuple]
    outcomes: list[tuple]
    citations: list[tuple]
    places: list[tuple]
    series: list[tuple]
    external_ids: list[tuple]


def rows(queryset, chunk_size: int = CHUNK_SIZE, *, reveal: bool = False) -> Iterator[Row]:
    """Yield every dialogue of `queryset`, in its order, with its related rows.

    Withheld names are masked as readers see them, unless `reveal` (the editors' export).
    """
    values = queryset.values_list(*DIALOGUE_FIELDS).iterator(chunk_size=chunk_size)
    try:
        while chunk := list(itertools.islice(values, chunk_size)):
            yield from _with_relations(chunk, reveal)
    finally:
        # Closing the row generator closes the database cursor (a server-side one on
        # PostgreSQL) now, not whenever the garbage collector gets to it.
        values.close()


def _with_relations(chunk: list[tuple], reveal: bool = False) -> Iterable[Row]:
    ids = [values[0] for values in chunk]
    participants = _participants(ids, reveal)
    outcomes = _grouped(
        OutcomeModel.objects.filter(dialogue_id__in=ids).order_by("dialogue_id", "kind"),
        OUTCOME_FIELDS,
    )
    citations = _grouped(
        Citation.objects.filter(dialogue_id__in=ids).order_by(
            "dialogue_id", "source__date_earliest", "paragraph", "pk"
        ),
        CITATION_FIELDS,
    )
    places = _grouped(
        DialoguePlace.objects.filter(public_q("place__"), dialogue_id__in=ids).order_by(
            "dialogue_id", "position", "pk"
        ),
        PLACE_FIELDS,
    )
    series = _grouped(
        SeriesMembership.objects.filter(public_q("series__"), dialogue_id__in=ids).order_by(
            "dialogue_id", "series__name", "pk"
        ),
        MEMBERSHIP_FIELDS,
    )
    external_ids = _grouped(
        ExternalId.objects.filter(dialogue_id__in=ids).order_by("dialogue_id", "scheme", "value"),
        EXTERNAL_ID_FIELDS,
    )
    empty: list[tuple] = []
    for values in chunk:
        pk = values[0]
        yield Row(
            values,
            participants.get(pk, empty),
            outcomes.get(pk, empty),
            citations.get(pk, empty),
            places.get(pk, empty),
            series.get(pk, empty),
            external_ids.get(pk, empty),
        )


def _participants(ids: list[int], reveal: bool = False) -> dict[int, list[tuple]]:
    """Each dialogue's participants by side, then name, as the API lists them.

    The chunk's people are read in one query, in the database's own order of side and name (its
    collation, as the API's), and each dialogue's participations are sorted by that rank. Joining
    participants to participations instead cost a sort of the whole join per chunk.
    """
    taking = list(
        Participation.objects.filter(dialogue_id__in=ids)
        # The organisation's slug only while it is published, as the API gives it.
        .annotate(
            public_on_behalf_of=Case(
                When(public_q("on_behalf_of__"), then=F("on_behalf_of__slug")), default=None
            )
        )
        .values_list(*PARTICIPATION_FIELDS)
    )
    people = Participant.objects.filter(pk__in={row[1] for row in taking}).order_by("side", "name")
    rank = {}
    for position, person in enumerate(people.values_list(*PERSON_FIELDS)):
        rank[person[0]] = (position, person)
    groups: dict[int, list[tuple]] = defaultdict(list)
    day = today()
    for (
        dialogue_id,
        person_id,
        role,
        pk,
        withheld,
        until,
        show_side,
        capacity,
        basis,
        on_behalf_of,
        on_behalf_name,
        side_then,
        background_then,
    ) in taking:
        position, (_, slug, name, kind, side, background) = rank[person_id]
        flags = (withheld, until, show_side)
        if is_withheld(withheld, until, day) and not reveal:
            # As `Participation.objects.public()` gives it: no name, slug, kind, background or
            # capacity, the side held at the meeting only if allowed, and after the named
            # participants of its side; the flags say only that the name is withheld.
            shown_side = (side_then or side) if show_side else None
            key = (shown_side or "~", True, position, pk)
            row = (dialogue_id, None, WITHHELD_NAME, None, shown_side, "", role, True)
            row += (True, None, False, None, capacity)
        else:
            key = (side, False, position, pk)
            at_the_table = {
                "capacity": capacity,
                "basis": basis,
                "on_behalf_of": on_behalf_of,
                "side": side_then or side,
                "background": background_then or background,
                # Not in the API's object: the CSV's capacities in words.
                "_organisation": on_behalf_name if on_behalf_of else None,
            }
            row = (dialogue_id, slug, name, kind, side, background, role, False, *flags)
            row += (at_the_table, capacity)
        groups[dialogue_id].append((key, row))
    return {
        dialogue_id: [row for _, row in sorted(rows, key=lambda item: item[0])]
        for dialogue_id, rows in groups.items()
    }


def _grouped(queryset, fields) -> dict[int, list[tuple]]:
    groups: dict[int, list[tuple]] = defaultdict(list)
    for values in queryset.values_list(*fields):
        groups[values[0]].append(values)
    return groups


def url_maker(request):
    """Return a function giving a dialogue's absolute URL from its slug, built once."""
    marker = "SLUG-MARKER"
    template = request.build_absolute_uri(reverse("dialogues:dialogue", args=[marker]))
    before, after = template.split(marker)
    return lambda slug: f"{before}{slug}{after}"
