"""No string of ours is shown untranslated on a page in Hebrew or Arabic.

Every public page kind is found by walking the URL conf (as the masking walk does), filled in with
the records of a small archive built in code, and rendered under /he/ and /ar/. Each text a reader
meets (text nodes outside script and style, and the attributes people see or hear: title,
aria-label, alt, placeholder, a button's value) must hold no Latin letters, unless an ancestor
says it is in another language (`lang="en"` on the archive's own English record text, `lang="zxx"`
on a code or address), or the word is one of a few names that have no Hebrew or Arabic form.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup, Comment, Doctype
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from dialogues.models import (
    Conflict,
    Dialogue,
    Era,
    Organisation,
    Participant,
    Place,
    Series,
    Source,
)
from tests.i18n.archive import build

LANGUAGES = ("he", "ar")

# Names of formats, standards and services, written as they are in every language.
ALLOWED = {
    "API",  # the JSON API
    "BibTeX",
    "CSL-JSON",
    "CSV",
    "EDTF",  # the Library of Congress date format
    "GeoNames",  # a gazetteer's name
    "ISO",  # ISO 3166 country codes
    "JSON",
    "OAI-PMH",
    "RIS",
    "SVG",
    "PNG",
    "Natural",  # Natural Earth, the public-domain map data, named in map captions
    "Earth",
}
SEEN_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
# Text inside a drawing (SVG <title>, <desc>, <text>) and the page's <title> cannot carry a lang
# of its own for a part; there a Latin word must be a word of the archive's own record text.
WHOLE_TEXT = {"title", "desc", "text"}

# The slug that fills each kind of record page's address, by the address's first segment.
SLUG_OF = {
    "dialogues": "dialogue",
    "eras": "era",
    "participants": "participant",
    "sources": "source",
    "organisations": "organisation",
    "places": "place",
    "series": "series",
}


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _language_routes() -> list[str]:
    """The routes served in each language (inside i18n_patterns), without their prefix."""
    routes = []
    # Under English the prefix of the i18n patterns is empty: the routes read as English's.
    with translation.override(settings.LANGUAGE_CODE):
        found = list(_routes())
    for route in found:
        # i18n_patterns' resolver prints as the active language's prefix ("" for English).
        # The release files keep one address (only the page about them is said in each language).
        if route.startswith(("admin/", "feeds/", "oai/", "data/<", "healthz", "sitemap")):
            continue
        routes.append(route)
    return routes


def _address(route: str, records) -> str | None:
    """A concrete address for `route`, or None for routes that serve no HTML page."""
    if route.startswith("api/") or "<str:fmt>" in route or route.endswith((".svg", ".png")):
        return None
    first = route.split("/", 1)[0]
    slug = getattr(records, SLUG_OF.get(first, ""), None)
    address = route
    if "<slug:slug>" in address:
        assert slug is not None, f"no record fills {route}"
        address = address.replace("<slug:slug>", slug.slug)
    address = address.replace("<int:number>", "1")
    assert "<" not in address, f"the walk cannot fill {route}"
    return "/" + address


def _record_words() -> set[str]:
    """Every Latin word of the archive's own record text: names, titles, summaries."""
    words: set[str] = set()
    fields = {
        Dialogue: ("title", "summary", "place"),
        Era: ("name", "summary"),
        Participant: ("name",),
        Conflict: ("name",),
        Source: ("title", "author", "publication"),
        Organisation: ("name",),
        Place: ("name",),
        Series: ("name",),
    }
    for model, names in fields.items():
        for row in model.objects.values_list(*names):
            for value in row:
                words |= set(LATIN_WORD.findall(value or ""))
    return words


def _foreign(element, language: str) -> bool:
    """Whether `element` or an ancestor is marked as being in another language."""
    for node in [element, *element.parents]:
        lang = getattr(node, "attrs", {}).get("lang") if hasattr(node, "attrs") else None
        if lang is not None:
            return lang.split("-")[0] != language
    return False


def untranslated(html: str, language: str, record_words: set[str]) -> list[str]:
    """The texts of a page that show Latin words not marked as another language."""
    soup = BeautifulSoup(html, "html.parser")
    found = []

    def check(text: str, element, where: str):
        words = set(LATIN_WORD.findall(text)) - ALLOWED
        if not words:
            return
        if _foreign(element, language):
            return
        if element.name in WHOLE_TEXT and words <= record_words:
            return
        found.append(f"{where}: {text.strip()[:120]!r}")

    for node in soup.find_all(string=True):
        if isinstance(node, (Comment, Doctype)) or node.parent.name in {"script", "style"}:
            continue
        if node.strip():
            check(str(node), node.parent, f"<{node.parent.name}>")
    for element in soup.find_all(True):
        for attribute in SEEN_ATTRIBUTES:
            if element.has_attr(attribute):
                check(element[attribute], element, f"<{element.name} {attribute}>")
        if element.name in {"input", "button"} and element.get("type") in {"submit", "button"}:
            if element.has_attr("value"):
                check(element["value"], element, f"<{element.name} value>")
    return found


@pytest.fixture
def records(db):
    return build()


