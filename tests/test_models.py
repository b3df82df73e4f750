import datetime

import pytest
from django.core.exceptions import ValidationError

from dialogues.models import Citation, Dialogue, Era

from .factories import make_conflict, make_dialogue, make_era, make_source

pytestmark = pytest.mark.django_db


def test_saving_fills_the_date_bounds_from_the_edtf_string():
    era = make_era(date="1975/1986")
    dialogue = make_dialogue(era=era, date="1976~")
    dialogue.refresh_from_db()
    assert dialogue.date_earliest == datetime.date(1975, 1, 1)
    assert dialogue.date_latest == datetime.date(1977, 12, 31)
    assert dialogue.date_display == "c. 1976"


def test_an_invalid_date_is_a_validation_error_on_the_date_field():
    era = make_era(date="1990/1999")
    dialogue = Dialogue(
        title="T", slug="t", era=era, conflict=make_conflict(), date="around 1995", summary="S"
    )
    with pytest.raises(ValidationError) as caught:
        dialogue.full_clean()
    messages = caught.value.message_dict["date"]
    assert any("around 1995" in m and "1976~" in m and m.startswith("Date") for m in messages)


def test_a_dialogue_outside_its_era_is_refused():
    era = make_era(date="1990/1999")
    dialogue = Dialogue(
        title="T", slug="t", era=era, conflict=make_conflict(), date="1989/1991", summary="S"
    )
    with pytest.raises(ValidationError) as caught:
        dialogue.full_clean()
    (message,) = caught.value.message_dict["era"]
    assert "lies outside the era" in message and "(1990–1999)" in message


def test_an_approximate_date_must_fit_the_era_with_its_fuzz():
    # c. 1990 may be 1989, which the era does not hold.
    era = make_era(date="1990/1999")
    dialogue = Dialogue(
        title="T", slug="t", era=era, conflict=make_conflict(), date="1990~", summary="S"
    )
    with pytest.raises(ValidationError) as caught:
        dialogue.full_clean()
    (message,) = caught.value.message_dict["era"]
    assert message.startswith("The date c. 1990 lies outside the era")
    assert "Choose the era that holds the whole date." in message


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        ("1990/1999", "2000/2005", False),
        ("1990/1999", "1999-12/2005", True),
        ("1990/1999", "1985/1990", True),
        ("1990/1999", "1960/1970", False),
    ],
)
def test_overlapping_eras_are_refused(first, second, overlap):
    make_era(date=first)
    era = Era(slug="new", name="New", position=99, date=second, summary="S")
    if overlap:
        with pytest.raises(ValidationError) as caught:
            era.full_clean()
        assert "overlaps" in caught.value.message_dict["date"][0]
    else:
        era.full_clean()


def test_a_long_excerpt_is_refused():
    dialogue = make_dialogue()
    citation = Citation(
        dialogue=dialogue, source=make_source(), excerpt=" ".join(["word"] * 60), paragraph=2
    )
    with pytest.raises(ValidationError) as caught:
        citation.full_clean()
    assert "60 words" in caught.value.message_dict["excerpt"][0]


def test_natural_keys_round_trip():
    dialogue = make_dialogue()
    citation = dialogue.citations.get()
    assert Dialogue.objects.get_by_natural_key(*dialogue.natural_key()) == dialogue
    assert Citation.objects.get_by_natural_key(*citation.natural_key()) == citation


def test_chronological_order_uses_the_earliest_day_then_the_latest():
    era = make_era(date="1990/1999")
    late = make_dialogue(era=era, date="1995", title="B")
    span = make_dialogue(era=era, date="1994/1996", title="C")
    early = make_dialogue(era=era, date="1994", title="A")
    assert list(Dialogue.objects.chronological()) == [early, span, late]
