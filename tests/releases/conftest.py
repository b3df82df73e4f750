"""A releases folder of the test's own, and a small archive with every kind of hidden record."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from dialogues.models import Citation, OutcomeKind, Participation, Role, Side, Status
from tests.factories import (
    add_outcome,
    add_participant,
    make_conflict,
    make_dialogue,
    make_era,
    make_participant,
    make_source,
)


@pytest.fixture
def releases_dir(tmp_path, settings):
    folder = tmp_path / "releases"
    settings.TRACKII_RELEASES_DIR = folder
    return folder


@pytest.fixture
def hidden_archive(db):
    """Two public dialogues, and a draft, a withdrawn and an embargoed one beside them.

    The public `talks` has a named participant, one withheld with the side shown, and one
    withheld with the side hidden; `secret_person` is withheld everywhere and `draft_person`
    takes part only in the draft, so neither may be listed. A citation of `talks` is about
    the withheld participant.
    """
    today = timezone.localdate()
    era = make_era(slug="nineties", name="The nineties", date="1990/1999")
    conflict = make_conflict(slug="levant", name="Levant")
    source = make_source(slug="memoir", title="Memoir", date="2001")
    named = make_participant(slug="named-person", name="Named Person", side=Side.ISRAELI)
    secret = make_participant(slug="secret-person", name="Secret Person", side=Side.PALESTINIAN)
    hidden_side = make_participant(
        slug="hidden-side-person", name="Hidden Side Person", side=Side.THIRD_PARTY
    )
    draft_person = make_participant(slug="draft-person", name="Draft Person")
    talks = make_dialogue(
        slug="talks", title="The talks", era=era, conflict=conflict, date="1993", cite=False
    )
    add_participant(talks, named, role=Role.ORGANISER)
    Participation.objects.create(
        dialogue=talks, participant=secret, withheld=True, show_side=True, note="Secret note"
    )
    Participation.objects.create(
        dialogue=talks,
        participant=hidden_side,
        withheld=True,
        withheld_until=today + datetime.timedelta(days=30),
    )
    outcome = add_outcome(talks, OutcomeKind.PROPOSAL, "A paper.")
    Citation.objects.create(
        dialogue=talks, source=source, excerpt="They met.", paragraph=2, outcome=outcome
    )
    Citation.objects.create(
        dialogue=talks, source=source, excerpt="One of them spoke.", paragraph=3, participant=secret
    )
    second = make_dialogue(slug="second", title="Second", era=era, conflict=conflict, date="1995")
    add_participant(second, named)
    draft = make_dialogue(
        slug="draft-meeting", era=era, conflict=conflict, date="1996", status=Status.DRAFT
    )
    add_participant(draft, draft_person)
    withdrawn = make_dialogue(
        slug="withdrawn-meeting",
        era=era,
        conflict=conflict,
        date="1997",
        status=Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
    )
    add_outcome(withdrawn, OutcomeKind.WALKOUT, "Walked out.")
    embargoed = make_dialogue(
        slug="embargoed-meeting",
        era=era,
        conflict=conflict,
        date="1998",
        embargo_until=today + datetime.timedelta(days=10),
    )
    add_participant(embargoed, draft_person)
    return SimpleNamespace(
        era=era,
        conflict=conflict,
        source=source,
        talks=talks,
        second=second,
        draft=draft,
        withdrawn=withdrawn,
        embargoed=embargoed,
        named=named,
        secret=secret,
        hidden_side=hidden_side,
        draft_person=draft_person,
    )
