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

**Organisations, places and series** are published like dialogues, and are listed the same way
(their own saves, publication, embargo, withdrawal, and a `Removal` when unpublished, deleted
or merged into another, which then names where it went) when a `Selection` asks for their
kinds: the changes feed does; OAI-PMH, whose records are dialogues, and an era's lists do not.
A dialogue's record shows its places, series and the organisations its participants acted for,
so a change to those moves the dialogue's datestamp too (see `dialogues.writes`).

Other records (participants, eras, sources, conflicts) are not listed: eras and conflicts carry
no timestamps, and a participant's visibility follows the dialogues it is named in rather than
its own saves. A dialogue's datestamp does not move when a participant's or source's own record
is edited.
"""

from __future__ import annotations

import dataclasses
import datetime
import heapq

from django.db import models
from django.db.models import Case, F, Func, Max, OuterRef, Q, Subquery, When
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone

from ..models import (
    Dialogue,
    Organisation,
    Participation,
    Place,
    Removal,
    Series,
    Status,
    public_q,
)

SETTLE = datetime.timedelta(seconds=5)
# Changes listed as `created` when their last change comes within this of their first public
# moment: publishing stamps `published_at`, then the save stamps `updated` a moment later.
SAME_MOMENT = datetime.timedelta(seconds=1)

CREATED, UPDATED, WITHDRAWN, REMOVED = "created", "updated", "withdrawn", "removed"
TYPES = (CREATED, UPDATED, WITHDRAWN, REMOVED)
DIALOGUE_SOURCE, REMOVAL_SOURCE = 0, 1
DIALOGUE = "dialogue"
# The other kinds listed, each with its model and its source in the order of changes (a
# position's source is part of the cursors already issued: these numbers never change).
AUTHORITIES = {
    "organisation": (Organisation, 2),
    "place": (Place, 3),
    "series": (Series, 4),
}
KINDS = (DIALOGUE, *AUTHORITIES)
_MODELS = {DIALOGUE: Dialogue, **{kind: model for kind, (model, _) in AUTHORITIES.items()}}


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
    record: object | None  # the dialogue, organisation, place or series; None for a removal
    position: Position
    # For a record removed by merging: the public record of its kind it was merged into.
    merged_into: object | None = None

    @property
    def deleted(self) -> bool:
        return self.type in (WITHDRAWN, REMOVED)

    @property
    def dialogue(self) -> Dialogue | None:
        return self.record if self.kind == DIALOGUE else None


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
    """Withdrawn records (dialogues, organisations, places, series) readers saw before the
    withdrawal."""
    return Q(status=Status.WITHDRAWN, published_at__isnull=False, withdrawn_at__isnull=False) & (
        Q(embargo_until__isnull=True) | Q(embargo_lifted__lte=F("withdrawn_at"))
    )


def dialogues_with_stamps(today: datetime.date | None = None):
    """Every dialogue a change is listed for, each annotated with its `stamp` (datestamp).

    As for any record (`records_with_stamps`), and a name disclosed since moves it too."""
    today = today or timezone.localdate()
    return records_with_stamps(Dialogue, Coalesce(_disclosed_since(today), F("updated")))


def records_with_stamps(model, *moved_by):
    """Every dialogue, organisation, place or series (`model`) a change is listed for, with its
    `stamp`: public ones at the latest of their last save, publication, embargo's end (and
    `moved_by`, more such times); withdrawn ones readers saw at their withdrawal."""
    updated = F("updated")
    public_stamp = Greatest(
        updated,
        Coalesce("published_at", updated),
        Coalesce("embargo_lifted", updated),
        *moved_by,
        output_field=models.DateTimeField(),
    )
    return (
        model.objects.alias(embargo_lifted=midnight("embargo_until"))
        .filter(public_q() | seen_withdrawn_q())
        .annotate(
            stamp=Case(
                When(status=Status.WITHDRAWN, then=F("withdrawn_at")),
                default=public_stamp,
                output_field=models.DateTimeField(),
            )
        )
    )


def _positions(stream, source: int, after: Position | None, size: int) -> list[Position]:
    """The first `size + 1` positions of one kind's stamped stream after `after`."""
    stamped = (
        stream.filter(_after(after, source))
        .order_by("stamp", "pk")
        .values_list("stamp", "pk")[: size + 1]
    )
    return [Position(stamp, source, pk) for stamp, pk in stamped]


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
    # The kinds of record listed: dialogues alone unless asked (OAI-PMH's records are
    # dialogues); organisations, places and series have no era, so an era's list has none.
    kinds: tuple[str, ...] = (DIALOGUE,)

    def listed_kinds(self) -> tuple[str, ...]:
        if self.era_id is not None:
            return tuple(kind for kind in self.kinds if kind == DIALOGUE)
        return self.kinds

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


def _authority_stream(model, selection: Selection):
    rows = records_with_stamps(model).filter(stamp__lt=selection.end)
    if selection.start is not None:
        rows = rows.filter(stamp__gte=selection.start)
    return rows


def _removal_stream(selection: Selection):
    kinds = selection.listed_kinds()
    rows = Removal.objects.annotate(stamp=F("removed_at")).filter(
        kind__in=kinds, stamp__lt=selection.end
    )
    # A removal by embargo is superseded, without a save, once the embargo lifts: the record
    # is listed again, at a later datestamp.
    for kind in kinds:
        public = _MODELS[kind].objects.filter(public_q()).values("pk")
        rows = rows.exclude(kind=kind, object_id__in=public)
    if selection.start is not None:
        rows = rows.filter(stamp__gte=selection.start)
    if selection.era_id is not None:
        rows = rows.filter(era_id=selection.era_id)
    return rows


