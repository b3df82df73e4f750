"""One masking everywhere: a participation that was public (saved in a revision) and then withheld
shows its name, its participant link, its note and its side at no public address, old versions
included. The addresses are found by walking the URL conf, not listed by hand, so a new kind of
public page joins the walk or fails it."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import reversion
from bs4 import BeautifulSoup
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from dialogues.history.records import public_versions
from dialogues.models import (
    WITHHELD_NAME,
    DialoguePlace,
    Organisation,
    Participation,
    Place,
    Role,
    Series,
    SeriesMembership,
    Side,
    Status,
)
from dialogues.pages.pictures.download import figure_png
from dialogues.releases.writer import make_release
from tests.factories import make_conflict, make_dialogue, make_era, make_participant, make_source

NAME, SLUG, NOTE = "Zebulon Quartermaine", "zebulon-quartermaine", "Came at great personal risk"
SECRETS = ("zebulon", "quartermaine", SLUG, "personal risk")
# The withheld participant's side; no one else in the archive has it.
SIDE_WORDS = ("third_party", "third party")


def _patterns(resolver=None, prefix="", namespace=""):
    """Every route of the URL conf as (name with namespace, route text)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            space = ":".join(p for p in (namespace, entry.namespace or "") if p)
            yield from _patterns(entry, route, space)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), route


def public_routes() -> dict[str, str]:
    """The routes readers can reach: everything but the admin."""
    return {
        name: route
        for name, route in _patterns()
        if not route.startswith("admin/") and name is not None
    }


@pytest.fixture
def withheld_later(db, tmp_path, settings):
    """A dialogue saved with its participant public (versions 1 and 2), released (0.9.0), then
    withheld (3) and released again (1.0.0)."""
    settings.TRACKII_RELEASES_DIR = tmp_path / "releases"
    era = make_era(slug="nineties", name="The nineties", date="1990/1999")
    conflict = make_conflict(slug="levant", name="Levant")
    source = make_source(slug="memoir", title="Memoir", date="2001")
    named = make_participant(slug="named-person", name="Named Person", side=Side.ISRAELI)
    zebulon = make_participant(slug=SLUG, name=NAME, side=Side.THIRD_PARTY)
    with reversion.create_revision():
        reversion.set_comment("First entered.")
        talks = make_dialogue(
            slug="talks", title="The talks", era=era, conflict=conflict, date="1993", cite=False
        )
        talks.citations.create(source=source, paragraph=2, excerpt="We met at a farmhouse")
        Participation.objects.create(dialogue=talks, participant=named, role=Role.ORGANISER)
        participation = Participation.objects.create(
            dialogue=talks, participant=zebulon, role=Role.PARTICIPANT, note=NOTE
        )
        talks.save()
    with reversion.create_revision():
        reversion.set_comment("Corrected the place.")
        talks.place = "Sarpsborg"
        talks.save()
    # A release made while the name was public: it holds the name, and is withdrawn below.
    make_release("0.9.0")
    with reversion.create_revision():
        reversion.set_comment("A participant asked for their name to be withheld.")
        participation.withheld = True
        participation.save()
        talks.save()
    # A second public dialogue, so lists and the era have more than the one record.
    other = make_dialogue(slug="other", title="Other talks", era=era, conflict=conflict)
    Participation.objects.create(dialogue=other, participant=named)
    # The field's own records, each public, so their pages and pictures are walked too.
    Organisation.objects.create(
        slug="institute", name="An institute", kind="ngo", status=Status.PUBLISHED
    )
    place = Place.objects.create(
        slug="sarpsborg", name="Sarpsborg", country="NO", status=Status.PUBLISHED
    )
    DialoguePlace.objects.create(dialogue=talks, place=place, position=1)
    series = Series.objects.create(
        slug="channel", name="The channel", kind="channel", status=Status.PUBLISHED
    )
    SeriesMembership.objects.create(series=series, dialogue=talks, position=1)
    make_release("1.0.0")
    return talks


