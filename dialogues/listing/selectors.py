"""Read-side queries, named `<entity>_<action>`, each with a fixed number of queries."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.functional import cached_property

from .. import caching
from ..models import (
    Citation,
    Dialogue,
    Era,
    Outcome,
    Participant,
    Participation,
    Source,
    public_q,
)
from ..search import ranking
from . import facet_index
from .filters import DialogueFilterSet

CHRONOLOGICAL = Dialogue.CHRONOLOGICAL


def era_list() -> QuerySet[Era]:
    """Return the eras in timeline order, each with `dialogue_count` (public dialogues only)."""
    return Era.objects.ordered().annotate(
        dialogue_count=Count("dialogues", filter=public_q("dialogues__"))
    )


def era_list_cached() -> list[Era]:
    """Return era_list() as a list, cached until the archive changes (eras are few)."""
    return caching.cached("era-list", (), lambda: list(era_list()))


class KnownCountPaginator(Paginator):
    """A paginator whose total was counted (and cached) beforehand."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


def dialogue_count(filterset: DialogueFilterSet) -> int:
    """Count the filtered dialogues, from the facet index: no query beyond building it.

    While the index is being built, by SQL, cached until the archive changes.
    """
    selection = facet_index.selection(filterset)
    if selection is not None:
        return selection.count
    return caching.cached("dialogue-count", filterset.cache_key(), filterset.qs.count)


class IndexedIds:
    """The ids of a filterset's dialogues in the order of its sort, paged by the facet index.

    A `Paginator` slices it; a page of ids then costs no SQL at all.
    """

    def __init__(self, selection: facet_index.Selection, sort: str):
        self.selection = selection
        self.sort = sort

    def __len__(self):
        return self.selection.count

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError(f"{type(self).__name__} takes a slice with no step")
        start, stop, _ = item.indices(len(self))
        return self.page(start, stop)

    def page(self, start: int, stop: int) -> list[int]:
        return self.selection.page(self.sort, start, stop)


class RankedIds(IndexedIds):
    """The ids of a search's dialogues in relevance order, for a paginator to slice.

    The facet index finds which dialogues the page may show; the database ranks only as far
    as the page needs, among those (`search.ranking`).
    """

    def __init__(self, selection: facet_index.Selection, query, using: str):
        super().__init__(selection, "relevance")
        self.query, self.using = query, using

    def page(self, start: int, stop: int) -> list[int]:
        return ranking.ranked_page(
            self.query,
            self.selection.index,
            self.selection.positions,
            len(self.selection.parts["q"]),
            start,
            stop,
            using=self.using,
        )


def dialogue_ids(filterset: DialogueFilterSet):
    """The ids of the filtered dialogues in order, for a paginator to slice.

    The facet index pages the date and title sorts. A search sorted by relevance is ranked by
    the database among the dialogues the index selects, as far as the page asks
    (`RankedIds`). While the index is being built, every list is the plain ordered query.
    """
    sort = facet_index.sort_of(filterset)
    if sort is None and filterset.active_sort == "relevance" and filterset.query.groups:
        selection = facet_index.selection(filterset)
        if selection is not None and "q" in selection.parts:
            return RankedIds(selection, filterset.query, filterset.queryset.db)
    selection = facet_index.selection(filterset) if sort is not None else None
    if selection is None:
        return filterset.qs.values_list("pk", flat=True)
    return IndexedIds(selection, sort)


def dialogues_in_order(ids, queryset) -> list[Dialogue]:
    """Fetch the dialogues with these ids from `queryset`, in the order of `ids`."""
    ids = list(ids)
    found = {dialogue.pk: dialogue for dialogue in queryset.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def dialogue_cards(queryset) -> QuerySet[Dialogue]:
    """Add what a dialogue card shows: era, conflict, participants and outcomes.

    Participants come as readers may see them, withheld names masked.

    The related rows land in plain lists (`card_participations`, `card_outcomes`): a related
    manager per card costs more to build than the rows themselves.
    """
    return queryset.select_related("era", "conflict").prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.public(),
            to_attr="card_participations",
        ),
        Prefetch("outcomes", queryset=Outcome.objects.all(), to_attr="card_outcomes"),
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


def _neighbour(dialogue, queryset, *, reverse: bool):
    order = [f"-{f}" for f in CHRONOLOGICAL] if reverse else list(CHRONOLOGICAL)
    # Two index-friendly steps instead of one OR-chain the planner cannot use an index for:
    # first the rows sharing the earliest day, then the nearest earlier or later day.
    same_day = queryset.filter(date_earliest=dialogue.date_earliest).filter(
        _after(dialogue, CHRONOLOGICAL[1:], reverse=reverse)
    )
    found = same_day.order_by(*order).first()
    if found is None:
        lookup = "date_earliest__lt" if reverse else "date_earliest__gt"
        found = queryset.filter(**{lookup: dialogue.date_earliest}).order_by(*order).first()
    return found


