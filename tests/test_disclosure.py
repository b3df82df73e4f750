"""Confidential participation: a withheld name appears at no public address before its date,
and everywhere after it, without anyone saving anything in between."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dialogues.listing.browse import Browse
from dialogues.listing.facets import facet_counts
from dialogues.listing.filters import DialogueFilterSet
from dialogues.models import WITHHELD_NAME, Background, Citation, Dialogue, Participation, Side
from dialogues.search.index import rebuild_index, stale_dialogues
from dialogues.search.queryset import search_queryset
from dialogues.search.snippets import snippets
from tests.admin_forms import admin_url, errors_in, inline_prefix, open_form, soup_of
from tests.factories import add_participant, make_archive, make_participant

NAME, SLUG = "Zebulon Quartermaine", "zebulon-quartermaine"
SECRET_WORDS = ("zebulon", "quartermaine")

WRITES = {"INSERT", "UPDATE", "DELETE"}


def _today():
    return timezone.localdate()


@pytest.fixture
def confidential(db):
    """The small archive, with Zebulon Quartermaine withheld from its fullest record for a month.

    He is the only politician in the archive, so the background facet would give him away.
    """
    archive = make_archive()
    zebulon = make_participant(
        slug=SLUG, name=NAME, side=Side.PALESTINIAN, background=Background.POLITICIAN
    )
    participation = add_participant(archive.record, zebulon)
    Participation.objects.filter(pk=participation.pk).update(
        withheld=True, withheld_until=_today() + datetime.timedelta(days=30)
    )
    Citation.objects.create(
        dialogue=archive.record,
        source=archive.sources[0],
        participant=zebulon,
        excerpt="One of them had come at great personal risk",
        paragraph=9,
    )
    # Inside the test's transaction nothing commits, so the on-commit reindex never runs.
    rebuild_index()
    archive.participation = Participation.objects.get(pk=participation.pk)
    archive.zebulon = zebulon
    return archive


def _addresses(archive) -> dict[str, str]:
    record = archive.record
    return {
        "home": "/",
        "list": "/dialogues/",
        "search": "/dialogues/?q=Quartermaine",
        "facets-side": "/dialogues/?side=palestinian",
        "facets-background": "/dialogues/?background=politician",
        "timeline": "/timeline/",
        "era": record.era.get_absolute_url(),
        "participants": "/participants/",
        "participants-side": "/participants/?side=palestinian",
        "source": archive.sources[0].get_absolute_url(),
        "about": "/about/",
        "record": record.get_absolute_url(),
        "bibtex": f"/dialogues/{record.slug}/cite.bib",
        "csl-json": f"/dialogues/{record.slug}/cite.json",
        "api-dialogues": "/api/dialogues/?page_size=100",
        "api-search": "/api/dialogues/?q=Quartermaine",
        "api-dialogue": f"/api/dialogues/{record.slug}/",
        "api-participants": "/api/participants/?page_size=100",
        "api-openapi": "/api/openapi.json",
        "export-csv": "/dialogues/export.csv",
        "export-json": "/dialogues/export.json",
    }


def _text(response) -> str:
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    if response["Content-Type"].startswith("text/html"):
        return BeautifulSoup(body, "html.parser").get_text(" ") + " " + _attributes(body)
    return body


def _attributes(html: str) -> str:
    """Every attribute value of the page (links, JSON-LD, form values), which text omits."""
    soup = BeautifulSoup(html, "html.parser")
    values = [str(v) for tag in soup.find_all(True) for v in tag.attrs.values()]
    values += [script.string or "" for script in soup.find_all("script")]
    return " ".join(values)


def _citation_urls(client, record):
    page = BeautifulSoup(client.get(record.get_absolute_url()).content, "html.parser")
    return [a["href"] for a in page.select(".cite-actions a[download]")]


def test_the_addresses_walked_include_the_record_citations(client, confidential):
    # The walk names the citation downloads by hand; this keeps it honest about their form.
    urls = _citation_urls(client, confidential.record)
    assert urls == [_addresses(confidential)["bibtex"], _addresses(confidential)["csl-json"]]


def test_a_withheld_name_appears_at_no_public_address_before_its_date(client, confidential):
    for kind, url in _addresses(confidential).items():
        response = client.get(url)
        assert response.status_code == 200, kind
        text = _text(response).casefold()
        # A search page repeats the words searched for; it must find nothing with them.
        echoed = {"quartermaine"} if "search" in kind else set()
        for word in {*SECRET_WORDS, SLUG} - echoed:
            assert word not in text, (kind, word)
    record_page = client.get(confidential.record.get_absolute_url())
    assert WITHHELD_NAME in _text(record_page)
    assert client.get(confidential.zebulon.get_absolute_url()).status_code == 404
    assert client.get("/api/participants/?page_size=100").json()["count"] == 3


def test_filtering_by_a_withheld_slug_finds_nothing_and_says_what_it_says_of_a_made_up_one(
    client, confidential
):
    hidden = client.get(f"/dialogues/?participant={SLUG}")
    made_up = client.get("/dialogues/?participant=nobody-at-all")
    assert hidden.status_code == made_up.status_code == 200
    soup = BeautifulSoup(hidden.content, "html.parser")
    assert NAME.casefold() not in soup.get_text(" ").casefold()
    error = soup.select_one(".errors").get_text(" ")
    assert "There is no participant" in error
    other = BeautifulSoup(made_up.content, "html.parser").select_one(".errors").get_text(" ")
    assert error.replace(SLUG, "X") == other.replace("nobody-at-all", "X")
    # The API answers an unknown slug with 404, the same for a withheld one as a made-up one.
    api = client.get(f"/api/dialogues/?participant={SLUG}")
    made_up_api = client.get("/api/dialogues/?participant=nobody-at-all")
    assert api.status_code == made_up_api.status_code == 404
    assert NAME not in api.content.decode()
    assert api.content.decode().replace(SLUG, "X") == made_up_api.content.decode().replace(
        "nobody-at-all", "X"
    )


def test_searching_for_a_withheld_name_finds_nothing_and_no_snippet_shows_it(confidential):
    for query in ("Quartermaine", "Zebulon", '"Zebulon Quartermaine"', "Quartermaine OR Nope"):
        assert not search_queryset(Dialogue.objects.all(), query).exists(), query
    # Leaving the name out must not leave the record out either: nothing to exclude.
    assert search_queryset(Dialogue.objects.all(), "-Quartermaine").count() == (
        Dialogue.objects.count()
    )
    shown = snippets([confidential.record.pk], confidential.record.title.split()[0])
    assert all("quartermaine" not in str(text).casefold() for text in shown.values())


def test_counts_do_not_reveal_more_than_the_page_shows(confidential):
    facets = dict((facet.name, counts) for facet, counts in facet_counts(DialogueFilterSet(None)))
    assert "politician" not in [value for value, _, _ in facets["background"]]
    # The side facet counts exactly the dialogues whose shown participants include the side.
    shown_palestinian = sum(
        1
        for d in Dialogue.objects.public().with_relations()
        if any(p.participant.side == Side.PALESTINIAN for p in d.participations.all())
    )
    assert dict((v, n) for v, _, n in facets["side"]).get("palestinian", 0) == shown_palestinian
    assert Browse(_query(f"participant={SLUG}")).count == Dialogue.objects.public().count()
    assert Browse(_query("background=politician")).count == 0


def _query(text):
    return QueryDict(text)


def _lift_yesterday(confidential):
    # A queryset update sends no signal: nothing is reindexed or uncached by anyone acting.
    Participation.objects.filter(pk=confidential.participation.pk).update(
        withheld_until=_today() - datetime.timedelta(days=1)
    )
    # Cached figures are keyed by the day, so on the real day they are new keys; this test
    # moves the embargo rather than the clock, so it drops them itself (the clock's own test
    # is test_figures_cached_before_the_day_do_not_outlive_it).
    cache.clear()


def test_after_its_date_the_name_appears_everywhere_once_the_daily_command_has_run(
    client, confidential
):
    _lift_yesterday(confidential)
    # Every page decides from the stored date; only the search index needs the daily command,
    # and until it runs the name is simply not yet searchable.
    assert search_queryset(Dialogue.objects.all(), "Quartermaine").count() == 0
    assert stale_dialogues() == {confidential.record.pk}
    call_command("lift_embargoes", stdout=io.StringIO())
    addresses = _addresses(confidential)
    # The citations name no participant at all, so they are not among these.
    # "zebulon" is not a word searched for, so on the search pages it can only be a result.
    shown = ("search", "api-search", "facets-background", "record", "api-dialogue", "api-dialogues")
    for kind in (*shown, "export-csv", "export-json"):
        text = _text(client.get(addresses[kind])).casefold()
        assert "zebulon" in text, kind
    record = BeautifulSoup(client.get(addresses["record"]).content, "html.parser")
    json_ld = json.loads(record.find("script", type="application/ld+json").string)
    assert NAME in [agent["name"] for agent in json_ld["attendee"]]
    assert client.get(confidential.zebulon.get_absolute_url()).status_code == 200
    assert NAME in _text(client.get("/participants/?side=palestinian"))
    assert SLUG in _text(client.get("/api/participants/?page_size=100"))
    found = set(
        search_queryset(Dialogue.objects.all(), "Quartermaine").values_list("pk", flat=True)
    )
    assert found == {confidential.record.pk}
    assert stale_dialogues() == set()
    assert Browse(_query(f"participant={SLUG}")).count == 1
    assert Browse(_query("background=politician")).count == 1


def test_figures_cached_before_the_day_do_not_outlive_it(client, confidential, monkeypatch):
    before = Browse(_query("background=politician"))
    assert before.count == 0 and before.facets  # cached now, under today's key
    day = confidential.participation.withheld_until
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    after = Browse(_query("background=politician"))
    assert after.count == 1
    assert "politician" in [
        v for v, _, _ in dict((f.name, c) for f, c in after.facets)["background"]
    ]
    assert "<mark>" not in client.get("/dialogues/?q=Quartermaine").content.decode()
    call_command("lift_embargoes", stdout=io.StringIO())
    assert client.get("/dialogues/?q=Quartermaine").content.decode().count("<mark>") >= 1


@pytest.mark.parametrize("show_side", [True, False])
def test_the_side_shows_only_when_the_editor_allows(client, confidential, show_side):
    Participation.objects.filter(pk=confidential.participation.pk).update(show_side=show_side)
    soup = BeautifulSoup(client.get(confidential.record.get_absolute_url()).content, "html.parser")
    placeholder = next(li for li in soup.select("ul.people li") if WITHHELD_NAME in li.get_text())
    heading = placeholder.find_parent("ul").find_previous_sibling("h3").get_text()
    assert heading == ("Palestinian" if show_side else "Side not shown")
    assert placeholder.find("a") is None
    person = next(
        p
        for p in client.get(f"/api/dialogues/{confidential.record.slug}/").json()["participants"]
        if p["name_withheld"]
    )
    assert person == {
        "slug": None,
        "name": WITHHELD_NAME,
        "name_withheld": True,
        "kind": None,
        "side": "palestinian" if show_side else None,
        "background": "",
        "role": "participant",
        # A withheld name's capacity and organisation are withheld with it.
        "at_the_table": None,
    }
    facets = dict((f.name, c) for f, c in facet_counts(DialogueFilterSet(None)))
    with_side = Browse(_query("side=palestinian"))
    shown = confidential.record.pk in set(with_side.queryset.values_list("pk", flat=True))
    others = any(
        p.participant.side == Side.PALESTINIAN and not p.withheld
        for p in confidential.record.participations.select_related("participant")
    )
    assert shown == (show_side or others)
    assert dict((v, n) for v, _, n in facets["side"]).get("palestinian", 0) == with_side.count


def test_a_participant_withheld_in_one_dialogue_keeps_a_page_without_it(client, confidential):
    other = next(d for d in confidential.dialogues if d.pk != confidential.record.pk)
    add_participant(other, confidential.zebulon)
    response = client.get(confidential.zebulon.get_absolute_url())
    assert response.status_code == 200
    titles = [
        a.get_text()
        for a in BeautifulSoup(response.content, "html.parser").select("ol.participations a")
    ]
    assert titles == [other.title]
    api = client.get("/api/participants/?page_size=100").json()["results"]
    assert next(p for p in api if p["slug"] == SLUG)["dialogue_count"] == 1


def test_is_withheld_follows_the_date(confidential):
    participation = confidential.participation
    assert participation.is_withheld
    participation.withheld_until = _today()
    assert not participation.is_withheld
    participation.withheld_until = None
    assert participation.is_withheld
    participation.withheld = False
    assert not participation.is_withheld


def test_a_date_without_withholding_is_refused(confidential):
    participation = confidential.participation
    participation.withheld = False
    with pytest.raises(ValidationError) as raised:
        participation.clean()
    assert "withheld_until" in raised.value.message_dict


def test_the_index_notes_which_names_it_left_out_and_the_daily_command_catches_up(
    confidential,
):
    assert stale_dialogues() == set()
    Participation.objects.filter(pk=confidential.participation.pk).update(withheld=False)
    assert stale_dialogues() == {confidential.record.pk}
    assert search_queryset(Dialogue.objects.all(), "Quartermaine").count() == 0
    out = io.StringIO()
    call_command("lift_embargoes", stdout=out)
    assert "Reindexed 1 dialogue" in out.getvalue()
    assert stale_dialogues() == set()
    assert search_queryset(Dialogue.objects.all(), "Quartermaine").count() == 1
    Participation.objects.filter(pk=confidential.participation.pk).update(withheld=True)
    assert stale_dialogues() == {confidential.record.pk}
    call_command("lift_embargoes", stdout=io.StringIO())
    assert search_queryset(Dialogue.objects.all(), "Quartermaine").count() == 0


def test_lifting_embargoes_twice_writes_nothing_the_second_time(confidential):
    _lift_yesterday(confidential)
    call_command("lift_embargoes", stdout=io.StringIO())
    out = io.StringIO()
    with CaptureQueriesContext(connection) as queries:
        call_command("lift_embargoes", stdout=out)
    assert "Nothing to lift" in out.getvalue()
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in WRITES]
    assert writes == []


def test_editors_see_the_name_with_a_withheld_marker_and_set_it_through_the_form(
    admin_client, confidential
):
    url = admin_url("dialogue", "change", confidential.record.pk)
    form, data = open_form(admin_client, url)
    assert NAME in form.get_text(" ") or NAME in str(form)
    until = confidential.participation.withheld_until
    assert f"withheld until {until.day} {until:%B %Y}" in form.get_text(" ")
    prefix = inline_prefix(form, "withheld_until")
    row = next(
        key.rsplit("-", 1)[0]
        for key, value in data.items()
        if key.startswith(prefix)
        and key.endswith("-id")
        and value == str(confidential.participation.pk)
    )
    # The editor lifts the date to next year's first day and lets readers see the side.
    data[f"{row}-withheld_until"] = f"{until.year + 1}-01-01"
    data[f"{row}-show_side"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 302, errors_in(soup_of(response))
    saved = Participation.objects.get(pk=confidential.participation.pk)
    assert saved.withheld and saved.show_side
    assert saved.withheld_until == datetime.date(until.year + 1, 1, 1)
