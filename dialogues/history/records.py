"""A record's versions, numbered from 1, and the record rebuilt as it stood in one of them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import reversion
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from reversion.models import Version

from ..models import (
    Citation,
    Dialogue,
    DisagreementCitation,
    Outcome,
    Participation,
    SourceDisagreement,
    Status,
)
from ..models.disclosure import as_drawn_today
from ..models.reasons import public_reason

# The rows saved through a record's form, and the key that ties each to its record. They are
# registered to follow their record, so each revision of the record holds them too.
INLINES = {
    Dialogue: ((Participation, "dialogue"), (Outcome, "dialogue"), (Citation, "dialogue")),
    SourceDisagreement: ((DisagreementCitation, "disagreement"),),
}

# How each kind of row is drawn on the public page, so a past version reads like the present:
# participations masked by today's withholding (the one rule, in `disclosure`), then ordered.
ROW_DRAWING = {
    Participation: as_drawn_today,
    Outcome: lambda rows: sorted(rows, key=lambda o: o.kind),
    Citation: lambda rows: sorted(
        rows, key=lambda c: (c.source.date_earliest or datetime.date.min, c.paragraph)
    ),
}


def is_public_revision(version: Version) -> bool:
    """Say whether readers may see and cite this version of a record.

    Only the versions saved while the record was published (and under no embargo that is
    still running today) are public: a draft's revisions and a withdrawn record's last one are
    not. A record kind without a status (eras, sources, …) is always public. This is the one
    place that decides it.
    """
    fields = version.field_dict
    if "status" not in fields:
        return True
    if fields["status"] != Status.PUBLISHED:
        return False
    embargo = fields.get("embargo_until")
    return embargo is None or embargo <= timezone.localdate()


def versions_of(obj) -> list[Version]:
    """Return every version of a record, oldest first."""
    return list(
        Version.objects.get_for_object(obj)
        .select_related("revision", "revision__user", "revision__reason")
        .order_by("revision__date_created", "pk")
    )


@dataclass(frozen=True)
class NumberedVersion:
    """A public version of a record with its number: 1 is the first, counted per record."""

    number: int
    version: Version

    @property
    def date(self) -> datetime.datetime:
        return self.version.revision.date_created

    @property
    def day(self) -> datetime.date:
        return timezone.localdate(self.date)

    @property
    def reason(self) -> str:
        """The reason readers may see (never an editor's internal note or a file name)."""
        return public_reason(self.version.revision)


def public_versions(obj) -> list[NumberedVersion]:
    """Return the versions readers may see, numbered 1, 2, … in the order they were saved."""
    shown = [v for v in versions_of(obj) if is_public_revision(v)]
    return [NumberedVersion(n, version) for n, version in enumerate(shown, start=1)]


def version_at_number(obj, record_version: int) -> Version | None:
    """Return the revision that saved the record at its own `version` number, if one did."""
    found = None
    for version in versions_of(obj):
        if version.field_dict.get("version") == record_version:
            found = version
    return found


def inline_versions(version: Version) -> dict[type, list[Version]]:
    """Return the versions of the record's inline rows saved in the same revision."""
    specs = INLINES.get(version._model, ())
    if not specs:
        return {}
    by_type = {ContentType.objects.get_for_model(model).pk: (model, fk) for model, fk in specs}
    # A text match narrows the rows read back; the exact check below throws out the rows of
    # another record whose key merely starts with the same digits.
    near = Q()
    for _model, fk in specs:
        near |= Q(serialized_data__contains=f'"{fk}": {version.object_id}')
    candidates = Version.objects.filter(
        near, revision_id=version.revision_id, content_type_id__in=by_type
    ).order_by("pk")
    found: dict[type, list[Version]] = {model: [] for model, _ in specs}
    for row in candidates:
        model, fk = by_type[row.content_type_id]
        if str(row.field_dict.get(f"{fk}_id")) == str(version.object_id):
            found[model].append(row)
    return found


def _attach_links(instances: list) -> list:
    """Give each row its linked records (participant, source, …) in one query per kind.

    An optional link whose record has gone since (an outcome removed later) is left empty; a
    row whose required link has gone cannot be shown, and the rest of the version still is.
    """
    if not instances:
        return instances
    model = type(instances[0])
    kept = list(instances)
    for field in model._meta.concrete_fields:
        if not field.is_relation or field.related_model in INLINES:
            continue
        ids = {getattr(row, field.attname) for row in instances} - {None}
        linked = field.related_model._base_manager.in_bulk(ids)
        for row in instances:
            value = getattr(row, field.attname)
            if value is None:
                continue
            if value in linked:
                setattr(row, field.name, linked[value])
            elif field.null:
                setattr(row, field.attname, None)
            elif row in kept:
                kept.remove(row)
    return kept


def as_of(version: Version):
    """Rebuild the record as this version saved it, with its inline rows as they were then.

    Nothing is written: the rows are set as the record's prefetched relations, so a page
    that reads `dialogue.participations.all` reads the old rows. Participations come masked
    as readers may see them today (`as_drawn_today`): this is the public drawing of a version.
    """
    obj = version._object_version.object
    cache = {}
    for model, rows in inline_versions(version).items():
        fk = dict(INLINES[version._model])[model]
        instances = _attach_links([row._object_version.object for row in rows])
        for row in instances:
            setattr(row, fk, obj)
        if model in ROW_DRAWING:
            instances = ROW_DRAWING[model](instances)
        queryset = model._default_manager.none()
        queryset._result_cache = instances
        queryset._prefetch_done = True
        cache[model._meta.get_field(fk).remote_field.get_accessor_name()] = queryset
    obj._prefetched_objects_cache = cache
    return obj


def add_parents_to_revision(objs) -> None:
    """Add the record each changed inline row belongs to, so its history shows the change."""
    wanted: dict[type, set] = {}
    for obj in objs:
        for parent_model, specs in INLINES.items():
            for model, fk in specs:
                if isinstance(obj, model):
                    wanted.setdefault(parent_model, set()).add(getattr(obj, f"{fk}_id"))
    for model, ids in wanted.items():
        for parent in model._base_manager.filter(pk__in=ids):
            reversion.add_to_revision(parent)