def _urls(talks) -> dict[str, list[str]]:
    """The concrete addresses of each public route, for this archive."""
    versions = [v.number for v in public_versions(talks)]
    oai_id = f"oai:testserver:dialogue/{talks.pk}"
    release_files = json.loads((_release_dir() / "1.0.0" / "manifest.json").read_text())
    names = [entry["path"] for entry in release_files["files"]]
    # Every file of the release made before the withholding too (it is withdrawn: 410).
    before = [f"/data/0.9.0/{name}" for name in names]
    return {
        "healthz": ["/healthz"],
        # The admin's language chooser posts here; read, it only sends the reader back.
        "set_language": ["/i18n/setlang/?next=/"],
        "sitemap": ["/sitemap.xml"],
        "feeds:changes": ["/feeds/changes.atom"],
        "feeds:era_changes": ["/feeds/eras/nineties.atom"],
        "oai": [
            "/oai/?verb=ListRecords&metadataPrefix=oai_dc",
            "/oai/?verb=ListIdentifiers&metadataPrefix=oai_dc",
            f"/oai/?verb=GetRecord&metadataPrefix=oai_dc&identifier={oai_id}",
        ],
        "releases:list": ["/data/"],
        "releases:zip": ["/data/1.0.0.zip", "/data/0.9.0.zip"],
        "releases:manifest": ["/data/1.0.0/manifest.json", "/data/0.9.0/manifest.json"],
        "releases:file": [f"/data/1.0.0/{name}" for name in names] + before,
        "dialogues:home": ["/"],
        "dialogues:about": ["/about/"],
        "dialogues:dialogue_list": [
            "/dialogues/",
            "/dialogues/?q=talks",
            "/dialogues/?side=third_party",
        ],
        "dialogues:export": ["/dialogues/export.csv", "/dialogues/export.json"],
        "dialogues:dialogue": ["/dialogues/talks/"],
        "dialogues:dialogue_citation": [
            f"/dialogues/talks/cite.{fmt}{query}"
            for fmt in ("bib", "json")
            for query in ["", *(f"?version={n}" for n in versions)]
        ],
        "dialogues:dialogue_history": ["/dialogues/talks/history/"],
        "dialogues:dialogue_version": [f"/dialogues/talks/v/{n}/" for n in versions],
        "dialogues:timeline": ["/timeline/"],
        "dialogues:era": ["/eras/nineties/"],
        "dialogues:participant_list": ["/participants/", "/participants/?side=third_party"],
        "dialogues:participant": ["/participants/named-person/", f"/participants/{SLUG}/"],
        "dialogues:source": ["/sources/memoir/"],
        "dialogues:api:dialogue_list": ["/api/dialogues/", "/api/dialogues/?q=talks"],
        "dialogues:api:dialogue": ["/api/dialogues/talks/"],
        "dialogues:api:era_list": ["/api/eras/"],
        "dialogues:api:participant_list": ["/api/participants/"],
        "dialogues:api:source_list": ["/api/sources/"],
        "dialogues:api:changes": ["/api/changes/"],
        "dialogues:api:openapi": ["/api/openapi.json"],
        "dialogues:api:not_found": ["/api/nothing-here/"],
        "dialogues:years_figure": ["/dialogues/years.svg"],
        "dialogues:years_figure_png": ["/dialogues/years.png"],
        "dialogues:timeline_figure": ["/timeline/figure.svg"],
        "dialogues:timeline_figure_png": ["/timeline/figure.png"],
        "dialogues:network": ["/network/", "/network/?side=third_party"],
        "dialogues:network_figure": ["/network/figure.svg"],
        "dialogues:network_figure_png": ["/network/figure.png"],
        "dialogues:organisation_list": ["/organisations/"],
        "dialogues:organisation": ["/organisations/institute/"],
        "dialogues:place_list": ["/places/"],
        "dialogues:place": ["/places/sarpsborg/"],
        "dialogues:map_figure": ["/places/map.svg"],
        "dialogues:map_figure_png": ["/places/map.png"],
        "dialogues:series_list": ["/series/"],
        "dialogues:series": ["/series/channel/"],
        "dialogues:organisation_history": ["/organisations/institute/history/"],
        "dialogues:place_history": ["/places/sarpsborg/history/"],
        "dialogues:series_history": ["/series/channel/history/"],
        "dialogues:api:organisation_list": ["/api/organisations/"],
        "dialogues:api:organisation": ["/api/organisations/institute/"],
        "dialogues:api:place_list": ["/api/places/"],
        "dialogues:api:place": ["/api/places/sarpsborg/"],
        "dialogues:api:series_list": ["/api/series/"],
        "dialogues:api:series": ["/api/series/channel/"],
    }


def _release_dir():
    from django.conf import settings

    return settings.TRACKII_RELEASES_DIR


# Documents that describe the vocabulary (every side is a possible value there), not records.
VOCABULARY_DOCUMENTS = ("openapi.json", "datapackage.json", "codebook.md", "codebook.html")


