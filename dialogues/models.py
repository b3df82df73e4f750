"""The archive's records: sources, eras, conflicts, dialogues and who took part in them.

Every model has a natural key (its slug, or its parent's slug and its own identifying fields),
so the JSON fixtures load into any database, in any order, and loading them again updates the
same rows instead of adding new ones.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from . import dates

EXCERPT_MAX_WORDS = 30


# --- Vocabularies -------------------------------------------------------------------------


class Side(models.TextChoices):
    ISRAELI = "israeli", "Israeli"
    PALESTINIAN = "palestinian", "Palestinian"
    THIRD_PARTY = "third_party", "Third party / international"


class Background(models.TextChoices):
    ACADEMIC = "academic", "Academic"
    JOURNALIST = "journalist", "Journalist"
    FORMER_DIPLOMAT = "former_diplomat", "Former diplomat"
    SECURITY_OFFICIAL = "security_official", "Security official"
    POLITICIAN = "politician", "Politician"
    BUSINESSPERSON = "businessperson", "Businessperson"
    CIVIL_SOCIETY = "civil_society", "Civil society"
    ORGANISER = "organiser", "Organiser"


class ParticipantKind(models.TextChoices):
    PERSON = "person", "Person"
    GROUP = "group", "Group or organisation"


class Role(models.TextChoices):
    ORGANISER = "organiser", "Organiser or convenor"
    PARTICIPANT = "participant", "Participant"
    OBSERVER = "observer", "Observer"
    # Talks that were called for but, as far as the sources say, not (yet) held.
    PROPOSER = "proposer", "Proposer"
    PROPOSED = "proposed", "Proposed participant"


class Track(models.TextChoices):
    TRACK_II = "track_ii", "Track II"
    TRACK_II_TO_I = "track_ii_to_i", "Track II that became official Track I"
    PROPOSED = "proposed", "Proposed Track II talks"


class VenueKind(models.TextChoices):
    NOT_STATED = "not_stated", "Not stated in the sources"
    HOTEL = "hotel", "Hotel"
    THINK_TANK = "think_tank", "Think tank or institute"
    HOTEL_OR_THINK_TANK = "hotel_or_think_tank", "Hotel or think-tank meeting room"
    UNIVERSITY = "university", "University"
    GOVERNMENT = "government", "Government premises"
    PRIVATE = "private", "Private residence"
    ONLINE = "online", "Online"


class OutcomeKind(models.TextChoices):
    BECAME_OFFICIAL = "became_official", "Became official (Track I)"
    ADVANCED_PROCESS = "advanced_process", "Helped advance the peace process"
    PROPOSAL = "proposal", "Non-binding proposal"
    UNDERSTANDING = "understanding", "Improved mutual understanding"
    STALLED = "stalled", "Stalled or unproductive"
    WALKOUT = "walkout", "Walkout"


# --- Shared pieces ------------------------------------------------------------------------


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class UncertainDate(models.Model):
    """An EDTF date with its computed bounds and a note on how it was arrived at.

    The bounds are filled in `pre_save` (see signals.py) rather than in `save()`, because
    fixtures are loaded with raw saves that skip `save()` but still send the signal.
    """

    date = models.CharField(
        "date",
        max_length=64,
        help_text=dates.HELP_TEXT,
    )
    date_earliest = models.DateField(
        "earliest possible day", editable=False, null=True, db_index=True
    )
    date_latest = models.DateField("latest possible day", editable=False, null=True)
    # Stored, like the bounds, because reading the EDTF costs milliseconds: an export of the
    # whole archive would spend minutes re-parsing what was known at the last save.
    date_display = models.CharField("date in words", max_length=100, editable=False, blank=True)
    date_note = models.TextField(
        "how the date was found",
        blank=True,
        help_text="If the date is inferred or loose, say from what, quoting the source's words.",
    )

    class Meta:
        abstract = True

    def fill_date_bounds(self) -> None:
        """Set the bounds and words from the EDTF string; an invalid one has no bounds."""
        try:
            bounds = dates.parse(self.date)
        except dates.InvalidDate:
            self.date_earliest = self.date_latest = None
            self.date_display = self.date or ""
            return
        self.date = bounds.edtf
        self.date_earliest, self.date_latest = bounds.earliest, bounds.latest
        self.date_display = bounds.display

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "date" not in (exclude or ()) and "date" not in errors:
            try:
                dates.parse(self.date)
            except dates.InvalidDate:
                # Stale bounds from the last save would mislead the checks in clean().
                self.date_earliest = self.date_latest = None
                label = self._meta.get_field("date").verbose_name.capitalize()
                errors["date"] = [
                    ValidationError(dates.invalid_message(self.date, label), code="invalid_edtf")
                ]
        if errors:
            raise ValidationError(errors)
        self.fill_date_bounds()


class Timestamped(models.Model):
    created = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True


# --- Records ------------------------------------------------------------------------------


class Source(UncertainDate, Timestamped):
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
            "The opening words of the text's first paragraph. Paragraphs are counted from it, "
            "leaving out headline, byline and page furniture, so that locators can be checked."
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


class Era(UncertainDate):
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


class Conflict(models.Model):
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


class Participant(Timestamped):
    slug = models.SlugField(unique=True, max_length=100)
    name = models.CharField(max_length=200, db_index=True)
    kind = models.CharField(max_length=12, choices=ParticipantKind.choices)
    side = models.CharField(max_length=16, choices=Side.choices, db_index=True)
    background = models.CharField(
        max_length=20,
        choices=Background.choices,
        blank=True,
        db_index=True,
        help_text="Leave empty when the sources do not say.",
    )
    bio = models.TextField(blank=True, help_text="A short bio in the archive's own words.")

    objects = SlugManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("dialogues:participant", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class DialogueQuerySet(models.QuerySet):
    def chronological(self):
        """Order by `Dialogue.CHRONOLOGICAL`, the archive's one order of dialogues in time."""
        return self.order_by(*self.model.CHRONOLOGICAL)

    def with_relations(self):
        """Fetch what a list or record shows, in a fixed number of queries."""
        return self.select_related("era", "conflict").prefetch_related(
            models.Prefetch(
                "participations",
                queryset=Participation.objects.select_related("participant").order_by(
                    "participant__side", "participant__name"
                ),
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


class Dialogue(UncertainDate, Timestamped):
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
            and not self.era.contains(self.date_earliest, self.date_latest)
        ):
            raise ValidationError(
                {
                    "era": (
                        f"The date {self.date_display} lies outside the era “{self.era.name}” "
                        f"({self.era.date_display}). Choose the era that holds the whole date."
                    )
                }
            )


class ParticipationManager(models.Manager):
    def get_by_natural_key(self, dialogue_slug, participant_slug):
        return self.get(dialogue__slug=dialogue_slug, participant__slug=participant_slug)


class Participation(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="participations")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.PARTICIPANT)
    note = models.TextField(blank=True)

    objects = ParticipationManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "participant"], name="one_participation_per_dialogue"
            )
        ]

    def __str__(self):
        return f"{self.participant} in {self.dialogue} ({self.get_role_display()})"

    def natural_key(self):
        return (self.dialogue.slug, self.participant.slug)

    natural_key.dependencies = ["dialogues.dialogue", "dialogues.participant"]


class OutcomeManager(models.Manager):
    def get_by_natural_key(self, dialogue_slug, kind):
        return self.get(dialogue__slug=dialogue_slug, kind=kind)


class Outcome(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="outcomes")
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
            )
        ]

    def __str__(self):
        return self.get_kind_display()

    def natural_key(self):
        return (self.dialogue.slug, self.kind)

    natural_key.dependencies = ["dialogues.dialogue"]


class CitationManager(models.Manager):
    def get_by_natural_key(self, dialogue_slug, source_slug, paragraph, excerpt):
        return self.get(
            dialogue__slug=dialogue_slug,
            source__slug=source_slug,
            paragraph=paragraph,
            excerpt=excerpt,
        )


class Citation(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="citations")
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
            )
        ]

    def __str__(self):
        return f"{self.source} ¶{self.paragraph}"

    def natural_key(self):
        return (self.dialogue.slug, self.source.slug, self.paragraph, self.excerpt)

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
