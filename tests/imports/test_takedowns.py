"""An import's take-downs are announced as an admin's are: an embargo it sets on a public record
is a removal in the changes feed and a deleted header in OAI-PMH, an embargo it lifts brings the
record back, and a name it withholds moves the record's datestamp."""

import datetime

import pytest
from django.utils import timezone

from dialogues.feeds import changes
from dialogues.imports import apply
from dialogues.models import Dialogue, Removal

from ..factories import add_participant, make_dialogue
from ..feeds.test_takedowns import feed_items, oai_header

pytestmark = pytest.mark.django_db

EARLIER = timezone.now() - datetime.timedelta(days=2)


def tomorrow():
    """Tomorrow, read when a test runs (a date read at collection goes stale at midnight)."""
    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def settled(monkeypatch):
    monkeypatch.setattr(changes, "SETTLE", datetime.timedelta(0))


@pytest.fixture
def oslo(world):
    dialogue = make_dialogue(slug="oslo", era=world.nineties, conflict=world.conflict)
    add_participant(dialogue, world.ahmed)
    Dialogue.objects.filter(pk=dialogue.pk).update(published_at=EARLIER, updated=EARLIER)
    return Dialogue.objects.get(pk=dialogue.pk)


def _import(to_csv, good_row, user, **cells):
    dialogue = Dialogue.objects.get(slug="oslo")
    citation = dialogue.citations.get()
    row = good_row | {
        "slug": "oslo",
        "title": dialogue.title,
        "date_edtf": dialogue.date,
        "summary": dialogue.summary,
        "participant_list": "ahmed | participant",
        "outcome_list": "",
        "citation_list": f"{citation.source.slug} | {citation.paragraph} | {citation.excerpt}",
        **cells,
    }
    batch, plan = apply.store("m.csv", to_csv(row), user=user)
    assert plan.rows[0].action == "changed", plan.rows[0].problems
    apply.run_import(batch, user=user)
    # OAI-PMH lists up to the current second: move the removal a little into the past.
    Removal.objects.update(removed_at=timezone.now() - datetime.timedelta(minutes=1))


def test_an_embargo_set_by_import_is_announced_and_one_lifted_brings_the_record_back(
    client, world, good_row, to_csv, oslo, publisher
):
    assert feed_items(client)["oslo"]["type"] == "created"
    _import(to_csv, good_row, publisher, embargo_until=tomorrow().isoformat())
    removal = Removal.objects.get(object_id=oslo.pk)
    assert removal.slug == "oslo"
    assert feed_items(client)["oslo"]["type"] == "removed"
    header, _ = oai_header(client, oslo)
    assert header.get("status") == "deleted"
    _import(to_csv, good_row, publisher, embargo_until="")
    assert not Removal.objects.exists()
    assert feed_items(client)["oslo"]["type"] != "removed"
    header, _ = oai_header(client, oslo)
    assert header.get("status") is None


def test_a_name_withheld_by_an_editors_import_is_announced_without_taking_the_record_down(
    client, world, good_row, to_csv, oslo, editor
):
    _import(to_csv, good_row, editor, participant_list="ahmed | participant | withheld")
    assert not Removal.objects.exists()
    assert Dialogue.objects.get(pk=oslo.pk).updated > EARLIER
    item = feed_items(client)["oslo"]
    assert item["type"] == "updated"
    assert "Ahmed" not in str(item)


def test_a_queryset_update_inside_announced_is_announced_as_a_save_would_be(world, oslo):
    from dialogues.models import Participation, removals

    with removals.announced([oslo.pk]):
        Participation.objects.filter(dialogue=oslo).update(withheld=True)
        Dialogue.objects.filter(pk=oslo.pk).update(embargo_until=tomorrow())
    assert Dialogue.objects.get(pk=oslo.pk).updated > EARLIER
    assert Removal.objects.get(object_id=oslo.pk).slug == "oslo"
