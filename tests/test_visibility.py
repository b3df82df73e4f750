"""Readers never see a draft, an embargoed or a withdrawn record, at any public address.

One walk goes through every kind of public address with a draft, a dialogue embargoed until
tomorrow and a withdrawn one in the archive, and looks for their titles and slugs in every
page's text and attributes, and in every JSON and CSV body.
"""

from __future__ import annotations

import datetime
import json

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from dialogues import editorial
from dialogues.models import Dialogue, Status
from dialogues.search.index import rebuild_index
from tests.factories import add_participant, make_archive, make_dialogue, make_participant


def today():
    """Today, read when a test runs (a date read at collection is yesterday's after midnight)."""
    return timezone.localdate()


def _secret(archive, slug, title, person, **kw):
    """A dialogue readers must not see, beside the fullest record, with a person of its own."""
    dialogue = make_dialogue(
        slug=slug,
        title=title,
        era=archive.record.era,
        conflict=archive.record.conflict,
        date="2001",
        cite=False,
        summary=f"{title}: a meeting kept back.",
        **kw,
    )
    dialogue.citations.create(
        source=archive.sources[0], paragraph=40, excerpt=f"{title} was agreed."
    )
    add_participant(dialogue, archive.participants[0])
    add_participant(dialogue, make_participant(slug=person.lower().replace(" ", "-"), name=person))
    return dialogue


@pytest.fixture
def hidden(db):
    archive = make_archive()
    draft = _secret(archive, "zanzibar-draft", "Zanzibarish parley", "Quentin Draftsman")
    embargoed = _secret(
        archive,
        "embargoed-parley",
        "Embargoed Wollongong parley",
        "Ottoline Embargo",
        embargo_until=today() + datetime.timedelta(days=1),
    )
    draft.status = Status.DRAFT
    draft.save()
    rebuild_index()
    return archive, draft, embargoed


def _public_urls(archive, draft):
    record, era, source = archive.record, archive.record.era, archive.sources[0]
    return [
        "/",
        "/dialogues/",
        "/dialogues/?q=Zanzibarish",
        "/dialogues/?q=Wollongong",
        "/dialogues/?q=Quentin",
        "/dialogues/?q=parley",
        f"/dialogues/?era={era.slug}",
        "/dialogues/?side=israeli&sort=-date",
        "/dialogues/?from=2001&to=2001",
        "/timeline/",
        era.get_absolute_url(),
        "/participants/",
        "/participants/?side=israeli",
        archive.participants[0].get_absolute_url(),
        source.get_absolute_url(),
        "/about/",
        record.get_absolute_url(),
        f"{record.get_absolute_url()}cite.bib",
        f"{record.get_absolute_url()}cite.json",
        "/api/dialogues/",
        "/api/dialogues/?q=Zanzibarish",
        "/api/dialogues/?page_size=100",
        f"/api/dialogues/{record.slug}/",
        "/api/participants/?page_size=100",
        "/api/eras/",
        "/api/sources/",
        "/api/openapi.json",
        "/dialogues/export.csv",
        "/dialogues/export.json",
        "/dialogues/export.csv?q=parley",
    ]


