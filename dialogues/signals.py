"""Keep derived fields right however a record is saved: admin, shell, or a fixture's raw save."""

from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone

from .models import Dialogue, Era, Participant, Source, Timestamped, UncertainDate


@receiver(pre_save)
def fill_derived_fields(sender, instance, raw=False, **kwargs):
    if isinstance(instance, UncertainDate):
        instance.fill_date_bounds()
    if isinstance(instance, Timestamped) and not raw:
        instance.updated = timezone.now()


__all__ = ["Dialogue", "Era", "Participant", "Source", "fill_derived_fields"]
