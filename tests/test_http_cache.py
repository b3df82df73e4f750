"""Public pages carry an ETag and shared-cache lifetimes, answer a matching If-None-Match with
a cheap 304, and nothing personal, private or refused is ever marked cacheable."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from dialogues import caching
from dialogues.models import Dialogue, Status

from .factories import make_dialogue


def today():
    """Today, read when a test runs (a date read at collection is yesterday's after midnight)."""
    return timezone.localdate()


PUBLIC_ADDRESSES = [
    "/",
    "/about/",
    "/dialogues/",
    "/dialogues/?era=nineties&sort=title",
    "/dialogues/?q=Oslo",
    "/dialogues/oslo/",
    "/dialogues/oslo/history/",
    "/dialogues/oslo/cite.bib",
    "/timeline/",
    "/eras/nineties/",
    "/participants/",
    "/participants/israeli-academic/",
    "/api/dialogues/",
    "/api/dialogues/?era=nineties",
    "/api/dialogues/oslo/",
    "/api/eras/",
    "/api/participants/",
    "/api/sources/",
    "/api/openapi.json",
    "/dialogues/export.csv",
    "/dialogues/export.json?era=nineties",
]


@pytest.fixture(autouse=True)
def _noon(monkeypatch):
    """Run at noon: a lifetime never reaches past midnight, and these tests may run at 23:59."""
    noon = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(12)))
    monkeypatch.setattr(timezone, "localtime", lambda *a, **kw: noon)


def directives(response) -> dict[str, str | None]:
    found = {}
    for part in response.get("Cache-Control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name:
            found[name.lower()] = value or None
    return found


def assert_private(response):
    cache_control = directives(response)
    assert "no-store" in cache_control and "private" in cache_control, response.get("Cache-Control")
    assert "public" not in cache_control and "s-maxage" not in cache_control
    assert not response.has_header("ETag")


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_a_public_read_carries_a_stable_tag_and_shared_lifetimes(client, small_archive, address):
    first = client.get(address)
    second = client.get(address)
    assert first.status_code == second.status_code == 200
    assert re.fullmatch(r'W/"[0-9a-f]{32}"', first["ETag"])
    assert first["ETag"] == second["ETag"]
    cache_control = directives(first)
    assert "public" in cache_control and "private" not in cache_control
    assert int(cache_control["max-age"]) == 60
    assert int(cache_control["s-maxage"]) == 300
    assert "Cookie" in first["Vary"]
    assert not first.cookies


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_a_matching_if_none_match_is_answered_304_without_a_body(client, small_archive, address):
    tag = client.get(address)["ETag"]
    again = client.get(address, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert read(again) == b""
    assert again["ETag"] == tag
    assert "public" in directives(again)
    # Several tags, one of them current, as a cache holding several copies sends them.
    listed = client.get(address, headers={"If-None-Match": f'W/"0", {tag}'})
    assert listed.status_code == 304


def test_the_304_is_answered_before_the_view_runs(client, small_archive, django_assert_num_queries):
    tag = client.get("/dialogues/?era=nineties")["ETag"]
    # One query: the archive's generation. No session, facet, count or row is read.
    with django_assert_num_queries(1):
        assert client.get("/dialogues/?era=nineties", headers={"If-None-Match": tag}).status_code
    head = client.head("/dialogues/?era=nineties", headers={"If-None-Match": tag})
    assert head.status_code == 304


def test_a_stale_or_foreign_tag_gets_the_whole_page(client, small_archive):
    tag = client.get("/dialogues/")["ETag"]
    for sent in ('W/"0123456789abcdef0123456789abcdef"', "*", "not a tag", ""):
        response = client.get("/dialogues/", headers={"If-None-Match": sent})
        assert response.status_code == 200
        assert response["ETag"] == tag


def test_if_modified_since_alone_gets_the_whole_page(client, small_archive):
    # The generation is a counter, not a clock: the page says nothing of modification times.
    response = client.get(
        "/dialogues/", headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}
    )
    assert response.status_code == 200
    assert not response.has_header("Last-Modified")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("/dialogues/", "/dialogues/?era=nineties"),
        ("/dialogues/?era=nineties", "/dialogues/?era=noughties"),
        ("/dialogues/?era=nineties&sort=title", "/dialogues/?sort=title&era=nineties"),
        ("/dialogues/?page=1", "/dialogues/?page=2"),
        ("/dialogues/oslo/cite.bib", "/dialogues/oslo/cite.json"),
        ("/dialogues/export.csv", "/dialogues/export.json"),
        ("/api/dialogues/", "/dialogues/"),
    ],
)
def test_every_address_has_its_own_tag(client, small_archive, one, other):
    assert client.get(one)["ETag"] != client.get(other)["ETag"]
    # And one address's tag never validates another's copy.
    assert client.get(other, headers={"If-None-Match": client.get(one)["ETag"]}).status_code in (
        200,
        404,
    )


