"""Two editors in two browsers change the same record: neither edit is lost."""

from __future__ import annotations

import pytest

from tests.browser.test_journeys import field

pytestmark = pytest.mark.browser


def test_two_editors_save_the_same_record_and_the_second_merges(new_page, log_in, archive, editor):
    from django.contrib.auth.models import User
    from django.urls import reverse

    from dialogues.models import Dialogue

    other = User.objects.create_user("second-editor", is_staff=True)
    other.groups.set(editor.groups.all())
    record = archive.record
    url = reverse("admin:dialogues_dialogue_change", args=[record.pk])
    first, second = new_page(), new_page()
    log_in(first, editor)
    log_in(second, other)
    first.goto(url)
    second.goto(url)

    first_place = "A farmhouse near Sarpsborg"
    field(first, "textbox", "Place").fill(first_place)
    field(first, "textbox", "Reason for readers (public)").fill("place from ¶4")
    first.get_by_role("button", name="Save", exact=True).click()
    assert "was changed successfully" in first.locator(".messagelist").inner_text()

    second_summary = "A fuller summary, from the second editor."
    field(second, "textbox", "Summary").fill(second_summary)
    field(second, "textbox", "Reason for readers (public)").fill("summary from ¶2")
    second.get_by_role("button", name="Save", exact=True).click()

    conflict = second.locator(".history-conflict")
    assert "Another editor saved this record" in conflict.inner_text()
    assert first_place in conflict.locator("table").inner_text()
    assert field(second, "textbox", "Summary").input_value() == second_summary
    assert Dialogue.objects.get(pk=record.pk).summary == record.summary

    # Merge: take the other editor's place beside one's own summary, and save again.
    field(second, "textbox", "Place").fill(first_place)
    second.get_by_role("button", name="Save", exact=True).click()
    assert "was changed successfully" in second.locator(".messagelist").inner_text()
    saved = Dialogue.objects.get(pk=record.pk)
    assert (saved.place, saved.summary) == (first_place, second_summary)
