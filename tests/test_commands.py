"""The check_archive and load_initial_data management commands."""

from __future__ import annotations

import copy
import io
import json
import re

import pytest
from django.apps import apps
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import OperationalError

from dialogues import integrity
from dialogues.models import Citation, Dialogue, Era, Participation
from tests import factories as f
from tests.archives import ESSAY, ESSAY_TITLE, build_clean_archive
from tests.fixture_files import (
    dump,
    find,
    fixture_counts,
    row_count,
    run,
    valid_fixtures,
    write_fixtures,
)
from tests.writes.effects import count_effects

# --- check_archive ------------------------------------------------------------------------


@pytest.mark.django_db
def test_check_archive_reports_a_clean_archive_with_its_counts():
    build_clean_archive()

    output = run("check_archive")

    found = re.search(
        r"No problems found in (\d+) eras?, (\d+) dialogues?, (\d+) citations?\.", output
    )
    assert found, output
    assert tuple(map(int, found.groups())) == (
        Era.objects.count(),
        Dialogue.objects.count(),
        Citation.objects.count(),
    )


@pytest.mark.django_db
def test_check_archive_lists_each_problem_and_fails_with_the_count():
    archive = build_clean_archive()
    uncited = f.make_dialogue(era=archive["nineties"], conflict=archive["conflict"], cite=False)
    f.make_era(slug="overlapper", position=3, date="2005/2015")
    out = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command("check_archive", stdout=out)

    lines = out.getvalue().splitlines()
    assert f"[no-citation] dialogue {uncited.slug}: " in out.getvalue()
    assert any(line.startswith("[era-overlap] era noughties: ") for line in lines)
    assert str(error.value) == f"{len(lines)} problems found in the archive."
    assert len(lines) == len(integrity.find_problems())


@pytest.fixture
def essay_folder(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "across-the-line.txt").write_text(ESSAY, encoding="utf-8")
    return folder


def cite_essay(excerpt: str, paragraph: int, title: str = ESSAY_TITLE) -> Citation:
    era = f.make_era(position=1, date="1990/1999")
    dialogue = f.make_dialogue(era=era, date="1995", cite=False)
    source = f.make_source(title=title, first_words="When the delegations")
    return Citation.objects.create(
        dialogue=dialogue, source=source, excerpt=excerpt, paragraph=paragraph
    )


@pytest.mark.django_db
def test_check_archive_with_sources_accepts_a_verbatim_excerpt(essay_folder):
    cite_essay("nobody expected the talks to last", 1)

    output = run("check_archive", sources=str(essay_folder))

    assert "No problems found in 1 era, 1 dialogue, 1 citation." in output


@pytest.mark.parametrize(
    "excerpt, paragraph, title, code",
    [
        ("nobody expected the talks to last", 2, ESSAY_TITLE, "excerpt-wrong-paragraph"),
        ("nobody expected the talk to last", 1, ESSAY_TITLE, "excerpt-not-verbatim"),
        ("nobody expected the talks to last", 1, "A Lost Essay", "source-text-missing"),
    ],
)
@pytest.mark.django_db
def test_check_archive_with_sources_flags_a_bad_excerpt(
    essay_folder, excerpt, paragraph, title, code
):
    citation = cite_essay(excerpt, paragraph, title)
    out = io.StringIO()

    with pytest.raises(CommandError, match="1 problem found"):
        call_command("check_archive", sources=str(essay_folder), stdout=out)

    (line,) = out.getvalue().splitlines()
    assert line.startswith(f"[{code}] ")
    assert citation.source.slug in line


@pytest.mark.parametrize("name", ["nowhere", "across-the-line.txt"])
@pytest.mark.django_db
def test_check_archive_refuses_a_sources_path_that_is_not_a_folder(essay_folder, name):
    path = essay_folder / name

    with pytest.raises(CommandError, match=r"^--sources: .*") as error:
        run("check_archive", sources=str(path))

    assert str(path) in str(error.value)
    assert "source texts as .txt files" in str(error.value)


