"""Read the rows of an export as plain values, a chunk at a time, and shape them.

An export of the whole archive is 100,000 dialogues and half a million related rows. Building
a model instance for each, and running each through a DRF serializer, took minutes; reading
tuples with `values_list` and shaping them by hand takes seconds. The JSON items are exactly the
API's `DialogueSerializer` objects (the tests compare the two), and the CSV rows are the
documented columns.

Each chunk costs seven queries, however many rows it holds: the dialogues, then their
participants, outcomes, citations, places, series and external ids, each in the order the API
gives them.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Case, F, When
from django.urls import reverse
from django.utils.translation import get_language

from ..imports import cells
from ..imports.cells import TRANSLATED_FIELDS, TRANSLATION_COLUMNS
from ..models import (
    SCHEMES,
    WITHHELD_NAME,
    Capacity,
    Citation,
    DialoguePlace,
    ExternalId,
    Level,
    OutcomeKind,
    Participant,
    Participation,
    Role,
    SeriesMembership,
    Side,
    TalksStatus,
    Track,
    VenueKind,
    public_q,
)
from ..models import Outcome as OutcomeModel
from ..models.disclosure import is_withheld, today
from ..models.places import places_in_words
from ..models.table import AT_THE_TABLE, implied_level
from ..models.translations import TRANSLATION_LANGUAGES, translation_columns

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
MEMBERSHIP_FIELDS = ("dialogue_id", "series__slug", "series__name", "position")
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


class _Labels:
    """`LABELS[Vocabulary]`: value → label, said in the active language (the labels are lazy
    translations), worked out once per vocabulary and language."""

    def __getitem__(self, vocabulary) -> dict:
        return _labels(vocabulary, get_language())


@lru_cache(maxsize=64)
def _labels(vocabulary, language) -> dict:
    return {value: str(label) for value, label in vocabulary.choices}


LABELS = _Labels()


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


_INDEX = {name: i for i, name in enumerate(DIALOGUE_FIELDS)}


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


# --- Shapes -----------------------------------------------------------------------------------


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def _float(value) -> float | None:
    return None if value is None else float(value)


def _id_url(scheme: str, value: str) -> str:
    known = SCHEMES.get(scheme)
    return known.link(value) if known else ""


def _implied(row: Row) -> str | None:
    """The level the capacities at the table imply, withheld names included (as the API)."""
    return implied_level(p[12] for p in row.participants if p[6] in AT_THE_TABLE)


def _public_capacity(at_the_table: dict | None) -> dict | None:
    if at_the_table is None:
        return None
    return {key: value for key, value in at_the_table.items() if not key.startswith("_")}


def _capacity_words(p: tuple) -> str:
    """A named participant's capacity at the table in words, e.g. “Former official, for X”."""
    at_the_table = p[11]
    words = LABELS[Capacity].get(at_the_table["capacity"], at_the_table["capacity"])
    if at_the_table["_organisation"]:
        words += f", on behalf of {at_the_table['_organisation']}"
    return f"{p[2]}: {words}"


def _level_words(value) -> str:
    return LABELS[Level].get(value, value) if value else ""


def _translations(values: tuple, names, index: dict) -> dict:
    """As `translations_field` gives them: by language, None where there is no translation."""
    result = {}
    for lang in TRANSLATION_LANGUAGES:
        shown = {}
        for name in names:
            value = values[index[f"{name}_{lang}"]]
            shown[name] = value if value and value.strip() else None
        result[lang] = shown
    return result


_CITATION_INDEX = {name: i for i, name in enumerate(CITATION_FIELDS)}


def api_item(row: Row, url) -> dict:
    """The dialogue as the API's DialogueSerializer gives it."""
    v = row.values
    i = _INDEX
    return {
        "slug": v[i["slug"]],
        "title": v[i["title"]],
        "url": url(v[i["slug"]]),
        "date": {
            "edtf": v[i["date"]],
            "display": v[i["date_display"]],
            "earliest": _iso(v[i["date_earliest"]]),
            "latest": _iso(v[i["date_latest"]]),
            "note": v[i["date_note"]],
        },
        "era": {"slug": v[i["era__slug"]], "name": v[i["era__name"]]},
        "conflict": {"slug": v[i["conflict__slug"]], "name": v[i["conflict__name"]]},
        "place": v[i["place"]],
        "venue": v[i["venue"]] or LABELS[VenueKind].get(v[i["venue_kind"]], v[i["venue_kind"]]),
        "track": v[i["track"]],
        "talks": v[i["talks"]],
        "level": v[i["level"]],
        "implied_level": _implied(row),
        "level_note": v[i["level_note"]],
        "summary": v[i["summary"]],
        "places": [
            {
                "slug": p[1],
                "name": p[2],
                "country": p[3],
                "latitude": _float(p[4]),
                "longitude": _float(p[5]),
            }
            for p in row.places
        ],
        "series": [{"series": {"slug": m[1], "name": m[2]}, "position": m[3]} for m in row.series],
        "external_ids": [
            {"scheme": e[1], "value": e[2], "url": _id_url(e[1], e[2]), "source_url": e[3]}
            for e in row.external_ids
        ],
        "participants": [
            {
                "slug": p[1],
                "name": p[2],
                "name_withheld": p[7],
                "kind": p[3],
                "side": p[4],
                "background": p[5],
                "role": p[6],
                "at_the_table": _public_capacity(p[11]),
            }
            for p in row.participants
        ],
        "outcomes": [
            {"kind": o[1], "label": LABELS[OutcomeKind].get(o[1], o[1]), "description": o[2]}
            for o in row.outcomes
        ],
        "sources": [
            {
                "slug": c[1],
                "title": c[2],
                "author": c[3],
                "excerpt": c[4],
                "locator": f"¶ {c[5]}",
                "translations": _translations(c, ("excerpt",), _CITATION_INDEX),
            }
            for c in row.citations
        ],
        "translations": _translations(v, TRANSLATED_FIELDS, i),
    }


