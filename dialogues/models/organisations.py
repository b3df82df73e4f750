"""Organisations and the people tied to them over time (ISAAR-CPF corporate bodies; Popolo's
`Membership`; ArchivesSpace's dated agent relationships).

An organisation is a record of its own, published like a dialogue. A group that the sources
name only as a collective ("PLO stalwarts") stays a `Participant` of kind group.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .. import dates
from .base import SlugManager, Timestamped
from .evidence import CitedPassage
from .publishing import KeepsPastSlugs, Publishable, public_q
from .versioning import Versioned


class OrganisationKind(models.TextChoices):
    NGO = "ngo", _("Non-governmental organisation")
    THINK_TANK = "think_tank", _("Think tank or institute")
    UNIVERSITY = "university", _("University")
    GOVERNMENT = "government", _("Government body")
    PARTY = "party", _("Political party or movement")
    INTERNATIONAL = "international", _("International organisation")
    FUNDER = "funder", _("Funder")
    MEDIA = "media", _("Publication or media")
    OTHER = "other", _("Other")


class RoleKind(models.TextChoices):
    LEADER = "leader", _("Head (president, chair, director)")
    OFFICER = "officer", _("Officer or senior staff")
    MEMBER = "member", _("Member")
    STAFF = "staff", _("Staff or researcher")
    ADVISER = "adviser", _("Adviser")
    FOUNDER = "founder", _("Founder")
    EDITOR = "editor", _("Editor")
    REPRESENTATIVE = "representative", _("Representative")
    OTHER = "other", _("Other")


class PublicQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public_q())


class PublicSlugManager(SlugManager.from_queryset(PublicQuerySet)):
    pass


class Organisation(KeepsPastSlugs, Publishable, Timestamped, Versioned):
    slug = models.SlugField(unique=True, max_length=120)
    name = models.CharField(max_length=300, db_index=True, help_text="The preferred form.")
    kind = models.CharField(max_length=16, choices=OrganisationKind.choices)
    country = CountryField(
        blank=True, help_text="Where it is based (ISO 3166). Leave empty when unknown."
    )
    description = models.TextField(blank=True, help_text="What it is, in the archive's words.")

    objects = PublicSlugManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("dialogues:organisation", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class OrganisationCitationManager(models.Manager):
    def get_by_natural_key(self, organisation, source, paragraph):
        return self.get(organisation__slug=organisation, source__slug=source, paragraph=paragraph)


class OrganisationCitation(CitedPassage):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="citations"
    )

    objects = OrganisationCitationManager()

    class Meta(CitedPassage.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source", "paragraph"], name="one_organisation_passage"
            )
        ]

    def natural_key(self):
        return (self.organisation.slug, self.source.slug, self.paragraph)

    natural_key.dependencies = ["dialogues.organisation", "dialogues.source"]


class AffiliationManager(models.Manager.from_queryset(PublicQuerySet)):
    def get_by_natural_key(self, participant, organisation, role, start):
        return self.get(
            participant__slug=participant, organisation__slug=organisation, role=role, start=start
        )


def _edtf_problem(value: str, label: str) -> str | None:
    if not value:
        return None
    try:
        dates.parse(value)
    except dates.InvalidDate:
        return dates.invalid_message(value, label)
    return None


def _words(value: str) -> str:
    try:
        return dates.parse(value).display if value else ""
    except dates.InvalidDate:
        return value


class Affiliation(Publishable, Timestamped, Versioned):
    """A person's role in an organisation, between two uncertain dates.

    The same person may hold the same role more than once: each spell is its own row, told
    apart by its start. Published only with at least one citation (see `publishing_problem`).
    """

    participant = models.ForeignKey(
        "dialogues.Participant", on_delete=models.CASCADE, related_name="affiliations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="affiliations"
    )
    role = models.CharField(max_length=16, choices=RoleKind.choices)
    title = models.CharField(
        max_length=200, blank=True, help_text="The title in the source's own words."
    )
    start = models.CharField(
        max_length=64, blank=True, help_text="EDTF; leave empty when unknown. " + dates.HELP_TEXT
    )
    end = models.CharField(
        max_length=64,
        blank=True,
        help_text="EDTF; leave empty when unknown or still held (say which in the note).",
    )
    note = models.TextField(blank=True, help_text="How the dates are known, and any doubt.")

    objects = AffiliationManager()

    class Meta:
        ordering = ["participant", "start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "organisation", "role", "start"],
                name="one_affiliation_per_spell",
            )
        ]

    def __str__(self):
        title = self.title or self.get_role_display()
        return f"{self.participant} — {title}, {self.organisation}"

    def natural_key(self):
        return (self.participant.slug, self.organisation.slug, self.role, self.start)

    natural_key.dependencies = ["dialogues.participant", "dialogues.organisation"]

    @property
    def start_display(self) -> str:
        return _words(self.start)

    @property
    def end_display(self) -> str:
        return _words(self.end)

    @property
    def sort_key(self):
        """Earliest possible start first; unknown starts last."""
        try:
            return (0, dates.parse(self.start).earliest, self.pk or 0)
        except dates.InvalidDate:
            return (1, None, self.pk or 0)

    def clean(self):
        super().clean()
        errors = {}
        for name in ("start", "end"):
            label = self._meta.get_field(name).verbose_name.capitalize()
            problem = _edtf_problem(getattr(self, name), label)
            if problem:
                errors[name] = problem
        if not errors and self.start and self.end:
            if dates.parse(self.end).latest < dates.parse(self.start).earliest:
                errors["end"] = "The end comes before the start."
        if errors:
            raise ValidationError(errors)

    def publishing_problem(self) -> str | None:
        """Why this affiliation may not be published yet, or None."""
        if self.pk is None or not self.citations.exists():
            return f"“{self}” has no citation: add the passage that states it before publishing."
        return None


class AffiliationCitationManager(models.Manager):
    def get_by_natural_key(self, participant, organisation, role, start, source, paragraph):
        try:
            affiliation = Affiliation.objects.get_by_natural_key(
                participant, organisation, role, start
            )
        except Affiliation.DoesNotExist:
            raise self.model.DoesNotExist from None
        return self.get(affiliation=affiliation, source__slug=source, paragraph=paragraph)


class AffiliationCitation(CitedPassage):
    affiliation = models.ForeignKey(Affiliation, on_delete=models.CASCADE, related_name="citations")

    objects = AffiliationCitationManager()

    class Meta(CitedPassage.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["affiliation", "source", "paragraph"], name="one_affiliation_passage"
            )
        ]

    def natural_key(self):
        return (*self.affiliation.natural_key(), self.source.slug, self.paragraph)

    natural_key.dependencies = ["dialogues.affiliation", "dialogues.source"]


def affiliations_in_order(affiliations):
    """A person's affiliations by their earliest possible start; unknown starts last."""
    return sorted(affiliations, key=lambda affiliation: affiliation.sort_key)
