"""The public changes of the archive, in one order, read by the changes feed, Atom and OAI-PMH.

A change counts from the moment readers can see it, so the list is derived from the records
themselves when it is read, not from a log written at save time (a log could not see an embargo
lift or a withheld name appear at midnight, which happen without any save):

- A **public** dialogue (published, its embargo lifted) is listed once, at its *datestamp*: the
  latest of its last save (`updated`, which its participations, outcomes and citations, saved
  through its form, move too), its publication, the midnight its embargo lifted, and the
  midnight any withheld name among its participants was disclosed. A day is a date in the
  site's time zone; its midnight is when `public_q()` starts showing the record. Its type is
  `created` when nothing changed since it first became public, `updated` otherwise.
- A **withdrawn** dialogue that readers saw before it was withdrawn is listed at `withdrawn_at`,
  type `withdrawn`, with its public reason and its replacement. One withdrawn before readers
  ever saw it (a draft, or embargoed until after the withdrawal) is not listed.
- A public dialogue **unpublished** back to a draft, put under an **embargo**, or deleted, is
  listed at that moment, type `removed`, from the `Removal` it left (see
  `dialogues.models.removals`), until it is public again. To a mirror, removed
  and withdrawn mean the same thing: stop showing it. A draft's own edits are never listed.

Each record appears once, at its latest public change, so a mirror that reads from where it
stopped to the end holds the archive as it is. Items are ordered by (datestamp, source, id)
and a position in that order is a `Position`; pages continue strictly after one. Only changes
at least `SETTLE` old are listed: a save stamps its time before its transaction commits, and a
reader who read past that time meanwhile would otherwise never see the change.

Records other than dialogues (participants, eras, sources, conflicts) are not listed: eras and
conflicts carry no timestamps, and a participant's visibility follows the dialogues it is named
in rather than its own saves. A dialogue's datestamp does not move when a participant's or
source's own record is edited.
"""

from __future__ import annotations

import dataclasses
import datetime
import heapq

from django.db import models
from django.db.models import Case, F, Func, Max, OuterRef, Q, Subquery, When
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone

from ..models import Dialogue, Participation, Removal, Status, public_q

SETTLE = datetime.timedelta(seconds=5)
# Changes listed as `created` when their last change comes within this of their first public
# moment: publishing stamps `published_at`, then the save stamps `updated` a moment later.
SAME_MOMENT = datetime.timedelta(seconds=1)

CREATED, UPDATED, WITHDRAWN, REMOVED = "created", "updated", "withdrawn", "removed"
TYPES = (CREATED, UPDATED, WITHDRAWN, REMOVED)
DIALOGUE_SOURCE, REMOVAL_SOURCE = 0, 1


@dataclasses.dataclass(frozen=True, order=True)
class Position:
    """A place in the order of changes: after the item with this datestamp, source and id."""

    stamp: datetime.datetime
    source: int
    pk: int


@dataclasses.dataclass
class Change:
    kind: str
    type: str
    stamp: datetime.datetime
    record_id: int
    slug: str
    era_id: int | None
    dialogue: Dialogue | None  # None for a removal
    position: Position

    @property
    def deleted(self) -> bool:
        return self.type in (WITHDRAWN, REMOVED)


class Midnight(Func):
    """The first moment of a date's day, as a datetime (the time zone is UTC, see settings).

    On SQLite it is written as a datetime is stored there (`YYYY-MM-DD 00:00:00`), so that it
    compares equal to the same moment given as a parameter; Django's own cast would add
    `.000`, which sorts after it and would list a record again after a cursor at that moment.
    """

    arity = 1
    output_field = models.DateTimeField()

    def as_sql(self, compiler, connection, **extra):
        return compiler.compile(Cast(self.source_expressions[0], models.DateTimeField()))

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s || ' 00:00:00')")


def midnight(field):
    return Midnight(field)


