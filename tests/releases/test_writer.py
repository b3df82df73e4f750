"""Writing a release: only public records, validated, whole or not at all, never twice."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from frictionless import Package

from dialogues.models import WITHHELD_NAME
from dialogues.releases import changelog, writer
from dialogues.releases.schema import TABLES
from dialogues.releases.writer import ReleaseError, make_release

pytestmark = pytest.mark.django_db


def read_table(folder: Path, name: str) -> list[dict]:
    with open(folder / "data" / f"{name}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes, to tell whether anything changed."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_release_holds_exactly_the_public_dialogues(releases_dir, hidden_archive):
    folder = make_release("1.0.0").path
    assert {row["slug"] for row in read_table(folder, "dialogues")} == {"talks", "second"}
    for table in ("participations", "outcomes", "citations"):
        slugs = {row["dialogue"] for row in read_table(folder, table)}
        assert slugs <= {"talks", "second"}, table
    outcomes = read_table(folder, "outcomes")
    assert [(o["dialogue"], o["kind"]) for o in outcomes] == [("talks", "proposal")]


def test_withheld_names_and_hidden_people_never_appear(releases_dir, hidden_archive):
    folder = make_release("1.0.0").path
    participants = {row["slug"] for row in read_table(folder, "participants")}
    # Withheld in every public dialogue, or only in a draft or an embargoed dialogue.
    assert participants == {"named-person"}
    rows = read_table(folder, "participations")
    talks = [row for row in rows if row["dialogue"] == "talks"]
    assert [row["participant_key"] for row in talks] == [
        "named-person",
        "withheld-1",
        "withheld-2",
    ]
    withheld = [row for row in talks if row["name_withheld"] == "true"]
    assert all(row["participant"] == "" and row["name"] == WITHHELD_NAME for row in withheld)
    assert all(row["note"] == "" for row in withheld)
    # The side of the first is shown (show_side), the second's is not.
    assert [row["side"] for row in withheld] == ["palestinian", ""]
    # The citation about the withheld participant does not name them.
    cited = {row["key"]: row["participant"] for row in read_table(folder, "citations")}
    assert set(cited.values()) == {""}
    everything = b"".join(snapshot(folder).values())
    for secret in (b"Secret Person", b"secret-person", b"Hidden Side Person", b"Secret note"):
        assert secret not in everything
    for hidden in (b"draft-meeting", b"withdrawn-meeting", b"embargoed-meeting", b"Draft Person"):
        assert hidden not in everything


def test_a_disclosed_participant_is_named_once_the_withholding_ends(releases_dir, hidden_archive):
    hidden_archive.talks.participations.filter(participant=hidden_archive.secret).update(
        withheld=False
    )
    folder = make_release("1.0.0").path
    keys = [row["participant_key"] for row in read_table(folder, "participations")]
    assert "secret-person" in keys
    assert "secret-person" in {row["slug"] for row in read_table(folder, "participants")}


def test_the_package_validates_with_the_library_and_the_cli(releases_dir, hidden_archive):
    folder = make_release("1.0.0").path
    report = Package(str(folder / "datapackage.json"), basepath=str(folder)).validate()
    assert report.valid, report.flatten(["type", "message"])
    cli = Path(sys.executable).parent / "frictionless"
    result = subprocess.run(
        [str(cli), "validate", "--json", "datapackage.json"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["valid"] is True


def test_a_broken_table_fails_validation(releases_dir, hidden_archive):
    folder = make_release("1.0.0").path
    path = folder / "data" / "dialogues.csv"
    path.write_text(path.read_text() + "talks,Duplicate,1993,1993,,,,nineties,nope,,,x,y,z\n")
    assert writer.validate(folder)


def test_the_manifest_checksums_match_every_file(releases_dir, hidden_archive):
    outcome = make_release("1.0.0")
    folder = outcome.path
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest == outcome.manifest
    listed = {entry["path"] for entry in manifest["files"]}
    on_disk = set(snapshot(folder)) - {"manifest.json"}
    assert listed == on_disk
    for entry in manifest["files"]:
        data = (folder / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]
    assert manifest["version"] == "1.0.0"
    assert manifest["previous"] is None
    assert manifest["counts"]["dialogues"] == 2
    assert manifest["counts"]["participations"] == 4
    assert manifest["zip"] == "trackii-data-1.0.0.zip"


def test_the_datapackage_records_each_tables_hash_and_size(releases_dir, hidden_archive):
    folder = make_release("1.0.0").path
    package = json.loads((folder / "datapackage.json").read_text())
    assert [r["name"] for r in package["resources"]] == [t.name for t in TABLES]
    for resource in package["resources"]:
        data = (folder / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["bytes"] == len(data)


def test_the_zip_holds_every_file_but_the_manifest(releases_dir, hidden_archive):
    folder = make_release("1.0.0").path
    with zipfile.ZipFile(folder / "trackii-data-1.0.0.zip") as archive:
        names = archive.namelist()
        dialogues = archive.read("trackii-data-1.0.0/data/dialogues.csv")
    expected = set(snapshot(folder)) - {"manifest.json", "trackii-data-1.0.0.zip"}
    assert {name.removeprefix("trackii-data-1.0.0/") for name in names} == expected
    assert dialogues == (folder / "data" / "dialogues.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(dialogues.decode())))
    assert {row["slug"] for row in rows} == {"talks", "second"}


def test_the_same_version_is_never_written_twice(releases_dir, hidden_archive):
    make_release("1.0.0")
    before = snapshot(releases_dir)
    hidden_archive.talks.title = "Renamed talks"
    hidden_archive.talks.save()
    for same in ("1.0.0", "1.0"):
        with pytest.raises(ReleaseError, match="already exists"):
            make_release(same)
    assert snapshot(releases_dir) == before


def test_an_older_version_is_refused(releases_dir, hidden_archive):
    make_release("2.0.0")
    before = snapshot(releases_dir)
    with pytest.raises(ReleaseError, match="older than the newest release, 2.0.0"):
        make_release("1.9.9")
    assert snapshot(releases_dir) == before


@pytest.mark.parametrize("version", ["", "1", "v1.0", "1.0.0.0", "01.0", "1..0", "1.0-beta"])
def test_a_bad_version_is_refused_before_anything_is_written(releases_dir, hidden_archive, version):
    with pytest.raises(ReleaseError, match="e.g. 1.0.0 or 2026.11"):
        make_release(version)
    assert not releases_dir.exists() or not any(releases_dir.iterdir())


def test_a_failure_mid_write_leaves_no_release_behind(releases_dir, hidden_archive, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError("disk full")

    # After the tables, the package and the codebook are written; before the zip.
    monkeypatch.setattr(changelog, "compare", fail)
    with pytest.raises(OSError, match="disk full"):
        make_release("1.0.0")
    assert [path.name for path in releases_dir.iterdir()] == [".lock"]
    monkeypatch.undo()
    assert make_release("1.0.0").path == releases_dir / "1.0.0"


def test_an_invalid_package_is_not_moved_into_place(releases_dir, hidden_archive, monkeypatch):
    monkeypatch.setattr(writer, "validate", lambda folder: ["type-error: a bad cell"])
    with pytest.raises(ReleaseError, match="does not validate"):
        make_release("1.0.0")
    assert [path.name for path in releases_dir.iterdir()] == [".lock"]


def test_a_damaged_previous_release_is_refused(releases_dir, hidden_archive):
    folder = make_release("1.0.0").path
    (folder / "data" / "eras.csv").write_text("slug\n")
    with pytest.raises(ReleaseError, match="damaged.*data/eras.csv"):
        make_release("1.1.0")
    assert not (releases_dir / "1.1.0").exists()


def test_a_dry_run_writes_nothing(releases_dir, hidden_archive):
    outcome = make_release("1.0.0", dry_run=True)
    assert outcome.path is None
    assert outcome.manifest["counts"]["dialogues"] == 2
    assert [path.name for path in releases_dir.iterdir()] == [".lock"]
