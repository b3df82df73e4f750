"""The public rows of each table of a release, read as plain values a chunk at a time.

A release holds what readers may see and nothing else: published dialogues that are not under
an embargo (`public_q`), the participants readers may see (`Participant.objects.public()`), and
each participation as the public pages show it, a withheld name masked (see
`models.disclosure`). Rows are read with `values_list(...).iterator()`, never as model
instances, so a release of 100,000 dialogues costs seconds, not minutes.

Each reader yields lists of cells already in their CSV form, in the column order of
`schema.TABLES_BY_NAME[name]`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Concat

from ..models import (
    WITHHELD_NAME,
    Affiliation,
    Citation,
    Conflict,
    Dialogue,
    DialoguePlace,
    Era,
    ExternalId,
    Organisation,
    Outcome,
    Participant,
    Participation,
    Place,
    Series,
    SeriesMembership,
    Source,
    citation_key,
    public_q,
)
from ..models.disclosure import is_withheld, today
from ..models.identifiers import OWNERS
from ..models.table import AT_THE_TABLE, implied_level
from ..models.translations import translation_columns

CHUNK_SIZE = 2000

Cells = list[str]


def cell(value) -> str:
    """A value as a CSV cell: empty for none, ISO for a date, `true`/`false` for a boolean."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _plain(queryset, fields) -> Iterator[Cells]:
    for values in queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE):
        yield [cell(value) for value in values]


DATED = ("date", "date_display", "date_earliest", "date_latest", "date_note")


# The number of the dialogues' columns before `implied_level` (slug to level).
LEVEL_AT = 15


def dialogues() -> Iterator[Cells]:
    """Each public dialogue, with the level its capacities at the table imply."""
    capacities: dict[int, set[str]] = defaultdict(set)
    for dialogue_id, capacity in (
        Participation.objects.in_public_dialogues()
        .filter(role__in=AT_THE_TABLE)
        .values_list("dialogue_id", "capacity")
        .iterator(chunk_size=CHUNK_SIZE)
    ):
        capacities[dialogue_id].add(capacity)
    for pk, *values in (
        Dialogue.objects.public()
        .order_by("slug")
        .values_list(
            "pk",
            "slug",
            "title",
            *DATED,
            "era__slug",
            "conflict__slug",
            "place",
            "venue",
            "venue_kind",
            "track",
            "talks",
            "level",
            "level_note",
            "summary",
            *translation_columns(("title", "summary", "date_note")),
        )
        .iterator(chunk_size=CHUNK_SIZE)
    ):
        # Up to the level come the columns before `implied_level`; after it, the evidence,
        # the summary and the translations.
        implied = implied_level(capacities.get(pk, ()))
        yield [cell(value) for value in (*values[:LEVEL_AT], implied, *values[LEVEL_AT:])]


def participants() -> Iterator[Cells]:
    return _plain(
        Participant.objects.public().order_by("slug"),
        (
            *("slug", "name", "kind", "side", "side_note", "background", "background_note", "bio"),
            *translation_columns(("bio",)),
        ),
    )


