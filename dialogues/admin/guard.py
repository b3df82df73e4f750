"""The admin's side of `publishing_rights`: a refusal page, and what a revision would change.

Every admin path that can change what readers see asks `publishing_rights` the same question;
this module turns its answer into a page that says what was refused and why (403), and works
out which visibility fields reverting a revision would change.
"""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy
from reversion.models import Version

from .. import publishing_rights as rights
from ..models import Dialogue, Participation
from ..models.withheld_pairs import former_state

NOT_ALLOWED = gettext_lazy("Not allowed")


def refused(request, admin_site, message: str, *, title=NOT_ALLOWED):
    """A 403 page in the admin that says what was refused and why."""
    context = {**admin_site.each_context(request), "title": title, "message": message}
    return TemplateResponse(request, "admin/dialogues/refused.html", context, status=403)


def revision_changes(version: Version) -> list[str]:
    """The visibility fields that reverting `version`'s whole revision would change.

    Reverting writes back every record the revision holds (a dialogue with its participations),
    and deletes the participations added since, which shows nothing more. A participation it
    brings back is compared with the row it replaces, or with the pair's last deleted row if
    that withheld the name (`WithheldPair`).
    """
    changed = []
    for item in version.revision.version_set.all():
        model = item._model
        if model is Dialogue:
            now = Dialogue._base_manager.filter(pk=item.object_id).values().first()
            changed += rights.dialogue_changes(now, item.field_dict) if now else ["status"]
        elif model is Participation:
            fields = item.field_dict
            now = Participation._base_manager.filter(pk=item.object_id).values().first()
            if now is None:
                now = former_state(fields.get("dialogue_id"), fields.get("participant_id"))
            changed += rights.participation_reveals(now, fields)
    return list(dict.fromkeys(changed))