def _documents(url, response, client) -> list[tuple[str, str]]:
    """The text a response gives, as (name, text): each member of a zip on its own; a figure's
    PNG as the SVG file it is drawn from, once shown to be exactly that file's picture."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type") == "image/png":
        path, _, query = url.partition("?")
        assert path.endswith(".png"), url
        svg = client.get(path.removesuffix(".png") + ".svg" + (f"?{query}" if query else ""))
        text = svg.content.decode("utf-8")
        assert raw == figure_png(text), url
        return [(path, text)]
    if response.get("Content-Type", "").startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return [(n, archive.read(n).decode("utf-8")) for n in archive.namelist()]
    return [(url.split("?")[0], raw.decode("utf-8"))]


def _participants_drawn(body: str, content_type: str) -> str:
    """The part of a page that draws participations, where a side would show: the
    participants' section and the JSON-LD of an HTML page; the whole of any other body
    but the OpenAPI document, which lists every side as a possible value."""
    if not content_type.startswith("text/html"):
        return body
    soup = BeautifulSoup(body, "html.parser")
    parts = [s.get_text(" ") for s in soup.select("section[aria-labelledby=participants-heading]")]
    parts += [s.string or "" for s in soup.find_all("script", type="application/ld+json")]
    return " ".join(parts)


def test_every_public_route_is_walked(withheld_later):
    assert set(public_routes()) == set(_urls(withheld_later))


def test_a_name_withheld_after_it_was_public_shows_at_no_public_address(client, withheld_later):
    talks = withheld_later
    assert len(public_versions(talks)) == 3
    walked = 0
    for urls in _urls(talks).values():
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, url
            kind = response.get("Content-Type", "")
            for document, body in _documents(url, response, client):
                folded = body.casefold()
                for secret in SECRETS:
                    assert secret.casefold() not in folded, (url, document, secret)
                if not document.endswith(VOCABULARY_DOCUMENTS):
                    drawn = _participants_drawn(body, kind).casefold()
                    for side in SIDE_WORDS:
                        assert side not in drawn, (url, document, side)
            walked += 1
    assert walked > 40
    # Every version page says a name is withheld, and links no participant page for it.
    for n in (1, 2, 3):
        page = BeautifulSoup(client.get(f"/dialogues/talks/v/{n}/").content, "html.parser")
        people = page.select("ul.people li")
        assert len(people) == 2 and WITHHELD_NAME in people[-1].get_text()
        assert people[-1].find("a") is None
        assert people[-1].find_parent("ul").find_previous_sibling("h3").get_text() == (
            "Side not shown"
        )
        json_ld = json.loads(page.find("script", type="application/ld+json").string)
        assert WITHHELD_NAME in [agent["name"] for agent in json_ld["attendee"]]


def test_the_side_shows_in_old_versions_when_the_editor_allows_it_today(client, withheld_later):
    Participation.objects.filter(participant__slug=SLUG).update(show_side=True)
    page = BeautifulSoup(client.get("/dialogues/talks/v/1/").content, "html.parser")
    placeholder = next(li for li in page.select("ul.people li") if WITHHELD_NAME in li.get_text())
    heading = placeholder.find_parent("ul").find_previous_sibling("h3").get_text()
    assert heading == Side.THIRD_PARTY.label
    assert NAME not in page.get_text()


def test_a_name_whose_withholding_has_lifted_shows_in_every_version(client, withheld_later):
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    Participation.objects.filter(participant__slug=SLUG).update(withheld_until=yesterday)
    for n in (1, 2, 3):
        page = BeautifulSoup(client.get(f"/dialogues/talks/v/{n}/").content, "html.parser")
        link = page.select_one(f"ul.people a[href='/participants/{SLUG}/']")
        assert link is not None and link.get_text() == NAME, n
        assert NOTE in page.get_text()


def test_a_row_removed_and_added_again_withheld_is_masked_in_old_versions(client, withheld_later):
    talks = withheld_later
    zebulon = Participation.objects.get(participant__slug=SLUG)
    person = zebulon.participant
    with reversion.create_revision():
        zebulon.delete()
        talks.save()
    with reversion.create_revision():
        Participation.objects.create(dialogue=talks, participant=person, withheld=True)
        talks.save()
    # Versions 1 and 2 hold the old row, saved before it was withheld.
    for n in range(1, len(public_versions(talks)) + 1):
        text = client.get(f"/dialogues/talks/v/{n}/").content.decode()
        assert NAME not in text and NOTE not in text, n