# Run as from a shell: errors must end in a message and an exit status, never a traceback.
# The folder is checked before the database is touched, so no database is needed.
@pytest.mark.parametrize(
    "argv, status, message",
    [
        (["check_archive", "--sources", "{tmp}/nowhere"], 1, "does not exist"),
        (["check_archive", "--sources"], 2, "expected one argument"),
        (["check_archive", "--source-texts", "x"], 2, "unrecognized arguments"),
        (["load_initial_data", "--fixtures", "{tmp}/nowhere"], 1, "does not exist"),
        (["load_initial_data", "--fixtures", "{tmp}"], 1, "holds no .json fixture files"),
        (["load_initial_data", "--fixtures", ""], 1, "no folder given"),
        (["load_initial_data", "--force=yes"], 2, "ignored explicit argument"),
    ],
)
def test_bad_command_lines_end_in_a_message_not_a_traceback(
    tmp_path, capsys, argv, status, message
):
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in argv]

    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", *argv]).execute()

    err = capsys.readouterr().err
    assert exit_.value.code == status
    assert message in err
    assert "Traceback" not in err


# --- load_initial_data: fixture data --------------------------------------------------------


@pytest.fixture
def fixtures_dir(tmp_path):
    return write_fixtures(tmp_path / "fixtures", valid_fixtures())


# --- load_initial_data: loading --------------------------------------------------------------


@pytest.mark.django_db
def test_load_initial_data_loads_records_given_in_any_order(fixtures_dir):
    output = run("load_initial_data", fixtures=str(fixtures_dir))

    for label, expected in fixture_counts(valid_fixtures()).items():
        model = apps.get_model(label)
        assert model.objects.count() == expected, label
        name = model._meta.verbose_name_plural
        assert f"{name}: {expected} ({expected} new, 0 updated)" in output
    citation = Citation.objects.get(dialogue__slug="stockholm-channel")
    assert (citation.source.slug, citation.outcome.kind) == ("across-the-line", "proposal")
    assert citation.outcome.dialogue == citation.dialogue
    assert not Dialogue.objects.filter(date_earliest=None).exists()
    assert integrity.check_records() == []


@pytest.mark.django_db
def test_loading_twice_with_force_changes_nothing(fixtures_dir):
    run("load_initial_data", fixtures=str(fixtures_dir))
    before = dump()

    output = run("load_initial_data", fixtures=str(fixtures_dir), force=True)

    assert dump() == before
    total = sum(fixture_counts(valid_fixtures()).values())
    assert f"Loaded {total} records from 2 files" in output
    assert "0 new" in output and " new, 0 updated" not in output


@pytest.mark.django_db
def test_force_updates_fixture_records_in_place_and_keeps_editors_additions(tmp_path):
    files = valid_fixtures()
    folder = write_fixtures(tmp_path / "fixtures", files)
    run("load_initial_data", fixtures=str(folder))
    dialogue = Dialogue.objects.get(slug="stockholm-channel")
    Participation.objects.filter(dialogue=dialogue).update(note="Added by an editor.")
    extra = f.make_dialogue(era=dialogue.era, conflict=dialogue.conflict, date="1996")
    rows = row_count()
    find(files, "dialogues.dialogue", "stockholm-channel")["summary"] = "A corrected summary."
    write_fixtures(folder, files)

    run("load_initial_data", fixtures=str(folder), force=True)

    updated = Dialogue.objects.get(slug="stockholm-channel")
    assert (updated.pk, updated.summary) == (dialogue.pk, "A corrected summary.")
    assert updated.created == dialogue.created
    assert Participation.objects.get(dialogue=dialogue).note == "Added by an editor."
    assert Dialogue.objects.filter(pk=extra.pk).exists()
    assert row_count() == rows


