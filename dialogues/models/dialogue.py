"""Dialogues and what hangs on them: participations, outcomes and citations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.text import slugify

from .. import dates
from ..xmltext import XmlSafeText
from .base import SlugManager, Timestamped, UncertainDate
from .disclosure import ParticipationQuerySet
from .disclosure import today as disclosure_today
from .publishing import KeepsPastSlugs, Publishable, public_q
from .records import Conflict, Era, Participant, Source
from .table import AtTheTable, TrackLevel
from .versioning import Versioned
from .vocabulary import EXCERPT_MAX_WORDS, OutcomeKind, Role, Track, VenueKind


class DialogueQuerySet(models.QuerySet):
    def public(self):
        """Keep the dialogues readers may see: published and not embargoed today."""
        return self.filter(public_q())

    def chronological(self):
        """Order by `Dialogue.CHRONOLOGICAL`, the archive's one order of dialogues in time."""
        return self.order_by(*self.model.CHRONOLOGICAL)

    def with_relations(self):
        """Fetch what a public list or record shows, in a fixed number of queries.

        Participations come as readers may see them on the day this is called, withheld names
        masked: build it per request, never once at import.
        """
        return self.select_related("era", "conflict").prefetch_related(
            # As readers see them: a withheld participant comes masked (see `disclosure`).
            models.Prefetch(
                "participations",
                queryset=Participation.objects.public().select_related("on_behalf_of"),
            ),
            "outcomes",
            models.Prefetch(
                "citations",
                queryset=Citation.objects.select_related("source").order_by(
                    "source__date_earliest", "paragraph"
                ),
            ),
        )


class DialogueManager(SlugManager.from_queryset(DialogueQuerySet)):
    pass


class Dialogue(
    XmlSafeText, KeepsPastSlugs, Publishable, UncertainDate, Timestamped, Versioned, TrackLevel
):
    title = models.CharField(max_length=300)
    slug = models.SlugField(unique=True, max_length=120)
    era = models.ForeignKey(Era, on_delete=models.PROTECT, related_name="dialogues")
    conflict = models.ForeignKey(Conflict, on_delete=models.PROTECT, related_name="dialogues")
    place = models.CharField(max_length=200, blank=True, help_text="Leave empty when unknown.")
    venue = models.CharField(
        max_length=200, blank=True, help_text="The venue as the sources describe it."
    )
    venue_kind = models.CharField(
        max_length=24, choices=VenueKind.choices, default=VenueKind.NOT_STATED
    )
    track = models.CharField(max_length=16, choices=Track.choices, default=Track.TRACK_II)
    summary = models.TextField(help_text="What happened, in the archive's own words.")
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        help_text="For a withdrawn record: the record readers are sent to instead.",
    )

    # The order of dialogues in time, wherever they are listed, paged, drawn or walked: by the
    # earliest day they may fall on, then the latest, then title, and the primary key last so
    # that ties always fall the same way. The `dialogue_chronological` index serves it whole.
    CHRONOLOGICAL = ("date_earliest", "date_latest", "title", "pk")

    objects = DialogueManager()

    class Meta:
        # Only the fallback for unordered querysets; every page orders by CHRONOLOGICAL.
        ordering = ["date_earliest", "date_latest", "title"]
        # Each index serves one sort order whole, so a page is read off the index in order
        # (forwards or backwards) instead of sorting every matching row.
        indexes = [
            models.Index(
                fields=["date_earliest", "date_latest", "title", "id"],
                name="dialogue_chronological",
            ),
            models.Index(
                fields=["date_latest", "date_earliest", "title", "id"],
                name="dialogue_latest_first",
            ),
            models.Index(
                fields=["era", "date_earliest", "date_latest", "title", "id"],
                name="dialogue_era_chronological",
            ),
            models.Index(fields=["title", "date_earliest", "id"], name="dialogue_by_title"),
        ]
        permissions = [
            ("publish_dialogue", "Can publish and unpublish dialogues"),
            ("withdraw_dialogue", "Can withdraw dialogues"),
            ("revert_dialogue", "Can revert dialogues to an earlier revision"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dialogues:dialogue", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        super().clean()
        if (
            self.era_id
            and self.date_earliest
            and not self.era.contains(
                *dates.claimed_bounds(self.date, self.date_earliest, self.date_latest)
            )
        ):
            raise ValidationError(
                {
                    "era": (
                        f"The date {self.date_display} lies outside the era “{self.era.name}” "
                        f"({self.era.date_display}). Choose the era that holds the whole date."
                    )
                }
            )


class ParticipationManager(models.Manager.from_queryset(ParticipationQuerySet)):
    def get_by_natural_key(self, dialogue_slug, participant_slug):
        return self.get(dialogue__slug=dialogue_slug, participant__slug=participant_slug)


class Participation(XmlSafeText, AtTheTable):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="participations")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.PARTICIPANT)
    note = models.TextField(blank=True)
    withheld = models.BooleanField(
        "name withheld",
        default=False,
        help_text=(
            "Confidential: readers see “a participant whose name is withheld” instead of this "
            "participant, everywhere the public can look, until the date below."
        ),
    )
    withheld_until = models.DateField(
        "withheld until",
        null=True,
        blank=True,
        help_text=(
            "The day the name may be shown; it appears on that day without anyone acting. "
            "Leave empty to withhold it until an editor unticks “name withheld”."
        ),
    )
    show_side = models.BooleanField(
        "show side while withheld",
        default=False,
        help_text="Whether readers may see which side the withheld participant came from.",
    )

    objects = ParticipationManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "participant"], name="one_participation_per_dialogue"
            )
        ]
        # The search index checks the withheld rows on every search; they are few.
        indexes = [
            models.Index(
                fields=["withheld_until", "dialogue"],
                name="participation_withheld",
                condition=models.Q(withheld=True),
            )
        ]

    def __str__(self):
        return f"{self.participant} in {self.dialogue} ({self.get_role_display()})"

    def natural_key(self):
        return (self.dialogue.slug, self.participant.slug)

    natural_key.dependencies = ["dialogues.dialogue", "dialogues.participant"]

    def clean(self):
        super().clean()
        if self.withheld_until and not self.withheld:
            raise ValidationError(
                {
                    "withheld_until": (
                        "A date only counts for a withheld name: tick “name withheld”, or "
                        "clear the date."
                    )
                }
            )

    @property
    def is_withheld(self) -> bool:
        """Whether readers are kept from this participant's name today."""
        if not self.withheld:
            return False
        return self.withheld_until is None or self.withheld_until > disclosure_today()


