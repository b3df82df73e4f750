"""The list of public changes: what counts, when, and in which order."""

import datetime

import pytest
from django.utils import timezone

from dialogues import editorial
from dialogues.feeds import changes
from dialogues.models import Dialogue, Participation, Removal, Status

from ..factories import add_participant, make_conflict, make_dialogue, make_era

pytestmark = pytest.mark.django_db


def listed(selection=None):
    """Every change listed now, by slug: (type, stamp)."""
    found, _ = changes.page((selection or changes.Selection()).bounded(), None, 10_000)
    return {change.slug: (change.type, change.stamp) for change in found}


def set_times(dialogue, **moments):
    """Stamp a dialogue's times without a save (a save would stamp `updated` itself)."""
    Dialogue.objects.filter(pk=dialogue.pk).update(**moments)


def midnight(day):
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


YESTERDAY = timezone.now() - datetime.timedelta(days=1)


def test_a_published_dialogue_is_created_at_its_publication(settled):
    dialogue = make_dialogue(status=Status.DRAFT)
    editorial.publish(dialogue, user=None)
    kind, stamp = listed()[dialogue.slug]
    dialogue.refresh_from_db()
    assert kind == changes.CREATED
    assert stamp == dialogue.updated >= dialogue.published_at


def test_an_edit_after_publication_makes_it_updated_at_the_edit(settled):
    dialogue = make_dialogue(status=Status.DRAFT)
    editorial.publish(dialogue, user=None)
    set_times(dialogue, published_at=YESTERDAY, updated=YESTERDAY)
    dialogue.refresh_from_db()
    dialogue.summary = "Corrected."
    dialogue.save()
    kind, stamp = listed()[dialogue.slug]
    assert kind == changes.UPDATED
    assert stamp == Dialogue.objects.get(pk=dialogue.pk).updated


def test_drafts_and_their_edits_are_never_listed(settled):
    draft = make_dialogue(status=Status.DRAFT, title="Secret draft")
    draft.summary = "Edited while a draft."
    draft.save()
    assert draft.slug not in listed()


def test_an_embargoed_record_is_not_listed_before_its_day():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    dialogue = make_dialogue(embargo_until=tomorrow)
    set_times(dialogue, published_at=YESTERDAY, updated=YESTERDAY)
    assert dialogue.slug not in listed()


def test_an_embargo_lifting_today_makes_the_record_created_at_midnight_without_a_save():
    today = timezone.localdate()
    dialogue = make_dialogue(embargo_until=today)
    set_times(dialogue, published_at=YESTERDAY, updated=YESTERDAY)
    kind, stamp = listed()[dialogue.slug]
    assert (kind, stamp) == (changes.CREATED, midnight(today))
    # A mirror that read up to just before midnight is told of it; one that read after is not.
    before = changes.Selection(start=midnight(today) - datetime.timedelta(seconds=1))
    after = changes.Selection(start=midnight(today) + datetime.timedelta(seconds=1))
    assert dialogue.slug in listed(before)
    assert dialogue.slug not in listed(after)


def test_a_name_disclosed_today_updates_its_dialogue_at_midnight():
    today = timezone.localdate()
    dialogue = make_dialogue()
    participation = add_participant(dialogue)
    Participation.objects.filter(pk=participation.pk).update(withheld=True, withheld_until=today)
    set_times(dialogue, published_at=YESTERDAY, updated=YESTERDAY)
    assert listed()[dialogue.slug] == (changes.UPDATED, midnight(today))


def test_a_name_still_withheld_does_not_move_the_datestamp():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    dialogue = make_dialogue()
    participation = add_participant(dialogue)
    Participation.objects.filter(pk=participation.pk).update(withheld=True, withheld_until=tomorrow)
    set_times(dialogue, published_at=YESTERDAY, updated=YESTERDAY)
    assert listed()[dialogue.slug] == (changes.CREATED, YESTERDAY)


def test_a_withdrawn_record_readers_saw_is_listed_as_withdrawn_at_its_withdrawal(settled):
    dialogue = make_dialogue()
    editorial.withdraw(dialogue, user=None, reason="Duplicate.")
    kind, stamp = listed()[dialogue.slug]
    assert kind == changes.WITHDRAWN
    assert stamp == Dialogue.objects.get(pk=dialogue.pk).withdrawn_at


@pytest.mark.parametrize(
    "embargo_days", [None, 3], ids=["never-published", "withdrawn-before-its-embargo-lifted"]
)
def test_a_withdrawal_nobody_saw_is_not_listed(settled, embargo_days):
    dialogue = make_dialogue(status=Status.DRAFT)
    if embargo_days is not None:
        dialogue.embargo_until = timezone.localdate() + datetime.timedelta(days=embargo_days)
        dialogue.save()
        editorial.publish(dialogue, user=None)
    editorial.withdraw(dialogue, user=None, reason="Never mind.")
    assert dialogue.slug not in listed()
    assert not Removal.objects.exists()


