"""The same page in each language: the switcher keeps the reader on the record (and its query),
the head names each language's address, the sitemap lists public pages only, with alternates;
dates, counts and plurals follow the page's language."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.utils import translation
from django.utils.translation import ngettext

from dialogues import dates
from tests.i18n.archive import build


@pytest.fixture
def records(db):
    return build()


def _soup(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize("prefix", ["", "/he", "/ar"])
def test_the_switcher_leads_to_the_same_record_in_each_language(client, records, prefix):
    address = f"/dialogues/{records.dialogue.slug}/"
    page = _soup(client.get(f"{prefix}{address}?version=1"))
    links = page.select("header nav.language-switcher a")
    assert [(a["lang"], a["hreflang"]) for a in links] == [
        ("en-gb", "en-gb"),
        ("he", "he"),
        ("ar", "ar"),
    ]
    assert [a["href"] for a in links] == [
        f"{address}?version=1",
        f"/he{address}?version=1",
        f"/ar{address}?version=1",
    ]
    # Each language is named in its own words; the page's own is marked current.
    assert [a.get_text() for a in links] == ["English", "עברית", "العربية"]
    current = [a["lang"] for a in links if a.get("aria-current")]
    assert current == [{"": "en-gb", "/he": "he", "/ar": "ar"}[prefix]]


def test_every_public_page_names_its_alternates_in_the_head(client, records):
    address = f"/eras/{records.era.slug}/"
    for prefix in ("", "/he", "/ar"):
        head = _soup(client.get(prefix + address)).head
        alternates = {
            link["hreflang"]: link["href"]
            for link in head.find_all("link", rel="alternate")
            if link.has_attr("hreflang")
        }
        assert alternates == {
            "en": f"http://testserver{address}",
            "he": f"http://testserver/he{address}",
            "ar": f"http://testserver/ar{address}",
            "x-default": f"http://testserver{address}",
        }


def test_the_sitemap_lists_public_pages_in_each_language_and_no_draft(client, records):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = BeautifulSoup(response.content, "xml")
    locations = [loc.get_text() for loc in xml.find_all("loc")]
    dialogue = records.dialogue.get_absolute_url()
    for prefix in ("", "/he", "/ar"):
        assert f"http://testserver{prefix}{dialogue}" in locations
        assert f"http://testserver{prefix}/participants/{records.participant.slug}/" in locations
        assert f"http://testserver{prefix}/places/{records.place.slug}/" in locations
    assert not [loc for loc in locations if records.draft.slug in loc]
    # Each entry names the others with hreflang, English as the default.
    entry = next(url for url in xml.find_all("url") if url.loc.get_text().endswith(dialogue))
    alternates = {link["hreflang"]: link["href"] for link in entry.find_all("link")}
    assert alternates["he"] == f"http://testserver/he{dialogue}"
    assert alternates["ar"] == f"http://testserver/ar{dialogue}"
    assert alternates["x-default"] == f"http://testserver{dialogue}"


def test_a_draft_seen_by_staff_is_still_not_in_the_sitemap(admin_client, records):
    assert records.draft.slug not in admin_client.get("/sitemap.xml").content.decode()


def test_arabic_has_six_plural_forms_for_a_count():
    with translation.override("ar"):
        said = {
            n: ngettext("%(n)s record", "%(n)s records", n) % {"n": n}
            for n in (0, 1, 2, 3, 11, 100)
        }
    assert said == {
        0: "0 سجل",
        1: "سجل واحد",
        2: "سجلان",
        3: "3 سجلات",
        11: "11 سجلًّا",
        100: "100 سجل",
    }
    assert len(set(said.values())) == 6


def test_a_page_count_in_arabic_uses_the_form_of_its_number(client, records):
    for n, words in ((1, "مشارك واحد"), (2, "مشاركان")):
        page = _soup(client.get("/ar/participants/" + ("?side=israeli" if n == 1 else "")))
        assert words in page.select_one("main p[role=status]").get_text()


def test_dates_are_said_in_the_page_language(client, records):
    assert dates.display("2025-03-18") == "18 March 2025"
    with translation.override("he"):
        assert dates.display_localized("2025-03-18") == "18 במרץ 2025"
        assert dates.display_localized("1976~") == "בסביבות 1976"
        # The stored English words never change with the language.
        assert dates.display("1976~") == "c. 1976"
    with translation.override("ar"):
        assert dates.display_localized("2000-07") == "يوليو 2000"
        assert dates.display_localized("2006?") == "2006 (غير مؤكد)"
    page = _soup(client.get(f"/he/dialogues/{records.dialogue.slug}/"))
    assert page.select_one(".record-date").get_text(strip=True) == "בסביבות מאי 1993"
    english = _soup(client.get(f"/dialogues/{records.dialogue.slug}/"))
    assert english.select_one(".record-date").get_text(strip=True) == "c. May 1993"


def test_record_text_is_marked_as_untranslated_english(client, records):
    page = _soup(client.get(f"/ar/dialogues/{records.dialogue.slug}/"))
    title = page.h1.find("span", class_="untranslated")
    assert title is not None and title["lang"] == "en"
    assert title.get_text() == "Harbour talks"
    # English pages show the same text with no mark.
    english = _soup(client.get(f"/dialogues/{records.dialogue.slug}/"))
    assert english.h1.find("span") is None and english.h1.get_text() == "Harbour talks"


def test_names_and_numbers_are_isolated_on_right_to_left_pages(client, records):
    page = _soup(client.get(f"/he/participants/{records.participant.slug}/"))
    name = page.h1.bdi
    assert name is not None and name["lang"] == "en" and name.get_text() == "Ann Person"
    date = page.select_one("ol.participations .date bdi")
    assert date is not None


def test_a_page_in_one_language_only_offers_no_other(client, records, settings, tmp_path):
    from dialogues.models import Participation
    from dialogues.releases.writer import make_release

    settings.TRACKII_RELEASES_DIR = tmp_path
    make_release("1.0.0")
    row = Participation.objects.get(dialogue=records.dialogue, participant__slug="ann-person")
    row.withheld = True
    row.save()
    # A withdrawn release's file answers at its one citable address with a page saying why.
    response = client.get("/data/1.0.0.zip")
    assert response.status_code == 410
    page = _soup(response)
    assert page.select("nav.language-switcher") == []
    assert page.head.find_all("link", hreflang=True) == []
    # The page about the releases is said in each language, and offers the others.
    switcher = _soup(client.get("/data/")).select("nav.language-switcher a[hreflang]")
    assert [a["href"] for a in switcher] == ["/data/", "/he/data/", "/ar/data/"]
