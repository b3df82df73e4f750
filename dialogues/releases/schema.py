"""The tables of a release and their Frictionless Table Schemas, made from the models' fields.

Each column names the model field it comes from, so its type, whether it is required, its
longest length, its vocabulary and its description are read from the model: the codebook, the
`datapackage.json` and the CSV files all follow the models, and nothing is typed twice.

Records are keyed by their natural keys (slugs, and a dialogue's slug with an outcome's or a
citation's `key`), which survive corrections and so let one release be compared with the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

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
)
from ..models.identifiers import OWNERS
from ..models.translations import TRANSLATION_LANGUAGES, field_name

# Django's own slug validator (`validate_slug`), written as a Table Schema pattern.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
# An EDTF date as the archive writes it: a day, month or year, an interval of two, with `~`
# (approximate) or `?` (uncertain). The `edtf` package checks the rest when an editor saves.
EDTF_PATTERN = r"^[0-9X?~%/.\-\[\]{}, ]+$"
# An ISO 3166-1 alpha-2 code; its 250 names are not repeated in the codebook.
COUNTRY_PATTERN = r"^[A-Z]{2}$"


@dataclass(frozen=True)
class Column:
    """One column of a table: its name in the CSV, and the model field it comes from.

    `field` names a field of `model` (a foreign key's target is the referenced table's slug).
    `required` and `description` override what the field says, where the release differs
    from the model (a withheld participant has no slug in the release, say).
    """

    name: str
    model: type[models.Model]
    field: str
    required: bool | None = None
    description: str | None = None
    pattern: str | None = None
    unique: bool | None = None
    # The (value, label) pairs of the column, where they are not the model field's own; `()`
    # for a coded field whose codes the pattern and description give instead (countries).
    choices: tuple[tuple[str, str], ...] | None = None

    def model_field(self) -> models.Field:
        return self.model._meta.get_field(self.field)


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    # (column(s), referenced table, referenced column(s))
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = field(default=())

    @property
    def path(self) -> str:
        return f"data/{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _dated(model) -> tuple[Column, ...]:
    return (
        Column("date", model, "date", pattern=EDTF_PATTERN),
        Column("date_display", model, "date_display"),
        Column("date_earliest", model, "date_earliest"),
        Column("date_latest", model, "date_latest"),
        Column("date_note", model, "date_note"),
    )


def _plain(model, *names: str) -> tuple[Column, ...]:
    """Columns named as the model fields they come from, with nothing to override."""
    return tuple(Column(name, model, name) for name in names)


LANGUAGE_NAMES = {"he": "Hebrew", "ar": "Arabic"}


def _translations(model, *names: str, withheld: bool = False) -> tuple[Column, ...]:
    """The archive's Hebrew and Arabic of `names`: `<name>_he`, `<name>_ar`, each after the
    other, empty where there is no translation. The English stays in the column `<name>`."""
    columns = []
    for name in names:
        for lang in TRANSLATION_LANGUAGES:
            column = field_name(name, lang)
            said = (
                f"The archive's own {LANGUAGE_NAMES.get(lang, lang)} translation (language tag "
                f"`{lang}`) of `{name}`; empty where there is none yet. `{name}` holds the English."
            )
            if withheld:
                said += " Empty when the name is withheld."
            columns.append(Column(column, model, column, required=False, description=said))
    return tuple(columns)


def _slug(model, description: str) -> Column:
    return Column("slug", model, "slug", description=description)


CONFLICTS = Table(
    "conflicts",
    "Conflicts",
    "The conflicts dialogues took place in.",
    (
        _slug(Conflict, "The conflict's permanent key."),
        *_plain(Conflict, "name", "summary"),
    ),
    ("slug",),
)

ERAS = Table(
    "eras",
    "Eras",
    "The periods of the timeline, in order. They do not overlap and leave no gap.",
    (
        _slug(Era, "The era's permanent key."),
        *_plain(Era, "name", "position"),
        *_dated(Era),
        *_plain(Era, "summary", "boundary_note"),
        *_translations(Era, "name", "summary", "boundary_note"),
    ),
    ("slug",),
)

SOURCES = Table(
    "sources",
    "Sources",
    "The documents records come from. Citations give a paragraph number in one of them.",
    (
        _slug(Source, "The source's permanent key."),
        *_plain(Source, "title", "author", "author_role", "publication"),
        *_dated(Source),
        *_plain(Source, "url", "first_words", "description"),
    ),
    ("slug",),
)

PARTICIPANTS = Table(
    "participants",
    "Participants",
    "People and groups named in at least one public dialogue. A participant whose name is "
    "withheld in every public dialogue is not listed.",
    (
        _slug(Participant, "The participant's permanent key."),
        *_plain(
            Participant, "name", "kind", "side", "side_note", "background", "background_note", "bio"
        ),
        *_translations(Participant, "bio"),
    ),
    ("slug",),
)


def _country(model) -> Column:
    return Column(
        "country",
        model,
        "country",
        pattern=COUNTRY_PATTERN,
        choices=(),
        description="ISO 3166-1 alpha-2 code (e.g. NO for Norway); empty when unknown.",
    )


DIALOGUES = Table(
    "dialogues",
    "Dialogues",
    "Published dialogues: meetings, series of meetings and proposals for talks.",
    (
        _slug(Dialogue, "The dialogue's permanent key; its page is /dialogues/<slug>/."),
        Column("title", Dialogue, "title"),
        *_dated(Dialogue),
        Column("era", Dialogue, "era", description="The era the dialogue falls in (its slug)."),
        Column(
            "conflict",
            Dialogue,
            "conflict",
            description="The conflict the dialogue belongs to (its slug).",
        ),
        Column(
            "place",
            Dialogue,
            "place",
            description=(
                "Where it was held, in words; empty when unknown. The table dialogue_places "
                "names the place records."
            ),
        ),
        *_plain(Dialogue, "venue", "venue_kind"),
        Column(
            "track",
            Dialogue,
            "track",
            description="The track as first recorded; `talks` and `level` split it in two.",
        ),
        *_plain(Dialogue, "talks", "level"),
        Column(
            "implied_level",
            Dialogue,
            "level",
            required=False,
            description=(
                "The level the capacities at the table imply (withheld names included): only "
                "serving officials, Track I; officials with others, or officials in a personal "
                "capacity, Track 1.5; no officials, Track II. Empty when no capacity is stated."
            ),
        ),
        Column("level_note", Dialogue, "level_note"),
        Column("summary", Dialogue, "summary"),
        *_translations(Dialogue, "title", "summary", "date_note"),
    ),
    ("slug",),
    ((("era",), "eras", ("slug",)), (("conflict",), "conflicts", ("slug",))),
)

PARTICIPATIONS = Table(
    "participations",
    "Participations",
    "Who took part in which dialogue, and in what role. A participation whose name is "
    f"withheld keeps its row, with no participant, the name “{WITHHELD_NAME}”, no note, and "
    "its side only where the editors allow it to be shown.",
    (
        Column(
            "dialogue",
            Participation,
            "dialogue",
            description="The dialogue (its slug).",
        ),
        Column(
            "participant_key",
            Participation,
            "participant",
            pattern=r"^([-a-zA-Z0-9_]+|withheld-[0-9]+)$",
            description=(
                "The participant's slug, or `withheld-N` for the N-th participation in this "
                "dialogue whose name is withheld. Together with `dialogue` it names the row."
            ),
        ),
        Column(
            "participant",
            Participation,
            "participant",
            required=False,
            description="The participant (its slug); empty when the name is withheld.",
        ),
        Column(
            "name",
            Participant,
            "name",
            description=f"The participant's name, or “{WITHHELD_NAME}”.",
        ),
        Column(
            "name_withheld",
            Participation,
            "withheld",
            required=True,
            description="Whether the participant's name is withheld from readers today.",
        ),
        Column(
            "side",
            Participant,
            "side",
            required=False,
            description=(
                "The participant's side as readers see it: empty when the name is withheld "
                "and the side is not shown."
            ),
        ),
        Column("role", Participation, "role"),
        Column(
            "note",
            Participation,
            "note",
            description="A note on the participation; empty when the name is withheld.",
        ),
        *_translations(Participation, "note", withheld=True),
        Column(
            "capacity",
            Participation,
            "capacity",
            required=False,
            description=(
                "The capacity in which they sat at this meeting; empty when the name is withheld."
            ),
        ),
        Column(
            "capacity_basis",
            Participation,
            "capacity_basis",
            description=(
                "Whether the capacity is stated in a source or inferred by the archive; empty "
                "when not stated or the name is withheld."
            ),
        ),
        Column(
            "on_behalf_of",
            Participation,
            "on_behalf_of",
            description=(
                "The organisation they sat for (its slug); empty when none, or the name is "
                "withheld."
            ),
        ),
        Column(
            "side_at_meeting",
            Participation,
            "side_then",
            description=(
                "The side held at this meeting: as recorded for it, else the participant's "
                "own. Empty when the name is withheld."
            ),
        ),
        Column(
            "background_at_meeting",
            Participation,
            "background_then",
            description=(
                "The background at this meeting: as recorded for it, else the participant's "
                "own. Empty when the name is withheld."
            ),
        ),
    ),
    ("dialogue", "participant_key"),
    (
        (("dialogue",), "dialogues", ("slug",)),
        (("participant",), "participants", ("slug",)),
        (("on_behalf_of",), "organisations", ("slug",)),
    ),
)

ORGANISATIONS = Table(
    "organisations",
    "Organisations",
    "Published organisations: convenors, funders, think tanks, universities, parties, "
    "government bodies.",
    (
        _slug(Organisation, "The organisation's permanent key."),
        *_plain(Organisation, "name", "kind"),
        _country(Organisation),
        Column("description", Organisation, "description"),
    ),
    ("slug",),
)

AFFILIATIONS = Table(
    "affiliations",
    "Affiliations",
    "Published affiliations of listed participants to published organisations: a role held "
    "between two uncertain dates. The same role held twice is two rows.",
    (
        Column("participant", Affiliation, "participant", description="The person (its slug)."),
        Column(
            "organisation", Affiliation, "organisation", description="The organisation (its slug)."
        ),
        Column("role", Affiliation, "role"),
        Column(
            "spell",
            Affiliation,
            "id",
            required=True,
            unique=False,
            description=(
                "1 for the first time this role was held in this organisation, by its start, "
                "2 for the next; with the three columns before it, it names the row."
            ),
        ),
        Column(
            "start",
            Affiliation,
            "start",
            pattern=EDTF_PATTERN,
            description="When it began (EDTF); empty when unknown.",
        ),
        Column(
            "end",
            Affiliation,
            "end",
            pattern=EDTF_PATTERN,
            description="When it ended (EDTF); empty when unknown or still held.",
        ),
        *_plain(Affiliation, "title", "note"),
    ),
    ("participant", "organisation", "role", "spell"),
    (
        (("participant",), "participants", ("slug",)),
        (("organisation",), "organisations", ("slug",)),
    ),
)

PLACES = Table(
    "places",
    "Places",
    "Published places, with their country, coordinates and GeoNames id where known.",
    (
        _slug(Place, "The place's permanent key."),
        Column("name", Place, "name"),
        _country(Place),
        *_plain(Place, "latitude", "longitude", "geonames_id", "geography_source"),
    ),
    ("slug",),
)

DIALOGUE_PLACES = Table(
    "dialogue_places",
    "Dialogue places",
    "Where each dialogue was held. Several places of one dialogue are alternatives (“Rome or "
    "Amman”), read in the order of `position`.",
    (
        Column("dialogue", DialoguePlace, "dialogue", description="The dialogue (its slug)."),
        Column("place", DialoguePlace, "place", description="The place (its slug)."),
        Column("position", DialoguePlace, "position"),
    ),
    ("dialogue", "place"),
    ((("dialogue",), "dialogues", ("slug",)), (("place",), "places", ("slug",))),
)

SERIES = Table(
    "series",
    "Series",
    "Published series: processes, channels and recurring forums.",
    (
        _slug(Series, "The series' permanent key."),
        *_plain(Series, "name", "kind", "description"),
    ),
    ("slug",),
)

SERIES_MEMBERSHIPS = Table(
    "series_memberships",
    "Series memberships",
    "The dialogues of each series, in order.",
    (
        Column("series", SeriesMembership, "series", description="The series (its slug)."),
        Column("dialogue", SeriesMembership, "dialogue", description="The dialogue (its slug)."),
        Column("position", SeriesMembership, "position"),
    ),
    ("series", "dialogue"),
    ((("series",), "series", ("slug",)), (("dialogue",), "dialogues", ("slug",))),
)

EXTERNAL_IDS = Table(
    "external_ids",
    "External ids",
    "The ids of published records in other datasets (Wikidata, VIAF, GeoNames, PA-X, UCDP), "
    "each with the public page it was taken from.",
    (
        Column(
            "record_type",
            ExternalId,
            "scheme",
            choices=tuple((owner, owner) for owner in OWNERS),
            description="The kind of record the id names.",
        ),
        Column(
            "record",
            ExternalId,
            "value",
            pattern=r"^[-a-zA-Z0-9_]+(/[-a-zA-Z0-9_]+)?$",
            choices=(),
            description=(
                "The record's key: its slug, or for an outcome its dialogue's slug and its "
                "`key` joined by `/`."
            ),
        ),
        Column("scheme", ExternalId, "scheme"),
        Column("value", ExternalId, "value", description="The id in that dataset."),
        Column("source_url", ExternalId, "source_url"),
    ),
    ("record_type", "record", "scheme", "value"),
)

OUTCOMES = Table(
    "outcomes",
    "Outcomes",
    "What a dialogue led to, from a fixed vocabulary. An outcome the sources do not support is "
    "not recorded.",
    (
        Column("dialogue", Outcome, "dialogue", description="The dialogue (its slug)."),
        Column("key", Outcome, "key", required=True),
        *_plain(Outcome, "kind", "description"),
    ),
    ("dialogue", "key"),
    ((("dialogue",), "dialogues", ("slug",)),),
)

CITATIONS = Table(
    "citations",
    "Citations",
    "Short verbatim excerpts of a source, with the paragraph they come from, that a dialogue "
    "rests on.",
    (
        Column("dialogue", Citation, "dialogue", description="The dialogue (its slug)."),
        Column("key", Citation, "key", required=True),
        Column("source", Citation, "source", description="The source quoted (its slug)."),
        *_plain(Citation, "paragraph", "excerpt"),
        Column(
            "outcome",
            Citation,
            "outcome",
            description=(
                "The outcome this passage supports: the `key` of an outcome of the same "
                "dialogue; empty when it supports none."
            ),
        ),
        Column(
            "participant",
            Citation,
            "participant",
            description=(
                "The participant this passage is about (its slug); empty as well when that "
                "participant's name is withheld in this dialogue."
            ),
        ),
        # The excerpt stays verbatim in its source's language; these are translations of it.
        *_translations(Citation, "excerpt"),
    ),
    ("dialogue", "key"),
    (
        (("dialogue",), "dialogues", ("slug",)),
        (("source",), "sources", ("slug",)),
        # (dialogue, outcome) names an outcome too, but Table Schema cannot say so: a foreign
        # key with one empty cell of two is an error there, and most citations name none.
        (("participant",), "participants", ("slug",)),
    ),
)

# In the order a reader meets them, and the order in which the package lists them.
TABLES: tuple[Table, ...] = (
    DIALOGUES,
    PARTICIPANTS,
    PARTICIPATIONS,
    OUTCOMES,
    CITATIONS,
    ERAS,
    SOURCES,
    CONFLICTS,
    ORGANISATIONS,
    AFFILIATIONS,
    PLACES,
    DIALOGUE_PLACES,
    SERIES,
    SERIES_MEMBERSHIPS,
    EXTERNAL_IDS,
)
TABLES_BY_NAME = {table.name: table for table in TABLES}


# --- Table Schema fields --------------------------------------------------------------------


def _referenced(model_field: models.Field) -> models.Field:
    """The field a release writes for a foreign key: the target's slug, or its `key`."""
    if not isinstance(model_field, models.ForeignKey):
        return model_field
    names = {f.name for f in model_field.related_model._meta.get_fields()}
    return model_field.related_model._meta.get_field("slug" if "slug" in names else "key")


