"""Keep derived fields right however a record is saved: admin, shell, or a fixture's raw save."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from . import caching
from .models import KeepsPastSlugs, PastSlug, Timestamped, UncertainDate


@receiver(pre_save)
def fill_derived_fields(sender, instance, raw=False, **kwargs):
    if isinstance(instance, UncertainDate):
        instance.fill_date_bounds()
    if isinstance(instance, Timestamped) and not raw:
        instance.updated = timezone.now()


@receiver(post_save)
@receiver(post_delete)
def drop_cached_figures(sender, **kwargs):
    if sender._meta.app_label == "dialogues":
        caching.bump()


@receiver(post_save)
def keep_past_slug(sender, instance, raw=False, using=None, **kwargs):
    """Leave the old address of a renamed record leading to it (Geniza's PastPersonSlug)."""
    if raw or not isinstance(instance, KeepsPastSlugs):
        return
    old = getattr(instance, "_loaded_slug", None)
    if old and old != instance.slug:
        PastSlug.remember(instance, old, using=using)
        # The new slug is live now; a past address with the same name would never be reached.
        PastSlug.objects.using(using).filter(
            kind=instance._meta.model_name, slug=instance.slug
        ).delete()
    instance._loaded_slug = instance.slug
