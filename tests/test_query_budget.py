"""A public read that runs past TRACKII_QUERY_TIMEOUT_MS is stopped and answered 503."""

import time

import pytest
from bs4 import BeautifulSoup
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse

from dialogues.listing import browse
from dialogues.pages import views as page_views

from .factories import make_dialogue

pytestmark = pytest.mark.django_db

BUDGET_MS = 50


def count_to(n: int) -> int:
    """Run a query that takes time in proportion to `n`, on SQLite and PostgreSQL alike."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %s) "
            "SELECT count(*) FROM c",
            [n],
        )
        return cursor.fetchone()[0]


# Runs for many seconds unbounded: a bound that failed would show as a slow test, not a hang.
ENDLESS = 20_000_000


def slow(*args, **kwargs):
    count_to(ENDLESS)
    raise AssertionError("the query was not stopped")


@pytest.fixture(autouse=True)
def budget(settings):
    settings.QUERY_TIMEOUT_MS = BUDGET_MS
    settings.RATE_LIMIT = None


def over_the_budget() -> int:
    """A count that takes clearly longer than the budget on this machine."""
    n = 10_000
    while True:
        started = time.monotonic()
        count_to(n)
        if time.monotonic() - started > 3 * BUDGET_MS / 1000:
            return n
        n *= 2


def test_a_search_past_the_bound_gets_a_page_asking_to_narrow_it(client, monkeypatch):
    make_dialogue(slug="oslo", title="Oslo talks")
    monkeypatch.setattr(browse, "facet_counts", slow)
    started = time.monotonic()
    response = client.get(reverse("dialogues:dialogue_list"), {"q": "talks"})
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    page = BeautifulSoup(response.content, "html.parser")
    assert page.h1.get_text() == "Please narrow your search"
    assert "add a filter" in page.main.get_text()


def test_the_api_past_the_bound_answers_its_json_envelope(client, monkeypatch):
    monkeypatch.setattr("dialogues.api.views.selectors.era_list", slow)
    response = client.get(reverse("dialogues:api:era_list"))
    assert response.status_code == 503
    assert response["Access-Control-Allow-Origin"] == "*"
    [message] = response.json()["errors"]["detail"]
    assert "Narrow it" in message


def test_any_public_page_past_the_bound_gets_503_not_500(client, monkeypatch):
    monkeypatch.setattr(page_views.selectors, "archive_counts", slow)
    assert client.get(reverse("dialogues:home")).status_code == 503


def test_the_admin_is_not_bounded(client, monkeypatch):
    n = over_the_budget()
    original = admin.site.each_context

    def each_context(request):
        count_to(n)
        return original(request)

    monkeypatch.setattr(admin.site, "each_context", each_context)
    client.force_login(User.objects.create_superuser("admin", password="x"))
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_bound_is_lifted_when_the_request_ends(client):
    n = over_the_budget()
    assert client.get(reverse("dialogues:about")).status_code == 200
    # The same connection, reused by the next request or command, runs to the end.
    assert count_to(n) == n


def test_a_read_inside_the_bound_is_untouched(client):
    make_dialogue(slug="oslo", title="Oslo talks")
    assert client.get(reverse("dialogues:dialogue_list"), {"q": "talks"}).status_code == 200


def test_zero_turns_the_bound_off(client, settings, monkeypatch):
    settings.QUERY_TIMEOUT_MS = 0
    n = over_the_budget()
    monkeypatch.setattr(page_views.selectors, "archive_counts", lambda: count_to(n) and {})
    assert client.get(reverse("dialogues:home")).status_code == 200
