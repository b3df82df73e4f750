"""Say in words what a filtered list shows, and build the chips that remove each filter."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..models import Background, OutcomeKind, Side, Track
from ..numbers import number_format
from ..record_text import as_recorded, isolate
from ..search.query import describe
from .filters import DialogueFilterSet

OUTCOME_PHRASES = {
    OutcomeKind.BECAME_OFFICIAL: _("that became official Track I talks"),
    OutcomeKind.ADVANCED_PROCESS: _("that helped advance the peace process"),
    OutcomeKind.PROPOSAL: _("that produced a non-binding proposal"),
    OutcomeKind.UNDERSTANDING: _("that improved mutual understanding"),
    OutcomeKind.STALLED: _("that stalled or proved unproductive"),
    OutcomeKind.WALKOUT: _("with a walkout"),
}


@dataclass(frozen=True)
class Chip:
    name: str
    label: str
    remove_url: str


def _label(name: str, value) -> str:
    """The words for one active filter value."""
    if name in {"era", "conflict", "participant"}:
        return str(value)
    if name == "side":
        return gettext("%(side)s participants") % {"side": Side(value).label}
    if name == "background":
        return gettext("%(background)s participants") % {"background": Background(value).label}
    if name == "outcome":
        return str(OutcomeKind(value).label)
    if name == "track":
        return str(Track(value).label)
    if name == "place":
        if hasattr(value, "slug"):
            return str(value)
        return gettext("place “%(place)s”") % {"place": value}
    if name == "from":
        return gettext("from %(date)s") % {"date": value.isoformat()}
    if name == "to":
        return gettext("to %(date)s") % {"date": value.isoformat()}
    if name == "match":
        if value == "within":
            return gettext("wholly within the dates")
        return gettext("overlapping the dates")
    if name == "q":
        return f"“{value}”"
    return str(value)


def chips(filterset: DialogueFilterSet, params: QueryDict) -> list[Chip]:
    """One chip per active, valid filter, each with a link to the same list without it."""
    result = []
    for name, value in filterset.cleaned.items():
        if name == "sort" or (name == "match" and value == "overlap"):
            continue
        remaining = params.copy()
        remaining.pop(name, None)
        remaining.pop("page", None)
        if name in {"from", "to"} and not ({"from", "to"} - {name}) & set(remaining):
            remaining.pop("match", None)
        query = remaining.urlencode()
        result.append(Chip(name, _label(name, value), f"?{query}" if query else "?"))
    return result


def sentence(filterset: DialogueFilterSet, count: int, *, html: bool = False) -> str:
    """Say what the list shows, e.g. `2 dialogues in After Camp David with a walkout`.

    Plain text by default; with `html=True`, safe markup in which the records' names are marked
    as held in English and the reader's own words and dates are isolated (see `translated`).
    """
    if html:

        def say(template, **values):
            escaped = {k: conditional_escape(v) for k, v in values.items()}
            return mark_safe(conditional_escape(template) % escaped if values else template)

        name, own = as_recorded, isolate
    else:

        def say(template, **values):
            return template % values if values else str(template)

        name = own = str
    cleaned = filterset.cleaned
    parts = [
        say(
            ngettext("%(count)s dialogue", "%(count)s dialogues", count),
            count=own(number_format(count)),
        )
    ]
    if "era" in cleaned:
        parts.append(say(gettext("in %(era)s"), era=name(cleaned["era"].name)))
    if "conflict" in cleaned:
        parts.append(say(gettext("in the %(conflict)s"), conflict=name(cleaned["conflict"].name)))
    if "participant" in cleaned:
        parts.append(
            say(gettext("with %(participant)s"), participant=name(cleaned["participant"].name))
        )
    if "side" in cleaned:
        parts.append(say(gettext("with %(side)s participants"), side=Side(cleaned["side"]).label))
    if "background" in cleaned:
        parts.append(
            say(
                gettext("with participants whose background is %(background)s"),
                background=Background(cleaned["background"]).label,
            )
        )
    if "outcome" in cleaned:
        parts.append(say(OUTCOME_PHRASES[OutcomeKind(cleaned["outcome"])]))
    if "track" in cleaned:
        parts.append(say(gettext("on the track “%(track)s”"), track=Track(cleaned["track"]).label))
    if "place" in cleaned:
        place = cleaned["place"]
        if hasattr(place, "slug"):
            parts.append(say(gettext("at %(place)s"), place=name(place.name)))
        else:
            parts.append(say(gettext("at a place matching “%(place)s”"), place=own(place)))
    start, end = cleaned.get("from"), cleaned.get("to")
    if start or end:
        within = cleaned.get("match") == "within"
        first = own(start.isoformat()) if start else None
        last = own(end.isoformat()) if end else None
        if start and end:
            if within:
                template = gettext("dated wholly between %(start)s and %(end)s")
            else:
                template = gettext("that may date between %(start)s and %(end)s")
            parts.append(say(template, start=first, end=last))
        elif start:
            if within:
                template = gettext("dated wholly on or after %(start)s")
            else:
                template = gettext("that may date on or after %(start)s")
            parts.append(say(template, start=first))
        else:
            if within:
                template = gettext("dated wholly on or before %(end)s")
            else:
                template = gettext("that may date on or before %(end)s")
            parts.append(say(template, end=last))
    if filterset.searching:
        described = describe(filterset.query)
        if described:
            parts.append(own(described) if html else described)
        else:
            parts.append(say(gettext("(the search has no words to look for, so it is left out)")))
    joined = " ".join(str(part) for part in parts)
    return mark_safe(joined) if html else joined