@pytest.fixture
def releases_dir(tmp_path, settings):
    folder = tmp_path / "releases"
    settings.TRACKII_RELEASES_DIR = folder
    return folder


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_kind_is_in_the_page_language(client, records, releases_dir, language):
    from dialogues.releases.writer import make_release

    # A release, so that the data releases page shows one in full.
    make_release("1.0.0")
    addresses = [a for a in (_address(r, records) for r in _language_routes()) if a]
    assert "/data/" in addresses
    # The walk finds the pages; a few addresses show what only a query shows (chips, the
    # sentence, a zoomed timeline, an unknown version, filtered networks and participants).
    addresses += [
        f"/dialogues/?era={records.era.slug}&side=israeli&from=1990&to=1999",
        f"/dialogues/?participant={records.participant.slug}&outcome=understanding",
        "/dialogues/?page=99",
        f"/timeline/?era={records.era.slug}",
        "/network/?side=israeli",
        "/participants/?side=israeli",
        f"/dialogues/{records.dialogue.slug}/v/99/",
    ]
    assert len(addresses) >= 15
    words = _record_words()
    problems = {}
    for address in addresses:
        response = client.get(f"/{language}{address}")
        assert response.status_code in {200, 404}, address
        assert response["Content-Type"].startswith("text/html"), address
        html = response.content.decode()
        assert f'<html lang="{language}" dir="rtl">' in html, address
        found = untranslated(html, language, words)
        if found:
            problems[address] = found
    assert not problems, "\n".join(f"{a}: {p}" for a, ps in problems.items() for p in ps[:8])


def test_the_check_finds_an_untranslated_string():
    """The checker itself: a Latin phrase of ours fails; the same marked lang="en", a format's
    name, or a record's own name inside a drawing does not."""
    page = (
        '<html lang="he"><body><p>שלום Search</p><p lang="en">Harbour talks</p>'
        "<p>הורדה CSV</p><svg><title>Harbour (3)</title></svg>"
        '<button aria-label="Close">x</button></body></html>'
    )
    found = untranslated(page, "he", {"Harbour"})
    assert found == ["<p>: 'שלום Search'", "<button>: 'x'", "<button aria-label>: 'Close'"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_withdrawn_record_and_an_unknown_page_number_are_said_in_the_page_language(
    client, records, language
):
    from django.utils import timezone

    from dialogues.models import Status
    from tests.factories import make_dialogue

    make_dialogue(
        slug="withdrawn-meeting",
        title="A meeting that never was",
        era=records.era,
        date="1999",
        status=Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
        withdrawal_reason="The only source described another meeting.",
        replaced_by=records.dialogue,
    )
    words = _record_words()
    response = client.get(f"/{language}/dialogues/withdrawn-meeting/")
    assert response.status_code == 410
    html = response.content.decode()
    assert untranslated(html, language, words) == []
    # The reason is the archive's own English text, marked so.
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one(".withdrawal-reason span[lang=en]") is not None
    response = client.get(f"/{language}/participants/?page=0")
    note = BeautifulSoup(response.content, "html.parser").select_one("p.note")
    assert note is not None and untranslated(str(note), language, words) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_error_pages_are_in_the_page_language(client, records, language):
    from django.template.loader import render_to_string

    response = client.get(f"/{language}/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}" dir="rtl">' in html
    assert untranslated(html, language, set()) == []
    # The server error page is drawn without the request, in the language of the address.
    with translation.override(language):
        html = render_to_string("500.html")
    assert f'<html lang="{language}" dir="rtl">' in html
    assert untranslated(html, language, set()) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_data_releases_page_is_in_the_page_language_and_links_one_address_per_file(
    client, records, releases_dir, language
):
    from dialogues.models import Participation
    from dialogues.releases.writer import make_release

    make_release("1.0.0")
    # A name withheld since 1.0.0 withdraws it; 1.0.1 replaces it.
    row = Participation.objects.get(dialogue=records.dialogue, participant__slug="ann-person")
    row.withheld = True
    row.save()
    make_release("1.0.1")
    response = client.get(f"/{language}/data/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}" dir="rtl">' in html
    assert untranslated(html, language, _record_words()) == []
    soup = BeautifulSoup(html, "html.parser")
    withdrawn = soup.select_one("section#v1\\.0\\.0 .withdrawal-reason")
    assert withdrawn is not None and withdrawn.find("a", href="#v1.0.1") is not None
    # The files keep their one unprefixed address; the page itself has one in each language.
    files = [a["href"] for a in soup.select("section#v1\\.0\\.1 a[href]") if "1.0.1" in a["href"]]
    assert "/data/1.0.1.zip" in files and "/data/1.0.1/CHANGELOG.md" in files
    assert all(href.startswith("/data/1.0.1") for href in files), files
    switcher = {a["href"] for a in soup.select("a[hreflang]")}
    assert {"/data/", "/he/data/", "/ar/data/"} <= switcher, switcher
    alternates = {link["hreflang"] for link in soup.select('link[rel="alternate"][hreflang]')}
    assert {"en", "he", "ar"} <= alternates
