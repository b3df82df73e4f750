"""Who decides what readers see: the one check every path that writes a record goes through.

A field decides visibility when changing it can put a record or a name in front of readers, or
take it away: a dialogue's status, its publishing and withdrawal fields and its embargo, and a
participation's withheld name, the day it is shown and whether its side is shown. Only a user
with the publishing permission (the Publishers group, or a superuser) may change them, on every
path: the admin's forms, actions, revert and recover, an import and its undo, a merge.

A dialogue's fields are a publisher's whichever way they move: taking a public record down (an
embargo, a withdrawal) decides what readers see as much as putting one up. A participation is
the exception in one direction only: an editor may always withhold a name (a new row withheld,
a name withheld, a later day, a side hidden), because a name that must not be shown cannot wait
for a publisher; what shows more of a participation than before is a publisher's.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

PERMISSION = "dialogues.publish_dialogue"

DIALOGUE_FIELDS = (
    "status",
    "published_at",
    "withdrawn_at",
    "withdrawal_reason",
    "replaced_by",
    "embargo_until",
)
PARTICIPATION_FIELDS = ("withheld", "withheld_until", "show_side")

# Foreign keys appear as `replaced_by` on a model and `replaced_by_id` in a row of values.
_ALIASES = {"replaced_by_id": "replaced_by"}


class VisibilityRefused(PermissionDenied):
    """The user may not make this change; the message names the fields and who may."""


def may_decide(user) -> bool:
    """Whether `user` may change what readers see."""
    return bool(
        user is not None and user.is_active and (user.is_superuser or user.has_perm(PERMISSION))
    )


def _value(values, name):
    if isinstance(values, dict):
        if name in values:
            return values[name]
        return values.get(f"{name}_id")
    return getattr(values, f"{name}_id" if name == "replaced_by" else name, None)


def dialogue_changes(before, after) -> list[str]:
    """The visibility fields that differ between two states of a dialogue (a model or a dict).

    `before` is None for a new record, which starts as a draft with no embargo.
    """
    changed = []
    for name in DIALOGUE_FIELDS:
        old = _value(before, name) if before is not None else _NEW_DIALOGUE.get(name)
        new = _value(after, name)
        if name in ("published_at", "withdrawn_at") and before is None:
            continue
        if _normal(old) != _normal(new):
            changed.append(name)
    return changed


_NEW_DIALOGUE = {
    "status": "draft",
    "withdrawal_reason": "",
    "replaced_by": None,
    "embargo_until": None,
}


def _normal(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        # Serialized copies (revisions, an import's snapshot) keep milliseconds only.
        value = value.astimezone(datetime.UTC) if value.tzinfo else value
        return value.replace(microsecond=value.microsecond // 1000 * 1000, tzinfo=None)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value if value != "" else None


def participation_reveals(before, after) -> list[str]:
    """The fields by which `after` shows more of a participation than `before` did.

    Either may be a model, a dict of field values or None (no row: nothing shown by it). A row
    that goes shows nothing more; a new row shows only what it does not withhold.
    """
    if after is None:
        return []
    withheld = bool(_value(after, "withheld"))
    until = _value(after, "withheld_until") if withheld else None
    side = bool(_value(after, "show_side"))
    if before is None:
        return []
    was_withheld = bool(_value(before, "withheld"))
    was_until = _value(before, "withheld_until") if was_withheld else None
    was_side = bool(_value(before, "show_side"))
    if not was_withheld:
        return []
    if not withheld:
        return ["withheld"]
    reveals = []
    if until is not None and (was_until is None or _day(until) < _day(was_until)):
        reveals.append("withheld_until")
    if side and not was_side:
        reveals.append("show_side")
    return reveals


def _day(value) -> datetime.date:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def refusal(fields, where: str = "") -> str:
    """The message a refused change gets: what it would change, and who may."""
    names = ", ".join(dict.fromkeys(fields))
    if where:
        return gettext(
            "%(where)s: only a publisher may change what readers see (%(fields)s). Nothing was "
            "changed; ask someone in the Publishers group."
        ) % {"where": where, "fields": names}
    return gettext(
        "only a publisher may change what readers see (%(fields)s). Nothing was changed; ask "
        "someone in the Publishers group."
    ) % {"fields": names}


def require(user, fields, where: str = "") -> None:
    """Raise VisibilityRefused unless `user` may change `fields` (none: always allowed)."""
    fields = list(fields)
    if fields and not may_decide(user):
        raise VisibilityRefused(refusal(fields, where))
