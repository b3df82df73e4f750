"""Keep derived fields, cached figures and the timeline right however a record is saved or
deleted: admin, shell, or a fixture's raw save."""

from django.core.signals import request_started
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from . import caching, era_rules
from .models import Era, Timestamped, UncertainDate


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


@receiver(pre_delete, sender=Era)
def note_the_timeline(sender, instance, **kwargs):
    era_rules.remember_timeline(instance)


@receiver(post_delete, sender=Era)
def keep_the_timeline_whole(sender, instance, **kwargs):
    era_rules.refuse_broken_timeline(instance)


request_started.connect(caching.start_request, dispatch_uid="archive-generation")
