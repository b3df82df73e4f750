"""Sources, eras, conflicts and participants: what dialogues are placed among."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from ..xmltext import XmlSafeText
from .base import SlugManager, Timestamped, UncertainDate
from .publishing import KeepsPastSlugs
from .versioning import Versioned
from .vocabulary import Background, ParticipantKind, Side

# --- Records ------------------------------------------------------------------------------


class Source(XmlSafeText, KeepsPastSlugs, UncertainDate, Timestamped, Versioned):
    slug = models.SlugField(unique=True, max_length=100)
    title = models.CharField(max_length=300)
    author = models.CharField(max_length=200)
    author_role = models.TextField(
        blank=True, help_text="The author's role in the document's own words."
    )
    publication = models.CharField(max_length=200, blank=True)
    url = models.URLField("URL", blank=True, help_text="Leave empty when no address is known.")
    first_words = models.CharField(
        "first words of paragraph 1",
        max_length=200,
        help_text=(
            "The opening words of the text's first paragraph. Paragraphs are counted from it: "
            "what comes before (headline, byline) is left out, and every block of text after "
            "it counts, photo captions and the author's closing lines included."
        ),
    )
    description = models.TextField(blank=True, help_text="What the document is, in our words.")

    objects = SlugManager()

    class Meta:
        ordering = ["date_earliest", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dialogues:source", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class EraQuerySet(models.QuerySet):
    def ordered(self):
        return self.order_by("position")


class EraManager(SlugManager.from_queryset(EraQuerySet)):
    pass


class Era(XmlSafeText, KeepsPastSlugs, UncertainDate, Versioned):
    slug = models.SlugField(unique=True, max_length=100)
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(
        unique=True, help_text="Where the era stands in the timeline: 1 is the first."
    )
    summary = models.TextField(help_text="What marks the period, in the archive's own words.")
    boundary_note = models.TextField(
        blank=True, help_text="Why the era starts and ends where it does."
    )

    objects = EraManager()

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("dialogues:era", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    def overlaps(self, other: Era) -> bool:
        if None in (self.date_earliest, self.date_latest, other.date_earliest, other.date_latest):
            return False
        return self.date_earliest <= other.date_latest and other.date_earliest <= self.date_latest

    def contains(self, earliest, latest) -> bool:
        if None in (self.date_earliest, self.date_latest, earliest, latest):
            return False
        return self.date_earliest <= earliest and latest <= self.date_latest

    def clean(self):
        super().clean()
        if self.date_earliest is None:
            return
        for other in Era.objects.exclude(pk=self.pk):
            if self.overlaps(other):
                raise ValidationError(
                    {
                        "date": (
                            f"This era ({self.date_display}) overlaps the era “{other.name}” "
                            f"({other.date_display}). Eras may not overlap."
                        )
                    }
                )


class Conflict(XmlSafeText, Versioned):
    slug = models.SlugField(unique=True, max_length=100)
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True)

    objects = SlugManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class ParticipantQuerySet(models.QuerySet):
    def public(self):
        """Keep the participants readers may see: named in at least one public dialogue.

        A participant in drafts alone, or withheld in every public dialogue, has no page, no
        place in lists or the participant filter, and no count. An EXISTS on the
        participations, so a participant with several public dialogues is not repeated, and
        one participant (the list's filter, a page) is checked through its own participations
        alone: as `pk IN (…)`, SQLite listed the visible participations of the whole archive
        first.
        """
        participation = self.model._meta.get_field("participations").related_model
        visible = participation.objects.visible().filter(participant_id=models.OuterRef("pk"))
        return self.filter(models.Exists(visible))


class ParticipantManager(SlugManager.from_queryset(ParticipantQuerySet)):
    pass


class Participant(XmlSafeText, KeepsPastSlugs, Timestamped, Versioned):
    slug = models.SlugField(unique=True, max_length=100)
    name = models.CharField(max_length=200, db_index=True)
    kind = models.CharField(max_length=12, choices=ParticipantKind.choices)
    side = models.CharField(max_length=16, choices=Side.choices, db_index=True)
    side_note = models.TextField(
        blank=True,
        help_text=(
            "How the side is known: stated in a source (give the paragraph), or inferred, and "
            "from what."
        ),
    )
    background = models.CharField(
        max_length=20,
        choices=Background.choices,
        blank=True,
        db_index=True,
        help_text="Leave empty when the sources do not say.",
    )
    background_note = models.TextField(
        blank=True,
        help_text=(
            "Where the background is inferred rather than stated, say so and why. A background "
            "needs either this note or a citation about the participant."
        ),
    )
    bio = models.TextField(blank=True, help_text="A short bio in the archive's own words.")

    objects = ParticipantManager()

    class Meta:
        ordering = ["name"]
        permissions = [("merge_participants", "Can merge two participants into one")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("dialogues:participant", args=[self.slug])

    def natural_key(self):
        return (self.slug,)
