"""The shapes of the API's records, written once for the responses, the JSON export and the
OpenAPI document (drf-spectacular reads the fields and their help texts).

Every serializer here only reads: fetch dialogues `with_relations()`, eras with a
`dialogue_count` annotation and participants through `selectors.with_counts`, and no field
runs a query of its own.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..imports.cells import TRANSLATED_FIELDS as DIALOGUE_TRANSLATED
from ..models import Background, Level, OutcomeKind, ParticipantKind, Role, Side, TalksStatus, Track
from ..models.translations import TRANSLATION_LANGUAGES, translations
from .authority_serializers import (
    CapacitySerializer,
    ExternalIdSerializer,
    MembershipSerializer,
    PlaceRefSerializer,
)

# The fields whose Hebrew and Arabic the API gives under `translations` (see `translations_field`).
ERA_TRANSLATED = ("name", "summary")
PARTICIPANT_TRANSLATED = ("bio",)
EXCERPT_TRANSLATED = ("excerpt",)

LOCATOR_PATTERN = r"^¶ [0-9]+$"


@extend_schema_field(OpenApiTypes.URI)
class AbsoluteURLField(serializers.Field):
    """The record's own page in the archive, as an absolute URL."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, record):
        return self.context["request"].build_absolute_uri(record.get_absolute_url())


def translations_field(names: tuple[str, ...], **kwargs):
    """The archive's Hebrew and Arabic of the record's `names`, by language tag.

    `{"he": {"title": "…", "summary": null}, "ar": {…}}`: null where the archive has no
    translation yet. The record's own fields stay in English, as before.
    """
    per_language = {
        "type": "object",
        "properties": {name: {"type": ["string", "null"]} for name in names},
        "required": list(names),
        "additionalProperties": False,
    }
    schema = {
        "type": "object",
        "description": (
            "The archive's own translations of this record's words, by language tag (BCP 47); "
            "null where there is none yet. Quoted excerpts are never translated in place."
        ),
        "properties": {lang: per_language for lang in TRANSLATION_LANGUAGES},
        "required": list(TRANSLATION_LANGUAGES),
        "additionalProperties": False,
    }

    @extend_schema_field(schema)
    class TranslationsField(serializers.Field):
        def __init__(self, **field_kwargs):
            field_kwargs.setdefault("source", "*")
            field_kwargs["read_only"] = True
            super().__init__(**field_kwargs)

        def to_representation(self, record):
            return translations(record, names)

    return TranslationsField(**kwargs)


class CountField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=0, **kwargs)


def _background(**kwargs):
    return serializers.ChoiceField(
        choices=Background.choices,
        allow_blank=True,
        help_text="Their background; empty when the sources do not say.",
        **kwargs,
    )


class DateSerializer(serializers.Serializer):
    """An uncertain date."""

    edtf = serializers.CharField(source="date", help_text="The date in EDTF, e.g. `1976~`.")
    display = serializers.CharField(
        source="date_display", help_text="The date in words, e.g. “c. 1976”."
    )
    earliest = serializers.DateField(
        source="date_earliest", allow_null=True, help_text="The earliest day it may be."
    )
    latest = serializers.DateField(
        source="date_latest", allow_null=True, help_text="The latest day it may be."
    )
    note = serializers.CharField(source="date_note", help_text="How the date was found.")


class NamedRefSerializer(serializers.Serializer):
    """A record named by its slug and name."""

    slug = serializers.SlugField(help_text="The record's identifier in URLs.")
    name = serializers.CharField(help_text="Its name.")


class DialogueParticipantSerializer(serializers.Serializer):
    """Someone who took part in a dialogue, and in what role.

    A confidential participant comes with `name_withheld` true, the name “A participant whose
    name is withheld”, no slug or kind, and a side only where the archive may show it.
    """

    slug = serializers.SlugField(
        source="participant.slug",
        allow_null=True,
        help_text="The participant's identifier; null while the name is withheld.",
    )
    name = serializers.CharField(source="participant.name", help_text="The participant's name.")
    name_withheld = serializers.BooleanField(
        source="is_withheld_now",
        help_text="Whether the archive withholds this participant's name, for now.",
    )
    kind = serializers.ChoiceField(
        source="participant.kind",
        choices=ParticipantKind.choices,
        allow_null=True,
        help_text="Person or group; null while the name is withheld.",
    )
    side = serializers.ChoiceField(
        source="participant.side",
        choices=Side.choices,
        allow_null=True,
        help_text="Which side they came from; null when withheld with the name.",
    )
    background = _background(source="participant.background")
    role = serializers.ChoiceField(choices=Role.choices, help_text="Their role in this dialogue.")


class ParticipantAtTheTableSerializer(DialogueParticipantSerializer):
    """Someone who took part in a dialogue, in what role, and in what capacity.

    `side` and `background` are the participant's own; `at_the_table` gives those held at this
    meeting. A confidential participant comes with `name_withheld` true, the name “A participant
    whose name is withheld”, no slug, kind or capacity, and a side (the one held at the meeting)
    only where the archive may show it.
    """

    at_the_table = CapacitySerializer(source="*", allow_null=True)


