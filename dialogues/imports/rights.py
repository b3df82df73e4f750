"""An import changes what readers see only when a publisher makes it (`publishing_rights`).

An editor's file may not set, change or lift a dialogue's embargo, nor show more of a withheld
name than the record shows now (a name unwithheld, an earlier day, a side shown), nor add back
named a person whose name was withheld in that dialogue before the row was removed (in an
earlier save or import: `WithheldPair`); such a row is invalid, naming the column and saying
who may. A status is never imported, a new record is a draft and a withdrawn record is never
changed, so those need no check here. Withholding a name is open to editors, as in the admin.
"""

from __future__ import annotations

from .. import publishing_rights as rights
from ..models.withheld_pairs import former_states
from .archive import chunks
from .cells import Taking

EMBARGO = (
    "An editor's import may not set, change or lift an embargo: the embargo decides when "
    "readers see the record, which is a publisher's call. Leave the cell as the record has "
    "it ({now}), or ask a publisher to import the file."
)
REVEAL = (
    "An editor's import may not show more of a withheld name ({fields}): a publisher decides "
    "what readers see. Leave the flags as the record has them ({now}), or ask a publisher."
)


def _flags(taking: Taking) -> dict:
    return {
        "withheld": taking.withheld,
        "withheld_until": taking.until,
        "show_side": taking.show_side,
    }


def check(plan, user) -> None:
    """Make invalid the rows of `plan` that `user` may not import.

    `user` None is the command line run without --user: whoever can run it holds the
    database already, so nothing is refused.
    """
    if user is None or rights.may_decide(user):
        return
    former = _former(plan)
    for row in plan.rows:
        if row.target is None or row.action == "invalid":
            continue
        existing = row.existing
        fields = row.target.fields
        if "embargo_until" in fields:
            before = existing.fields.get("embargo_until") if existing else None
            if fields["embargo_until"] != before:
                value = fields["embargo_until"]
                row.problem(
                    "embargo_until",
                    value.isoformat() if value else "",
                    EMBARGO.format(now=before.isoformat() if before else "empty"),
                )
        for slug, taking in (row.target.takings or {}).items():
            old = existing.takings.get(slug) if existing else None
            if old is not None:
                before, now = _flags(old[1]), old[1].line()
            else:
                person = plan.lookups.participants.get(slug)
                before = former.get((existing.pk, person)) if existing else None
                now = "withheld in an earlier version and removed since"
            reveals = rights.participation_reveals(before, _flags(taking)) if before else []
            if reveals:
                row.problem(
                    "participant_list",
                    taking.line(),
                    REVEAL.format(fields=", ".join(reveals), now=now),
                )
        if row.problems:
            row.action = "invalid"
            row.diff = []


def _former(plan) -> dict:
    """The pairs withheld in the plan's existing records and deleted since (`WithheldPair`)."""
    ids = [row.existing.pk for row in plan.rows if row.existing is not None]
    found = {}
    for chunk in chunks(ids):
        found.update(former_states(chunk))
    return found


def undo_changes(records) -> list[str]:
    """The visibility fields that putting `records` (changed by an import) back would change."""
    from django.core import serializers

    from ..models import Dialogue, Participation
    from ..models.withheld_pairs import former_state

    changed = []
    for record in records:
        for item in serializers.deserialize("json", record.before):
            obj = item.object
            if isinstance(obj, Dialogue):
                now = Dialogue._base_manager.filter(pk=obj.pk).values().first()
                changed += rights.dialogue_changes(now, obj) if now else []
            elif isinstance(obj, Participation):
                now = Participation._base_manager.filter(pk=obj.pk).values().first()
                if now is None:
                    now = former_state(obj.dialogue_id, obj.participant_id)
                changed += rights.participation_reveals(now, obj)
    return list(dict.fromkeys(changed))
