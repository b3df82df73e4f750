"""Shape an export's rows (`export_rows.Row`) for readers: the API's JSON items and the CSV's
documented cells, in the page's language for every vocabulary label.

`export_rows` reads the rows, a chunk at a time; this module only turns the tuples it gives into
what is written. The JSON items are exactly the API's `DialogueSerializer` objects (the tests
compare the two).
"""

from __future__ import annotations

from functools import lru_cache

from django.utils.translation import get_language

from ..imports import cells
from ..imports.cells import TRANSLATED_FIELDS, TRANSLATION_COLUMNS
from ..models import (
    SCHEMES,
    Capacity,
    Level,
    OutcomeKind,
    Role,
    Side,
    TalksStatus,
    Track,
    VenueKind,
)
from ..models.places import places_in_words
from ..models.table import AT_THE_TABLE, implied_level
from ..models.translations import TRANSLATION_LANGUAGES
from .export_rows import CITATION_FIELDS, DIALOGUE_FIELDS, Row


class _Labels:
    """`LABELS[Vocabulary]`: value → label, said in the active language (the labels are lazy
    translations), worked out once per vocabulary and language."""

    def __getitem__(self, vocabulary) -> dict:
        return _labels(vocabulary, get_language())


@lru_cache(maxsize=64)
def _labels(vocabulary, language) -> dict:
    return {value: str(label) for value, label in vocabulary.choices}


LABELS = _Labels()


_INDEX = {name: i for i, name in enumerate(DIALOGUE_FIELDS)}


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
        "series_list": cells.joined(
            [cells.membership_line(m[1], m[3], *m[4:9]) for m in row.series]
        ),
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