def _disclosed_since(today: datetime.date):
    """The midnight the latest withheld name of the dialogue was disclosed, up to today.

    Asked only of dialogues with such a name (a set read once through the partial index on
    withheld participations), so the correlated query does not run for every dialogue.
    """
    disclosed = Q(withheld=True, withheld_until__lte=today)
    lifts = (
        Participation.objects.filter(disclosed, dialogue=OuterRef("pk"))
        .order_by()
        .values("dialogue")
        .annotate(latest=Max("withheld_until"))
        .values("latest")
    )
    having = Participation.objects.filter(disclosed).values("dialogue_id")
    return Case(
        When(pk__in=Subquery(having), then=Midnight(Subquery(lifts))),
        default=None,
        output_field=models.DateTimeField(),
    )


def seen_withdrawn_q() -> Q:
    """Withdrawn dialogues readers saw before the withdrawal."""
    return Q(status=Status.WITHDRAWN, published_at__isnull=False, withdrawn_at__isnull=False) & (
        Q(embargo_until__isnull=True) | Q(embargo_lifted__lte=F("withdrawn_at"))
    )


def dialogues_with_stamps(today: datetime.date | None = None):
    """Every dialogue a change is listed for, each annotated with its `stamp` (datestamp)."""
    today = today or timezone.localdate()
    updated = F("updated")
    public_stamp = Greatest(
        updated,
        Coalesce("published_at", updated),
        Coalesce("embargo_lifted", updated),
        Coalesce(_disclosed_since(today), updated),
        output_field=models.DateTimeField(),
    )
    return (
        Dialogue.objects.alias(embargo_lifted=midnight("embargo_until"))
        .filter(public_q() | seen_withdrawn_q())
        .annotate(
            stamp=Case(
                When(status=Status.WITHDRAWN, then=F("withdrawn_at")),
                default=public_stamp,
                output_field=models.DateTimeField(),
            )
        )
    )


def _after(position: Position | None, source: int) -> Q:
    """The items of `source` that come strictly after `position`."""
    if position is None:
        return Q()
    later = Q(stamp__gt=position.stamp)
    if source > position.source:
        return later | Q(stamp=position.stamp)
    if source == position.source:
        return later | Q(stamp=position.stamp, pk__gt=position.pk)
    return later


@dataclasses.dataclass(frozen=True)
class Selection:
    """Which changes to list: in a time window, optionally in one era."""

    start: datetime.datetime | None = None  # inclusive
    end: datetime.datetime | None = None  # exclusive; at most now minus SETTLE
    era_id: int | None = None

    def bounded(self) -> Selection:
        """The same selection, ending no later than the settled past."""
        settled = timezone.now() - SETTLE
        end = settled if self.end is None else min(self.end, settled)
        return dataclasses.replace(self, end=end)


def _dialogue_stream(selection: Selection, today):
    rows = dialogues_with_stamps(today).filter(stamp__lt=selection.end)
    if selection.start is not None:
        rows = rows.filter(stamp__gte=selection.start)
    if selection.era_id is not None:
        rows = rows.filter(era_id=selection.era_id)
    return rows


def _removal_stream(selection: Selection):
    # A removal by embargo is superseded, without a save, once the embargo lifts: the record
    # is listed again, at a later datestamp.
    rows = (
        Removal.objects.annotate(stamp=F("removed_at"))
        .filter(kind="dialogue", stamp__lt=selection.end)
        .exclude(object_id__in=Dialogue.objects.filter(public_q()).values("pk"))
    )
    if selection.start is not None:
        rows = rows.filter(stamp__gte=selection.start)
    if selection.era_id is not None:
        rows = rows.filter(era_id=selection.era_id)
    return rows


def count(selection: Selection) -> int:
    """How many changes `selection` lists."""
    today = timezone.localdate()
    return _dialogue_stream(selection, today).count() + _removal_stream(selection).count()