def dialogue_neighbours(
    dialogue: Dialogue, queryset=None
) -> tuple[Dialogue | None, Dialogue | None]:
    """Return the previous and next dialogue in chronological order.

    Among public dialogues, read off the facet index, whose positions are that order: one
    query fetches the two. Otherwise (a staff preview of a draft, or while the index is being
    built, or within another `queryset`), by keyset queries on the date index.
    """
    fields = ("slug", "title", "date", "date_display", "date_earliest", "date_latest")
    if queryset is None:
        index = facet_index.current()
        found = index.neighbours_of(dialogue.pk) if index is not None else None
        if found is not None:
            wanted = [pk for pk in found if pk is not None]
            rows = Dialogue.objects.only(*fields).in_bulk(wanted) if wanted else {}
            return tuple(rows.get(pk) if pk is not None else None for pk in found)
    if dialogue.date_earliest is None or dialogue.date_latest is None:
        # An undated dialogue has no keyset to start from (and each database puts it at its
        # own end of the order): outside the index it is shown without neighbours.
        return None, None
    queryset = (queryset if queryset is not None else Dialogue.objects.public()).only(*fields)
    return (
        _neighbour(dialogue, queryset, reverse=True),
        _neighbour(dialogue, queryset, reverse=False),
    )


def era_neighbours(era: Era) -> tuple[Era | None, Era | None]:
    previous = Era.objects.filter(position__lt=era.position).order_by("-position").first()
    following = Era.objects.filter(position__gt=era.position).order_by("position").first()
    return previous, following


def era_dialogues(era: Era) -> QuerySet[Dialogue]:
    return dialogue_cards(era.dialogues.public().chronological())


TIMELINE_PER_ERA = 30


def timeline_data(per_era: int = TIMELINE_PER_ERA) -> tuple[list[Era], list[Dialogue]]:
    """Return every era and, for each, its first `per_era` dialogues in order.

    An era with more dialogues than that carries `timeline_more`, how many are left out; the
    era's own page lists them all. One query per era, each read off the era's index, so the
    page costs the same however many dialogues the archive holds.
    """
    eras = era_list_cached()
    fields = (
        "slug",
        "title",
        "date",
        "date_display",
        "date_earliest",
        "date_latest",
        "era_id",
        "track",
    )
    dialogues: list[Dialogue] = []
    for era in eras:
        if era.dialogue_count:
            shown = list(
                Dialogue.objects.public().filter(era=era).only(*fields).chronological()[:per_era]
            )
        else:
            shown = []
        era.timeline_dialogues = shown
        era.timeline_more = max(era.dialogue_count - len(shown), 0)
        dialogues.extend(shown)
    return eras, dialogues


def participant_dialogues(participant: Participant) -> QuerySet[Participation]:
    """Return the participant's disclosed participations with their dialogues, in order.

    A participation withheld today is left out: the participant's page must not say that they
    took part in a meeting whose record hides their name.
    """
    return (
        participant.participations.visible()
        .select_related("dialogue", "dialogue__era")
        .order_by(*(f"dialogue__{f}" for f in CHRONOLOGICAL))
    )


def participants_page(queryset) -> QuerySet[Participant]:
    """Order participants for paging; their counts are added to one page by `with_counts`.

    Counting every participant's dialogues before paging would group the whole
    participations table on every request.
    """
    return queryset.order_by("name", "pk")


def with_counts(participants) -> list[Participant]:
    """Set `dialogue_count` on a page of participants (one query), counting only the
    participations readers may see."""
    participants = list(participants)
    counts = dict(
        Participation.objects.visible()
        .filter(participant__in=participants)
        .values("participant")
        .annotate(n=Count("pk"))
        .values_list("participant", "n")
    )
    for participant in participants:
        participant.dialogue_count = counts.get(participant.pk, 0)
    return participants


def source_citations(source: Source) -> QuerySet[Citation]:
    """Return every citation of the source, with its dialogue, in paragraph order."""
    return (
        source.citations.public()
        .select_related("dialogue", "outcome", "participant")
        .order_by("paragraph", "dialogue__date_earliest", "pk")
    )


def archive_counts() -> dict[str, int]:
    """Return how many public records of each kind the archive holds; cached until it changes."""
    querysets = {
        "eras": Era.objects.all,
        "dialogues": Dialogue.objects.public,
        "participants": Participant.objects.public,
        "sources": Source.objects.all,
        "citations": Citation.objects.public,
    }
    # `cached` keys by the day too: the participants counted change when an embargo lifts.
    return caching.cached(
        "archive-counts", (), lambda: {name: qs().count() for name, qs in querysets.items()}
    )


def recent_dialogues(limit: int = 5) -> QuerySet[Dialogue]:
    return dialogue_cards(Dialogue.objects.public().order_by("-created", "-pk"))[:limit]