def _type(model_field: models.Field) -> tuple[str, str | None]:
    """The Table Schema type (and format) of a model field; a key takes its target's."""
    if isinstance(model_field, models.ForeignKey):
        return _type(_referenced(model_field))
    if isinstance(model_field, models.BooleanField):
        return "boolean", None
    if isinstance(model_field, models.DateField):
        return "date", None
    if isinstance(model_field, models.IntegerField):
        return "integer", None
    if isinstance(model_field, models.DecimalField):
        return "number", None
    if isinstance(model_field, models.URLField):
        return "string", "uri"
    return "string", None


def vocabulary(model_field: models.Field) -> list[tuple[str, str]]:
    """The (value, label) pairs of a field with choices; none for a free field."""
    return [(str(value), str(label)) for value, label in model_field.flatchoices]


def field_descriptor(column: Column) -> dict:
    """The Table Schema field descriptor of `column`, from its model field."""
    model_field = column.model_field()
    kind, fmt = _type(model_field)
    description = column.description or str(model_field.help_text or "")
    if not description:
        description = str(model_field.verbose_name).capitalize() + "."
    descriptor: dict = {"name": column.name, "type": kind}
    if fmt:
        descriptor["format"] = fmt
    descriptor["title"] = str(model_field.verbose_name).capitalize()
    descriptor["description"] = description
    constraints: dict = {}
    required = column.required
    if required is None:
        required = not (model_field.blank or model_field.null)
    if required:
        constraints["required"] = True
    unique = column.unique if column.unique is not None else model_field.unique
    if unique:
        constraints["unique"] = True
    choices = list(column.choices) if column.choices is not None else vocabulary(model_field)
    if choices:
        constraints["enum"] = [value for value, _ in choices]
        descriptor["categories"] = [{"value": value, "label": label} for value, label in choices]
    elif (
        kind == "string"
        and getattr(model_field, "max_length", None)
        and fmt is None
        and column.choices is None
    ):
        constraints["maxLength"] = model_field.max_length
    target = _referenced(model_field)
    if column.pattern:
        constraints["pattern"] = column.pattern
    elif isinstance(target, models.SlugField):
        constraints["pattern"] = SLUG_PATTERN
        if isinstance(model_field, models.ForeignKey):
            constraints["maxLength"] = target.max_length
    if kind == "integer":
        for validator in model_field.validators:
            if isinstance(validator, MinValueValidator):
                constraints["minimum"] = max(validator.limit_value, constraints.get("minimum", 0))
            elif isinstance(validator, MaxValueValidator):
                constraints["maximum"] = validator.limit_value
        if isinstance(model_field, models.PositiveIntegerField):
            constraints.setdefault("minimum", 0)
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def table_schema(table: Table) -> dict:
    """The Table Schema of `table`: its fields, primary key and foreign keys."""
    schema: dict = {
        "fields": [field_descriptor(column) for column in table.columns],
        # An empty cell is a missing value: a blank text or an absent key.
        "missingValues": [""],
        "primaryKey": list(table.primary_key),
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {
                "fields": list(fields),
                "reference": {"resource": resource, "fields": list(target)},
            }
            for fields, resource, target in table.foreign_keys
        ]
    return schema