def participations() -> Iterator[Cells]:
    """Each dialogue's participations: the named ones by slug, then the withheld ones.

    A withheld row has no participant, no note, and its side only if `show_side`; it comes
    after the named rows so its place in the file says nothing about the hidden name, and is
    numbered `withheld-N` within its dialogue.
    """
    day = today()
    values = (
        Participation.objects.in_public_dialogues()
        .order_by("dialogue__slug", "pk")
        # The organisation only while it is published.
        .annotate(
            public_on_behalf_of=Case(
                When(public_q("on_behalf_of__"), then=F("on_behalf_of__slug")), default=None
            )
        )
        .values_list(
            "dialogue__slug",
            "participant__slug",
            "participant__name",
            "participant__side",
            "role",
            "note",
            "withheld",
            "withheld_until",
            "show_side",
            "capacity",
            "capacity_basis",
            "public_on_behalf_of",
            "side_then",
            "participant__background",
            "background_then",
            *translation_columns(("note",)),
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    group: list[tuple] = []
    current = None
    for row in values:
        if row[0] != current and group:
            yield from _participation_rows(group, day)
            group = []
        current = row[0]
        group.append(row)
    if group:
        yield from _participation_rows(group, day)


def _participation_rows(group: list[tuple], day: datetime.date) -> Iterator[Cells]:
    named, withheld = [], []
    for row in group:
        (withheld if is_withheld(row[6], row[7], day) else named).append(row)
    for row in sorted(named, key=lambda row: row[1]):
        dialogue, slug, name, side, role, note = row[:6]
        capacity, basis, on_behalf_of, side_then, background, background_then = row[9:15]
        note_translations = [cell(value) for value in row[15:]]
        yield [
            *(dialogue, slug, slug, name, "false", side, role, note, *note_translations),
            *(capacity, basis, on_behalf_of or "", side_then or side),
            background_then or background,
        ]
    for n, row in enumerate(withheld, start=1):
        dialogue, side, role, show_side, side_then = row[0], row[3], row[4], row[8], row[12]
        # The side held at the meeting, as readers see it (see `models.disclosure.mask`).
        shown_side = (side_then or side) if show_side else ""
        # No note, and so none of its translations either; no capacity.
        blank = [""] * len(row[15:])
        yield [
            *(dialogue, f"withheld-{n}", "", WITHHELD_NAME, "true", shown_side, role, ""),
            *blank,
            *("", "", "", "", ""),
        ]


def outcomes() -> Iterator[Cells]:
    for dialogue, key, kind, description in (
        Outcome.objects.filter(public_q("dialogue__"))
        .order_by("dialogue__slug", "key")
        .values_list("dialogue__slug", "key", "kind", "description")
        .iterator(chunk_size=CHUNK_SIZE)
    ):
        # A key is filled in on save; one loaded raw and never saved falls back the same way.
        yield [dialogue, key or kind, kind, description]


def citations() -> Iterator[Cells]:
    """Each public citation; the participant it is about only where readers may see them."""
    day = today()
    public_people = set(Participant.objects.public().values_list("pk", flat=True))
    withheld_pairs = set(
        Participation.objects.withheld(day).values_list("dialogue_id", "participant_id")
    )
    for (
        dialogue_id,
        dialogue,
        key,
        source,
        paragraph,
        excerpt,
        outcome_key,
        outcome_kind,
        person_id,
        person,
        *excerpt_translations,
    ) in (
        Citation.objects.public()
        .order_by("dialogue__slug", "key", "pk")
        .values_list(
            "dialogue_id",
            "dialogue__slug",
            "key",
            "source__slug",
            "paragraph",
            "excerpt",
            "outcome__key",
            "outcome__kind",
            "participant_id",
            "participant__slug",
            *translation_columns(("excerpt",)),
        )
        .iterator(chunk_size=CHUNK_SIZE)
    ):
        shown = person_id in public_people and (dialogue_id, person_id) not in withheld_pairs
        yield [
            dialogue,
            key or citation_key(paragraph, excerpt),
            source,
            cell(paragraph),
            excerpt,
            (outcome_key or outcome_kind or "") if outcome_kind else "",
            person if shown else "",
            *(cell(value) for value in excerpt_translations),
        ]


def eras() -> Iterator[Cells]:
    return _plain(
        Era.objects.order_by("position"),
        (
            *("slug", "name", "position", *DATED, "summary", "boundary_note"),
            *translation_columns(("name", "summary", "boundary_note")),
        ),
    )


def sources() -> Iterator[Cells]:
    return _plain(
        Source.objects.order_by("slug"),
        (
            "slug",
            "title",
            "author",
            "author_role",
            "publication",
            *DATED,
            "url",
            "first_words",
            "description",
        ),
    )


def conflicts() -> Iterator[Cells]:
    return _plain(Conflict.objects.order_by("slug"), ("slug", "name", "summary"))


def organisations() -> Iterator[Cells]:
    return _plain(
        Organisation.objects.public().order_by("slug"),
        ("slug", "name", "kind", "country", "description"),
    )


def affiliations() -> Iterator[Cells]:
    """Published affiliations whose person and organisation the release lists, numbered by
    spell: the n-th time a role was held in an organisation, by start."""
    people = set(Participant.objects.public().values_list("pk", flat=True))
    rows = (
        Affiliation.objects.public()
        .filter(public_q("organisation__"), participant__in=people)
        .values_list(
            "participant__slug",
            "organisation__slug",
            "role",
            "start",
            "end",
            "title",
            "note",
            "pk",
        )
    )
    spells: dict[tuple, list] = defaultdict(list)
    for row in rows:
        spells[row[:3]].append(row)
    for key in sorted(spells):
        ordered = sorted(spells[key], key=lambda row: (row[3] == "", row[3], row[7]))
        for n, (_, _, _, start, end, title, note, _pk) in enumerate(ordered, start=1):
            yield [*key, str(n), start, end, title, note]


def places() -> Iterator[Cells]:
    return _plain(
        Place.objects.public().order_by("slug"),
        ("slug", "name", "country", "latitude", "longitude", "geonames_id", "geography_source"),
    )


def dialogue_places() -> Iterator[Cells]:
    return _plain(
        DialoguePlace.objects.filter(public_q("dialogue__"), public_q("place__")).order_by(
            "dialogue__slug", "position", "place__slug"
        ),
        ("dialogue__slug", "place__slug", "position"),
    )


def series() -> Iterator[Cells]:
    return _plain(Series.objects.public().order_by("slug"), ("slug", "name", "kind", "description"))


def series_memberships() -> Iterator[Cells]:
    return _plain(
        SeriesMembership.objects.filter(public_q("dialogue__"), public_q("series__")).order_by(
            "series__slug", "position", "dialogue__slug"
        ),
        ("series__slug", "dialogue__slug", "position"),
    )


def external_ids() -> Iterator[Cells]:
    """The ids of the records the release holds, and of nothing else."""
    public = {
        "participant": Q(participant__in=Participant.objects.public().values("pk")),
        "organisation": public_q("organisation__"),
        "place": public_q("place__"),
        "conflict": Q(conflict__isnull=False),
        "dialogue": public_q("dialogue__"),
        "outcome": public_q("outcome__dialogue__"),
    }
    found = []
    for owner in OWNERS:
        key = (
            Concat(
                F("outcome__dialogue__slug"),
                Value("/"),
                F("outcome__key"),
                output_field=CharField(),
            )
            if owner == "outcome"
            else F(f"{owner}__slug")
        )
        rows = (
            ExternalId.objects.filter(public[owner], **{f"{owner}__isnull": False})
            .annotate(record=key)
            .values_list("record", "scheme", "value", "source_url")
        )
        found.extend((owner, *row) for row in rows)
    for row in sorted(found):
        yield [cell(value) for value in row]


READERS: dict[str, Callable[[], Iterator[Cells]]] = {
    "dialogues": dialogues,
    "participants": participants,
    "participations": participations,
    "outcomes": outcomes,
    "citations": citations,
    "eras": eras,
    "sources": sources,
    "conflicts": conflicts,
    "organisations": organisations,
    "affiliations": affiliations,
    "places": places,
    "dialogue_places": dialogue_places,
    "series": series,
    "series_memberships": series_memberships,
    "external_ids": external_ids,
}
