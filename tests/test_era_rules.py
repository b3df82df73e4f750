"""The era rules, through the admin's real forms: no change or deletion may break the timeline."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import transaction

from dialogues.era_rules import EraDeletionRefused
from dialogues.integrity import check_records
from dialogues.models import Era
from tests.admin_forms import admin_url, errors_in, open_form, soup_of
from tests.factories import make_dialogue, make_era

pytestmark = pytest.mark.django_db


@pytest.fixture
def timeline():
    """Three contiguous eras; the first holds a dialogue of about 1976 (any day of 1975–1977)."""
    first = make_era(name="Early contacts", date="1975/1986", position=1)
    second = make_era(name="The intifada years", date="1987/1993", position=2)
    third = make_era(name="After Oslo", date="1994/2000", position=3)
    dialogue = make_dialogue(era=first, date="1976~", title="Talks in a Vienna flat")
    return first, second, third, dialogue


def post_era(client, era, **changes):
    url = admin_url("era", "change", era.pk)
    _, data = open_form(client, url)
    data.update(changes)
    return client.post(url, data)


def stored(era) -> tuple:
    era.refresh_from_db()
    return era.date, era.position, era.date_earliest, era.date_latest


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"date": "1980/1986"}, "Talks in a Vienna flat"),  # leaves the dialogue outside
        ({"date": "1975/1984"}, "Nothing covers 1985-01-01 to 1986-12-31"),  # a gap
        ({"date": "1975/1990"}, "overlaps"),
        ({"position": "10"}, "Number the eras in date order"),
    ],
)
def test_an_era_change_that_breaks_the_timeline_is_refused_and_nothing_saved(
    editor_client, timeline, changes, expected
):
    first, second = timeline[0], timeline[1]
    before = stored(first) if "date" in changes else stored(second)
    era = first if "date" in changes else second

    response = post_era(editor_client, era, **changes)

    assert response.status_code == 200
    page = soup_of(response)
    assert page.select_one(".errornote") is not None
    assert expected in errors_in(page)
    assert stored(era) == before
    assert check_records() == []


def test_the_refusal_names_the_dialogue_left_outside_and_its_era(editor_client, timeline):
    first, _, _, dialogue = timeline

    response = post_era(editor_client, first, date="1980/1986")

    message = errors_in(soup_of(response))
    assert "1 of this era's dialogues" in message
    assert dialogue.title in message and "1980-01-01" in message


def test_a_change_that_keeps_the_timeline_whole_is_saved(editor_client, timeline):
    first = timeline[0]

    response = post_era(editor_client, first, date="1970/1986", name="Early contacts, widened")

    assert response.status_code == 302, errors_in(soup_of(response))
    assert stored(first)[0] == "1970/1986"
    assert check_records() == []


def test_an_old_fault_elsewhere_does_not_block_an_unrelated_edit(editor_client, timeline):
    first, _, third, _ = timeline
    # A gap made behind the admin's back, as an old database might hold it.
    Era.objects.filter(pk=third.pk).update(date="1995/2000", date_earliest="1995-01-01")

    response = post_era(editor_client, first, summary="Rewritten.")

    assert response.status_code == 302, errors_in(soup_of(response))


def test_a_new_era_must_continue_the_timeline(editor_client, timeline):
    url = admin_url("era", "add")
    _, data = open_form(editor_client, url)
    data.update(name="Later", slug="later", position="4", date="2003/2010", summary="S.")

    response = editor_client.post(url, data)

    assert response.status_code == 200
    assert "Nothing covers 2001-01-01 to 2002-12-31" in errors_in(soup_of(response))
    assert not Era.objects.filter(slug="later").exists()


def _delete(client, era):
    url = admin_url("era", "delete", era.pk)
    return client.post(url, {"post": "yes"})


def test_deleting_a_middle_era_is_refused_with_the_gap_it_would_leave(admin_client, timeline):
    second = timeline[1]

    response = _delete(admin_client, second)

    assert response.status_code == 302
    assert response.url == admin_url("era", "change", second.pk)
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "would leave a gap" in shown and "Nothing covers 1987-01-01" in shown
    assert Era.objects.filter(pk=second.pk).exists()


def test_deleting_an_era_that_holds_dialogues_is_refused(admin_client, timeline):
    first = timeline[0]

    response = _delete(admin_client, first)

    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "holds 1 dialogue" in shown
    assert Era.objects.filter(pk=first.pk).exists()


def test_deleting_the_last_empty_era_is_allowed(admin_client, timeline):
    third = timeline[2]

    response = _delete(admin_client, third)

    assert response.status_code == 302
    assert not Era.objects.filter(pk=third.pk).exists()
    assert check_records() == []


def test_the_admin_offers_no_bulk_delete_of_eras(admin_client, timeline):
    page = soup_of(admin_client.get(admin_url("era", "changelist")))
    offered = {o.get("value") for o in page.select("select[name=action] option")}
    assert "delete_selected" not in offered


def test_deleting_a_middle_era_outside_the_admin_is_undone(timeline):
    second = timeline[1]

    with pytest.raises(EraDeletionRefused, match="would leave a gap"):
        with transaction.atomic():
            second.delete()

    assert Era.objects.filter(pk=second.pk).exists()


def test_deleting_every_era_at_once_leaves_no_gap_and_is_allowed(timeline):
    timeline[3].delete()

    Era.objects.all().delete()

    assert not Era.objects.exists()
