"""Loads and test data are the archive's published content; a reload keeps publishers' choices."""

from __future__ import annotations

import pytest

from dialogues import editorial
from dialogues.models import Dialogue, Status
from tests.fixture_files import run, valid_fixtures, write_fixtures


@pytest.fixture
def fixtures_dir(tmp_path):
    return write_fixtures(tmp_path / "fixtures", valid_fixtures())


@pytest.mark.django_db
def test_loaded_dialogues_are_published(fixtures_dir):
    run("load_initial_data", fixtures=str(fixtures_dir))
    assert Dialogue.objects.exists()
    assert set(Dialogue.objects.values_list("status", flat=True)) == {Status.PUBLISHED}
    assert not Dialogue.objects.filter(published_at=None).exists()
    assert Dialogue.objects.public().count() == Dialogue.objects.count()


@pytest.mark.django_db
def test_an_update_leaves_a_withdrawal_alone_and_reports_nothing_changed(fixtures_dir):
    run("load_initial_data", fixtures=str(fixtures_dir))
    withdrawn = Dialogue.objects.first()
    editorial.withdraw(withdrawn, user=None, reason="A duplicate.")
    output = run("load_initial_data", fixtures=str(fixtures_dir), update=True)
    withdrawn.refresh_from_db()
    assert withdrawn.status == Status.WITHDRAWN
    # Status is a publisher's decision, not content: the record does not count as edited.
    assert " 0 skipped" in output


@pytest.mark.django_db
def test_synthetic_dialogues_are_published():
    run("generate_synthetic", dialogues=20, seed=1)
    assert Dialogue.objects.count() == Dialogue.objects.public().count() > 0
