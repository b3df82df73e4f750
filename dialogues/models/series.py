"""Series and lineage: processes, channels and recurring forums, and how meetings led on.

A series has its dialogues in order. Typed links join two dialogues, or two series: one
continued as, led to, split from or ran in parallel with the other. Each link is stated in a
source or marked inferred, with the reason.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import Timestamped
from .evidence import StatedOrInferred
from .organisations import PublicSlugManager
from .publishing import KeepsPastSlugs, Publishable
from .versioning import Versioned


class SeriesKind(models.TextChoices):
    PROCESS = "process", _("Process")
    CHANNEL = "channel", _("Channel")
    FORUM = "forum", _("Recurring forum")


class LinkKind(models.TextChoices):
    CONTINUED_AS = "continued_as", _("continued as")
    LED_TO = "led_to", _("led to")
    SPLIT_FROM = "split_from", _("split from")
    PARALLEL = "parallel", _("ran in parallel with")


class Series(KeepsPastSlugs, Publishable, Timestamped, Versioned):
    slug = models.SlugField(unique=True, max_length=120)
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=SeriesKind.choices)
    description = models.TextField(blank=True, help_text="What it was, in the archive's words.")

    objects = PublicSlugManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "series"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("dialogues:series", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class MembershipManager(models.Manager):
    def get_by_natural_key(self, series, dialogue):
        return self.get(series__slug=series, dialogue__slug=dialogue)


class SeriesMembership(StatedOrInferred):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="memberships")
    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="memberships"
    )
    position = models.PositiveSmallIntegerField(help_text="Its place in the series: 1 is first.")

    objects = MembershipManager()

    class Meta:
        ordering = ["series", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["series", "dialogue"], name="one_membership"),
            models.UniqueConstraint(fields=["series", "position"], name="one_series_position"),
        ]
        verbose_name = "place in a series"

    def __str__(self):
        return f"{self.series} #{self.position}"

    def natural_key(self):
        return (self.series.slug, self.dialogue.slug)

    natural_key.dependencies = ["dialogues.series", "dialogues.dialogue"]


class Link(StatedOrInferred):
    relation = models.CharField(max_length=16, choices=LinkKind.choices)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.origin} {self.get_relation_display()} {self.target}"

    def clean(self):
        errors = self.evidence_problems()
        if self.origin_id and self.origin_id == self.target_id:
            errors["target"] = "A record cannot be linked to itself."
        if errors:
            raise ValidationError(errors)


class LinkManager(models.Manager):
    def get_by_natural_key(self, origin, relation, target):
        return self.get(origin__slug=origin, relation=relation, target__slug=target)


class DialogueLink(Link):
    origin = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="links_out"
    )
    target = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="links_in"
    )

    objects = LinkManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "relation", "target"], name="one_dialogue_link"
            )
        ]
        verbose_name = "link between dialogues"
        verbose_name_plural = "links between dialogues"

    def natural_key(self):
        return (self.origin.slug, self.relation, self.target.slug)

    natural_key.dependencies = ["dialogues.dialogue"]


class SeriesLink(Link):
    origin = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="links_in")

    objects = LinkManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["origin", "relation", "target"], name="one_series_link")
        ]
        verbose_name = "link between series"
        verbose_name_plural = "links between series"

    def natural_key(self):
        return (self.origin.slug, self.relation, self.target.slug)

    natural_key.dependencies = ["dialogues.series"]
