"""What the archive holds that an import's file names, read once for the whole file.

Eras and conflicts are few and read whole; sources, participants and dialogues are read by the
slugs the file names, a chunk at a time, so a file of ten thousand rows costs a few dozen
queries, never one per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.text import slugify

from ..models import (
    Citation,
    Conflict,
    Dialogue,
    DialoguePlace,
    Era,
    Outcome,
    Participant,
    Participation,
    PastSlug,
    Place,
    Series,
    SeriesMembership,
    Source,
    public_q,
)
from ..models.disclosure import today
from . import cells
from .reading import Table

SLUG_LIMIT = 120

CHUNK = 900  # below SQLite's default limit of variables in one query


@dataclass
class Existing:
    """A dialogue of the archive as the import compares it, with its rows' keys."""

    pk: int
    version: int
    status: str
    fields: dict
    takings: dict  # participant slug -> (pk, Taking)
    hidden: list  # pks of participations withheld today (what the public export masks)
    outcomes: dict  # kind -> (pk, description)
    citations: list  # (pk, source slug, paragraph, excerpt)
    outcome_keys: dict = field(default_factory=dict)  # pk -> key
    citation_keys: dict = field(default_factory=dict)  # pk -> key
    places: list = field(default_factory=list)  # slugs of its published places, in order
    place_rows: dict = field(default_factory=dict)  # published place slug -> DialoguePlace pk
    # published series slug -> (SeriesMembership pk, cells.Membership)
    memberships: dict = field(default_factory=dict)


@dataclass
class Lookups:
    """The archive's records a file may name, read once for the whole file."""

    eras: dict[str, Era]
    conflicts: dict[str, int]
    sources: dict[str, int]
    participants: dict[str, int]
    existing: dict[str, Existing]
    past_slugs: dict[str, int]
    taken_slugs: set[str]
    places: dict[str, int] = field(default_factory=dict)
    series: dict[str, int] = field(default_factory=dict)  # published series named in the file
    # (series slug, position) -> the dialogue holding it now, for the series named in the file
    series_positions: dict[tuple[str, int], int] = field(default_factory=dict)


def chunks(items):
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _slugs_in(table: Table, column: str, fields: int, position: int = 0) -> set[str]:
    found = set()
    for _, row in table.rows:
        for line in cells.lines(row.get(column, "")):
            parts = cells.split(line, fields)
            if len(parts) > position:
                found.add(parts[position])
    return found


def _by_slug(model, slugs) -> dict[str, int]:
    found = {}
    for chunk in chunks(slugs):
        found.update(model.objects.filter(slug__in=chunk).values_list("slug", "pk"))
    return found


def _series_sources(table: Table) -> set[str]:
    """The sources the stated memberships of `series_list` cite."""
    found = set()
    for _, row in table.rows:
        for line in cells.lines(row.get("series_list", "")):
            parts = cells.split(line, 6)
            if len(parts) > 3 and parts[2].lower() == cells.STATED:
                found.add(parts[3])
    return found


def _series(slugs) -> tuple[dict[str, int], dict[tuple[str, int], int]]:
    """The published series among `slugs`, and who holds each of their positions now."""
    found, positions = {}, {}
    for chunk in chunks(slugs):
        found.update(Series.objects.filter(public_q(), slug__in=chunk).values_list("slug", "pk"))
    for chunk in chunks(found):
        positions.update(
            ((slug, position), dialogue)
            for slug, position, dialogue in SeriesMembership.objects.filter(
                series__slug__in=chunk
            ).values_list("series__slug", "position", "dialogue_id")
        )
    return found, positions


def read_lookups(table: Table) -> Lookups:
    row_slugs = {row.get("slug", "").strip() for _, row in table.rows} - {""}
    existing = _existing(row_slugs)
    missing = row_slugs - set(existing)
    past = {}
    for chunk in chunks(missing):
        past.update(
            PastSlug.objects.filter(kind="dialogue", slug__in=chunk).values_list(
                "slug", "object_id"
            )
        )
    # Slugs new rows without one would take: taken already, or an old address of a record.
    wanted = {slugify(row.get("title", ""))[:SLUG_LIMIT] for _, row in table.rows}
    taken = set()
    for chunk in chunks(wanted - {""}):
        taken.update(Dialogue.objects.filter(slug__in=chunk).values_list("slug", flat=True))
        taken.update(
            PastSlug.objects.filter(kind="dialogue", slug__in=chunk).values_list("slug", flat=True)
        )
    series, positions = _series(_slugs_in(table, "series_list", 2))
    return Lookups(
        eras={era.slug: era for era in Era.objects.all()},
        conflicts=dict(Conflict.objects.values_list("slug", "pk")),
        sources=_by_slug(Source, _slugs_in(table, "citation_list", 3) | _series_sources(table)),
        participants=_by_slug(Participant, _slugs_in(table, "participant_list", 3) - {"*"}),
        places=_by_slug(Place, _slugs_in(table, "place_slugs", 1)),
        series=series,
        series_positions=positions,
        existing=existing,
        past_slugs=past,
        taken_slugs=taken,
    )


