"""What every page promises without a browser: a title that names it, one h1, landmarks, a skip
link, headings that never skip a level, breadcrumbs on record pages, and only the archive's own
small assets."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.staticfiles import finders

from dialogues import search
from dialogues.models import OutcomeKind

from .factories import PUBLIC_KINDS, make_archive

pytestmark = pytest.mark.django_db

SITE = "Track II Dialogue Archive"
CSS_BUDGET = 30 * 1024
CRUMBED = {"record", "era", "participant", "source"}


@pytest.fixture
def archive():
    built = make_archive()
    # The search index follows commits, and these tests run inside a transaction.
    search.rebuild_index()
    return built


def page_of(client, url) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return BeautifulSoup(response.content, "html.parser")


def page_name(archive, kind) -> str:
    """What the page's title must begin with: the thing the page is about."""
    record = archive.record
    walkouts = record.era.dialogues.filter(outcomes__kind=OutcomeKind.WALKOUT).count()
    talks = sum("talk" in dialogue.title.lower() for dialogue in archive.dialogues)
    return {
        "home": SITE,
        "dialogues": "Dialogues",
        "dialogues-filtered": f"{walkouts} dialogue{'s' * (walkouts != 1)} in {record.era.name}",
        "dialogues-search": f"{talks} dialogues matching “talks”",
        "dialogues-no-results": "0 dialogues matching “xylophone”",
        "record": record.title,
        "timeline": "Timeline",
        "era": record.era.name,
        "participants": "Participants",
        "participant": archive.participants[0].name,
        "source": archive.sources[0].title,
        "about": "About",
    }[kind]


@pytest.mark.parametrize("kind", PUBLIC_KINDS)
def test_every_page_has_a_title_that_names_it(client, archive, kind):
    page = page_of(client, archive.urls()[kind])
    title = page.title.get_text(strip=True)
    assert title.startswith(page_name(archive, kind)), title
    assert title.endswith(SITE)


def test_titles_tell_pages_of_a_kind_apart(client, archive):
    titles = {page_of(client, d.get_absolute_url()).title.get_text() for d in archive.dialogues}
    assert len(titles) == len(archive.dialogues)


@pytest.mark.parametrize("kind", PUBLIC_KINDS)
def test_every_page_has_its_landmarks_one_h1_and_ordered_headings(client, archive, kind):
    page = page_of(client, archive.urls()[kind])
    assert len(page.select("h1")) == 1
    for landmark in ("header", "nav", "main", "footer"):
        assert page.find(landmark) is not None, landmark
    skip = page.select_one("body > a.skip-link")
    assert skip is page.body.find("a"), "the skip link must come first"
    assert page.select_one(skip["href"]).name == "main"
    levels = [int(h.name[1]) for h in page.find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"heading levels {levels} skip from h{before} to h{after}"


@pytest.mark.parametrize("kind", sorted(CRUMBED))
def test_record_pages_have_breadcrumbs_ending_in_the_page(client, archive, kind):
    page = page_of(client, archive.urls()[kind])
    crumbs = page.select("nav.breadcrumbs[aria-label=Breadcrumb] ol li a")
    assert crumbs[0]["href"] == "/"
    assert crumbs[-1].get("aria-current") == "page"
    assert crumbs[-1].get_text(strip=True) == page.h1.get_text(strip=True)
    assert len(crumbs) >= 3


def static_file(url: str) -> Path:
    name = urlsplit(url).path.removeprefix(settings.STATIC_URL)
    found = finders.find(name)
    assert found, f"{url} is not a static file"
    return Path(found)


def _own(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


@pytest.mark.parametrize("kind", PUBLIC_KINDS)
def test_pages_load_only_their_own_small_assets(client, archive, kind):
    page = page_of(client, archive.urls()[kind])
    assets = [
        # The canonical address and the page in other languages (hreflang) are not fetched.
        *(
            tag["href"]
            for tag in page.select("link[href]")
            if tag.get("rel") != ["canonical"] and not tag.has_attr("hreflang")
        ),
        *(tag["src"] for tag in page.select("script[src], img[src], iframe[src], source[src]")),
    ]
    assert assets, "a page links at least its stylesheet"
    foreign = [url for url in assets if not _own(url)]
    assert foreign == []
    sheets = [static_file(tag["href"]) for tag in page.select("link[rel=stylesheet]")]
    total = sum(sheet.stat().st_size for sheet in sheets)
    assert 0 < total <= CSS_BUDGET, f"{kind} loads {total} bytes of CSS"


def test_stylesheets_fetch_nothing_from_elsewhere_and_fit_the_budget():
    sheets = sorted(Path(settings.BASE_DIR, "static").rglob("*.css"))
    assert sheets
    for sheet in sheets:
        text = sheet.read_text(encoding="utf-8")
        assert sheet.stat().st_size <= CSS_BUDGET, f"{sheet.name} is over 30 KB"
        assert "@import" not in text and "@font-face" not in text, sheet.name
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
            assert _own(url) or url.startswith("data:"), f"{sheet.name} fetches {url}"


def test_no_template_loads_an_asset_from_elsewhere():
    for template in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        page = BeautifulSoup(template.read_text(encoding="utf-8"), "html.parser")
        for tag in page.select("link[href], script[src], img[src], source[src], iframe[src]"):
            url = tag.get("href") or tag.get("src")
            if tag.name == "link" and tag.get("rel") == ["canonical"]:
                continue
            assert not re.match(r"(https?:)?//", url), f"{template.name} loads {url}"


def test_every_feature_works_without_javascript(client, archive):
    """Scripts only enhance: no page needs one to show or reach anything."""
    for kind in PUBLIC_KINDS:
        page = page_of(client, archive.urls()[kind])
        for script in page.select("script[src]"):
            assert script.has_attr("defer"), f"{kind}: {script['src']} blocks the page"
        # Whatever a script would reveal starts hidden; everything else is plain HTML.
        for control in page.select("button[type=button]"):
            assert control.has_attr("hidden"), f"{kind}: {control} needs a script to work"
