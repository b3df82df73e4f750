"""Answers kept no longer than they hold: the changes feed past its settling time never, a
release's files for good, with their checksum as the tag."""

from __future__ import annotations

import datetime
import json
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django.utils.cache import get_max_age

from dialogues.feeds import changes
from dialogues.releases.writer import make_release
from trackii import http_cache

from .factories import make_dialogue

pytestmark = pytest.mark.django_db


def slugs(response) -> set[str]:
    assert response.status_code == 200
    return {item["slug"] for item in response.json()["results"]}


def test_the_changes_feed_is_not_kept_past_its_settling_time(client, settings, monkeypatch):
    settings.PAGE_CACHE = True
    dialogue = make_dialogue()  # saved just now: not settled yet
    first = client.get("/api/changes/")
    assert dialogue.slug not in slugs(first)
    assert get_max_age(first) <= changes.SETTLE.total_seconds()
    assert "s-maxage=5" in first["Cache-Control"] or "s-maxage=0" in first["Cache-Control"]

    # Six seconds later, with no save in between: the change has settled and is listed.
    later = timezone.now() + changes.SETTLE + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    monkeypatch.setattr(
        http_cache, "time", SimpleNamespace(time=lambda: later.timestamp()), raising=False
    )
    second = client.get("/api/changes/")
    assert dialogue.slug in slugs(second)
    assert second["ETag"] != first["ETag"]


@pytest.fixture
def release(db, tmp_path, settings):
    settings.TRACKII_RELEASES_DIR = tmp_path / "releases"
    make_dialogue()
    make_release("1.0.0")
    manifest = json.loads((tmp_path / "releases" / "1.0.0" / "manifest.json").read_text())
    return manifest


def test_release_files_are_kept_for_good_with_their_checksum_as_tag(client, release):
    data_file = next(e for e in release["files"] if e["path"].endswith(".csv"))
    for url, checksum in [
        (f"/data/1.0.0/{data_file['path']}", data_file["sha256"]),
        (
            "/data/1.0.0.zip",
            next(e for e in release["files"] if e["path"] == release["zip"])["sha256"],
        ),
        ("/data/1.0.0/manifest.json", None),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        directives = response["Cache-Control"]
        assert "public" in directives and "immutable" in directives, url
        assert "private" not in directives and "no-store" not in directives, url
        tag = response["ETag"]
        if checksum is not None:
            assert tag == f'"{checksum}"'
        again = client.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304, url
        assert again["ETag"] == tag
        assert "immutable" in again["Cache-Control"]


def test_a_missing_release_file_is_not_kept(client, release):
    missing = client.get("/data/1.0.0/nothing.csv")
    assert missing.status_code == 404
    assert "no-store" in missing["Cache-Control"]
