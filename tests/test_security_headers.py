"""Every page carries the Content-Security-Policy and Permissions-Policy headers."""

import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from .factories import make_dialogue

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize(
    "url", ["/", "/dialogues/", "/timeline/", "/about/", "/admin/login/", "/api/eras/"]
)
def test_every_answer_carries_the_policy(client, url):
    policy = directives(client.get(url))
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]


def test_the_record_page_lets_through_only_the_json_ld_with_its_nonce(client):
    dialogue = make_dialogue(slug="oslo")
    response = client.get(dialogue.get_absolute_url())
    script_src = directives(response)["script-src"]
    nonces = [v for v in script_src if v.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = re.fullmatch(r"'nonce-(.+)'", nonces[0]).group(1)
    page = BeautifulSoup(response.content, "html.parser")
    inline = [s for s in page.find_all("script") if not s.get("src")]
    assert [s["type"] for s in inline] == ["application/ld+json"]
    assert all(s["nonce"] == nonce for s in inline)


def test_each_request_gets_a_new_nonce(client):
    make_dialogue(slug="oslo")
    first = directives(client.get("/dialogues/oslo/"))["script-src"]
    second = directives(client.get("/dialogues/oslo/"))["script-src"]
    assert first != second


@pytest.mark.parametrize("feature", ["camera", "microphone", "geolocation", "payment", "usb"])
def test_the_permissions_policy_denies_unused_features(client, feature):
    policy = client.get(reverse("dialogues:about"))["Permissions-Policy"]
    assert f"{feature}=()" in [part.strip() for part in policy.split(",")]
