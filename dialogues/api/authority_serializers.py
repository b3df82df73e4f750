"""The API's shapes for organisations, places, series, name forms and external ids, and the
parts of a dialogue and its participants that issue 21 adds. Nothing here runs a query: the
views and `Dialogue.objects.with_relations()` fetch every row these read."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import SCHEMES, Background, Capacity, LinkKind, NameKind, Side
from ..models.evidence import Basis
from ..models.organisations import OrganisationKind
from ..models.series import SeriesKind


@extend_schema_field(OpenApiTypes.URI)
class PageField(serializers.Field):
    """The record's own page in the archive, as an absolute URL."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        return self.context["request"].build_absolute_uri(record.get_absolute_url())


class SeriesRefSerializer(serializers.Serializer):
    """A series named by its slug and name."""

    slug = serializers.SlugField(help_text="The series' identifier in URLs.")
    name = serializers.CharField(help_text="Its name.")


class NameFormSerializer(serializers.Serializer):
    """Another form of a name."""

    name = serializers.CharField(help_text="The form, as written.")
    kind = serializers.ChoiceField(choices=NameKind.choices, help_text="What kind of form.")
    language = serializers.CharField(help_text="BCP 47 tag; empty when unknown.")
    script = serializers.CharField(help_text="ISO 15924 code; empty when unknown.")
    transliteration = serializers.CharField(help_text="The transliteration scheme, if any.")


class ExternalIdSerializer(serializers.Serializer):
    """The record's id in another dataset, with the public source it was taken from."""

    scheme = serializers.ChoiceField(
        choices=[(key, scheme.label) for key, scheme in SCHEMES.items()],
        help_text="The dataset: Wikidata, VIAF, GeoNames, PA-X or UCDP.",
    )
    value = serializers.CharField(help_text="The id in that dataset.")
    url = serializers.CharField(help_text="The outside record's address; empty if it has none.")
    source_url = serializers.URLField(help_text="The public page the id was taken from.")


class OrganisationSerializer(serializers.Serializer):
    """An organisation: a convenor, funder, think tank, university, party or government body."""

    slug = serializers.SlugField(help_text="The record's identifier in URLs.")
    name = serializers.CharField(help_text="The preferred form of its name.")
    kind = serializers.ChoiceField(choices=OrganisationKind.choices, help_text="Its kind.")
    country = serializers.CharField(help_text="ISO 3166 alpha-2 code; empty when unknown.")
    description = serializers.CharField(help_text="What it is; may be empty.")
    names = NameFormSerializer(many=True, help_text="Other forms of its name.")
    external_ids = ExternalIdSerializer(many=True, help_text="Its ids in other datasets.")
    url = PageField(help_text="Its page in the archive.")


class PlaceSerializer(serializers.Serializer):
    """A place where dialogues were held."""

    slug = serializers.SlugField(help_text="The record's identifier in URLs.")
    name = serializers.CharField(help_text="The preferred form of its name.")
    country = serializers.CharField(help_text="ISO 3166 alpha-2 code; empty when unknown.")
    latitude = serializers.FloatField(allow_null=True, help_text="Decimal degrees north.")
    longitude = serializers.FloatField(allow_null=True, help_text="Decimal degrees east.")
    geonames_id = serializers.IntegerField(allow_null=True, help_text="Its GeoNames id.")
    geography_source = serializers.CharField(
        help_text="Where the country, coordinates and GeoNames id come from."
    )
    names = NameFormSerializer(many=True, help_text="Other forms of its name.")
    external_ids = ExternalIdSerializer(many=True, help_text="Its ids in other datasets.")
    url = PageField(help_text="Its page in the archive.")


class SeriesSerializer(serializers.Serializer):
    """A process, channel or recurring forum."""

    slug = serializers.SlugField(help_text="The record's identifier in URLs.")
    name = serializers.CharField(help_text="Its name.")
    kind = serializers.ChoiceField(choices=SeriesKind.choices, help_text="Its kind.")
    description = serializers.CharField(help_text="What it was; may be empty.")
    dialogue_count = serializers.IntegerField(
        min_value=0, help_text="How many public dialogues it holds."
    )
    url = PageField(help_text="Its page in the archive.")


class MembershipSerializer(serializers.Serializer):
    """Where a dialogue stands in a series."""

    series = SeriesRefSerializer()
    position = serializers.IntegerField(min_value=1, help_text="Its place: 1 is first.")


class LinkSerializer(serializers.Serializer):
    """A typed link from this dialogue to another."""

    relation = serializers.ChoiceField(choices=LinkKind.choices, help_text="How they are linked.")
    target = serializers.SlugField(source="target.slug", help_text="The other dialogue's slug.")
    basis = serializers.ChoiceField(choices=Basis.choices, help_text="Stated or inferred.")


def _withheld(participation) -> bool:
    return bool(getattr(participation, "is_withheld_now", False))


class CapacitySerializer(serializers.Serializer):
    """In what capacity the participant sat at the table; null while the name is withheld."""

    capacity = serializers.ChoiceField(choices=Capacity.choices, help_text="The capacity.")
    basis = serializers.CharField(
        source="capacity_basis", help_text="`stated`, `inferred`, or empty when not stated."
    )
    on_behalf_of = serializers.SerializerMethodField(
        help_text="The slug of the published organisation they sat for, or null."
    )
    side = serializers.ChoiceField(
        source="side_at_meeting",
        choices=Side.choices,
        allow_blank=True,
        help_text="The side held at this meeting; the participant's own unless recorded.",
    )
    background = serializers.ChoiceField(
        source="background_at_meeting",
        choices=Background.choices,
        allow_blank=True,
        help_text="The background at this meeting; the participant's own unless recorded.",
    )

    def get_on_behalf_of(self, participation) -> str | None:
        organisation = participation.on_behalf_of
        return organisation.slug if organisation is not None and organisation.is_public else None

    def to_representation(self, participation):
        if _withheld(participation):
            return None
        return super().to_representation(participation)


class PlaceRefSerializer(serializers.Serializer):
    """One of a dialogue's places; several are alternatives, read as "A or B"."""

    slug = serializers.SlugField(source="place.slug", help_text="The place's identifier.")
    name = serializers.CharField(source="place.name", help_text="Its name.")
    country = serializers.CharField(source="place.country", help_text="ISO 3166 alpha-2 code.")
    latitude = serializers.FloatField(
        source="place.latitude", allow_null=True, help_text="Decimal degrees north."
    )
    longitude = serializers.FloatField(
        source="place.longitude", allow_null=True, help_text="Decimal degrees east."
    )
