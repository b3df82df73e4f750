"""Places as records: a name, a country, coordinates and a GeoNames id where known.

A dialogue has one place, or several alternatives when the sources are unsure ("Rome or
Amman"): `DialoguePlace` rows in order, read back joined by "or".
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django_countries.fields import CountryField

from .base import Timestamped
from .organisations import PublicSlugManager
from .publishing import KeepsPastSlugs, Publishable
from .versioning import Versioned


class Place(KeepsPastSlugs, Publishable, Timestamped, Versioned):
    slug = models.SlugField(unique=True, max_length=120)
    name = models.CharField(max_length=200, db_index=True, help_text="The preferred form.")
    country = CountryField(blank=True, help_text="ISO 3166. Every place should have one.")
    latitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
        help_text="Decimal degrees, north positive.",
    )
    longitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
        help_text="Decimal degrees, east positive.",
    )
    geonames_id = models.PositiveIntegerField(
        "GeoNames id", null=True, blank=True, help_text="The place's number at GeoNames."
    )
    geography_source = models.TextField(
        "where the geography comes from",
        blank=True,
        help_text=(
            "The public source of the country, coordinates and GeoNames id, e.g. “GeoNames "
            "record 3169070, added by the archive; not in the essays”."
        ),
    )

    objects = PublicSlugManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("dialogues:place", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def geonames_url(self) -> str:
        return f"https://www.geonames.org/{self.geonames_id}" if self.geonames_id else ""


class DialoguePlaceManager(models.Manager):
    def get_by_natural_key(self, dialogue, place):
        return self.get(dialogue__slug=dialogue, place__slug=place)


class DialoguePlace(models.Model):
    """One of a dialogue's places; several rows are alternatives, read as "A or B"."""

    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="places"
    )
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="dialogue_places")
    position = models.PositiveSmallIntegerField(
        default=1, help_text="The order in which the alternatives are read."
    )

    objects = DialoguePlaceManager()

    class Meta:
        ordering = ["dialogue", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dialogue", "place"], name="one_place_per_dialogue")
        ]
        verbose_name = "dialogue place"

    def __str__(self):
        return str(self.place)

    def natural_key(self):
        return (self.dialogue.slug, self.place.slug)

    natural_key.dependencies = ["dialogues.dialogue", "dialogues.place"]


def places_in_words(places) -> str:
    """Join a dialogue's places as the sources give them: "Rome or Amman"."""
    return " or ".join(str(place) for place in places)