def test_the_host_is_part_of_the_tag(client, small_archive):
    # The OpenAPI document names the origin it was asked from as its server.
    here = client.get("/api/openapi.json", HTTP_HOST="localhost")
    there = client.get("/api/openapi.json", HTTP_HOST="127.0.0.1")
    assert here["ETag"] != there["ETag"]


def test_an_edit_changes_every_tag_and_shows_at_once(client, small_archive):
    record = small_archive.oslo
    addresses = ["/dialogues/", record.get_absolute_url(), "/api/dialogues/", "/timeline/"]
    before = {address: client.get(address)["ETag"] for address in addresses}
    record.title = "The Oslo back channel, corrected"
    record.save()
    for address in addresses:
        response = client.get(address, headers={"If-None-Match": before[address]})
        assert response.status_code == 200, address
        assert response["ETag"] != before[address]
    page = BeautifulSoup(client.get(record.get_absolute_url()).content, "html.parser")
    assert "The Oslo back channel, corrected" in page.h1.get_text()


def test_publishing_a_draft_changes_the_list_tag(client, small_archive):
    draft = make_dialogue(era=small_archive.oslo.era, status=Status.DRAFT, title="Quiet draft")
    before = client.get("/dialogues/")
    draft.status = Status.PUBLISHED
    draft.save()
    after = client.get("/dialogues/", headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert "Quiet draft" in after.content.decode()


def test_the_day_is_part_of_the_tag(client, small_archive, monkeypatch):
    todays_tag = client.get("/dialogues/")["ETag"]
    tomorrow = today() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **kw: tomorrow)
    response = client.get("/dialogues/", headers={"If-None-Match": todays_tag})
    assert response.status_code == 200
    assert response["ETag"] != todays_tag


def test_an_embargo_lifting_at_midnight_is_not_hidden_by_a_304(client, small_archive, monkeypatch):
    tomorrow = today() + datetime.timedelta(days=1)
    embargoed = make_dialogue(era=small_archive.oslo.era, embargo_until=tomorrow, title="Lifted")
    tag = client.get("/dialogues/")["ETag"]
    assert "Lifted" not in client.get("/dialogues/").content.decode()
    monkeypatch.setattr(timezone, "localdate", lambda *a, **kw: tomorrow)
    response = client.get("/dialogues/", headers={"If-None-Match": tag})
    assert response.status_code == 200
    assert embargoed.title in response.content.decode()


def test_lifetimes_never_reach_past_midnight(client, small_archive, monkeypatch):
    late = timezone.make_aware(datetime.datetime.combine(today(), datetime.time(23, 59, 30)))
    monkeypatch.setattr(timezone, "localtime", lambda *a, **kw: late)
    cache_control = directives(client.get("/dialogues/"))
    assert int(cache_control["max-age"]) == 30
    assert int(cache_control["s-maxage"]) == 30


@override_settings(CACHE_MAX_AGE=0, CACHE_S_MAXAGE=15)
def test_lifetimes_come_from_the_settings(client, small_archive):
    cache_control = directives(client.get("/dialogues/"))
    assert cache_control["max-age"] == "0"
    assert cache_control["s-maxage"] == "15"


# --- What is never kept -----------------------------------------------------------------------


def test_editors_get_private_answers_and_no_304(editor_client, small_archive):
    for address in ("/dialogues/", small_archive.oslo.get_absolute_url(), "/api/dialogues/"):
        response = editor_client.get(address)
        assert response.status_code == 200
        assert_private(response)
        assert "Cookie" in response["Vary"]


def test_a_reader_tag_never_answers_an_editor(client, editor, small_archive):
    tag = client.get("/dialogues/")["ETag"]
    client.force_login(editor)
    response = client.get("/dialogues/", headers={"If-None-Match": tag})
    assert response.status_code == 200
    assert_private(response)


def test_a_staff_preview_of_a_draft_is_private(editor_client, small_archive):
    draft = make_dialogue(era=small_archive.oslo.era, status=Status.DRAFT)
    response = editor_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert_private(response)


def test_a_draft_answers_readers_404_that_no_cache_keeps(client, small_archive):
    draft = make_dialogue(era=small_archive.oslo.era, status=Status.DRAFT)
    never = client.get("/dialogues/no-such-record/")
    hidden = client.get(draft.get_absolute_url())
    assert hidden.status_code == never.status_code == 404
    assert_private(hidden)
    # The same headers as an address that never existed, so the draft cannot be told apart.
    assert hidden["Cache-Control"] == never["Cache-Control"]


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("/dialogues/no-such-record/", 404),
        ("/api/dialogues/no-such-record/", 404),
        ("/api/dialogues/?era=atlantis", 404),
        ("/api/dialogues/?page_size=0", 400),
        ("/api/nothing-here", 404),
        ("/dialogues/oslo/cite.xml", 404),
        ("/no-such-page/", 404),
    ],
)
def test_error_answers_are_not_kept(client, small_archive, address, status):
    response = client.get(address)
    assert response.status_code == status
    assert_private(response)


