"""Read-side queries: each returns what its page shows in a fixed number of queries."""

from __future__ import annotations

from django.http import QueryDict

from dialogues.listing import selectors
from dialogues.listing.filters import DialogueFilterSet
from dialogues.models import Dialogue, Participant
from tests.factories import make_dialogue, make_era


def test_the_count_is_cached_until_the_archive_changes(archive, django_assert_num_queries):
    fs = DialogueFilterSet(QueryDict("q=talks"), queryset=Dialogue.objects.all())
    assert selectors.dialogue_count(fs) == 2
    with django_assert_num_queries(0):
        assert selectors.dialogue_count(fs) == 2
    archive["dialogues"]["third"].delete()
    assert selectors.dialogue_count(fs) == 1


def test_dialogues_in_order_keeps_the_order_and_drops_the_missing(archive):
    d = archive["dialogues"]
    ids = [d["fourth"].pk, 10**9, d["first"].pk]
    found = selectors.dialogues_in_order(ids, Dialogue.objects.all())
    assert [x.slug for x in found] == ["fourth", "first"]


def test_dialogue_cards_fetch_a_page_in_a_fixed_number_of_queries(
    archive, django_assert_num_queries
):
    with django_assert_num_queries(3):
        cards = list(selectors.dialogue_cards(Dialogue.objects.order_by("pk")))
        names = [[p.participant.name for p in c.card_participations] for c in cards]
        kinds = [[o.kind for o in c.card_outcomes] for c in cards]
        eras = [c.era.name for c in cards]
    assert names[0] == ["Amos", "Dan", "Leila"]
    assert sorted(kinds[2]) == ["became_official", "walkout"]
    assert eras == ["Early years", "Early years", "Late years", "Late years"]


def test_neighbours_follow_the_chronological_order_and_break_ties(db):
    era = make_era(date="1990/1999")
    a = make_dialogue(era=era, date="1995", title="A", cite=False)
    b = make_dialogue(era=era, date="1995", title="B", cite=False)
    c = make_dialogue(era=era, date="1996", title="C", cite=False)
    assert selectors.dialogue_neighbours(a) == (None, b)
    assert selectors.dialogue_neighbours(b) == (a, c)
    assert selectors.dialogue_neighbours(c) == (b, None)


def test_era_neighbours_follow_position(archive):
    early, late = archive["eras"]["early"], archive["eras"]["late"]
    assert selectors.era_neighbours(early) == (None, late)
    assert selectors.era_neighbours(late) == (early, None)


def test_the_timeline_shows_a_few_per_era_and_says_how_many_are_left(archive):
    eras, dialogues = selectors.timeline_data(per_era=1)
    assert [e.slug for e in eras] == ["early", "late"]
    assert [d.slug for d in dialogues] == ["first", "third"]
    assert [e.timeline_more for e in eras] == [1, 1]


def test_with_counts_counts_a_page_of_participants_in_one_query(archive, django_assert_num_queries):
    people = list(selectors.participants_page(Participant.objects.all()))
    with django_assert_num_queries(1):
        counted = selectors.with_counts(people)
    assert {p.slug: p.dialogue_count for p in counted} == {"amos": 2, "dan": 1, "leila": 2}


def test_archive_counts_say_how_many_of_each(archive):
    counts = selectors.archive_counts()
    assert counts["eras"] == 2 and counts["dialogues"] == 4 and counts["participants"] == 3