class OutcomeManager(models.Manager):
    def get_by_natural_key(self, dialogue_slug, key):
        return self.get(dialogue__slug=dialogue_slug, key=key)


class Outcome(XmlSafeText):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="outcomes")
    # A stable name within the dialogue, so that correcting the kind keeps the same record.
    key = models.SlugField(
        max_length=60,
        blank=True,
        help_text="A short fixed name for this outcome within its dialogue; filled in if empty.",
    )
    kind = models.CharField(max_length=20, choices=OutcomeKind.choices)
    description = models.TextField(help_text="What came of it, in the archive's own words.")

    objects = OutcomeManager()

    class Meta:
        # Ordering by dialogue first lets the (dialogue, kind) index serve a page's prefetch;
        # ordering by kind alone made databases walk every outcome in kind order.
        ordering = ["dialogue", "kind"]
        indexes = [models.Index(fields=["kind", "dialogue"], name="outcome_kind_dialogue")]
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "kind"], name="one_outcome_kind_per_dialogue"
            ),
            models.UniqueConstraint(
                fields=["dialogue", "key"], name="one_outcome_key_per_dialogue"
            ),
        ]

    def __str__(self):
        return self.get_kind_display()

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = self.kind
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.dialogue.slug, self.key)

    natural_key.dependencies = ["dialogues.dialogue"]


class CitationQuerySet(models.QuerySet):
    def public(self):
        """Keep the citations in dialogues readers may see."""
        return self.filter(public_q("dialogue__"))


class CitationManager(models.Manager.from_queryset(CitationQuerySet)):
    def get_by_natural_key(self, dialogue_slug, key):
        return self.get(dialogue__slug=dialogue_slug, key=key)


def citation_key(paragraph, excerpt: str) -> str:
    """Name a citation by its paragraph and opening words; kept when the excerpt is corrected."""
    words = slugify(" ".join(str(excerpt or "").split()[:6]))[:48].strip("-")
    return f"p{paragraph}-{words}" if words else f"p{paragraph}"


class Citation(XmlSafeText):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="citations")
    # The excerpt used to be part of the natural key, so correcting it made a second citation.
    key = models.SlugField(
        max_length=60,
        blank=True,
        help_text=(
            "A short fixed name for this citation within its dialogue; filled in from the "
            "paragraph and first words if empty, and kept when the excerpt is corrected."
        ),
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="citations",
        help_text="The outcome this passage supports, if any.",
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="citations",
        help_text="The participant this passage is about, if any.",
    )
    excerpt = models.TextField(
        help_text=f"Verbatim from the source, at most about {EXCERPT_MAX_WORDS} words."
    )
    paragraph = models.PositiveIntegerField(
        "paragraph",
        validators=[MinValueValidator(1)],
        help_text="The paragraph's number in the source, counting from its first paragraph.",
    )

    objects = CitationManager()

    class Meta:
        ordering = ["source", "paragraph"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "source", "paragraph", "excerpt"],
                name="one_citation_per_passage",
            ),
            models.UniqueConstraint(
                fields=["dialogue", "key"], name="one_citation_key_per_dialogue"
            ),
        ]

    def __str__(self):
        return f"{self.source} ¶{self.paragraph}"

    def save(self, *args, **kwargs):
        if not self.key:
            base = self.key = citation_key(self.paragraph, self.excerpt)
            siblings = Citation.objects.filter(dialogue_id=self.dialogue_id).exclude(pk=self.pk)
            n = 2
            while siblings.filter(key=self.key).exists():
                self.key, n = f"{base}-{n}", n + 1
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.dialogue.slug, self.key)

    natural_key.dependencies = ["dialogues.dialogue", "dialogues.source"]

    @property
    def locator(self) -> str:
        return f"¶ {self.paragraph}"

    def clean(self):
        super().clean()
        errors = {}
        words = len((self.excerpt or "").split())
        if words > EXCERPT_MAX_WORDS + 5:
            errors["excerpt"] = (
                f"The excerpt has {words} words; quote at most about {EXCERPT_MAX_WORDS}."
            )
        if self.outcome_id and self.dialogue_id and self.outcome.dialogue_id != self.dialogue_id:
            errors["outcome"] = "The outcome belongs to another dialogue."
        if errors:
            raise ValidationError(errors)