def page(
    selection: Selection, after: Position | None, size: int, *, dialogues=None
) -> tuple[list[Change], bool]:
    """Return up to `size` changes after `after`, and whether more follow.

    `dialogues` is the queryset the page's dialogues are read from, with what the caller
    needs prefetched; it is asked for the page's ids only, in one query.
    """
    today = timezone.localdate()
    stamped = list(
        _dialogue_stream(selection, today)
        .filter(_after(after, DIALOGUE_SOURCE))
        .order_by("stamp", "pk")
        .values_list("stamp", "pk")[: size + 1]
    )
    removals = list(
        _removal_stream(selection)
        .filter(_after(after, REMOVAL_SOURCE))
        .order_by("stamp", "pk")[: size + 1]
    )
    items = heapq.merge(
        (Position(stamp, DIALOGUE_SOURCE, pk) for stamp, pk in stamped),
        (Position(r.stamp, REMOVAL_SOURCE, r.pk) for r in removals),
    )
    positions = [p for _, p in zip(range(size + 1), items, strict=False)]
    more = len(positions) > size
    positions = positions[:size]
    wanted = [p.pk for p in positions if p.source == DIALOGUE_SOURCE]
    source = Dialogue.objects.all() if dialogues is None else dialogues
    by_pk = {d.pk: d for d in source.filter(pk__in=wanted)} if wanted else {}
    removal_by_pk = {r.pk: r for r in removals}
    changes = []
    for position in positions:
        if position.source == REMOVAL_SOURCE:
            removal = removal_by_pk[position.pk]
            changes.append(
                Change(
                    "dialogue",
                    REMOVED,
                    position.stamp,
                    removal.object_id,
                    removal.slug,
                    removal.era_id,
                    None,
                    position,
                )
            )
            continue
        dialogue = by_pk[position.pk]
        changes.append(
            Change(
                "dialogue",
                change_type(dialogue, position.stamp),
                position.stamp,
                dialogue.pk,
                dialogue.slug,
                dialogue.era_id,
                dialogue,
                position,
            )
        )
    return changes, more


def change_type(dialogue: Dialogue, stamp: datetime.datetime) -> str:
    """Name a listed dialogue's change: withdrawn, or created or updated."""
    if dialogue.status == Status.WITHDRAWN:
        return WITHDRAWN
    first_public = [dialogue.published_at] if dialogue.published_at else []
    if dialogue.embargo_until is not None:
        first_public.append(
            datetime.datetime.combine(dialogue.embargo_until, datetime.time(), tzinfo=datetime.UTC)
        )
    if first_public and stamp <= max(first_public) + SAME_MOMENT:
        return CREATED
    return UPDATED


def latest(*, era_id: int | None = None, limit: int = 50):
    """The public dialogues most recently created or changed, newest first (for Atom)."""
    rows = dialogues_with_stamps().filter(public_q(), stamp__lt=timezone.now() - SETTLE)
    if era_id is not None:
        rows = rows.filter(era_id=era_id)
    return rows.order_by("-stamp", "-pk")[:limit]


def one(record_id: int, *, dialogues=None) -> Change | None:
    """The listed change of one dialogue (by id), or None when readers never saw it."""
    stamp = dialogues_with_stamps().filter(pk=record_id).values_list("stamp", flat=True).first()
    if stamp is not None:
        source = Dialogue.objects.all() if dialogues is None else dialogues
        dialogue = source.get(pk=record_id)
        return Change(
            "dialogue",
            change_type(dialogue, stamp),
            stamp,
            dialogue.pk,
            dialogue.slug,
            dialogue.era_id,
            dialogue,
            Position(stamp, DIALOGUE_SOURCE, dialogue.pk),
        )
    removal = Removal.objects.filter(kind="dialogue", object_id=record_id).first()
    if removal is None:
        return None
    position = Position(removal.removed_at, REMOVAL_SOURCE, removal.pk)
    return Change(
        "dialogue",
        REMOVED,
        removal.removed_at,
        removal.object_id,
        removal.slug,
        removal.era_id,
        None,
        position,
    )


def earliest() -> datetime.datetime | None:
    """The earliest datestamp of any listed change."""
    found = [
        dialogues_with_stamps().aggregate(first=models.Min("stamp"))["first"],
        Removal.objects.aggregate(first=models.Min("removed_at"))["first"],
    ]
    found = [moment for moment in found if moment is not None]
    return min(found) if found else None
