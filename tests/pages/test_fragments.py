"""Pieces of pages drawn once are drawn again when the archive, the day or the code changes."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from dialogues.models import Participation
from dialogues.pages import fragments
from dialogues.search.index import rebuild_index

from ..factories import add_participant, make_dialogue, make_participant

pytestmark = pytest.mark.django_db


def today():
    """Today, read when a test runs (a date read at collection is yesterday's after midnight)."""
    return timezone.localdate()


def page(client, address):
    response = client.get(address)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def card_titles(soup):
    return [a.get_text() for a in soup.select("article.card .card-title a")]


def timeline_titles(soup):
    return [a.get_text() for a in soup.select(".timeline-dialogues a")]


def test_the_timeline_is_drawn_once_per_generation(
    client, small_archive, django_assert_num_queries
):
    first = page(client, "/timeline/")
    # Drawn already: the generation is all the page reads.
    with django_assert_num_queries(1):
        again = page(client, "/timeline/")
    assert str(again.select_one(".timeline-figure")) == str(first.select_one(".timeline-figure"))
    assert timeline_titles(again) == timeline_titles(first)


def test_an_edit_shows_on_the_timeline_and_in_the_cards_at_once(client, small_archive):
    page(client, "/timeline/"), page(client, "/dialogues/"), page(client, "/eras/nineties/")
    small_archive.oslo.title = "Oslo, retitled"
    small_archive.oslo.save()
    assert "Oslo, retitled" in timeline_titles(page(client, "/timeline/"))
    assert "Oslo, retitled" in card_titles(page(client, "/dialogues/"))
    assert "Oslo, retitled" in card_titles(page(client, "/eras/nineties/"))
    marks = page(client, "/timeline/").select("svg a.tl-dialogue title")
    assert any("Oslo, retitled" in mark.get_text() for mark in marks)


def test_a_withheld_name_appears_in_its_card_on_its_day(client, small_archive, monkeypatch):
    tomorrow = today() + datetime.timedelta(days=1)
    person = make_participant(name="Quiet Envoy")
    participation = add_participant(small_archive.oslo, person)
    Participation.objects.filter(pk=participation.pk).update(withheld=True, withheld_until=tomorrow)
    # A queryset update sends no signal: the day alone must bring the name out.
    before = page(client, "/dialogues/?era=nineties")
    assert "Quiet Envoy" not in before.get_text()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **kw: tomorrow)
    assert "Quiet Envoy" in page(client, "/dialogues/?era=nineties").get_text()


def test_an_embargo_lifting_shows_on_the_timeline_on_its_day(client, small_archive, monkeypatch):
    tomorrow = today() + datetime.timedelta(days=1)
    make_dialogue(era=small_archive.eras[0], embargo_until=tomorrow, title="Lifted at midnight")
    assert "Lifted at midnight" not in timeline_titles(page(client, "/timeline/"))
    monkeypatch.setattr(timezone, "localdate", lambda *a, **kw: tomorrow)
    assert "Lifted at midnight" in timeline_titles(page(client, "/timeline/"))


def test_a_search_snippet_is_part_of_a_card(client, small_archive):
    make_dialogue(era=small_archive.eras[0], summary="The talks turned on water rights.")
    # Inside the test's transaction nothing commits, so the on-commit reindex never runs.
    rebuild_index()
    plain = page(client, "/dialogues/?era=nineties")
    searched = page(client, "/dialogues/?era=nineties&q=water")
    assert plain.select_one(".card-snippet") is None
    assert searched.select_one(".card-snippet mark") is not None
    # And the plain card, drawn first, is not served for the search.
    assert page(client, "/dialogues/?era=nineties").select_one(".card-snippet") is None


def test_a_new_release_draws_again(client, small_archive, monkeypatch):
    page(client, "/timeline/")
    drawn = []
    original = fragments.render_to_string

    def counting(template, context=None, *args, **kwargs):
        drawn.append(template)
        return original(template, context, *args, **kwargs)

    monkeypatch.setattr(fragments, "render_to_string", counting)
    page(client, "/timeline/")
    assert drawn == []
    monkeypatch.setattr(fragments, "code_digest", lambda: "another release")
    page(client, "/timeline/")
    assert "dialogues/_timeline_body.html" in drawn