@pytest.mark.parametrize(
    "existing, held",
    [
        (lambda: build_clean_archive(), "2 dialogues"),
        (lambda: f.make_source(), "1 source"),
    ],
    ids=["dialogues", "only-a-source"],
)
@pytest.mark.django_db
def test_load_initial_data_leaves_an_archive_with_records_alone(fixtures_dir, existing, held):
    existing()
    before = dump()

    output = run("load_initial_data", fixtures=str(fixtures_dir))

    assert dump() == before
    assert f"The archive already holds {held}; nothing loaded." in output
    assert "--update" in output and "--force" in output


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_validates_and_reports_but_leaves_the_database_empty(fixtures_dir):
    output = run("load_initial_data", fixtures=str(fixtures_dir), dry_run=True)

    assert row_count() == 0
    assert "Dry run" in output and "Nothing was saved." in output
    dialogues = fixture_counts(valid_fixtures())["dialogues.dialogue"]
    assert f"dialogues: {dialogues} ({dialogues} new, 0 updated)" in output


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_still_refuses_broken_fixtures(tmp_path):
    files = valid_fixtures()
    find(files, "dialogues.dialogue", "geneva-talks")["date"] = "2015"
    folder = write_fixtures(tmp_path / "fixtures", files)

    with pytest.raises(CommandError, match="geneva-talks"):
        run("load_initial_data", fixtures=str(folder), dry_run=True)
    assert row_count() == 0


@pytest.mark.parametrize("dry_run, reindexes", [(False, 1), (True, 0)])
@pytest.mark.django_db
def test_a_real_load_reindexes_what_it_loaded_once_and_a_dry_run_not_at_all(
    fixtures_dir, monkeypatch, dry_run, reindexes
):
    effects = count_effects(monkeypatch)

    run("load_initial_data", fixtures=str(fixtures_dir), dry_run=dry_run)

    assert effects["reindexes"] == reindexes
    if not dry_run:
        assert effects["reindexed"] == set(Dialogue.objects.values_list("pk", flat=True))
        assert effects["bumps"] == 1


@pytest.mark.django_db
def test_the_search_index_is_not_rebuilt_when_nothing_was_loaded(fixtures_dir, monkeypatch):
    build_clean_archive()
    effects = count_effects(monkeypatch)

    run("load_initial_data", fixtures=str(fixtures_dir))

    assert effects == {"bumps": 0, "reindexes": 0, "reindexed": set()}


# --- load_initial_data: broken fixtures ------------------------------------------------------
# Each case breaks the valid set in one way. The set also adds a new conflict and changes a
# source, both saved before the broken record is reached, so a partial load would show.


