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
from collections.abc import Callable, Iterator

from ..models import (
    WITHHELD_NAME,
    Citation,
    Conflict,
    Dialogue,
    Era,
    Outcome,
    Participant,
    Participation,
    Source,
    citation_key,
    public_q,
)
from ..models.disclosure import is_withheld, today
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


def dialogues() -> Iterator[Cells]:
    return _plain(
        Dialogue.objects.public().order_by("slug"),
        (
            "slug",
            "title",
            *DATED,
            "era__slug",
            "conflict__slug",
            "place",
            "venue",
            "venue_kind",
            "track",
            "summary",
            *translation_columns(("title", "summary", "date_note")),
        ),
    )


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
    for dialogue, slug, name, side, role, note, *rest in sorted(named, key=lambda row: row[1]):
        note_translations = [cell(value) for value in rest[3:]]
        yield [dialogue, slug, slug, name, "false", side, role, note, *note_translations]
    for n, row in enumerate(withheld, start=1):
        dialogue, side, role, show_side = row[0], row[3], row[4], row[8]
        shown_side = side if show_side else ""
        # No note, and so none of its translations either.
        blank = [""] * len(row[9:])
        yield [dialogue, f"withheld-{n}", "", WITHHELD_NAME, "true", shown_side, role, "", *blank]


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


READERS: dict[str, Callable[[], Iterator[Cells]]] = {
    "dialogues": dialogues,
    "participants": participants,
    "participations": participations,
    "outcomes": outcomes,
    "citations": citations,
    "eras": eras,
    "sources": sources,
    "conflicts": conflicts,
}