def _readable(response) -> str:
    """Everything a reader or a program can get from the body: text and every attribute."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8")
    if "html" not in response.get("Content-Type", ""):
        return text
    page = BeautifulSoup(text, "html.parser")
    attributes = [
        " ".join(value) if isinstance(value, list) else value
        for tag in page.find_all(True)
        for value in tag.attrs.values()
    ]
    return " ".join([page.get_text(" "), *attributes])


def _needles(*dialogues):
    needles = []
    for dialogue in dialogues:
        needles += [dialogue.title, dialogue.slug]
    return needles


def test_no_public_address_shows_a_draft_an_embargoed_or_a_withdrawn_record(client, hidden):
    archive, draft, embargoed = hidden
    needles = _needles(draft, embargoed, archive.withdrawn) + [
        "Quentin Draftsman",
        "quentin-draftsman",
        "Ottoline Embargo",
        "ottoline-embargo",
    ]
    for url in _public_urls(archive, draft):
        response = client.get(url)
        assert response.status_code == 200, url
        body = _readable(response)
        for needle in needles:
            assert needle not in body, f"{needle!r} shows at {url}"


@pytest.mark.parametrize(
    "url",
    [
        "/dialogues/{slug}/",
        "/dialogues/{slug}/cite.bib",
        "/dialogues/{slug}/cite.json",
        "/api/dialogues/{slug}/",
        "/participants/quentin-draftsman/",
        "/participants/ottoline-embargo/",
    ],
)
@pytest.mark.parametrize("which", ["draft", "embargoed"])
def test_a_hidden_record_is_not_found_not_gone(client, hidden, url, which):
    _, draft, embargoed = hidden
    record = draft if which == "draft" else embargoed
    response = client.get(url.format(slug=record.slug))
    # 404 as for an address never used: a 410 or 403 would tell that the record exists.
    assert response.status_code == 404
    assert record.title not in response.content.decode()


def test_choosing_a_hidden_participant_as_a_filter_names_no_one(client, hidden):
    page = BeautifulSoup(
        client.get("/dialogues/?participant=quentin-draftsman").content, "html.parser"
    )
    assert "There is no participant" in page.get_text()
    assert "Quentin Draftsman" not in page.get_text()


def test_counts_and_totals_count_only_public_dialogues(client, hidden):
    archive, draft, embargoed = hidden
    public = len(archive.dialogues)
    assert client.get("/api/dialogues/").json()["count"] == public
    home = BeautifulSoup(client.get("/").content, "html.parser")
    totals = [s.get_text() for s in home.select(".counts strong")]
    assert totals[0] == str(public)
    eras = {e["slug"]: e["dialogue_count"] for e in client.get("/api/eras/").json()["results"]}
    assert eras[archive.record.era.slug] == sum(
        d.era_id == archive.record.era_id for d in archive.dialogues
    )
    amos = next(
        p
        for p in client.get("/api/participants/?page_size=100").json()["results"]
        if p["name"] == "Amos Cohen"
    )
    assert amos["dialogue_count"] == public


def test_publishing_shows_the_record_everywhere_at_once(client, hidden):
    archive, draft, _ = hidden
    before = client.get("/api/dialogues/").json()["count"]  # cached now
    editorial.publish(draft, user=None)
    assert client.get("/api/dialogues/").json()["count"] == before + 1
    assert client.get(draft.get_absolute_url()).status_code == 200
    titles = [a.get_text() for a in _cards(client, "/dialogues/?q=Zanzibarish")]
    assert titles == [draft.title]
    assert client.get("/participants/quentin-draftsman/").status_code == 200


def _cards(client, url):
    page = BeautifulSoup(client.get(url).content, "html.parser")
    return page.select(".results .card-title a")


def test_an_embargo_lifts_on_its_day_without_any_save(client, hidden, monkeypatch):
    archive, _, embargoed = hidden
    before = client.get("/api/dialogues/").json()["count"]  # cached on the day before
    assert client.get(embargoed.get_absolute_url()).status_code == 404
    tomorrow = today() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **kw: tomorrow)
    assert client.get("/api/dialogues/").json()["count"] == before + 1
    assert client.get(embargoed.get_absolute_url()).status_code == 200
    assert [a.get_text() for a in _cards(client, "/dialogues/?q=Wollongong")] == [embargoed.title]


@pytest.mark.parametrize(("days", "shown"), [(1, False), (0, True), (-1, True)])
def test_an_embargo_hides_until_its_day(client, db, days, shown):
    dialogue = make_dialogue(embargo_until=today() + datetime.timedelta(days=days))
    assert Dialogue.objects.public().filter(pk=dialogue.pk).exists() is shown
    assert client.get(dialogue.get_absolute_url()).status_code == (200 if shown else 404)


def test_staff_preview_a_draft_with_a_banner_and_readers_do_not(client, hidden, django_user_model):
    _, draft, embargoed = hidden
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    client.force_login(staff)
    for record, words in ((draft, "Draft — not public"), (embargoed, "Embargoed until")):
        response = client.get(record.get_absolute_url())
        assert response.status_code == 200
        banner = BeautifulSoup(response.content, "html.parser").select_one(".preview-banner")
        assert banner is not None and words in banner.get_text()
        assert "no-store" in response["Cache-Control"]
    # The public list is the same for staff: a preview is only at the record's own address.
    assert draft.title not in client.get("/dialogues/").content.decode()


def test_a_public_record_has_no_banner(client, hidden):
    archive, _, _ = hidden
    page = BeautifulSoup(client.get(archive.record.get_absolute_url()).content, "html.parser")
    assert page.select_one(".preview-banner") is None


def test_withdrawn_record_answers_410_with_a_tombstone(client, hidden):
    archive, _, _ = hidden
    withdrawn = archive.withdrawn
    response = client.get(withdrawn.get_absolute_url())
    assert response.status_code == 410
    page = BeautifulSoup(response.content, "html.parser")
    assert page.h1.get_text(strip=True) == withdrawn.title
    facts = dict(
        zip(
            [dt.get_text(strip=True) for dt in page.select(".facts dt")],
            [dd.get_text(" ", strip=True) for dd in page.select(".facts dd")],
            strict=True,
        )
    )
    assert facts["Withdrawn on"] == f"{withdrawn.withdrawn_at:%-d %B %Y}"
    assert facts["Why"] == withdrawn.withdrawal_reason
    assert page.select_one("a.replacement")["href"] == archive.record.get_absolute_url()
    assert client.get(f"{withdrawn.get_absolute_url()}cite.bib").status_code == 410


def test_withdrawn_record_answers_410_in_the_api_envelope(client, hidden):
    archive, _, _ = hidden
    response = client.get(f"/api/dialogues/{archive.withdrawn.slug}/")
    assert response.status_code == 410
    errors = response.json()["errors"]
    assert errors["detail"][0].startswith("withdrawn on ")
    assert errors["reason"] == [archive.withdrawn.withdrawal_reason]
    assert errors["replaced_by"] == [f"http://testserver/api/dialogues/{archive.record.slug}/"]


def test_withdrawing_takes_a_published_record_out_of_lists_and_counts(client, hidden):
    archive, _, _ = hidden
    target = archive.dialogues[0]
    before = client.get("/api/dialogues/").json()["count"]
    editorial.withdraw(target, user=None, reason="A duplicate.")
    assert client.get("/api/dialogues/").json()["count"] == before - 1
    assert client.get(target.get_absolute_url()).status_code == 410
    csv = b"".join(client.get("/dialogues/export.csv").streaming_content).decode()
    assert target.slug not in csv
    payload = json.loads(b"".join(client.get("/dialogues/export.json").streaming_content))
    assert target.slug not in {d["slug"] for d in payload}


def test_the_openapi_document_describes_301_and_410_for_a_record(client, db):
    document = client.get("/api/openapi.json").json()
    responses = document["paths"]["/api/dialogues/{slug}/"]["get"]["responses"]
    assert {"301", "404", "410"} <= set(responses)
    assert "withdrawn" in responses["410"]["description"]


def _grow(n, era, person, source):
    statuses = [Status.PUBLISHED, Status.DRAFT, Status.WITHDRAWN]
    for i in range(n):
        dialogue = make_dialogue(era=era, date="1995", status=statuses[i % 3], cite=False)
        dialogue.citations.create(source=source, paragraph=i + 1, excerpt=f"Met {i}.")
        add_participant(dialogue, person)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/dialogues/",
        "/dialogues/?era={era}",
        "/timeline/",
        "/eras/{era}/",
        "/participants/",
        "/participants/{person}/",
        "/sources/{source}/",
        "/dialogues/{record}/",
        "/api/dialogues/",
        "/api/participants/",
    ],
)
def test_query_count_does_not_grow_with_hidden_records(
    client, db, django_assert_max_num_queries, url
):
    record = make_dialogue(date="1995")
    era, person = record.era, add_participant(record).participant
    source = record.citations.get().source
    address = url.format(era=era.slug, person=person.slug, source=source.slug, record=record.slug)
    _grow(6, era, person, source)
    with django_assert_max_num_queries(30) as small:
        assert client.get(address).status_code == 200
    _grow(60, era, person, source)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(address).status_code == 200


# --- Organisations, places and series ------------------------------------------------------

HIDDEN_AUTHORITIES = (
    "Qorvex Draft Institute",
    "qorvex-draft-institute",
    "Yzerfontein Embargoed",
    "yzerfontein-embargoed",
    "Withdrawn Xanadu forum",
    "withdrawn-xanadu-forum",
)
AUTHORITY_URLS = [
    "/organisations/",
    "/places/",
    "/places/map.svg",
    "/series/",
    "/api/organisations/",
    "/api/places/",
    "/api/series/",
    "/dialogues/?country=NO",
]
FEED_URLS = [
    "/api/changes/?page_size=1000",
    "/feeds/changes.atom",
    "/oai/?verb=ListRecords&metadataPrefix=oai_dc",
    "/oai/?verb=ListIdentifiers&metadataPrefix=oai_dc",
]


@pytest.fixture
def hidden_authorities(hidden, monkeypatch):
    """A draft organisation, an embargoed place and a withdrawn series, all readers saw once
    but the draft, each tied to the fullest public record."""
    from dialogues.feeds import changes
    from dialogues.models import DialoguePlace, Organisation, Place, Series, SeriesMembership

    monkeypatch.setattr(changes, "SETTLE", datetime.timedelta(0))
    archive = hidden[0]
    record = archive.record
    organisation = Organisation.objects.create(
        slug="qorvex-draft-institute", name="Qorvex Draft Institute", kind="ngo"
    )
    row = record.participations.first()
    row.on_behalf_of = organisation
    row.save()
    place = Place.objects.create(
        slug="yzerfontein-embargoed", name="Yzerfontein Embargoed", country="ZA", status="published"
    )
    place.embargo_until = today() + datetime.timedelta(days=1)
    place.save()
    DialoguePlace.objects.create(dialogue=record, place=place, position=9)
    series = Series.objects.create(
        slug="withdrawn-xanadu-forum",
        name="Withdrawn Xanadu forum",
        kind="forum",
        status="published",
    )
    SeriesMembership.objects.create(
        series=series, dialogue=record, position=1, basis="inferred", reason="Same hosts."
    )
    series.status = Status.WITHDRAWN
    series.withdrawn_at = timezone.now()
    series.withdrawal_reason = "A duplicate."
    series.save()
    # OAI-PMH lists up to the current second: move every change a little into the past.
    earlier = timezone.now() - datetime.timedelta(minutes=1)
    Dialogue.objects.update(updated=earlier)
    return hidden, organisation, place, series


def test_no_page_list_or_api_shows_a_hidden_organisation_place_or_series(
    client, hidden_authorities
):
    (archive, draft, _), *_ = hidden_authorities
    for url in [*_public_urls(archive, draft), *AUTHORITY_URLS]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = _readable(response)
        for needle in HIDDEN_AUTHORITIES:
            assert needle not in body, f"{needle!r} shows at {url}"
    for url in (
        "/organisations/qorvex-draft-institute/",
        "/places/yzerfontein-embargoed/",
        "/series/withdrawn-xanadu-forum/",
        "/api/organisations/qorvex-draft-institute/",
        "/api/places/yzerfontein-embargoed/",
    ):
        assert client.get(url).status_code == 404, url


def test_the_feeds_show_no_draft_or_embargoed_record_of_any_kind(client, hidden_authorities):
    (archive, draft, embargoed), *_ = hidden_authorities
    # Titles and names never show; a slug shows only in the removal of a record readers saw
    # (the draft dialogue and the place were public first), never for the organisation, which
    # never was.
    needles = [draft.title, embargoed.title, embargoed.slug, *HIDDEN_AUTHORITIES[:3]]
    for url in FEED_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for needle in needles:
            assert needle not in body, f"{needle!r} shows at {url}"
    # The withdrawn series readers saw is announced as withdrawn, and only there: not in Atom,
    # nor in OAI-PMH, whose records are dialogues.
    items = client.get("/api/changes/?page_size=1000").json()["results"]
    (series,) = [item for item in items if item["kind"] == "series"]
    assert (series["slug"], series["type"]) == ("withdrawn-xanadu-forum", "withdrawn")
    assert series["url"] is None and series["api_url"] is None
    # The embargoed place was public before its embargo: its removal names only its slug.
    (place,) = [item for item in items if item["kind"] == "place"]
    assert place["type"] == "removed" and place["title"] is None
    for url in FEED_URLS[1:]:
        assert "Xanadu" not in client.get(url).content.decode(), url
