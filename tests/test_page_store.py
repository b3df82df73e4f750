"""The app servers keep whole public answers under their ETag (`http_cache.PageStore`): a second
reader of an address gets the same answer for one cache read, and nothing personal, private,
stale or refused is ever kept or served."""

from __future__ import annotations

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dialogues import editorial
from dialogues.models import Status
from trackii.http_cache import PageStore

from .factories import make_dialogue

ADDRESSES = [
    "/",
    "/dialogues/",
    "/dialogues/?era=nineties&sort=title",
    "/dialogues/?q=Oslo",
    "/dialogues/oslo/",
    "/timeline/",
    "/api/dialogues/?era=nineties",
    "/dialogues/oslo/cite.bib",
]


def nonce_of(response) -> str:
    policy = response["Content-Security-Policy"]
    return policy.split("'nonce-", 1)[1].split("'", 1)[0]


def without_nonce(response) -> bytes:
    body = response.content
    if "'nonce-" in response.get("Content-Security-Policy", ""):
        body = body.replace(nonce_of(response).encode(), b"NONCE")
    return body


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_second_reader_gets_the_kept_answer_without_drawing_it(client, small_archive, address):
    first = client.get(address)
    assert first.status_code == 200
    assert not getattr(first, "http_cache_copy", False)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(address)
    assert second.status_code == 200
    assert getattr(second, "http_cache_copy", False)
    # One read of the generation decides the tag; the page itself costs no query.
    assert len(queries) <= 1, [q["sql"] for q in queries]
    assert without_nonce(second) == without_nonce(first)
    assert second["ETag"] == first["ETag"]
    assert second["Content-Type"] == first["Content-Type"]
    assert "public" in second["Cache-Control"]


def test_each_copy_of_a_record_has_a_fresh_nonce_in_its_body_and_policy(client, small_archive):
    address = small_archive.oslo.get_absolute_url()
    nonces = set()
    for _ in range(3):
        response = client.get(address)
        script = BeautifulSoup(response.content, "html.parser").select_one(
            'script[type="application/ld+json"]'
        )
        assert script["nonce"] == nonce_of(response)
        nonces.add(nonce_of(response))
    assert len(nonces) == 3


def test_a_save_is_shown_at_once_not_the_kept_page(client, small_archive):
    record = small_archive.oslo
    client.get(record.get_absolute_url())
    client.get("/dialogues/")
    record.title = "Corrected title"
    record.save()
    for address in (record.get_absolute_url(), "/dialogues/"):
        response = client.get(address)
        assert not getattr(response, "http_cache_copy", False)
        assert "Corrected title" in response.content.decode()


def test_withdrawing_a_record_never_serves_its_kept_page(client, publisher, small_archive):
    record = small_archive.oslo
    assert client.get(record.get_absolute_url()).status_code == 200
    client.get("/dialogues/")
    editorial.withdraw(record, user=publisher, reason="Duplicate.")
    assert client.get(record.get_absolute_url()).status_code == 410
    listing = BeautifulSoup(client.get("/dialogues/").content, "html.parser")
    assert record.get_absolute_url() not in {a.get("href") for a in listing.select("main a")}


def test_an_embargo_lifting_at_midnight_draws_the_page_again(client, small_archive, monkeypatch):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    make_dialogue(era=small_archive.oslo.era, embargo_until=tomorrow, title="Lifted at midnight")
    assert "Lifted at midnight" not in client.get("/dialogues/").content.decode()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **kw: tomorrow)
    assert "Lifted at midnight" in client.get("/dialogues/").content.decode()


def test_an_editor_s_pages_are_never_kept_nor_served_a_reader_s_copy(editor, small_archive):
    client, editor_client = Client(), Client()
    editor_client.force_login(editor)
    draft = make_dialogue(era=small_archive.oslo.era, status=Status.DRAFT, title="Editors only")
    # An editor's list and preview are drawn for them and kept nowhere.
    assert "Editors only" in editor_client.get(draft.get_absolute_url()).content.decode()
    editor_client.get("/dialogues/")
    assert client.get(draft.get_absolute_url()).status_code == 404
    reader = client.get("/dialogues/")
    assert not getattr(reader, "http_cache_copy", False)
    assert "Editors only" not in reader.content.decode()
    # A reader's copy is never an editor's answer either.
    client.get("/dialogues/")
    editor = editor_client.get("/dialogues/")
    assert not getattr(editor, "http_cache_copy", False)
    assert "private" in editor["Cache-Control"]


def test_a_draft_s_404_is_not_kept(client, small_archive):
    draft = make_dialogue(era=small_archive.oslo.era, status=Status.DRAFT, slug="quiet")
    assert client.get("/dialogues/quiet/").status_code == 404
    draft.status = Status.PUBLISHED
    draft.save()
    assert client.get("/dialogues/quiet/").status_code == 200


def test_streamed_and_oversized_answers_are_drawn_each_time(client, small_archive, monkeypatch):
    client.get("/dialogues/export.csv")
    assert not getattr(client.get("/dialogues/export.csv"), "http_cache_copy", False)
    monkeypatch.setattr(PageStore, "MAX_BYTES", 100)
    client.get("/dialogues/")
    assert not getattr(client.get("/dialogues/"), "http_cache_copy", False)


@override_settings(PAGE_CACHE=False)
def test_the_setting_turns_the_store_off(client, small_archive):
    client.get("/dialogues/")
    assert not getattr(client.get("/dialogues/"), "http_cache_copy", False)
    assert caches["pages"].get("anything") is None


def test_head_requests_are_answered_but_never_kept(client, small_archive):
    assert client.head("/dialogues/").status_code == 200
    assert not getattr(client.get("/dialogues/"), "http_cache_copy", False)
