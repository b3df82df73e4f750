"""Small archives built in code from the factories, shared by the test modules that need them.

`small_archive` (a fixture in tests/conftest.py) is `build_small_archive()`: four dialogues that
every filter tells apart. The others are for the tests that need more rows or the source texts.
"""

from __future__ import annotations

from types import SimpleNamespace

from dialogues.models import Citation, OutcomeKind, ParticipantKind, Role, Side, Track, VenueKind

from . import factories as f
from .factories import (
    add_outcome,
    add_participant,
    make_conflict,
    make_dialogue,
    make_era,
    make_participant,
    make_source,
)


def build_small_archive():
    """Build four dialogues that every filter tells apart, and return them by short name.

    Stockholm's date, "1995~", may be any day of 1994–1996 and the Amman proposal's, "2006?",
    any day of 2005–2007, so `from`/`to` with `overlap` and with `within` give different answers.
    """
    nineties = make_era(slug="nineties", name="The nineties", date="1990/1999")
    noughties = make_era(slug="noughties", name="The noughties", date="2000/2009")
    levant = make_conflict(slug="levant", name="Levant")
    gulf = make_conflict(slug="gulf", name="Gulf")
    academic = make_participant(
        slug="israeli-academic", name="Israeli Academic", side=Side.ISRAELI, background="academic"
    )
    official = make_participant(
        slug="israeli-official",
        name="Israeli Official",
        side=Side.ISRAELI,
        background="security_official",
    )
    journalist = make_participant(
        slug="palestinian-journalist",
        name="Palestinian Journalist",
        side=Side.PALESTINIAN,
        background="journalist",
    )
    diplomats = make_participant(
        slug="diplomats-group",
        name="Diplomats Group",
        kind=ParticipantKind.GROUP,
        side=Side.THIRD_PARTY,
        background="former_diplomat",
    )
    oslo = make_dialogue(
        slug="oslo",
        title="Oslo back channel",
        era=nineties,
        conflict=levant,
        date="1993-01/1993-08",
        place="Sarpsborg, Norway",
        venue="A country house",
        venue_kind=VenueKind.PRIVATE,
        track=Track.TRACK_II_TO_I,
    )
    add_participant(oslo, academic, role=Role.ORGANISER)
    add_participant(oslo, official)
    add_participant(oslo, journalist)
    add_outcome(oslo, OutcomeKind.BECAME_OFFICIAL, "It became the Oslo process.")
    stockholm = make_dialogue(
        slug="stockholm",
        title="Stockholm talks",
        era=nineties,
        conflict=levant,
        date="1995~",
        place="Stockholm",
        venue_kind=VenueKind.HOTEL,
    )
    add_participant(stockholm, journalist)
    add_outcome(stockholm, OutcomeKind.PROPOSAL, "A framework paper.")
    geneva = make_dialogue(
        slug="geneva",
        title="Geneva initiative",
        era=noughties,
        conflict=gulf,
        date="2003-10-12",
        place="Geneva",
    )
    add_participant(geneva, diplomats, role=Role.OBSERVER)
    add_outcome(geneva, OutcomeKind.UNDERSTANDING, "Some understanding.")
    add_outcome(geneva, OutcomeKind.STALLED, "Then it stalled.")
    amman = make_dialogue(
        slug="amman",
        title="Amman proposal",
        era=noughties,
        conflict=gulf,
        date="2006?",
        track=Track.PROPOSED,
    )
    return SimpleNamespace(
        oslo=oslo,
        stockholm=stockholm,
        geneva=geneva,
        amman=amman,
        eras=[nineties, noughties],
        participants=[academic, official, journalist, diplomats],
    )


def build_many(n: int):
    """Build `n` dialogues, each with participants, an outcome and two citations."""
    era = make_era(date="1990/1999")
    conflict = make_conflict()
    source = make_source()
    for i in range(n):
        dialogue = make_dialogue(era=era, conflict=conflict, date=f"199{i % 10}")
        add_participant(dialogue, side=Side.ISRAELI)
        add_participant(dialogue, side=Side.PALESTINIAN, background="academic")
        add_outcome(dialogue)
        Citation.objects.create(dialogue=dialogue, source=source, excerpt="A passage", paragraph=3)


ESSAY_TITLE = "Talking Across the Line"
ESSAY = """Talking Across the Line

By A. Writer, former negotiator

When the delegations first met in Stockholm, nobody expected the talks to last.

The hotel\u2019s meeting room was \u201ctoo small for two peoples,\u201d one of them
said \u2014 and laughed.

Neither side would say so in public.
For months, the drafts travelled in diplomatic bags.
"""
OTHER_ESSAY = """Back Channels Revisited

By B. Critic

As argued in Talking Across the Line, the Stockholm talks were never meant to last.

Critics disagreed.
"""


def build_clean_archive() -> dict:
    """Two back-to-back eras, each with one cited dialogue."""
    nineties = f.make_era(slug="nineties", name="The nineties", position=1, date="1990/1999")
    noughties = f.make_era(slug="noughties", name="The noughties", position=2, date="2000/2009")
    conflict = f.make_conflict()
    return {
        "nineties": nineties,
        "noughties": noughties,
        "conflict": conflict,
        "early": f.make_dialogue(era=nineties, conflict=conflict, date="1995-06"),
        "late": f.make_dialogue(era=noughties, conflict=conflict, date="2003~"),
    }