def test_unpublishing_a_public_record_lists_it_as_removed_until_it_is_published_again(settled):
    dialogue = make_dialogue(status=Status.DRAFT)
    editorial.publish(dialogue, user=None)
    editorial.unpublish(dialogue, user=None)
    kind, stamp = listed()[dialogue.slug]
    assert kind == changes.REMOVED
    assert stamp == Removal.objects.get(object_id=dialogue.pk).removed_at
    # Its edits as a draft say nothing new.
    dialogue.summary = "Reworked as a draft."
    dialogue.save()
    assert listed()[dialogue.slug] == (kind, stamp)
    editorial.publish(dialogue, user=None)
    assert listed()[dialogue.slug][0] == changes.CREATED
    assert not Removal.objects.exists()


def test_unpublishing_an_embargoed_record_nobody_saw_leaves_no_removal(settled):
    dialogue = make_dialogue(status=Status.DRAFT)
    dialogue.embargo_until = timezone.localdate() + datetime.timedelta(days=2)
    dialogue.save()
    editorial.publish(dialogue, user=None)
    editorial.unpublish(dialogue, user=None)
    assert dialogue.slug not in listed()


def test_deleting_a_public_record_lists_it_as_removed_and_a_draft_leaves_nothing(settled):
    public = make_dialogue(cite=False)
    draft = make_dialogue(status=Status.DRAFT, cite=False)
    public_slug, public_id = public.slug, public.pk
    public.delete()
    draft.delete()
    assert listed() == {public_slug: (changes.REMOVED, Removal.objects.get().removed_at)}
    assert Removal.objects.get().object_id == public_id


def test_pages_continue_after_their_cursor_even_when_datestamps_are_equal(settled):
    era, conflict = make_era(), make_conflict()
    made = [make_dialogue(era=era, conflict=conflict, cite=False) for _ in range(23)]
    Dialogue.objects.update(published_at=YESTERDAY, updated=YESTERDAY)
    editorial.unpublish(made[0], user=None)
    Removal.objects.update(removed_at=YESTERDAY)
    seen, after = [], None
    while True:
        found, more = changes.page(changes.Selection().bounded(), after, 5)
        seen += [(c.type, c.record_id) for c in found]
        if not more:
            break
        after = found[-1].position
    assert len(seen) == 23
    assert {pk for _, pk in seen} == {d.pk for d in made}
    # The same moment: dialogues by id, then the removal.
    assert seen[-1] == (changes.REMOVED, made[0].pk)
    assert [pk for _, pk in seen[:-1]] == sorted(d.pk for d in made[1:])


def test_a_fresh_change_waits_until_it_has_settled():
    dialogue = make_dialogue()
    assert dialogue.slug not in listed()
    set_times(dialogue, published_at=YESTERDAY, updated=YESTERDAY)
    assert dialogue.slug in listed()


def test_a_selection_by_era_keeps_its_removals(settled):
    nineties, noughties = make_era(), make_era()
    kept = make_dialogue(era=nineties)
    other = make_dialogue(era=noughties)
    editorial.unpublish(kept, user=None)
    found = listed(changes.Selection(era_id=nineties.pk))
    assert found == {kept.slug: (changes.REMOVED, Removal.objects.get().removed_at)}
    assert other.slug in listed(changes.Selection(era_id=noughties.pk))


def test_the_count_agrees_with_the_pages(settled):
    era, conflict = make_era(), make_conflict()
    for _ in range(6):
        make_dialogue(era=era, conflict=conflict, cite=False)
    make_dialogue(status=Status.DRAFT, era=era, conflict=conflict, cite=False)
    editorial.withdraw(make_dialogue(era=era, conflict=conflict), user=None, reason="Wrong.")
    assert changes.count(changes.Selection().bounded()) == len(listed()) == 7


def test_records_whose_embargo_lifted_at_the_same_midnight_are_each_listed_once(settled):
    today = timezone.localdate()
    era, conflict = make_era(), make_conflict()
    made = [make_dialogue(era=era, conflict=conflict, embargo_until=today) for _ in range(3)]
    Dialogue.objects.update(published_at=YESTERDAY, updated=YESTERDAY)
    seen, after = [], None
    for _ in range(10):
        found, more = changes.page(changes.Selection().bounded(), after, 1)
        seen += [(c.record_id, c.stamp) for c in found]
        if not more:
            break
        after = found[-1].position
    assert seen == [(d.pk, midnight(today)) for d in made]
