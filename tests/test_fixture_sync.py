"""load_initial_data --update: corrected fixtures reach an existing archive, editors' work stays."""

from __future__ import annotations

import pytest

from dialogues import fixture_sync
from dialogues.models import (
    Citation,
    Dialogue,
    FixtureRecord,
    Outcome,
    Participant,
    Participation,
)
from tests.fixture_files import dump, find, run, valid_fixtures, write_fixtures

pytestmark = pytest.mark.django_db(transaction=True)

OLD_EXCERPT = "nobody expected the talks to last"
# A corrected excerpt keeps the citation's key, which was derived from the first one.
NEW_EXCERPT = "nobody expected the talks to last."


def corrected(files):
    """The same fixtures with the corrections an editor of the fixtures would make."""
    find(files, "dialogues.dialogue", "stockholm-channel")["summary"] = "Talks in Stockholm."
    citation = find(files, "dialogues.citation", excerpt=OLD_EXCERPT)
    citation["key"] = "p1-nobody-expected-the-talks-to-last"
    citation["excerpt"] = NEW_EXCERPT
    return files


@pytest.fixture
def loaded(tmp_path):
    files = valid_fixtures()
    find(files, "dialogues.citation", excerpt=OLD_EXCERPT)["key"] = (
        "p1-nobody-expected-the-talks-to-last"
    )
    run("load_initial_data", fixtures=str(write_fixtures(tmp_path / "v1", files)))
    return tmp_path


def update(folder, **options) -> str:
    return run("load_initial_data", fixtures=str(folder), update=True, **options)


def test_every_loaded_record_is_tracked(loaded):
    assert FixtureRecord.objects.count() == sum(len(r) for r in valid_fixtures().values())


def test_a_dry_run_lists_each_change_and_writes_nothing(loaded):
    folder = write_fixtures(loaded / "v2", corrected(valid_fixtures()))
    before = dump()

    output = update(folder, dry_run=True)

    assert dump() == before
    assert (
        "changed dialogues.dialogue stockholm-channel: summary: "
        "“Secret talks in a Stockholm hotel.” → “Talks in Stockholm.”"
    ) in output
    assert f"excerpt: “{OLD_EXCERPT}” → “{NEW_EXCERPT}”" in output
    assert "2 updated" in output and "Nothing was saved." in output


def test_an_update_applies_corrections_without_duplicating(loaded):
    folder = write_fixtures(loaded / "v2", corrected(valid_fixtures()))
    citations = Citation.objects.count()

    update(folder)

    assert Dialogue.objects.get(slug="stockholm-channel").summary == "Talks in Stockholm."
    assert Citation.objects.count() == citations
    assert Citation.objects.filter(excerpt=NEW_EXCERPT).count() == 1
    assert not Citation.objects.filter(excerpt=OLD_EXCERPT).exists()


def test_running_the_update_again_changes_nothing(loaded):
    folder = write_fixtures(loaded / "v2", corrected(valid_fixtures()))
    update(folder)
    before = dump()

    output = update(folder)

    assert dump() == before
    assert "0 new, 0 updated" in output and "no changes" in output


def test_a_record_an_editor_changed_is_left_alone_and_reported(loaded):
    dialogue = Dialogue.objects.get(slug="stockholm-channel")
    dialogue.summary = "An editor's better summary."
    dialogue.save()
    folder = write_fixtures(loaded / "v2", corrected(valid_fixtures()))

    output = update(folder)

    dialogue.refresh_from_db()
    assert dialogue.summary == "An editor's better summary."
    assert (
        "skipped dialogues.dialogue stockholm-channel: edited since it was loaded; "
        "the fixtures would change summary"
    ) in output
    # The citation was not edited, so its correction still lands.
    assert Citation.objects.filter(excerpt=NEW_EXCERPT).exists()


def test_force_overwrites_an_edited_record(loaded):
    dialogue = Dialogue.objects.get(slug="stockholm-channel")
    dialogue.summary = "An editor's better summary."
    dialogue.save()
    folder = write_fixtures(loaded / "v2", corrected(valid_fixtures()))

    update(folder, force=True)

    dialogue.refresh_from_db()
    assert dialogue.summary == "Talks in Stockholm."


def test_editors_own_records_are_untouched(loaded):
    outcome = Outcome.objects.create(
        dialogue=Dialogue.objects.get(slug="geneva-talks"), kind="stalled", description="Mine."
    )
    folder = write_fixtures(loaded / "v2", corrected(valid_fixtures()))

    update(folder)

    outcome.refresh_from_db()
    assert outcome.description == "Mine."


def test_a_record_dropped_from_the_fixtures_is_removed_unless_edited(loaded):
    files = corrected(valid_fixtures())
    records = files["1-dialogues.json"]
    records.remove(next(r for r in records if r["model"] == "dialogues.outcome"))
    find(files, "dialogues.citation", excerpt=NEW_EXCERPT)["outcome"] = None
    folder = write_fixtures(loaded / "v2", files)

    output = update(folder)

    assert not Outcome.objects.filter(dialogue__slug="stockholm-channel").exists()
    assert "removed dialogues.outcome stockholm-channel / proposal" in output


def test_a_record_loaded_before_tracking_is_not_overwritten(loaded):
    FixtureRecord.objects.filter(model="dialogues.dialogue").delete()
    folder = write_fixtures(loaded / "v2", corrected(valid_fixtures()))

    output = update(folder)

    assert Dialogue.objects.get(slug="stockholm-channel").summary != "Talks in Stockholm."
    assert "not known to have come from the fixtures" in output


def test_an_update_that_breaks_a_rule_changes_nothing(loaded):
    files = corrected(valid_fixtures())
    find(files, "dialogues.dialogue", "stockholm-channel")["date"] = "2008"  # outside its era
    folder = write_fixtures(loaded / "v2", files)
    before = dump()

    with pytest.raises(Exception, match="stockholm-channel"):
        update(folder)

    assert dump() == before


def test_a_column_added_empty_is_not_an_edit(loaded):
    # Migrations add columns with empty defaults (side_note was one); the records loaded
    # before them must still count as unedited, or --update would skip every one.
    record = Participant.objects.first()
    before = fixture_sync.content_hash(fixture_sync.stored_values(record))
    record.side_note = ""
    assert fixture_sync.content_hash(fixture_sync.stored_values(record)) == before
    record.side_note = "Inferred from the name."
    assert fixture_sync.content_hash(fixture_sync.stored_values(record)) != before


def test_a_column_added_at_its_default_is_not_an_edit(loaded):
    # `withheld` came with a default of False: a participation at it hashes as before the column.
    participation = Participation.objects.first()
    values = fixture_sync.stored_values(participation)
    assert "withheld" not in values and "withheld_until" not in values
    participation.withheld = True
    assert fixture_sync.stored_values(participation)["withheld"] is True
