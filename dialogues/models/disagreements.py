"""Points where the sources differ, each side quoted with its citation."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models

from ..xmltext import XmlSafeText
from .base import SlugManager
from .records import Source
from .versioning import Versioned
from .vocabulary import EXCERPT_MAX_WORDS

# --- Where the sources disagree -----------------------------------------------------------


class SourceDisagreementQuerySet(models.QuerySet):
    def with_citations(self):
        """Fetch every side with its source, in a fixed number of queries."""
        return self.prefetch_related(
            models.Prefetch(
                "citations", queryset=DisagreementCitation.objects.select_related("source")
            )
        )


class SourceDisagreementManager(SlugManager.from_queryset(SourceDisagreementQuerySet)):
    pass


class SourceDisagreement(XmlSafeText, Versioned):
    """A point on which the sources differ; each side is shown with its own citation."""

    slug = models.SlugField(unique=True, max_length=100)
    topic = models.CharField(max_length=200, help_text="What the sources differ about.")
    note = models.TextField(
        blank=True, help_text="The difference in the archive's own words; take no side."
    )

    objects = SourceDisagreementManager()

    class Meta:
        ordering = ["topic"]
        verbose_name = "point where the sources differ"
        verbose_name_plural = "points where the sources differ"

    def __str__(self):
        return self.topic

    def natural_key(self):
        return (self.slug,)


class DisagreementCitationManager(models.Manager):
    def get_by_natural_key(self, disagreement_slug, key):
        return self.get(disagreement__slug=disagreement_slug, key=key)


class DisagreementCitation(XmlSafeText):
    """One side of a disagreement: what one source says, quoted with its paragraph."""

    disagreement = models.ForeignKey(
        SourceDisagreement, on_delete=models.CASCADE, related_name="citations"
    )
    key = models.SlugField(max_length=60, help_text="A short fixed name within the disagreement.")
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="disagreement_citations"
    )
    says = models.TextField(help_text="This source's version, in the archive's own words.")
    excerpt = models.TextField(
        help_text=f"Verbatim from the source, at most about {EXCERPT_MAX_WORDS} words."
    )
    paragraph = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    objects = DisagreementCitationManager()

    class Meta:
        ordering = ["disagreement", "source__date_earliest", "paragraph"]
        constraints = [
            models.UniqueConstraint(
                fields=["disagreement", "key"], name="one_disagreement_citation_key"
            )
        ]

    def __str__(self):
        return f"{self.source} ¶{self.paragraph}"

    def natural_key(self):
        return (self.disagreement.slug, self.key)

    natural_key.dependencies = ["dialogues.sourcedisagreement", "dialogues.source"]
