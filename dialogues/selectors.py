"""Read-side queries, named `<entity>_<action>`, each with a fixed number of queries."""

from django.db.models import Count, QuerySet

from .models import Dialogue, Era


def era_list() -> QuerySet[Era]:
    """Return the eras in timeline order, each with `dialogue_count`."""
    return Era.objects.ordered().annotate(dialogue_count=Count("dialogues"))


def dialogue_get(*, slug: str) -> Dialogue:
    """Return one dialogue with everything its page shows, or raise Dialogue.DoesNotExist."""
    return Dialogue.objects.with_relations().get(slug=slug)
