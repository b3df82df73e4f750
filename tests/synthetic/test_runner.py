"""A run as a whole: its safety, its transaction, and what it leaves behind."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError

import synthetic
from dialogues import caching, search
from dialogues.models import Dialogue, Era, Participant
from tests import factories as f
from tests.synthetic.helpers import MODELS, dump, generate


@pytest.mark.django_db
def test_refuses_a_database_with_real_dialogues_unless_forced():
    real = f.make_dialogue(slug="camp-david-follow-up")

    with pytest.raises(CommandError) as error:
        generate(50)

    message = str(error.value)
    assert "1 real dialogue" in message and "--force" in message
    assert Dialogue.objects.count() == 1
    assert not Participant.objects.exists()

    generate(50, 1, "--force")

    assert Dialogue.objects.filter(pk=real.pk).exists()
    assert Dialogue.objects.filter(slug__startswith=synthetic.PREFIX).count() == 50
    # The real era and conflict are reused rather than joined by synthetic ones.
    assert set(Dialogue.objects.values_list("era_id", flat=True)) == {real.era_id}
    assert set(Dialogue.objects.values_list("conflict_id", flat=True)) == {real.conflict_id}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failing", ["citations", "search index"])
def test_a_run_that_fails_midway_leaves_the_database_as_it_was(monkeypatch, failing):
    era = f.make_era()
    before = dump()

    if failing == "citations":
        original = synthetic.Generator._citation_rows

        def citation_rows(self, first):
            for count, row in enumerate(original(self, first)):
                if count == 250:
                    raise RuntimeError("disk on fire")
                yield row

        monkeypatch.setattr(synthetic.Generator, "_citation_rows", citation_rows)
    else:

        def rebuild_index(*args, **kwargs):
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(search.index, "rebuild_index", rebuild_index)

    with pytest.raises(RuntimeError, match="disk on fire"):
        generate(300, 1, "--batch-size", "100")

    assert dump() == before
    assert Era.objects.get().pk == era.pk


@pytest.mark.django_db
def test_a_second_run_adds_to_a_synthetic_archive_without_force():
    generate(100, 1)
    first_ids = set(Dialogue.objects.values_list("pk", flat=True))

    generate(100, 1)

    assert Dialogue.objects.count() == 200
    assert Era.objects.count() == synthetic.ERA_COUNT  # reused, not made twice
    assert min(set(Dialogue.objects.values_list("pk", flat=True)) - first_ids) > max(first_ids)


@pytest.mark.django_db
def test_cached_figures_are_marked_stale():
    before = caching.generation()

    generate(20)

    assert caching.generation() > before


@pytest.mark.django_db
def test_dry_run_reports_the_counts_a_real_run_makes_and_writes_nothing():
    output = generate(400, 3, "--dry-run")

    assert "Dry run" in output
    assert all(not model.objects.exists() for model in MODELS)
    reported = {
        name: int(count.replace(",", ""))
        for name, count in re.findall(r"^\s+(\w+): ([\d,]+)", output, flags=re.MULTILINE)
    }

    generate(400, 3)

    for stage, model in synthetic.STAGES:
        assert reported[stage] == model.objects.count(), stage
