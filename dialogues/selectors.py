"""Read-side queries, named `<entity>_<action>`, each with a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from .filters import DialogueFilterSet
from .models import Citation, Dialogue, Era, Participant, Participation, Source

CHRONOLOGICAL = ("date_earliest", "date_latest", "title", "pk")


def era_list() -> QuerySet[Era]:
    """Return the eras in timeline order, each with `dialogue_count`."""
    return Era.objects.ordered().annotate(dialogue_count=Count("dialogues"))


def dialogue_get(*, slug: str) -> Dialogue:
    """Return one dialogue with everything its page shows, or raise Dialogue.DoesNotExist."""
    return Dialogue.objects.with_relations().get(slug=slug)


def dialogue_list(*, data) -> DialogueFilterSet:
    """Return the FilterSet for these parameters; its `qs` is filtered, ordered and searched."""
    return DialogueFilterSet(data or None, queryset=Dialogue.objects.all())


def dialogue_cards(queryset) -> QuerySet[Dialogue]:
    """Add what a dialogue card shows: era, conflict, participants and outcomes."""
    return queryset.select_related("era", "conflict").prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("participant").order_by(
                "participant__side", "participant__name"
            ),
        ),
        "outcomes",
    )


def _after(obj, fields, *, reverse=False) -> Q:
    """Build the keyset condition for rows after `obj` in the order given by `fields`."""
    condition = Q()
    equal = Q()
    for field in fields:
        value = getattr(obj, field)
        lookup = "lt" if reverse else "gt"
        condition |= equal & Q(**{f"{field}__{lookup}": value})
        equal &= Q(**{field: value})
    return condition


def dialogue_neighbours(
    dialogue: Dialogue, queryset=None
) -> tuple[Dialogue | None, Dialogue | None]:
    """Return the previous and next dialogue in chronological order (two indexed queries)."""
    queryset = (queryset if queryset is not None else Dialogue.objects.all()).only(
        "slug", "title", "date", "date_earliest", "date_latest"
    )
    previous = (
        queryset.filter(_after(dialogue, CHRONOLOGICAL, reverse=True))
        .order_by(*(f"-{f}" for f in CHRONOLOGICAL))
        .first()
    )
    following = queryset.filter(_after(dialogue, CHRONOLOGICAL)).order_by(*CHRONOLOGICAL).first()
    return previous, following


def era_neighbours(era: Era) -> tuple[Era | None, Era | None]:
    previous = Era.objects.filter(position__lt=era.position).order_by("-position").first()
    following = Era.objects.filter(position__gt=era.position).order_by("position").first()
    return previous, following


def era_dialogues(era: Era) -> QuerySet[Dialogue]:
    return dialogue_cards(era.dialogues.order_by(*CHRONOLOGICAL))


def timeline_data() -> tuple[list[Era], list[Dialogue]]:
    """Return every era and every dialogue, in order, for the timeline (two queries)."""
    eras = list(era_list())
    dialogues = list(
        Dialogue.objects.only(
            "slug", "title", "date", "date_earliest", "date_latest", "era_id", "track"
        ).order_by(*CHRONOLOGICAL)
    )
    by_era: dict[int, list[Dialogue]] = {era.pk: [] for era in eras}
    for dialogue in dialogues:
        by_era.setdefault(dialogue.era_id, []).append(dialogue)
    for era in eras:
        era.timeline_dialogues = by_era[era.pk]
    return eras, dialogues


def participant_dialogues(participant: Participant) -> QuerySet[Participation]:
    """Return the participant's participations with their dialogues, in chronological order."""
    return participant.participations.select_related("dialogue", "dialogue__era").order_by(
        *(f"dialogue__{f}" for f in CHRONOLOGICAL)
    )


def participant_list(queryset=None) -> QuerySet[Participant]:
    queryset = queryset if queryset is not None else Participant.objects.all()
    return queryset.annotate(dialogue_count=Count("participations")).order_by("name")


def source_citations(source: Source) -> QuerySet[Citation]:
    """Return every citation of the source, with its dialogue, in paragraph order."""
    return source.citations.select_related("dialogue", "outcome", "participant").order_by(
        "paragraph", "dialogue__date_earliest", "pk"
    )


def archive_counts() -> dict[str, int]:
    """Return how many records of each kind the archive holds (one query a kind)."""
    models = {
        "eras": Era,
        "dialogues": Dialogue,
        "participants": Participant,
        "sources": Source,
        "citations": Citation,
    }
    return {name: model.objects.count() for name, model in models.items()}


def recent_dialogues(limit: int = 5) -> QuerySet[Dialogue]:
    return dialogue_cards(Dialogue.objects.order_by("-created", "-pk"))[:limit]
