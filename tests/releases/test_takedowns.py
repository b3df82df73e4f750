"""A release that holds a name withheld since it was made is withdrawn: its files answer 410
Gone with a page saying why and which release replaces it, /data/ lists it as withdrawn, and
make_release offers the next version."""

from __future__ import annotations

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.utils import timezone

from dialogues.models import Participation
from dialogues.releases.writer import make_release

pytestmark = pytest.mark.django_db

ADDRESSES = (
    "/data/1.0.0.zip",
    "/data/1.0.0/manifest.json",
    "/data/1.0.0/data/participations.csv",
    "/data/1.0.0/codebook.html",
)


@pytest.fixture
def withheld_since(releases_dir, hidden_archive):
    """Release 1.0.0 names Named Person in both dialogues; then the name is withheld in one."""
    make_release("1.0.0")
    row = Participation.objects.get(
        dialogue=hidden_archive.second, participant__slug="named-person"
    )
    row.withheld = True
    row.save()
    return row


def _text(response) -> str:
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


@pytest.mark.parametrize("url", ADDRESSES)
def test_every_file_of_a_release_holding_a_name_since_withheld_is_gone(client, withheld_since, url):
    response = client.get(url, HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 410
    assert "immutable" not in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    text = _text(response)
    assert "Release 1.0.0 was taken down" in text
    assert "withheld since the release was made" in text
    assert "No later release replaces it yet" in text
    assert "Named Person" not in text


def test_the_gone_page_points_to_the_next_release_and_the_list_says_withdrawn(
    client, withheld_since
):
    make_release("1.0.1")
    response = client.get("/data/1.0.0.zip")
    assert response.status_code == 410
    link = BeautifulSoup(response.content, "html.parser").select_one("a.replacement")
    assert link["href"] == "/data/#v1.0.1"
    assert client.get("/data/1.0.1.zip").status_code == 200
    soup = BeautifulSoup(client.get("/data/").content, "html.parser")
    old, new = soup.select_one("#v1\\.0\\.0"), soup.select_one("#v1\\.0\\.1")
    assert "withdrawn" in old.find("h2").get_text()
    assert "latest" in new.find("h2").get_text()
    reason = old.select_one(".withdrawal-reason").get_text(" ", strip=True)
    assert "withheld since the release was made" in reason and "release 1.0.1" in reason
    assert not [a for a in old.find_all("a") if a["href"].startswith("/data/1.0.0")]
    assert new.select_one("a[download]")["href"] == "/data/1.0.1.zip"


def test_a_release_is_served_again_when_the_withholding_lifts(client, withheld_since):
    assert client.get("/data/1.0.0.zip").status_code == 410
    withheld_since.withheld_until = timezone.localdate() - datetime.timedelta(days=1)
    withheld_since.save()
    assert client.get("/data/1.0.0.zip").status_code == 200


def test_a_name_withheld_when_the_release_was_made_does_not_withdraw_it(
    client, releases_dir, hidden_archive
):
    # The archive's secret person was withheld before: the release never held the name.
    make_release("1.0.0")
    assert client.get("/data/1.0.0.zip").status_code == 200


def test_a_withheld_row_deleted_since_still_withdraws_the_release(client, withheld_since):
    withheld_since.delete()
    assert client.get("/data/1.0.0.zip").status_code == 410


def test_the_check_reads_only_the_generation_however_many_releases(
    client, withheld_since, django_assert_max_num_queries
):
    for n in range(1, 4):
        make_release(f"1.0.{n}")
    client.get("/data/")  # the first request after a change works the withheld pairs out
    with django_assert_max_num_queries(1):
        assert client.get("/data/").status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get("/data/1.0.0/data/participations.csv").status_code == 410
    with django_assert_max_num_queries(1):
        assert client.get("/data/1.0.3/data/participations.csv").status_code == 200


def test_make_release_offers_the_next_version_and_names_what_is_withdrawn(withheld_since):
    with pytest.raises(CommandError) as refused:
        call_command("make_release")
    message = str(refused.value)
    assert "make_release 1.0.1" in message
    assert "Withdrawn, because they hold a name since withheld: 1.0.0" in message


def test_the_next_releases_changelog_does_not_name_whom_it_now_withholds(
    releases_dir, withheld_since
):
    import json

    make_release("1.0.1")
    folder = releases_dir / "1.0.1"
    changelog = json.loads((folder / "changelog.json").read_text())
    removed = [entry["key"] for entry in changelog["tables"]["participations"]["removed"]]
    assert removed == ["second/(name withheld)"]
    for name in ("changelog.json", "CHANGELOG.md"):
        assert "second/named-person" not in (folder / name).read_text()
