"""The benchmark's editor saves through the write path, and the facet index follows each save."""

from __future__ import annotations

import json

import pytest

from bench import editor
from dialogues import caching
from dialogues.listing import facet_index
from dialogues.models import Dialogue, Track
from tests.factories import make_dialogue, make_era


@pytest.fixture
def committed_archive(transactional_db):
    era = make_era(slug="oslo", date="1990/1999")
    for i in range(6):
        make_dialogue(slug=f"d-{i}", era=era, date=f"199{i}", track=Track.TRACK_II, cite=False)
    caching.start_request()
    assert facet_index.current(inline=True) is not None


def test_each_save_moves_the_generation_and_updates_the_index_in_place(committed_archive):
    pk = editor.chosen_dialogue()
    before = caching.read_generation()
    other = next(value for value in Track.values if value != Track.TRACK_II)
    outcome = editor.save_once(pk, other)
    assert outcome["followed"] is True
    assert caching.read_generation() == before + 1
    caching.start_request()
    index = facet_index.current()  # outside a transaction: never built inline here
    assert index is not None
    assert [index.ids[p] for p in index.value("track", other)] == [pk]
    assert list(index.value("track", other)) == list(facet_index.build().value("track", other))


def test_the_editor_puts_the_dialogue_back_as_it_found_it(committed_archive, tmp_path):
    out = tmp_path / "editor.json"
    # An odd number of saves leaves the dialogue changed: the editor's last save undoes it.
    assert editor.main(["--out", str(out), "--interval", "0.01", "--saves", "3"]) == 0
    found = json.loads(out.read_text())
    assert found["saves"] == 3
    assert found["followed"] == found["saves"]
    assert Dialogue.objects.get(pk=found["dialogue"]).track == Track.TRACK_II