@pytest.mark.parametrize("method", ["post", "put", "delete", "options"])
def test_other_methods_are_not_kept(client, small_archive, method):
    response = getattr(client, method)("/dialogues/")
    assert response.status_code == 405
    assert_private(response)


@override_settings(RATE_LIMIT=(1, 60))
def test_a_rate_limited_refusal_is_not_kept_and_a_304_is_not_counted(client, small_archive):
    first = client.get("/api/dialogues/")
    assert first.status_code == 200
    # Revalidating does no work, so it does not use up the limit.
    for _ in range(3):
        assert (
            client.get("/api/dialogues/", headers={"If-None-Match": first["ETag"]}).status_code
            == 304
        )
    refused = client.get("/api/dialogues/?era=nineties")
    assert refused.status_code == 429
    assert_private(refused)


@override_settings(QUERY_TIMEOUT_MS=1)
def test_a_query_budget_refusal_is_not_kept(client, small_archive, monkeypatch):
    from trackii import query_budget

    monkeypatch.setattr(query_budget, "ran_out", lambda exception: True)

    def fail(*args, **kwargs):
        raise RuntimeError("stopped")

    monkeypatch.setattr("dialogues.pages.views.Browse", fail)
    response = client.get("/dialogues/")
    assert response.status_code == 503
    assert_private(response)


def test_the_admin_and_its_login_are_never_kept(editor_client, db):
    login = Client().get("/admin/login/")
    assert login.status_code == 200
    assert_private(login)
    assert login.cookies  # the login form's CSRF cookie
    assert_private(editor_client.get("/admin/"))
    assert_private(editor_client.get("/admin/dialogues/dialogue/"))


def test_the_health_check_is_never_kept(client, db):
    response = client.get("/healthz")
    assert response.content == b"ok"
    assert_private(response)


def test_an_old_address_redirect_and_a_tombstone_are_kept_like_a_page(client, small_archive):
    record = small_archive.oslo
    old = record.get_absolute_url()
    record.slug = "oslo-channel"
    record.save()
    moved = client.get(old)
    assert moved.status_code == 301
    assert "public" in directives(moved) and not moved.has_header("ETag")
    record.status = Status.WITHDRAWN
    record.withdrawal_reason = "A duplicate of another record."
    record.save()
    gone = client.get(record.get_absolute_url())
    assert gone.status_code == 410
    assert "public" in directives(gone)


# --- The CSP nonce and a cached page ----------------------------------------------------------


def csp_nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


def test_a_cached_record_page_carries_the_nonce_its_body_uses(client, small_archive):
    response = client.get(small_archive.oslo.get_absolute_url())
    script = BeautifulSoup(response.content, "html.parser").select_one(
        'script[type="application/ld+json"]'
    )
    assert script["nonce"] == csp_nonce(response)
    # Each 200 has its own nonce, in its header and its body alike.
    other = client.get(small_archive.oslo.get_absolute_url())
    assert csp_nonce(other) != csp_nonce(response)


def test_a_304_sends_no_policy_to_replace_the_cached_pages(client, small_archive):
    # A cache updates a stored page's headers from a 304: a new nonce there would no longer
    # match the nonce in the stored body, so the 304 carries no policy at all.
    tag = client.get(small_archive.oslo.get_absolute_url())["ETag"]
    again = client.get(small_archive.oslo.get_absolute_url(), headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert not again.has_header("Content-Security-Policy")
    assert not again.has_header("Content-Security-Policy-Report-Only")


def test_the_tag_rests_on_the_database_not_on_the_cache(client, small_archive):
    tag = client.get("/dialogues/")["ETag"]
    cache.clear()
    # With nothing cached, the generation is read from the database: the tag still holds.
    assert client.get("/dialogues/", headers={"If-None-Match": tag}).status_code == 304
    # A change the cache never heard of (a queryset update bumps no signal) still changes it,
    # as soon as the generation moves in the database.
    Dialogue.objects.filter(slug="oslo").update(title="Changed behind the cache's back")
    caching.bump()
    assert client.get("/dialogues/", headers={"If-None-Match": tag}).status_code == 200


# --- The settings -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["soon", "-5", "1.5"])
def test_a_bad_lifetime_stops_start_up_saying_what_is_accepted(value):
    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TRACKII_"))}
    env.pop("DATABASE_URL", None)
    env.update(DJANGO_DEBUG="true", TRACKII_CACHE_S_MAXAGE=value)
    completed = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode != 0
    assert f"TRACKII_CACHE_S_MAXAGE={value!r} is not a number of seconds" in completed.stderr


def test_the_openapi_document_is_tagged_by_the_code_alone(client, small_archive):
    tag = client.get("/api/openapi.json")["ETag"]
    small_archive.oslo.title = "Retitled"
    small_archive.oslo.save()
    assert client.get("/api/openapi.json", headers={"If-None-Match": tag}).status_code == 304