def _existing(slugs: set[str]) -> dict[str, Existing]:
    found: dict[str, Existing] = {}
    day = today()
    for chunk in chunks(slugs):
        by_pk = {}
        for values in Dialogue.objects.filter(slug__in=chunk).values(
            "pk",
            "version",
            "status",
            "slug",
            "title",
            "date",
            "date_note",
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
            "embargo_until",
            *cells.TRANSLATION_COLUMNS,
        ):
            fields = {
                "title": values["title"],
                "date": values["date"],
                "date_note": values["date_note"],
                "era": values["era__slug"],
                "conflict": values["conflict__slug"],
                "place": values["place"],
                "venue": values["venue"],
                "venue_kind": values["venue_kind"],
                "track": values["track"],
                "talks": values["talks"],
                "level": values["level"],
                "level_note": values["level_note"],
                "summary": values["summary"],
                "embargo_until": values["embargo_until"],
                # No translation reads as an empty cell, as the export writes it.
                **{column: values[column] or "" for column in cells.TRANSLATION_COLUMNS},
            }
            record = Existing(
                values["pk"], values["version"], values["status"], fields, {}, [], {}, []
            )
            found[values["slug"]] = by_pk[values["pk"]] = record
        ids = list(by_pk)
        for dialogue_id, pk, slug, role, withheld, until, show_side in Participation.objects.filter(
            dialogue_id__in=ids
        ).values_list(
            "dialogue_id",
            "pk",
            "participant__slug",
            "role",
            "withheld",
            "withheld_until",
            "show_side",
        ):
            record = by_pk[dialogue_id]
            record.takings[slug] = (pk, cells.Taking(slug, role, withheld, until, show_side))
            if withheld and (until is None or until > day):
                record.hidden.append(pk)
        for dialogue_id, pk, kind, description, key in Outcome.objects.filter(
            dialogue_id__in=ids
        ).values_list("dialogue_id", "pk", "kind", "description", "key"):
            by_pk[dialogue_id].outcomes[kind] = (pk, description)
            by_pk[dialogue_id].outcome_keys[pk] = key
        for dialogue_id, pk, source, paragraph, excerpt, key in (
            Citation.objects.filter(dialogue_id__in=ids)
            .order_by("pk")
            .values_list("dialogue_id", "pk", "source__slug", "paragraph", "excerpt", "key")
        ):
            by_pk[dialogue_id].citations.append((pk, source, paragraph, excerpt))
            by_pk[dialogue_id].citation_keys[pk] = key
        for dialogue_id, pk, slug in (
            DialoguePlace.objects.filter(public_q("place__"), dialogue_id__in=ids)
            .order_by("position", "pk")
            .values_list("dialogue_id", "pk", "place__slug")
        ):
            by_pk[dialogue_id].places.append(slug)
            by_pk[dialogue_id].place_rows[slug] = pk
        for dialogue_id, pk, slug, *membership in (
            SeriesMembership.objects.filter(public_q("series__"), dialogue_id__in=ids)
            .order_by("pk")
            .values_list(*MEMBERSHIP_VALUES)
        ):
            by_pk[dialogue_id].memberships[slug] = (pk, membership_of(slug, *membership))
    return found


MEMBERSHIP_VALUES = (
    "dialogue_id",
    "pk",
    "series__slug",
    "position",
    "basis",
    "cited_source__slug",
    "cited_paragraph",
    "cited_excerpt",
    "reason",
)


def membership_of(series, position, basis, source, paragraph, excerpt, reason):
    """A stored membership as a cell row would give it (the fields its basis does not use are
    left out, as the cell has no place for them)."""
    if basis == cells.INFERRED:
        return cells.Membership(series, position, cells.INFERRED, reason=reason or "")
    return cells.Membership(series, position, cells.STATED, source or "", paragraph, excerpt or "")


def unnamed_hidden(existing: Existing, takings: dict) -> set[int]:
    """The participations withheld today that a list of named participants leaves out."""
    hidden = set(existing.hidden)
    return {
        pk for slug, (pk, _) in existing.takings.items() if pk in hidden and slug not in takings
    }
