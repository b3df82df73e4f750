"""A small archive built in code with one record of every kind that has a public page, for the
tests of the pages in Hebrew and Arabic."""

from __future__ import annotations

from dataclasses import dataclass

from dialogues.models import (
    Affiliation,
    Background,
    Capacity,
    DialoguePlace,
    Organisation,
    OutcomeKind,
    Participation,
    Place,
    Role,
    Series,
    SeriesMembership,
    Side,
    Status,
)
from tests.factories import (
    add_outcome,
    make_conflict,
    make_dialogue,
    make_era,
    make_participant,
    make_source,
)


@dataclass
class Records:
    era: object
    dialogue: object
    draft: object
    participant: object
    source: object
    organisation: object
    place: object
    series: object


def build() -> Records:
    era = make_era(slug="the-nineties", name="The nineties", date="1990/1999~")
    conflict = make_conflict(slug="levant", name="Levant")
    source = make_source(slug="memoir", title="Memoir of the talks", author="Ann Writer")
    named = make_participant(
        slug="ann-person", name="Ann Person", side=Side.ISRAELI, background=Background.ACADEMIC
    )
    other = make_participant(slug="bob-person", name="Bob Person", side=Side.PALESTINIAN)
    organisation = Organisation.objects.create(
        slug="institute", name="Harbour Institute", kind="ngo", status=Status.PUBLISHED
    )
    place = Place.objects.create(
        slug="sarpsborg",
        name="Sarpsborg",
        country="NO",
        latitude=59.28,
        longitude=11.11,
        status=Status.PUBLISHED,
    )
    series = Series.objects.create(
        slug="channel", name="Harbour channel", kind="channel", status=Status.PUBLISHED
    )
    talks = make_dialogue(
        slug="harbour-talks",
        title="Harbour talks",
        era=era,
        conflict=conflict,
        date="1993-05~",
        place="Sarpsborg",
        cite=False,
    )
    talks.citations.create(source=source, paragraph=2, excerpt="We met at a farmhouse")
    Participation.objects.create(
        dialogue=talks,
        participant=named,
        role=Role.ORGANISER,
        capacity=Capacity.PERSONAL,
        on_behalf_of=organisation,
        note="Named in the memoir",
    )
    Participation.objects.create(dialogue=talks, participant=other, role=Role.PARTICIPANT)
    add_outcome(talks, OutcomeKind.UNDERSTANDING, "Both sides said they understood more.")
    DialoguePlace.objects.create(dialogue=talks, place=place, position=1)
    SeriesMembership.objects.create(series=series, dialogue=talks, position=1)
    Affiliation.objects.create(
        participant=named,
        organisation=organisation,
        role="member",
        start="1990",
        status=Status.PUBLISHED,
    )
    later = make_dialogue(
        slug="second-talks", title="Second talks", era=era, conflict=conflict, date="1996"
    )
    Participation.objects.create(dialogue=later, participant=named)
    draft = make_dialogue(
        slug="secret-draft",
        title="Secret draft talks",
        era=era,
        conflict=conflict,
        date="1997",
        status=Status.DRAFT,
    )
    return Records(era, talks, draft, named, source, organisation, place, series)
