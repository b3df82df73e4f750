"""Keep derived fields right however a record is saved: admin, shell, or a fixture's raw save."""

from django.core.signals import request_started
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from . import caching
from .models import Timestamped, UncertainDate


@receiver(pre_save)
def fill_derived_fields(sender, instance, raw=False, **kwargs):
    if isinstance(instance, UncertainDate):
        instance.fill_date_bounds()
    if isinstance(instance, Timestamped) and not raw:
        instance.updated = timezone.now()


@receiver(post_save)
@receiver(post_delete)
def drop_cached_figures(sender, **kwargs):
    if sender._meta.app_label == "dialogues" and sender is not caching.ArchiveGeneration:
        caching.bump()


request_started.connect(caching.start_request, dispatch_uid="archive-generation")
