"""Versions and reading releases back from their folder."""

from __future__ import annotations

import pytest

from dialogues.releases import store
from dialogues.releases.writer import make_release


@pytest.mark.parametrize(
    "text, key",
    [
        ("1.0.0", (1, 0, 0)),
        ("2026.11", (2026, 11, 0)),
        ("0.10.2", (0, 10, 2)),
        ("10.0", (10, 0, 0)),
    ],
)
def test_a_version_compares_as_whole_numbers(text, key):
    assert store.parse_version(text) == key


@pytest.mark.parametrize(
    "text", ["", "1", "1.0.0.0", "01.1", "1.02", "a.b", " 1.0", "1.0\n", "-1.0"]
)
def test_a_bad_version_says_what_is_accepted(text):
    with pytest.raises(store.InvalidVersion, match="two or three whole numbers"):
        store.parse_version(text)


def test_releases_are_read_newest_first_by_number_not_by_name(
    releases_dir, hidden_archive, tmp_path
):
    for version in ("1.2.0", "1.9", "1.10.0"):
        make_release(version)
    # A stray folder and an unfinished one are not releases.
    (releases_dir / "notes").mkdir()
    (releases_dir / "2.0.0").mkdir()
    assert [r.version for r in store.releases()] == ["1.10.0", "1.9", "1.2.0"]
    assert store.release("2.0.0") is None
    assert store.release("../1.9") is None
    assert store.release("1.9").manifest["version"] == "1.9"


def test_damaged_files_are_found(releases_dir, hidden_archive):
    release = store.release(make_release("1.0.0").version)
    assert store.damaged_files(release) == []
    (release.path / "codebook.md").write_text("changed")
    (release.path / "data" / "eras.csv").unlink()
    assert store.damaged_files(release) == ["data/eras.csv", "codebook.md"]


def test_a_release_with_a_broken_manifest_is_left_out(releases_dir, hidden_archive, caplog):
    make_release("1.0.0")
    make_release("1.1.0")
    (releases_dir / "1.1.0" / "manifest.json").write_text("{not json")
    assert [r.version for r in store.releases()] == ["1.0.0"]
    assert store.release("1.1.0") is None
    (releases_dir / "1.1.0" / "manifest.json").write_text('{"version": "1.1.0"}')
    assert store.release("1.1.0") is None
    assert "not shown" in caplog.text
