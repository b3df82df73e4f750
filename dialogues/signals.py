"""Keep derived fields, cached figures and the timeline right however a record is saved or
deleted: admin, shell, or a fixture's raw save."""

from django.core.signals import request_started
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from . import caching, era_rules
from .models import Era, KeepsPastSlugs, PastSlug, Timestamped, UncertainDate


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


@receiver(pre_delete, sender=Era)
def note_the_timeline(sender, instance, **kwargs):
    era_rules.remember_timeline(instance)


@receiver(post_delete, sender=Era)
def keep_the_timeline_whole(sender, instance, **kwargs):
    era_rules.refuse_broken_timeline(instance)


request_started.connect(caching.start_request, dispatch_uid="archive-generation")