def count(selection: Selection) -> int:
    """How many changes `selection` lists."""
    today = timezone.localdate()
    total = _removal_stream(selection).count()
    for kind in selection.listed_kinds():
        if kind == DIALOGUE:
            total += _dialogue_stream(selection, today).count()
        else:
            total += _authority_stream(AUTHORITIES[kind][0], selection).count()
    return total


def page(
    selection: Selection, after: Position | None, size: int, *, dialogues=None
) -> tuple[list[Change], bool]:
    """Return up to `size` changes after `after`, and whether more follow.

    `dialogues` is the queryset the page's dialogues are read from, with what the caller
    needs prefetched; it is asked for the page's ids only, in one query. Each other kind
    listed costs a query for its positions and, when it has any on the page, one for its rows.
    """
    today = timezone.localdate()
    kinds = selection.listed_kinds()
    streams = []
    if DIALOGUE in kinds:
        streams.append(_positions(_dialogue_stream(selection, today), DIALOGUE_SOURCE, after, size))
    for kind in kinds:
        if kind == DIALOGUE:
            continue
        model, source = AUTHORITIES[kind]
        streams.append(_positions(_authority_stream(model, selection), source, after, size))
    removals = list(
        _removal_stream(selection)
        .filter(_after(after, REMOVAL_SOURCE))
        .order_by("stamp", "pk")[: size + 1]
    )
    streams.append([Position(r.stamp, REMOVAL_SOURCE, r.pk) for r in removals])
    items = heapq.merge(*streams)
    positions = [p for _, p in zip(range(size + 1), items, strict=False)]
    more = len(positions) > size
    positions = positions[:size]
    records = _records_of(positions, dialogues)
    removal_by_pk = {r.pk: r for r in removals}
    destinations = _merge_destinations(
        [removal_by_pk[p.pk] for p in positions if p.source == REMOVAL_SOURCE]
    )
    changes = []
    for position in positions:
        if position.source == REMOVAL_SOURCE:
            changes.append(_removed(removal_by_pk[position.pk], position, destinations))
            continue
        kind, record = records[position.source, position.pk]
        changes.append(
            Change(
                kind,
                change_type(record, position.stamp),
                position.stamp,
                record.pk,
                record.slug,
                getattr(record, "era_id", None),
                record,
                position,
            )
        )
    return changes, more


def _records_of(positions: list[Position], dialogues) -> dict:
    """The records at these positions, by (source, pk): one query for each kind present."""
    found = {}
    by_source = {
        DIALOGUE_SOURCE: (DIALOGUE, Dialogue.objects.all() if dialogues is None else dialogues)
    }
    for kind, (model, source) in AUTHORITIES.items():
        by_source[source] = (kind, model.objects.all())
    for source, (kind, rows) in by_source.items():
        wanted = [p.pk for p in positions if p.source == source]
        if wanted:
            found.update({(source, r.pk): (kind, r) for r in rows.filter(pk__in=wanted)})
    return found


def _merge_destinations(removals) -> dict:
    """The public records that merged ones went to, by (kind, pk): one query a kind present."""
    wanted: dict[str, set[int]] = {}
    for removal in removals:
        if removal.merged_into is not None and removal.kind in AUTHORITIES:
            wanted.setdefault(removal.kind, set()).add(removal.merged_into)
    found = {}
    for kind, ids in wanted.items():
        model = AUTHORITIES[kind][0]
        for record in model.objects.filter(public_q(), pk__in=ids):
            found[kind, record.pk] = record
    return found


def _removed(removal: Removal, position: Position, destinations: dict) -> Change:
    return Change(
        removal.kind,
        REMOVED,
        position.stamp,
        removal.object_id,
        removal.slug,
        removal.era_id,
        None,
        position,
        destinations.get((removal.kind, removal.merged_into)),
    )


def change_type(dialogue, stamp: datetime.datetime) -> str:
    """Name a listed record's change (a dialogue, organisation, place or series): withdrawn, or
    created or updated."""
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


def latest_of_every_kind(*, limit: int = 50) -> list:
    """The public dialogues, organisations, places and series most recently created or
    changed, newest first, each with its `stamp` (for the archive's Atom feed)."""
    settled = timezone.now() - SETTLE
    found = list(latest(limit=limit).select_related("era", "conflict"))
    for model, _ in AUTHORITIES.values():
        rows = records_with_stamps(model).filter(public_q(), stamp__lt=settled)
        found.extend(rows.order_by("-stamp", "-pk")[:limit])
    found.sort(key=lambda record: record.stamp, reverse=True)
    return found[:limit]


def one(record_id: int, *, dialogues=None) -> Change | None:
    """The listed change of one dialogue (by id), or None when readers never saw it."""
    stamp = dialogues_with_stamps().filter(pk=record_id).values_list("stamp", flat=True).first()
    if stamp is not None:
        source = Dialogue.objects.all() if dialogues is None else dialogues
        dialogue = source.get(pk=record_id)
        return Change(
            DIALOGUE,
            change_type(dialogue, stamp),
            stamp,
            dialogue.pk,
            dialogue.slug,
            dialogue.era_id,
            dialogue,
            Position(stamp, DIALOGUE_SOURCE, dialogue.pk),
        )
    removal = Removal.objects.filter(kind=DIALOGUE, object_id=record_id).first()
    if removal is None:
        return None
    return _removed(removal, Position(removal.removed_at, REMOVAL_SOURCE, removal.pk), {})


def earliest() -> datetime.datetime | None:
    """The earliest datestamp of any listed change of a dialogue (OAI-PMH's records)."""
    found = [
        dialogues_with_stamps().aggregate(first=models.Min("stamp"))["first"],
        Removal.objects.filter(kind=DIALOGUE).aggregate(first=models.Min("removed_at"))["first"],
    ]
    found = [moment for moment in found if moment is not None]
    return min(found) if found else None