class DialogueOutcomeSerializer(serializers.Serializer):
    """What came of a dialogue."""

    kind = serializers.ChoiceField(choices=OutcomeKind.choices, help_text="The kind of outcome.")
    label = serializers.SerializerMethodField(help_text="The kind in words.")
    description = serializers.CharField(help_text="What came of it.")

    # A method field: DRF inspects the signature of a callable `source` on every row.
    def get_label(self, outcome) -> str:
        return outcome.get_kind_display()


class DialogueSourceSerializer(serializers.Serializer):
    """One citation: a passage of a source."""

    slug = serializers.SlugField(source="source.slug", help_text="The source's identifier.")
    title = serializers.CharField(source="source.title", help_text="The source's title.")
    author = serializers.CharField(source="source.author", help_text="The source's author.")
    excerpt = serializers.CharField(help_text="The passage, verbatim.")
    locator = serializers.RegexField(
        LOCATOR_PATTERN, help_text="Where the passage is in the source, e.g. “¶ 4”."
    )
    translations = translations_field(EXCERPT_TRANSLATED)


class DialogueSerializer(serializers.Serializer):
    """A Track II dialogue."""

    slug = serializers.SlugField(help_text="The record's identifier in URLs.")
    title = serializers.CharField(help_text="The dialogue's title.")
    url = AbsoluteURLField(help_text="The dialogue's page in the archive.")
    date = DateSerializer(source="*")
    era = NamedRefSerializer()
    conflict = NamedRefSerializer()
    place = serializers.CharField(
        help_text="Where it was held, in words; empty when unknown. `places` gives the records."
    )
    venue = serializers.SerializerMethodField(
        help_text="The venue, or the kind of venue when the sources name none."
    )
    track = serializers.ChoiceField(
        choices=Track.choices, help_text="The track, as first recorded; see `talks` and `level`."
    )
    talks = serializers.ChoiceField(
        choices=TalksStatus.choices, help_text="Whether talks were held, proposed or considered."
    )
    level = serializers.ChoiceField(choices=Level.choices, help_text="The recorded level.")
    implied_level = serializers.SerializerMethodField(
        help_text="The level the capacities at the table imply; null when none is stated."
    )
    level_note = serializers.CharField(help_text="The evidence for the level.")
    summary = serializers.CharField(help_text="What happened.")
    places = PlaceRefSerializer(
        source="public_places", many=True, help_text="Its places; several are alternatives."
    )
    series = MembershipSerializer(
        source="public_memberships", many=True, help_text="The series it belongs to."
    )
    external_ids = ExternalIdSerializer(many=True, help_text="Its ids in other datasets.")
    participants = ParticipantAtTheTableSerializer(
        source="participations", many=True, help_text="By side, then name."
    )
    outcomes = DialogueOutcomeSerializer(many=True)
    sources = DialogueSourceSerializer(
        source="citations",
        many=True,
        help_text="One item per citation, by source date, then paragraph.",
    )
    translations = translations_field(DIALOGUE_TRANSLATED)

    def get_venue(self, dialogue) -> str:
        return dialogue.venue or dialogue.get_venue_kind_display()

    def get_implied_level(self, dialogue) -> str | None:
        return dialogue.implied_level()


class EraSerializer(serializers.Serializer):
    """A period of the timeline."""

    slug = serializers.SlugField(help_text="The record's identifier in URLs.")
    name = serializers.CharField(help_text="The era's name.")
    date = DateSerializer(source="*")
    summary = serializers.CharField(help_text="What marks the period.")
    dialogue_count = CountField(help_text="How many dialogues it holds.")
    url = AbsoluteURLField(help_text="The era's page in the archive.")
    translations = translations_field(ERA_TRANSLATED)


class ParticipantSerializer(serializers.Serializer):
    """A person or group that took part in dialogues."""

    slug = serializers.SlugField(help_text="The record's identifier in URLs.")
    name = serializers.CharField(help_text="The participant's name.")
    kind = serializers.ChoiceField(choices=ParticipantKind.choices, help_text="Person or group.")
    side = serializers.ChoiceField(choices=Side.choices, help_text="Which side they came from.")
    background = _background()
    bio = serializers.CharField(help_text="A short bio; may be empty.")
    dialogue_count = CountField(help_text="How many dialogues they took part in.")
    url = AbsoluteURLField(help_text="The participant's page in the archive.")
    translations = translations_field(PARTICIPANT_TRANSLATED)


class SourceSerializer(serializers.Serializer):
    """A document the archive cites."""

    slug = serializers.SlugField(help_text="The record's identifier in URLs.")
    title = serializers.CharField(help_text="The source's title.")
    author = serializers.CharField(help_text="The source's author.")
    publication = serializers.CharField(help_text="Where it was published; may be empty.")
    date = DateSerializer(source="*")
    url = AbsoluteURLField(help_text="The source's page in the archive.")


class ErrorsSerializer(serializers.Serializer):
    """What was wrong with the request."""

    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(), min_length=1),
        help_text=(
            "Messages by parameter name; `detail` for a request-wide error "
            "(not found, method not allowed)."
        ),
    )
