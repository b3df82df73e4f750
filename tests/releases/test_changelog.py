"""The changelog: what was added, changed (which fields) and removed since the last release."""

from __future__ import annotations

import json
import shutil

import pytest
from django.utils import timezone

from dialogues.models import Dialogue, Status
from dialogues.releases import changelog
from dialogues.releases.schema import CONFLICTS
from dialogues.releases.writer import make_release
from tests.factories import add_participant, make_dialogue

pytestmark = pytest.mark.django_db


def changes_of(folder) -> dict:
    return json.loads((folder / "changelog.json").read_text())


def test_the_first_release_lists_every_record_as_added(releases_dir, hidden_archive):
    folder = make_release("1.0.0").path
    changes = changes_of(folder)
    assert changes["previous"] is None
    assert sorted(changes["tables"]["dialogues"]["added"]) == ["second", "talks"]
    assert changes["summary"]["participations"] == {"added": 4, "changed": 0, "removed": 0}
    assert "first release" in (folder / "CHANGELOG.md").read_text()


def test_a_second_release_names_what_was_added_changed_and_withdrawn(releases_dir, hidden_archive):
    make_release("1.0.0")
    added = make_dialogue(
        slug="new-meeting", era=hidden_archive.era, conflict=hidden_archive.conflict, date="1999"
    )
    add_participant(added, hidden_archive.named)
    talks = hidden_archive.talks
    talks.title, talks.place = "The talks, corrected", "Oslo"
    talks.save()
    second = hidden_archive.second
    second.status, second.withdrawn_at = Status.WITHDRAWN, timezone.now()
    second.save()
    folder = make_release("1.1.0").path
    changes = changes_of(folder)
    assert changes["previous"] == "1.0.0"
    dialogues = changes["tables"]["dialogues"]
    assert dialogues["added"] == ["new-meeting"]
    assert dialogues["changed"] == [{"key": "talks", "fields": ["title", "place"]}]
    assert dialogues["removed"] == [{"key": "second", "reason": "withdrawn"}]
    participations = changes["tables"]["participations"]
    assert participations["added"] == ["new-meeting/named-person"]
    assert participations["removed"] == [{"key": "second/named-person", "reason": "withdrawn"}]
    # The source the new dialogue cites is new; nothing else changed.
    assert changes["summary"]["eras"] == {"added": 0, "changed": 0, "removed": 0}
    text = (folder / "CHANGELOG.md").read_text()
    assert "Compared with release 1.0.0" in text
    assert "- `talks`: title, place" in text
    assert "- `second`: withdrawn" in text
    assert "- `new-meeting`" in text
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["changes"]["dialogues"] == {"added": 1, "changed": 1, "removed": 1}


def test_a_record_back_to_draft_is_no_longer_public(releases_dir, hidden_archive):
    make_release("1.0.0")
    Dialogue.objects.filter(slug="second").update(status=Status.DRAFT)
    changes = changes_of(make_release("1.0.1").path)
    assert changes["tables"]["dialogues"]["removed"] == [
        {"key": "second", "reason": "no longer public"}
    ]


def test_the_changelog_reads_the_previous_release_not_the_history(releases_dir, hidden_archive):
    """Changes are found from the files, even when the database history says nothing."""
    make_release("1.0.0")
    Dialogue.objects.filter(slug="talks").update(summary="Rewritten without a revision.")
    changes = changes_of(make_release("1.0.1").path)
    assert changes["tables"]["dialogues"]["changed"] == [{"key": "talks", "fields": ["summary"]}]


def test_compare_matches_rows_by_primary_key_whatever_their_order(tmp_path, db):
    old, new = tmp_path / "old", tmp_path / "new"
    for folder in (old, new):
        (folder / "data").mkdir(parents=True)
    header = "slug,name,summary\n"
    (old / "data" / "conflicts.csv").write_text(header + "a,A,x\nb,B,y\nc,C,z\n")
    (new / "data" / "conflicts.csv").write_text(header + "d,D,w\nb,B2,y\na,A,x\n")
    result = changelog.compare_table(
        CONFLICTS, old / "data" / "conflicts.csv", new / "data" / "conflicts.csv"
    )
    assert result.added == ["d"]
    assert result.changed == [{"key": "b", "fields": ["name"]}]
    assert result.removed == [{"key": "c"}]


def test_a_column_added_since_the_previous_release_counts_as_a_change(tmp_path, db):
    (tmp_path / "old.csv").write_text("slug,name\na,A\nb,B\n")
    (tmp_path / "new.csv").write_text("slug,name,summary\na,A,\nb,B,Now with a summary\n")
    result = changelog.compare_table(CONFLICTS, tmp_path / "old.csv", tmp_path / "new.csv")
    assert result.changed == [{"key": "b", "fields": ["summary"]}]


def test_the_same_files_compared_give_no_changes(releases_dir, hidden_archive):
    first = make_release("1.0.0").path
    copy = releases_dir.parent / "copy"
    shutil.copytree(first, copy)
    tables = changelog.compare(copy, first)
    assert all(
        changes.summary() == {"added": 0, "changed": 0, "removed": 0} for changes in tables.values()
    )
