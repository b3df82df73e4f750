"""Small helpers that build archive records in code, so tests never lean on the fixtures."""

from __future__ import annotations

import itertools

from dialogues.models import (
    Citation,
    Conflict,
    Dialogue,
    Era,
    Outcome,
    OutcomeKind,
    Participant,
    Participation,
    Role,
    Side,
    Source,
)

_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def make_source(**kw) -> Source:
    n = _n()
    defaults = dict(
        slug=f"source-{n}",
        title=f"Source {n}",
        author="A. Writer",
        date="2006",
        first_words="Once upon a time",
    )
    defaults.update(kw)
    return Source.objects.create(**defaults)


def make_era(**kw) -> Era:
    n = _n()
    defaults = dict(
        slug=f"era-{n}", name=f"Era {n}", position=n, date="1990/1999", summary="An era."
    )
    defaults.update(kw)
    return Era.objects.create(**defaults)


def make_conflict(**kw) -> Conflict:
    n = _n()
    defaults = dict(slug=f"conflict-{n}", name=f"Conflict {n}")
    defaults.update(kw)
    return Conflict.objects.create(**defaults)


def make_participant(**kw) -> Participant:
    n = _n()
    defaults = dict(
        slug=f"participant-{n}", name=f"Participant {n}", kind="person", side=Side.ISRAELI
    )
    defaults.update(kw)
    return Participant.objects.create(**defaults)


def make_dialogue(*, era=None, conflict=None, cite=True, **kw) -> Dialogue:
    """Create a dialogue inside `era` (made if absent), with one citation unless cite=False."""
    n = _n()
    era = era or make_era()
    conflict = conflict or make_conflict()
    defaults = dict(
        slug=f"dialogue-{n}",
        title=f"Dialogue {n}",
        date=era.date if "date" not in kw else kw["date"],
        summary=f"Summary of dialogue {n}.",
    )
    defaults.update(kw)
    dialogue = Dialogue.objects.create(era=era, conflict=conflict, **defaults)
    if cite:
        Citation.objects.create(
            dialogue=dialogue, source=make_source(), excerpt="Once upon a time", paragraph=1
        )
    return dialogue


def add_participant(dialogue, participant=None, role=Role.PARTICIPANT, **kw) -> Participation:
    participant = participant or make_participant(**kw)
    return Participation.objects.create(dialogue=dialogue, participant=participant, role=role)


def add_outcome(dialogue, kind=OutcomeKind.STALLED, description="It stalled.") -> Outcome:
    return Outcome.objects.create(dialogue=dialogue, kind=kind, description=description)
