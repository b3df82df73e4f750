"""Names in every form (AtoM's parallel names; Geniza's `Name` with language and scheme).

A person, an organisation or a place may be known by several names: in Hebrew, Arabic and
Latin scripts, in several transliterations, under a nom de guerre or a former name. Each form
says its language (BCP 47) and script (ISO 15924), and where it comes from.
"""

from __future__ import annotations

import langcodes
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .evidence import excerpt_problem


class NameKind(models.TextChoices):
    PREFERRED = "preferred", _("Preferred")
    ALTERNATIVE = "alternative", _("Alternative")
    NOM_DE_GUERRE = "nom_de_guerre", _("Nom de guerre")
    FORMER = "former", _("Former")
    ARCHIVE = "archive", _("The archive's own rendering")


OWNERS = ("participant", "organisation", "place")


def language_problem(tag: str) -> str | None:
    if tag and not langcodes.tag_is_valid(tag):
        return f"“{tag}” is not a BCP 47 language tag. Write e.g. he, ar, en or ar-Latn."
    return None


def script_problem(code: str) -> str | None:
    if code and (len(code) != 4 or not langcodes.tag_is_valid(f"und-{code}")):
        return f"“{code}” is not an ISO 15924 script code. Write e.g. Hebr, Arab or Latn."
    return None


class NameVariantManager(models.Manager):
    def get_by_natural_key(self, owner_kind, owner_slug, name, language):
        return self.get(**{f"{owner_kind}__slug": owner_slug, "name": name, "language": language})


class NameVariant(models.Model):
    participant = models.ForeignKey(
        "dialogues.Participant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="names",
    )
    organisation = models.ForeignKey(
        "dialogues.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="names",
    )
    place = models.ForeignKey(
        "dialogues.Place", on_delete=models.CASCADE, null=True, blank=True, related_name="names"
    )
    name = models.CharField(max_length=300, db_index=True)
    kind = models.CharField(max_length=16, choices=NameKind.choices, default=NameKind.ALTERNATIVE)
    language = models.CharField(
        max_length=35, blank=True, help_text="BCP 47, e.g. he, ar, en; empty when unknown."
    )
    script = models.CharField(
        max_length=4, blank=True, help_text="ISO 15924, e.g. Hebr, Arab, Latn."
    )
    transliteration = models.CharField(
        "transliteration scheme",
        max_length=100,
        blank=True,
        help_text="Where the form is a transliteration, its scheme, e.g. “ALA-LC”.",
    )
    source = models.ForeignKey(
        "dialogues.Source", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paragraph = models.PositiveIntegerField(null=True, blank=True)
    excerpt = models.TextField(blank=True)
    archive_note = models.TextField(
        "supplied by the archive",
        blank=True,
        help_text="When no source gives this form: say that the archive supplied it, and how.",
    )

    objects = NameVariantManager()

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(participant__isnull=False, organisation=None, place=None)
                    | models.Q(participant=None, organisation__isnull=False, place=None)
                    | models.Q(participant=None, organisation=None, place__isnull=False)
                ),
                name="name_variant_has_one_owner",
            ),
        ]
        verbose_name = "name form"

    def __str__(self):
        return self.name

    @property
    def owner(self):
        return self.participant or self.organisation or self.place

    @property
    def owner_kind(self) -> str:
        return next(kind for kind in OWNERS if getattr(self, f"{kind}_id"))

    def natural_key(self):
        return (self.owner_kind, self.owner.slug, self.name, self.language)

    natural_key.dependencies = [
        "dialogues.participant",
        "dialogues.organisation",
        "dialogues.place",
    ]

    def clean(self):
        super().clean()
        errors = {}
        for name, problem in (
            ("language", language_problem(self.language)),
            ("script", script_problem(self.script)),
            ("excerpt", excerpt_problem(self.excerpt)),
        ):
            if problem:
                errors[name] = problem
        cited = self.source_id and self.paragraph
        if not cited and not (self.archive_note or "").strip():
            errors["archive_note"] = (
                "Give the source and paragraph where this form appears, or say here that the "
                "archive supplied it."
            )
        if errors:
            raise ValidationError(errors)


def name_forms(record) -> list[str]:
    """Every recorded form of a record's name, its own name first."""
    forms = [record.name]
    for variant in record.names.all():
        if variant.name not in forms:
            forms.append(variant.name)
    return forms
