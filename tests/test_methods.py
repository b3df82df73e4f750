"""Pages answer GET and HEAD; every other method is refused with 405 and `Allow`."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import add_participant, make_dialogue, make_participant

pytestmark = pytest.mark.django_db

REFUSED = ["post", "put", "patch", "delete", "options", "trace"]


@pytest.fixture
def page_urls():
    dialogue = make_dialogue(slug="oslo")
    # A participant's page is public once they are named in a public dialogue.
    participant = make_participant(slug="amos")
    add_participant(dialogue, participant)
    source = dialogue.citations.first().source
    return [
        reverse("dialogues:home"),
        reverse("dialogues:about"),
        reverse("dialogues:dialogue_list"),
        reverse("dialogues:dialogue_list") + "?q=talks",
        dialogue.get_absolute_url(),
        reverse("dialogues:dialogue_citation", args=["oslo", "bib"]),
        reverse("dialogues:timeline"),
        dialogue.era.get_absolute_url(),
        reverse("dialogues:participant_list"),
        participant.get_absolute_url(),
        source.get_absolute_url(),
        reverse("healthz"),
    ]


@pytest.mark.parametrize("method", REFUSED)
def test_every_page_refuses_methods_other_than_get_and_head(client, page_urls, method):
    for url in page_urls:
        response = getattr(client, method)(url)
        assert response.status_code == 405, (method, url, response.status_code)
        assert [m.strip() for m in response["Allow"].split(",")] == ["GET", "HEAD"], url


def test_the_refusal_says_which_methods_are_answered(client):
    response = client.options(reverse("dialogues:about"))
    assert "use GET or HEAD" in response.content.decode()


@pytest.mark.parametrize("method", ["get", "head"])
def test_every_page_still_answers_get_and_head(client, page_urls, method):
    for url in page_urls:
        assert getattr(client, method)(url).status_code == 200, (method, url)


def test_a_post_with_a_csrf_token_required_client_gets_405_not_the_csrf_page():
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("dialogues:dialogue_list")).status_code == 405


@pytest.mark.parametrize(
    "url", [reverse("dialogues:export", args=["csv"]), reverse("dialogues:api:era_list")]
)
@pytest.mark.parametrize("method", REFUSED)
def test_the_export_and_the_api_refuse_other_methods_too(client, url, method):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert "GET" in response["Allow"]


def test_the_admin_login_form_still_posts(client):
    response = client.post(reverse("admin:login"), {"username": "nobody", "password": "wrong"})
    assert response.status_code == 200
