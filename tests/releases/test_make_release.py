"""The make_release command: what it prints, and clear errors for what it refuses."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("make_release", *args, stdout=out)
    return out.getvalue()


def test_it_writes_the_release_and_says_what_it_holds(releases_dir, hidden_archive):
    output = run("1.0.0")
    assert (releases_dir / "1.0.0" / "manifest.json").is_file()
    assert "Wrote" in output
    assert "2 dialogues" in output
    assert "2 added, 0 changed, 0 removed" in output
    assert "sha256" in output


def test_dry_run_writes_nothing(releases_dir, hidden_archive):
    output = run("1.0.0", "--dry-run")
    assert output.splitlines()[-1].startswith("Dry run, nothing written.")
    assert not (releases_dir / "1.0.0").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (("v1",), "“v1” is not a valid version: a version is two or three whole numbers"),
        (("1.0.0.0",), "e.g. 1.0.0 or 2026.11"),
    ],
)
def test_a_bad_version_is_a_clear_error(releases_dir, db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_a_second_write_and_an_older_version_are_clear_errors(releases_dir, hidden_archive):
    run("1.1.0")
    with pytest.raises(CommandError, match="Release 1.1.0 already exists"):
        run("1.1.0")
    with pytest.raises(CommandError, match="older than the newest release, 1.1.0"):
        run("1.0.5")