def csv_cells(row: Row, url, separator: str) -> dict[str, str]:
    """The dialogue's CSV cells by column name, in words (labels, not codes)."""
    v = row.values
    i = _INDEX
    sides, roles = LABELS[Side], LABELS[Role]
    # The same paragraph cited for two excerpts is one reference in a spreadsheet cell.
    sources = dict.fromkeys(f"{c[2]} ¶{c[5]}" for c in row.citations)
    return {
        "slug": v[i["slug"]],
        "title": v[i["title"]],
        "url": url(v[i["slug"]]),
        "date_edtf": v[i["date"]],
        "date_display": v[i["date_display"]],
        "date_earliest": _iso(v[i["date_earliest"]]) or "",
        "date_latest": _iso(v[i["date_latest"]]) or "",
        "date_note": v[i["date_note"]],
        "era": v[i["era__name"]],
        "conflict": v[i["conflict__name"]],
        "place": v[i["place"]],
        "venue": v[i["venue"]],
        "venue_kind": LABELS[VenueKind].get(v[i["venue_kind"]], v[i["venue_kind"]]),
        "track": LABELS[Track].get(v[i["track"]], v[i["track"]]),
        "talks": LABELS[TalksStatus].get(v[i["talks"]], v[i["talks"]]),
        "level": _level_words(v[i["level"]]),
        "implied_level": _level_words(_implied(row)),
        "level_note": v[i["level_note"]],
        "places": places_in_words(p[2] for p in row.places),
        "countries": separator.join(dict.fromkeys(p[3] for p in row.places if p[3])),
        "coordinates": separator.join(
            f"{p[4]},{p[5]}" for p in row.places if p[4] is not None and p[5] is not None
        ),
        "series": separator.join(f"{m[2]} #{m[3]}" for m in row.series),
        "external_ids": separator.join(
            f"{SCHEMES[e[1]].label if e[1] in SCHEMES else e[1]} {e[2]}" for e in row.external_ids
        ),
        "capacities": separator.join(
            _capacity_words(p) for p in row.participants if p[11] is not None
        ),
        "participants": separator.join(
            f"{p[2]} ({sides.get(p[4], p[4]) if p[4] else 'side not shown'}; "
            f"{roles.get(p[6], p[6])})"
            for p in row.participants
        ),
        "outcomes": separator.join(LABELS[OutcomeKind].get(o[1], o[1]) for o in row.outcomes),
        "sources": separator.join(sources),
        "summary": v[i["summary"]],
        **{column: v[i[column]] or "" for column in TRANSLATION_COLUMNS},
        # What an import reads back (see `dialogues.imports.cells`).
        "era_slug": v[i["era__slug"]],
        "conflict_slug": v[i["conflict__slug"]],
        "venue_kind_code": v[i["venue_kind"]],
        "track_code": v[i["track"]],
        "talks_code": v[i["talks"]],
        "level_code": v[i["level"]],
        "status": v[i["status"]],
        "embargo_until": _iso(v[i["embargo_until"]]) or "",
        # In reading order ("Rome or Amman"), not sorted as the other lists are.
        "place_slugs": "\n".join(p[1] for p in row.places),
        "participant_list": cells.joined(
            [
                cells.masked_line(p[6])
                if p[1] is None
                else cells.participation_line(p[1], p[6], p[8], p[9], p[10])
                for p in row.participants
            ]
        ),
        "outcome_list": cells.joined([cells.outcome_line(o[1], o[2]) for o in row.outcomes]),
        "citation_list": cells.joined(
            [cells.citation_line(c[1], c[5], c[4]) for c in row.citations]
        ),
    }
