"""Small helpers that build archive records in code, so tests never lean on the fixtures."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from dialogues.models import (
    Background,
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
    SourceDisagreement,
    Status,
    Track,
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
        # Most tests are about what readers see; drafts are made with status=Status.DRAFT.
        status=Status.PUBLISHED,
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


# --- A small whole archive ------------------------------------------------------------------

# Every kind of public page, named as in Archive.urls(); the admin form is the one more kind.
PUBLIC_KINDS = [
    "home",
    "dialogues",
    "dialogues-filtered",
    "dialogues-search",
    "dialogues-no-results",
    "record",
    "timeline",
    "era",
    "participants",
    "participant",
    "source",
    "about",
]
ALL_KINDS = [
    *PUBLIC_KINDS,
    "record-history",
    "record-version",
    "admin-dialogue-change",
    "admin-recent-changes",
]


@dataclass
class Archive:
    eras: list
    dialogues: list
    participants: list
    sources: list
    record: Dialogue  # the fullest record
    withdrawn: Dialogue  # answers 410 with a tombstone

    def urls(self) -> dict[str, str]:
        """One address for each kind of page."""
        record = self.record
        era = record.era
        return {
            "home": "/",
            "dialogues": "/dialogues/",
            "dialogues-filtered": f"/dialogues/?era={era.slug}&outcome=walkout",
            "dialogues-search": "/dialogues/?q=talks",
            "dialogues-no-results": "/dialogues/?q=xylophone",
            "record": record.get_absolute_url(),
            "timeline": "/timeline/",
            "era": era.get_absolute_url(),
            "participants": "/participants/",
            "participant": self.participants[0].get_absolute_url(),
            "source": self.sources[0].get_absolute_url(),
            "about": "/about/",
            # The version and history pages need a revision of the record (see the browser
            # tests' archive fixture, which makes one).
            "record-history": reverse("dialogues:dialogue_history", args=[record.slug]),
            "record-version": reverse("dialogues:dialogue_version", args=[record.slug, 1]),
            "admin-dialogue-change": reverse("admin:dialogues_dialogue_change", args=[record.pk]),
            "withdrawn": self.withdrawn.get_absolute_url(),
            "admin-recent-changes": reverse("admin:dialogues_recent_changes"),
        }


# Long enough to fill several lines, and with no word a test searches for.
SUMMARY_TAIL = (
    "People from both sides met without officials present, each speaking only for themselves. "
    "They wrote down what they could agree on and where they still differed, and took it home "
    "to colleagues who had not been in the room."
)


def make_archive() -> Archive:
    """Four eras, seven dialogues with every kind of date, both sides, outcomes and citations.

    Enough for every kind of page to show each of its parts: uncertain and exact dates, a date
    note, an era without dialogues, several outcomes, quoted citations from two sources. Every
    word of a title is found by search only in that title, so a test can tell the hits of a
    search from the titles alone.
    """
    eras = [
        make_era(slug="first-contacts", name="First contacts", position=1, date="1975/1986"),
        make_era(slug="towards-oslo", name="Towards Oslo", position=2, date="1987/1993"),
        make_era(slug="after-oslo", name="After Oslo", position=3, date="1994/2006"),
        make_era(slug="quiet-years", name="Quiet years", position=4, date="2007/2024"),
    ]
    conflict = make_conflict(slug="israeli-palestinian", name="Israeli–Palestinian conflict")
    memoir = make_source(
        slug="memoir",
        title="Memoir of the back channel",
        author="A. Writer",
        publication="The Quarterly",
        url="https://example.org/memoir",
        date="2006-05",
    )
    essay = make_source(slug="essay", title="An essay on meeting", author="B. Author", date="2025")
    people = [
        make_participant(
            slug="amos-cohen", name="Amos Cohen", side=Side.ISRAELI, background=Background.ACADEMIC
        ),
        make_participant(
            slug="leila-haddad",
            name="Leila Haddad",
            side=Side.PALESTINIAN,
            background=Background.JOURNALIST,
        ),
        make_participant(
            slug="nordic-institute",
            name="Nordic Institute",
            kind="group",
            side=Side.THIRD_PARTY,
            background=Background.ORGANISER,
        ),
    ]
    walkout, official = OutcomeKind.WALKOUT, OutcomeKind.BECAME_OFFICIAL
    specs = [
        ("quiet-dinners", "Quiet dinners in London", 0, "1976~", "London", []),
        ("academics-meet", "Academics meet in The Hague", 0, "1984/1985", "The Hague", []),
        ("settlers-talk", "Talks with settlers and villagers", 1, "1989", "", [walkout]),
        ("oslo-channel", "The Oslo back channel talks", 1, "1992/1993", "Sarpsborg", [official]),
        ("after-the-accords", "Meetings after the accords", 2, "1995-06", "Rome", []),
        ("rome-walkout", "Talks in Rome end in a walkout", 2, "2001?", "Rome", [walkout]),
        ("dinner-2006", "A dinner in Jerusalem", 2, "2006-03-18", "Jerusalem", []),
    ]
    dialogues = []
    for slug, title, era, date, place, outcomes in specs:
        dialogue = make_dialogue(
            slug=slug,
            title=title,
            era=eras[era],
            conflict=conflict,
            date=date,
            place=place,
            cite=False,
            summary=f"{title}, as the sources describe it. {SUMMARY_TAIL}",
            track=Track.TRACK_II_TO_I if official in outcomes else Track.TRACK_II,
        )
        dialogue.citations.create(
            source=memoir, paragraph=len(dialogues) + 1, excerpt=f"We met for {title.lower()}."
        )
        dialogue.citations.create(source=essay, paragraph=3, excerpt="Meeting can still help.")
        add_participant(dialogue, people[0], role=Role.ORGANISER)
        add_participant(dialogue, people[1])
        if len(dialogues) % 2:
            add_participant(dialogue, people[2], role=Role.OBSERVER)
        for kind in outcomes:
            add_outcome(dialogue, kind, "What the sources say came of it.")
        dialogues.append(dialogue)
    record = dialogues[5]
    record.date_note = "The essay says only that it was some years after Camp David."
    record.save()
    add_outcome(record, OutcomeKind.STALLED, "The meetings stalled before the walkout.")
    make_disagreement(
        (memoir, 2, "We met for academics meet in the hague.", "In The Hague."),
        (essay, 3, "Meeting can still help.", "It does not say where."),
        slug="where-academics-met",
        topic="Where the academics met",
    )
    # A withdrawn record, replaced by the fullest one: its address answers with a tombstone.
    withdrawn = make_dialogue(
        slug="withdrawn-meeting",
        title="A meeting that never was",
        era=eras[2],
        conflict=conflict,
        date="1999",
        status=Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
        withdrawal_reason="The only source turned out to describe another meeting.",
        replaced_by=record,
    )
    return Archive(
        eras=eras,
        dialogues=dialogues,
        participants=people,
        sources=[memoir, essay],
        record=record,
        withdrawn=withdrawn,
    )


# --- The search corpus ----------------------------------------------------------------------

# slug -> fields of the search tests' corpus. Words are chosen so each query in tests/search has
# exactly one right answer.
SEARCH_CORPUS = {
    "settlers-in-title": dict(
        title="Settlers and the land question",
        summary="A quiet exchange about borders between academics.",
    ),
    "settlers-in-summary": dict(
        title="Jerusalem roundtable",
        summary="Delegates discussed settlers near the city at length.",
    ),
    "oslo-channel": dict(
        title="Oslo back channel",
        summary="Secret negotiations between academics led to a declaration of principles.",
        place="Oslo",
        venue="Borregaard estate",
    ),
    "geneva-seminar": dict(
        title="Geneva seminar",
        summary="Participants compared notes on refugees.",
        place="Geneva",
        venue="Palais Wilson",
        people=["René Wadlow", "Yossi Beilin"],
    ),
    "harvard-workshop": dict(
        title="Harvard workshop",
        summary="The first track two workshop brought journalists together.",
    ),
    "parallel-track": dict(
        title="Economic talks",
        summary="The two sides agreed to a parallel track for trade.",
    ),
    "cairo-envoys": dict(
        title="Cairo envoys",
        summary="Talks with Hamas envoys about a truce.",
    ),
    "mecca-meeting": dict(
        title="Mecca meeting",
        summary="Hamas and Fatah representatives met.",
    ),
    "ramallah-academics": dict(
        title="Ramallah academics",
        summary="Fatah officials met Israeli scholars.",
    ),
    "london-water": dict(
        title="London meeting",
        summary="Unremarkable in itself.",
        outcome="The group drafted a water sharing proposal.",
    ),
    "rome-balcony": dict(
        title="Rome gathering",
        summary="Little is known.",
        excerpt="the delegates shook hands on the balcony",
    ),
    "markup-summary": dict(
        title="Markup test",
        summary="Notes with <b>bold</b> claims about ceasefire terms & more.",
    ),
}


def make_search_dialogue(slug: str, fields: dict, era) -> Dialogue:
    """Build one dialogue of SEARCH_CORPUS, with its people, outcome and excerpt."""
    fields = dict(fields)
    people = fields.pop("people", [])
    outcome = fields.pop("outcome", None)
    excerpt = fields.pop("excerpt", None)
    dialogue = make_dialogue(era=era, cite=False, slug=slug, **fields)
    for name in people:
        add_participant(dialogue, name=name)
    if outcome:
        add_outcome(dialogue, kind=OutcomeKind.PROPOSAL, description=outcome)
    if excerpt:
        Citation.objects.create(
            dialogue=dialogue, source=make_source(), excerpt=excerpt, paragraph=3
        )
    return dialogue


def make_disagreement(*sides, **kw) -> SourceDisagreement:
    """A point where sources differ; each side is (source, paragraph, excerpt, says)."""
    n = _n()
    defaults = dict(slug=f"disagreement-{n}", topic=f"Point {n}", note="They differ.")
    defaults.update(kw)
    point = SourceDisagreement.objects.create(**defaults)
    for i, (source, paragraph, excerpt, says) in enumerate(sides, start=1):
        point.citations.create(
            key=f"side-{i}", source=source, paragraph=paragraph, excerpt=excerpt, says=says
        )
    return point
