"""Renamed fixture records: the update gives them their new slugs, keeps their old addresses,
shows the rename in their history with its reason, and leaves editors' edits alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reversion.models import Version

from dialogues import fixture_renames
from dialogues.models import Citation, Dialogue, FixtureRecord, PastSlug
from tests.fixture_files import dump, find, run, valid_fixtures, write_fixtures

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REASON = "The source speaks of a channel in Stockholm, not of talks in general."
RENAME = fixture_renames.Rename(
    "dialogues.dialogue", "stockholm-channel", "stockholm-talks", REASON
)


@pytest.fixture
def renames(monkeypatch):
    monkeypatch.setattr(fixture_renames, "renames", lambda: (RENAME,))


def renamed(files):
    """The fixtures as they read after the rename: the slug and every link to it."""
    for records in files.values():
        for record in records:
            fields = record["fields"]
            if fields.get("slug") == RENAME.old:
                fields["slug"] = RENAME.new
            for name in ("dialogue", "outcome"):
                if isinstance(fields.get(name), list) and fields[name][0] == RENAME.old:
                    fields[name][0] = RENAME.new
    return files


@pytest.fixture
def loaded(tmp_path, renames):
    run("load_initial_data", fixtures=str(write_fixtures(tmp_path / "v1", valid_fixtures())))
    return tmp_path


def update(folder, **options) -> str:
    return run("load_initial_data", fixtures=str(folder), update=True, **options)


def test_an_update_renames_the_record_in_place(loaded):
    pk = Dialogue.objects.get(slug=RENAME.old).pk
    citations = set(Citation.objects.values_list("pk", flat=True))

    output = update(write_fixtures(loaded / "v2", renamed(valid_fixtures())))

    assert Dialogue.objects.get(slug=RENAME.new).pk == pk
    assert not Dialogue.objects.filter(slug=RENAME.old).exists()
    assert set(Citation.objects.values_list("pk", flat=True)) == citations
    assert f"renamed dialogues.dialogue {RENAME.old} → {RENAME.new}: {REASON}" in output
    # Nothing else differs, so nothing else is new, changed, skipped or removed.
    assert "0 new, 0 updated" in output and "0 skipped, 0 removed" in output


def test_the_old_address_leads_to_the_new_one(loaded, client):
    update(write_fixtures(loaded / "v2", renamed(valid_fixtures())))

    response = client.get(f"/dialogues/{RENAME.old}/")

    assert response.status_code == 301
    assert response["Location"].endswith(f"/dialogues/{RENAME.new}/")


def test_the_rename_shows_in_the_record_s_history_with_its_reason(loaded):
    update(write_fixtures(loaded / "v2", renamed(valid_fixtures())))

    versions = Version.objects.get_for_object(Dialogue.objects.get(slug=RENAME.new))
    comments = [v.revision.get_comment() for v in versions]
    assert RENAME.comment in comments
    rename_version = versions[comments.index(RENAME.comment)]
    assert rename_version.field_dict["slug"] == RENAME.new


def test_a_rename_keeps_an_editor_s_edits_and_the_record_stays_edited(loaded):
    dialogue = Dialogue.objects.get(slug=RENAME.old)
    dialogue.summary = "An editor's better summary."
    dialogue.save()
    files = renamed(valid_fixtures())
    find(files, "dialogues.dialogue", RENAME.new)["summary"] = "Talks in Stockholm."

    output = update(write_fixtures(loaded / "v2", files))

    dialogue.refresh_from_db()
    assert dialogue.slug == RENAME.new
    assert dialogue.summary == "An editor's better summary."
    assert f"skipped dialogues.dialogue {RENAME.new}: edited since it was loaded" in output


def test_an_edited_row_that_names_the_record_stays_edited(loaded):
    citation = Citation.objects.get(dialogue__slug=RENAME.old, paragraph=1)
    citation.excerpt = "nobody expected the talks"
    citation.save()
    files = renamed(valid_fixtures())

    output = update(write_fixtures(loaded / "v2", files))

    citation.refresh_from_db()
    assert citation.excerpt == "nobody expected the talks"
    assert f"skipped dialogues.citation {RENAME.new} / " in output


def test_a_dry_run_renames_nothing(loaded):
    before = dump()

    output = update(write_fixtures(loaded / "v2", renamed(valid_fixtures())), dry_run=True)

    assert dump() == before
    assert f"renamed dialogues.dialogue {RENAME.old} → {RENAME.new}" in output


def test_a_record_not_known_to_come_from_the_fixtures_is_not_renamed(loaded):
    # As in an archive whose record at the old slug is an editor's, not the fixtures'.
    FixtureRecord.objects.filter(key__contains=f'"{RENAME.old}"').delete()
    pk = Dialogue.objects.get(slug=RENAME.old).pk

    output = update(write_fixtures(loaded / "v2", renamed(valid_fixtures())), dry_run=True)

    assert Dialogue.objects.get(slug=RENAME.old).pk == pk
    assert (
        f"not renamed dialogues.dialogue {RENAME.old}: not known to have come from the fixtures"
    ) in output


def test_a_fresh_load_after_the_rename_keeps_the_old_address(tmp_path, renames):
    run("load_initial_data", fixtures=str(write_fixtures(tmp_path, renamed(valid_fixtures()))))

    assert PastSlug.find(Dialogue, RENAME.old) == Dialogue.objects.get(slug=RENAME.new)


def test_the_project_s_renames_match_its_fixtures():
    slugs = {
        record["fields"]["slug"]
        for path in FIXTURES.glob("*.json")
        for record in json.loads(path.read_text(encoding="utf-8"))
        if "slug" in record["fields"]
    }
    assert fixture_renames.renames()
    for rename in fixture_renames.renames():
        assert rename.new in slugs and rename.old not in slugs, rename
        assert "¶" in rename.reason, rename


def project_fixtures_before_the_renames(folder: Path) -> Path:
    """The project's fixtures with every renamed record back at its old slug."""
    back = {r.new: r.old for r in fixture_renames.renames()}
    folder.mkdir()
    for path in FIXTURES.glob("*.json"):
        records = json.loads(path.read_text(encoding="utf-8"))
        for record in records:
            fields = record["fields"]
            if fields.get("slug") in back:
                fields["slug"] = back[fields["slug"]]
            for name in ("dialogue", "outcome"):
                if isinstance(fields.get(name), list) and fields[name][0] in back:
                    fields[name][0] = back[fields[name][0]]
        (folder / path.name).write_text(json.dumps(records, ensure_ascii=False), "utf-8")
    return folder


