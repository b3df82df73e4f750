"""Sampling: dates inside their eras, uncertain dates, timestamps and skewed choices."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

import synthetic
from dialogues import dates
from dialogues.models import Dialogue, Era, Outcome, Participant
from tests.synthetic.helpers import generate, load_fixture_eras


@pytest.mark.django_db
@pytest.mark.parametrize("eras", ["fixtures", "none"])
def test_every_dialogue_lies_inside_its_era_with_the_bounds_of_its_edtf_date(eras):
    if eras == "fixtures":
        load_fixture_eras()
    generate(600)

    dialogues = list(Dialogue.objects.select_related("era"))
    assert {d.era_id for d in dialogues} <= set(Era.objects.values_list("pk", flat=True))
    for dialogue in dialogues:
        era = dialogue.era
        assert era.date_earliest <= dialogue.date_earliest <= dialogue.date_latest, dialogue.date
        assert dialogue.date_latest <= era.date_latest, (dialogue.date, era.date)
    # Parsing costs milliseconds, so every uncertain date is checked but only some exact days.
    uncertain = [d for d in dialogues if d.date_earliest != d.date_latest]
    exact = random.Random(0).sample([d for d in dialogues if d not in uncertain], 50)
    for dialogue in uncertain + exact:
        bounds = dates.parse(dialogue.date)
        assert (dialogue.date_earliest, dialogue.date_latest) == (
            bounds.earliest,
            bounds.latest,
        ), dialogue.date


@pytest.mark.django_db
def test_about_a_fifth_of_the_dates_are_uncertain_in_each_form():
    load_fixture_eras()
    n = 800
    generate(n)

    edtf = list(Dialogue.objects.values_list("date", "date_earliest", "date_latest"))
    uncertain = [date for date, earliest, latest in edtf if earliest != latest]
    assert 0.15 <= len(uncertain) / n <= 0.25
    precise = [date for date, earliest, latest in edtf if earliest == latest]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", date) for date in precise)
    forms = {
        "approximate year": r"\d{4}~",
        "uncertain year": r"\d{4}\?",
        "span of years": r"\d{4}/\d{4}",
        "month": r"\d{4}-\d\d",
    }
    for form, pattern in forms.items():
        assert any(re.fullmatch(pattern, date) for date in uncertain), form


@pytest.mark.django_db
def test_timestamps_fall_before_the_fixed_epoch_and_after_the_dialogue():
    generate(300)

    for dialogue in Dialogue.objects.all():
        assert dialogue.created <= dialogue.updated <= synthetic.EPOCH
        assert dialogue.created.date() > dialogue.date_latest or dialogue.created == synthetic.EPOCH
    assert Participant.objects.values("created").distinct().count() > 1


@pytest.mark.django_db
def test_choices_are_skewed_not_uniform():
    generate(500)

    tracks = Counter(Dialogue.objects.values_list("track", flat=True))
    kinds = Counter(Outcome.objects.values_list("kind", flat=True))
    sides = Counter(Participant.objects.values_list("side", flat=True))
    for counts in (tracks, kinds, sides):
        assert len(counts) >= 3
        assert max(counts.values()) > 2 * min(counts.values())