def truncate_json(files):
    text = json.dumps(files["1-dialogues.json"])
    files["1-dialogues.json"] = text[: len(text) // 2]
    return "1-dialogues.json", ["not valid JSON", "line 1"]


def add_unknown_model(files):
    files["2-base.json"].append({"model": "dialogues.meeting", "fields": {"slug": "x"}})
    return "2-base.json", ["record 7", "unknown model “dialogues.meeting”"]


def dangle_a_natural_key(files):
    find(files, "dialogues.dialogue", "geneva-talks")["era"] = ["the-seventies"]
    return "1-dialogues.json", ["dialogues.dialogue geneva-talks", "the-seventies"]


def give_an_invalid_edtf_date(files):
    find(files, "dialogues.dialogue", "geneva-talks")["date"] = "around 2003"
    return "1-dialogues.json", ["dialogues.dialogue geneva-talks", "not a valid EDTF date"]


def date_a_dialogue_outside_its_era(files):
    find(files, "dialogues.dialogue", "geneva-talks")["date"] = "2015"
    return "1-dialogues.json", ["dialogues.dialogue geneva-talks", "outside the era"]


def give_a_bad_field_value(files):
    find(files, "dialogues.era", "after-oslo")["position"] = "second"
    return "2-base.json", ["dialogues.era after-oslo", "position", "second"]


def misspell_a_field(files):
    find(files, "dialogues.dialogue", "geneva-talks")["venu"] = "A hotel"
    return "1-dialogues.json", ["dialogues.dialogue geneva-talks", "no field “venu”"]


def repeat_a_record(files):
    files["2-base.json"].append(copy.deepcopy(files["1-dialogues.json"][1]))
    return "2-base.json", ["dialogues.dialogue stockholm-channel", "same record", "1-dialogues"]


def overlap_two_eras(files):
    find(files, "dialogues.era", "after-oslo")["date"] = "1998/2010"
    return "2-base.json", ["dialogues.era", "overlaps"]


def leave_a_gap_between_eras(files):
    find(files, "dialogues.era", "after-oslo")["date"] = "2001/2010"
    return "2-base.json", ["dialogues.era after-oslo", "era-gap"]


def drop_a_dialogues_citations(files):
    files["1-dialogues.json"] = [
        r for r in files["1-dialogues.json"] if r["fields"].get("dialogue") != ["geneva-talks"]
    ]
    return "1-dialogues.json", ["dialogues.dialogue geneva-talks", "no-citation"]


def lengthen_an_excerpt(files):
    citation = find(files, "dialogues.citation", dialogue=["geneva-talks"])
    citation["excerpt"] = " ".join(["word"] * 40)
    return "1-dialogues.json", ["dialogues.citation geneva-talks", "40 words"]


@pytest.mark.parametrize(
    "break_fixtures",
    [
        truncate_json,
        add_unknown_model,
        dangle_a_natural_key,
        give_an_invalid_edtf_date,
        date_a_dialogue_outside_its_era,
        give_a_bad_field_value,
        misspell_a_field,
        repeat_a_record,
        overlap_two_eras,
        leave_a_gap_between_eras,
        lengthen_an_excerpt,
    ],
)
@pytest.mark.django_db(transaction=True)
def test_a_broken_fixture_names_the_file_and_record_and_changes_nothing(tmp_path, break_fixtures):
    # An archive loaded from the fixtures, then added to by an editor.
    run("load_initial_data", fixtures=str(write_fixtures(tmp_path / "good", valid_fixtures())))
    era = Era.objects.get(slug="oslo-years")
    f.make_dialogue(era=era, conflict=Dialogue.objects.first().conflict, date="1996")
    before = dump()

    files = valid_fixtures()
    files["2-base.json"].insert(
        0, {"model": "dialogues.conflict", "fields": {"slug": "new-one", "name": "New"}}
    )
    find(files, "dialogues.source", "across-the-line")["author"] = "Changed"
    broken_file, fragments = break_fixtures(files)
    folder = write_fixtures(tmp_path / "bad", files)

    with pytest.raises(CommandError) as error:
        run("load_initial_data", fixtures=str(folder), force=True)

    message = str(error.value)
    assert broken_file in message
    for fragment in fragments:
        assert fragment in message
    assert "Nothing was loaded" in message
    assert dump() == before


# A dialogue left uncited only shows on a first load: over an archive, its old citations stay.
@pytest.mark.parametrize(
    "break_fixtures",
    [dangle_a_natural_key, date_a_dialogue_outside_its_era, drop_a_dialogues_citations],
)
@pytest.mark.django_db(transaction=True)
def test_a_broken_fixture_leaves_an_empty_archive_empty(tmp_path, break_fixtures):
    files = valid_fixtures()
    broken_file, fragments = break_fixtures(files)
    folder = write_fixtures(tmp_path / "fixtures", files)

    with pytest.raises(CommandError) as error:
        run("load_initial_data", fixtures=str(folder))

    for fragment in [broken_file, *fragments]:
        assert fragment in str(error.value)
    assert row_count() == 0


def fail_to_read_tables():
    raise OperationalError("no such table: dialogues_era")


@pytest.mark.parametrize(
    "command, options",
    [("check_archive", {}), ("load_initial_data", {"force": True})],
)
@pytest.mark.django_db
def test_a_database_without_tables_gives_a_clear_error(fixtures_dir, monkeypatch, command, options):
    monkeypatch.setattr(integrity, "check_records", fail_to_read_tables)
    if command == "load_initial_data":
        options["fixtures"] = str(fixtures_dir)

    with pytest.raises(CommandError, match=r"no such table: dialogues_era.*migrate"):
        run(command, **options)
