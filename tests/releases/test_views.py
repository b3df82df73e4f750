"""The /data/ page and the downloads of each release."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from dialogues.releases.writer import make_release
from tests.factories import make_dialogue

pytestmark = pytest.mark.django_db


def page(client):
    response = client.get(reverse("releases:list"))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def two_releases(releases_dir, hidden_archive):
    first = make_release("1.0.0")
    make_dialogue(
        slug="later-meeting", era=hidden_archive.era, conflict=hidden_archive.conflict, date="1999"
    )
    second = make_release("1.1.0")
    return first, second


def test_the_page_says_so_when_there_is_no_release(client, releases_dir):
    soup = page(client)
    assert soup.select("section.release") == []
    assert "No release has been made yet" in soup.find("main").get_text()


def test_the_page_lists_releases_newest_first_with_checksums(client, two_releases):
    first, second = two_releases
    soup = page(client)
    sections = soup.select("section.release")
    assert [s["id"] for s in sections] == ["v1.1.0", "v1.0.0"]
    assert sections[0].find("h2").get_text(" ", strip=True) == "Release 1.1.0 latest"
    for section, outcome in zip(sections, (second, first), strict=True):
        manifest = outcome.manifest
        checksums = {code.get_text() for code in section.select("code.checksum")}
        assert {entry["sha256"] for entry in manifest["files"]} == checksums
        assert section.find("time")["datetime"] == manifest["released"]
        link = section.find("a", href=reverse("releases:zip", args=[outcome.version]))
        assert link is not None
        counts = {
            row.th.get_text(): [td.get_text() for td in row.find_all("td")]
            for row in section.select("table.counts tbody tr")
        }
        assert counts["Dialogues"][0] == str(manifest["counts"]["dialogues"])
    # The newer release added one dialogue and says so beside its count.
    newer = {
        row.th.get_text(): [td.get_text() for td in row.find_all("td")]
        for row in sections[0].select("table.counts tbody tr")
    }
    assert newer["Dialogues"] == ["3", "1", "0", "0"]
    changelog = sections[0].find("a", href=reverse("releases:file", args=["1.1.0", "CHANGELOG.md"]))
    assert changelog is not None


def test_each_release_has_a_cite_block_with_text_and_bibtex(client, two_releases):
    soup = page(client)
    section = soup.find(id="v1.1.0")
    box = section.select_one(".cite-box")
    text = box.select_one(".citation-text").get_text()
    assert "Track II Dialogue Archive" in text
    assert "(Version 1.1.0)" in text
    assert "http://testserver/data/#v1.1.0" in text
    bibtex = box.find("pre").get_text()
    assert bibtex.startswith("@misc{trackii-data-1-1-0,")
    assert "version" in bibtex and "{1.1.0}" in bibtex
    # The copy button names elements that exist.
    button = box.find("button", class_="copy-button")
    assert soup.find(id=button["data-copy"]) is not None
    assert soup.find(id=button["data-status"]) is not None


def test_the_page_links_the_live_exports_and_has_no_inline_script_or_style(client, two_releases):
    soup = page(client)
    hrefs = {a["href"] for a in soup.find_all("a", href=True)}
    assert reverse("dialogues:export", args=["csv"]) in hrefs
    assert reverse("dialogues:export", args=["json"]) in hrefs
    assert not soup.find_all("style")
    assert not [tag for tag in soup.find_all(style=True)]
    assert all(script.get("src") for script in soup.find_all("script"))
    # One h1, and every id on the page is unique.
    assert len(soup.find_all("h1")) == 1
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))


def test_the_site_footer_links_the_data_page(client, db):
    soup = BeautifulSoup(client.get("/about/").content, "html.parser")
    footer = soup.find("footer")
    assert footer.find("a", href=reverse("releases:list")) is not None


def test_the_zip_download(client, two_releases):
    first, _ = two_releases
    response = client.get("/data/1.0.0.zip")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="trackii-data-1.0.0.zip"'
    assert int(response["Content-Length"]) == len(body) == first.manifest["files"][-1]["bytes"]
    assert hashlib.sha256(body).hexdigest() == first.manifest["files"][-1]["sha256"]
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = set(archive.namelist())
        package = json.loads(archive.read("trackii-data-1.0.0/datapackage.json"))
    assert "trackii-data-1.0.0/data/dialogues.csv" in names
    assert "trackii-data-1.0.0/CITATION.cff" in names
    assert package["version"] == "1.0.0"


def test_a_single_file_of_a_release(client, two_releases):
    response = client.get("/data/1.0.0/data/dialogues.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "trackii-data-1.0.0-dialogues.csv" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0].startswith("slug,title,date,")
    manifest = client.get("/data/1.0.0/manifest.json")
    assert json.loads(b"".join(manifest.streaming_content))["version"] == "1.0.0"


@pytest.mark.parametrize(
    "url",
    [
        "/data/9.9.9.zip",
        "/data/1.0.zip",
        "/data/01.0.0.zip",
        "/data/latest.zip",
        "/data/9.9.9/data/dialogues.csv",
        "/data/1.0.0/data/secrets.csv",
        "/data/1.0.0/../../settings.py",
        "/data/1.0.0/trackii-data-1.0.0.zip",
    ],
)
def test_an_unknown_release_or_file_is_not_found(client, two_releases, url):
    assert client.get(url).status_code == 404


def test_only_get_and_head_are_answered(client, two_releases):
    assert client.post("/data/").status_code == 405
    assert client.post("/data/1.0.0.zip").status_code == 405
    assert client.head("/data/1.0.0.zip").status_code == 200


@pytest.mark.parametrize("n", [1, 3])
def test_the_page_reads_only_the_generation_however_many_releases(
    client, releases_dir, hidden_archive, django_assert_max_num_queries, n
):
    for i in range(n):
        make_release(f"1.{i}.0")
    page(client)  # the first request after a change works out the names withheld since
    # One query, the archive's generation, which says whether a release is withdrawn.
    with django_assert_max_num_queries(1):
        soup = page(client)
    assert len(soup.select("section.release")) == n
