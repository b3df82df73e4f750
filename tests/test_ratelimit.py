"""Searches, exports and API lists past TRACKII_RATE_LIMIT get 429 with Retry-After."""

from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.urls import reverse

from .factories import make_dialogue, make_era

pytestmark = pytest.mark.django_db

LIMIT = 3
SEARCH = reverse("dialogues:dialogue_list") + "?q=talks"
EXPENSIVE = [
    SEARCH,
    reverse("dialogues:export", args=["csv"]),
    reverse("dialogues:api:dialogue_list"),
    reverse("dialogues:api:era_list"),
    # Lists that cost a query per item, as the API's do.
    reverse("dialogues:api:changes"),
    reverse("feeds:changes"),
    reverse("feeds:era_changes", args=["nineties"]),
    reverse("oai") + "?verb=ListRecords&metadataPrefix=oai_dc",
    reverse("oai") + "?verb=ListIdentifiers&metadataPrefix=oai_dc",
]


# The middle of a one-minute window: the limit counts in fixed windows, and a test whose
# requests straddled a window's end would see the count start again.
NOW = 1_800_000_030.0


@pytest.fixture(autouse=True)
def limited(settings, monkeypatch):
    monkeypatch.setattr("trackii.ratelimit.time", SimpleNamespace(time=lambda: NOW))
    settings.RATE_LIMIT = (LIMIT, 60)
    # Each request here is drawn: a copy of a page already drawn is cheap and not counted
    # (test_a_kept_copy_costs_nothing_against_the_limit).
    settings.PAGE_CACHE = False
    settings.API_KEYS = ["a-key-for-a-partner"]
    make_dialogue(slug="oslo", title="Oslo talks", era=make_era(slug="nineties"))


def statuses(client, url, times, **headers):
    return [client.get(url, headers=headers).status_code for _ in range(times)]


@pytest.mark.parametrize("url", EXPENSIVE)
def test_past_the_limit_an_expensive_request_is_refused(client, url):
    assert statuses(client, url, LIMIT + 2) == [200] * LIMIT + [429, 429]


def test_a_kept_copy_costs_nothing_against_the_limit(client, settings):
    settings.PAGE_CACHE = True
    # The first draws the search and counts; the copies after it are answered before the limit.
    assert statuses(client, SEARCH, LIMIT + 2) == [200] * (LIMIT + 2)
    others = [f"{SEARCH}+{word}" for word in ("oslo", "back", "channel", "rome")]
    assert [client.get(url).status_code for url in others] == [200] * (LIMIT - 1) + [429, 429]


def test_the_limit_counts_every_kind_of_expensive_request_together(client):
    refused = len(EXPENSIVE) - LIMIT
    assert [client.get(url).status_code for url in EXPENSIVE] == [200] * LIMIT + [429] * refused


def test_the_refused_page_says_why_and_when_to_retry(client):
    statuses(client, SEARCH, LIMIT)
    response = client.get(SEARCH)
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    page = BeautifulSoup(response.content, "html.parser")
    assert page.h1.get_text() == "Too many requests"
    text = page.main.get_text(" ", strip=True)
    assert f"the limit is {LIMIT} a minute" in text
    assert f"Try again in {retry_after} second{'s' if retry_after != 1 else ''}." in text


def test_the_api_is_refused_with_its_json_envelope(client):
    url = reverse("dialogues:api:dialogue_list")
    statuses(client, url, LIMIT)
    response = client.get(url)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in response
    [message] = response.json()["errors"]["detail"]
    assert "Try again in" in message


@pytest.mark.parametrize(
    "url", [reverse("dialogues:dialogue_list"), "/", "/dialogues/oslo/", "/api/dialogues/oslo/"]
)
def test_cheap_requests_are_never_limited(client, url):
    assert statuses(client, url, LIMIT + 2) == [200] * (LIMIT + 2)


def test_editors_are_exempt(client):
    client.force_login(User.objects.create_user("editor", is_staff=True))
    assert statuses(client, SEARCH, LIMIT + 2) == [200] * (LIMIT + 2)


def test_an_api_key_is_exempt_and_a_wrong_one_is_not(client):
    url = reverse("dialogues:api:dialogue_list")
    assert statuses(client, url, LIMIT + 2, x_api_key="a-key-for-a-partner") == [200] * (LIMIT + 2)
    assert statuses(client, url, LIMIT + 1, x_api_key="a-guess") == [200] * LIMIT + [429]


def test_off_turns_the_limit_off(client, settings):
    settings.RATE_LIMIT = None
    assert statuses(client, SEARCH, LIMIT + 2) == [200] * (LIMIT + 2)


def test_each_address_has_its_own_count(client):
    for _ in range(LIMIT):
        client.get(SEARCH, REMOTE_ADDR="192.0.2.1")
    assert client.get(SEARCH, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get(SEARCH, REMOTE_ADDR="192.0.2.2").status_code == 200


def test_a_forged_forwarded_address_does_not_escape_the_limit_without_a_proxy(client):
    codes = [
        client.get(SEARCH, headers={"x-forwarded-for": f"203.0.113.{n}"}).status_code
        for n in range(LIMIT + 1)
    ]
    assert codes == [200] * LIMIT + [429]


def test_behind_a_proxy_the_address_it_appended_is_counted(client, settings):
    settings.BEHIND_PROXY = True
    for _ in range(LIMIT):
        client.get(SEARCH, headers={"x-forwarded-for": "1.1.1.1, 192.0.2.9"})
    # The client forged the first entry; the proxy appended the address it saw.
    refused = client.get(SEARCH, headers={"x-forwarded-for": "8.8.8.8, 192.0.2.9"})
    other = client.get(SEARCH, headers={"x-forwarded-for": "192.0.2.10"})
    assert (refused.status_code, other.status_code) == (429, 200)


def test_the_openapi_document_declares_the_429(client):
    document = client.get(reverse("dialogues:api:openapi")).json()
    for path in ["/api/dialogues/", "/api/eras/", "/dialogues/export.csv"]:
        refusal = document["paths"][path]["get"]["responses"]["429"]
        assert "Retry-After" in refusal["headers"]
        assert refusal["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Errors"
        }
    assert "429" not in document["paths"]["/api/dialogues/{slug}/"]["get"]["responses"]


@pytest.mark.parametrize(
    "url",
    [
        reverse("oai") + "?verb=ListRecords&metadataPrefix=oai_dc",
        reverse("feeds:changes"),
        reverse("feeds:era_changes", args=["nineties"]),
    ],
)
def test_harvesters_and_feed_readers_are_refused_in_plain_text(client, url):
    statuses(client, url, LIMIT)
    response = client.get(url)
    assert response.status_code == 429
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert 1 <= int(response["Retry-After"]) <= 60
    text = response.content.decode()
    assert f"the limit is {LIMIT} a minute" in text and "<" not in text