def test_the_project_s_renames_reach_a_running_archive(tmp_path, client):
    v1 = project_fixtures_before_the_renames(tmp_path / "v1")
    # As released before, with a summary the corrected fixtures change.
    old = json.loads((v1 / "dialogues.json").read_text(encoding="utf-8"))
    find(
        {"dialogues.json": old}, "dialogues.dialogue", "awc-call-for-track-two-after-gaza-ceasefire"
    )["summary"] = "The Association of World Citizens suggests Track Two efforts."
    (v1 / "dialogues.json").write_text(json.dumps(old, ensure_ascii=False), "utf-8")
    run("load_initial_data", fixtures=str(v1))
    edited = Dialogue.objects.get(slug="awc-call-for-track-two-after-gaza-ceasefire")
    edited.place = "An editor's place"
    edited.save()

    output = run("load_initial_data", update=True)

    for rename in fixture_renames.renames():
        dialogue = Dialogue.objects.get(slug=rename.new)
        assert f"renamed dialogues.dialogue {rename.old} → {rename.new}" in output
        response = client.get(f"/dialogues/{rename.old}/")
        assert response.status_code == 301
        assert response["Location"].endswith(dialogue.get_absolute_url())
        comments = [v.revision.get_comment() for v in Version.objects.get_for_object(dialogue)]
        assert rename.comment in comments
    # The editor's record is renamed but keeps the editor's work, and nothing else is skipped.
    edited.refresh_from_db()
    assert edited.slug == "awc-suggests-the-possibility-of-track-two-efforts"
    assert edited.place == "An editor's place"
    assert edited.summary == "The Association of World Citizens suggests Track Two efforts."
    assert "0 new, 0 updated" in output and ", 1 skipped, 0 removed" in output
    assert f"skipped dialogues.dialogue {edited.slug}: edited since it was loaded" in output
