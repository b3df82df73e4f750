"""What readers may see: a dialogue's status and embargo, and the addresses records used to have.

Whether a dialogue is public is decided in one place, `public_q()`, so that every page, count,
search, download and API answer agrees. An embargo lifts by itself: the date is compared with
today's when the query is built, so no job has to run on the day.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def public_q(prefix: str = "") -> Q:
    """Select dialogues readers may see: published, and not under an embargo today.

    `prefix` reaches a dialogue through a relation, e.g. `"dialogue__"` from a participation.
    """
    today = timezone.localdate()
    return Q(**{f"{prefix}status": Status.PUBLISHED}) & (
        Q(**{f"{prefix}embargo_until__isnull": True}) | Q(**{f"{prefix}embargo_until__lte": today})
    )


class Publishable(models.Model):
    """A status, when it was published or withdrawn and why, and an optional embargo."""

    status = models.CharField(
        max_length=12,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="Only a published record is public. Publishers change it with the actions.",
    )
    review_requested = models.BooleanField(
        "submitted for review",
        default=False,
        help_text="Tick to ask a publisher to review and publish this draft.",
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    embargo_until = models.DateField(
        "embargoed until",
        null=True,
        blank=True,
        help_text=(
            "Kept from readers, like a draft, until this day; it appears on the day by itself."
        ),
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(
        blank=True, help_text="Shown to readers on the withdrawn record's page."
    )

    class Meta:
        abstract = True

    @property
    def embargoed(self) -> bool:
        return self.embargo_until is not None and self.embargo_until > timezone.localdate()

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED and not self.embargoed

    @property
    def is_withdrawn(self) -> bool:
        return self.status == Status.WITHDRAWN


class PastSlug(models.Model):
    """An address a record used to have, kept so that old links lead to it (301).

    Recorded whenever a record's slug changes (see `KeepsPastSlugs`) and when a participant is
    merged into another. `kind` is the record's model name, e.g. `dialogue`.
    """

    kind = models.CharField(max_length=40)
    slug = models.SlugField(max_length=120)
    object_id = models.PositiveBigIntegerField()
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="one_past_slug_per_kind")
        ]
        verbose_name = "past address"
        verbose_name_plural = "past addresses"

    def __str__(self):
        return f"{self.kind} {self.slug} → {self.object_id}"

    @classmethod
    def find(cls, model, slug: str):
        """Return the record of `model` that once had `slug`, or None."""
        past = cls.objects.filter(kind=model._meta.model_name, slug=slug).first()
        if past is None:
            return None
        return model._default_manager.filter(pk=past.object_id).first()

    @classmethod
    def remember(cls, record, slug: str, *, using=None) -> None:
        """Make `slug` lead to `record` from now on."""
        if not slug or slug == record.slug:
            return
        cls.objects.using(using).update_or_create(
            kind=record._meta.model_name, slug=slug, defaults={"object_id": record.pk}
        )


class KeepsPastSlugs(models.Model):
    """Remember the slug a record was read with, so a save that changes it keeps the old one."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance
