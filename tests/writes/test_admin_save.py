"""One save through the admin's change form is one change to the archive: whatever the form
holds, the generation moves on once and the search index is rebuilt once."""

from __future__ import annotations

import pytest

from dialogues.models import Dialogue, OutcomeKind
from tests.admin_forms import (
    errors_in,
    fill_inline,
    filled_add_form,
    inline_prefix,
    option_value,
    soup_of,
)
from tests.writes.effects import count_effects


@pytest.fixture
def effects(monkeypatch):
    return count_effects(monkeypatch)


@pytest.mark.django_db
def test_an_admin_save_with_five_inline_rows_bumps_once_and_reindexes_once(
    editor_client, setting, effects, django_capture_on_commit_callbacks
):
    url, form, data = filled_add_form(editor_client, setting)
    outcomes = inline_prefix(form, "kind")
    fill_inline(
        form,
        data,
        outcomes,
        [
            {
                "kind": option_value(form, f"{outcomes}-0-kind", OutcomeKind.BECAME_OFFICIAL.label),
                "description": "The talks became the Oslo negotiations.",
            },
            {
                "kind": option_value(form, f"{outcomes}-0-kind", OutcomeKind.PROPOSAL.label),
                "description": "A second channel opened in Stockholm.",
            },
        ],
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = editor_client.post(url, data)

    assert response.status_code == 302, errors_in(soup_of(response))
    dialogue = Dialogue.objects.get(slug="talks-at-sarpsborg")
    rows = dialogue.participations.count() + dialogue.outcomes.count()
    assert rows + dialogue.citations.count() == 5
    print(
        f"\nadmin save: {effects['bumps']} generation bump(s), {len(callbacks)} on-commit "
        f"callback(s), {effects['reindexes']} index rebuild(s)"
    )
    assert effects["bumps"] == 1
    assert effects["reindexes"] == 1
    assert effects["reindexed"] == {dialogue.pk}
