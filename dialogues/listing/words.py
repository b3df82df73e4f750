"""Say in words what a filtered list shows, and build the chips that remove each filter."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict

from ..models import Background, OutcomeKind, Side, Track
from ..search.query import describe
from .filters import DialogueFilterSet

OUTCOME_PHRASES = {
    OutcomeKind.BECAME_OFFICIAL: "that became official Track I talks",
    OutcomeKind.ADVANCED_PROCESS: "that helped advance the peace process",
    OutcomeKind.PROPOSAL: "that produced a non-binding proposal",
    OutcomeKind.UNDERSTANDING: "that improved mutual understanding",
    OutcomeKind.STALLED: "that stalled or proved unproductive",
    OutcomeKind.WALKOUT: "with a walkout",
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
        return f"{Side(value).label} participants"
    if name == "background":
        return f"{Background(value).label} participants"
    if name == "outcome":
        return OutcomeKind(value).label
    if name == "track":
        return Track(value).label
    if name == "place":
        return str(value) if hasattr(value, "slug") else f"place “{value}”"
    if name == "from":
        return f"from {value.isoformat()}"
    if name == "to":
        return f"to {value.isoformat()}"
    if name == "match":
        return "wholly within the dates" if value == "within" else "overlapping the dates"
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


def sentence(filterset: DialogueFilterSet, count: int) -> str:
    """Say what the list shows, e.g. `2 dialogues in After Camp David with a walkout`."""
    cleaned = filterset.cleaned
    parts = [f"{count:,} dialogue{'s' if count != 1 else ''}"]
    if "era" in cleaned:
        parts.append(f"in {cleaned['era'].name}")
    if "conflict" in cleaned:
        parts.append(f"in the {cleaned['conflict'].name}")
    if "participant" in cleaned:
        parts.append(f"with {cleaned['participant'].name}")
    if "side" in cleaned:
        parts.append(f"with {Side(cleaned['side']).label} participants")
    if "background" in cleaned:
        parts.append(
            f"with participants whose background is {Background(cleaned['background']).label}"
        )
    if "outcome" in cleaned:
        parts.append(OUTCOME_PHRASES[OutcomeKind(cleaned["outcome"])])
    if "track" in cleaned:
        parts.append(f"on the track “{Track(cleaned['track']).label}”")
    if "place" in cleaned:
        place = cleaned["place"]
        if hasattr(place, "slug"):
            parts.append(f"at {place.name}")
        else:
            parts.append(f"at a place matching “{place}”")
    start, end = cleaned.get("from"), cleaned.get("to")
    if start or end:
        within = cleaned.get("match") == "within"
        verb = "dated wholly" if within else "that may date"
        if start and end:
            parts.append(f"{verb} between {start.isoformat()} and {end.isoformat()}")
        elif start:
            parts.append(f"{verb} on or after {start.isoformat()}")
        else:
            parts.append(f"{verb} on or before {end.isoformat()}")
    if filterset.searching:
        described = describe(filterset.query)
        parts.append(described or "(the search has no words to look for, so it is left out)")
    return " ".join(parts)
