"""Where the sources differ: each version is shown with its own citation, and nothing is chosen."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def about(client) -> BeautifulSoup:
    response = client.get(reverse("dialogues:about"))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def two_sided(topic="Who coined the term"):
    early = f.make_source(title="An Early Essay", date="2006?")
    late = f.make_source(title="A Later Post", date="2025-03-20")
    return f.make_disagreement(
        (early, 3, "coined by J. M. several decades ago", "Several decades ago."),
        (late, 4, "coined in 1982 by J. M.", "In 1982."),
        topic=topic,
    )


def test_the_about_page_shows_each_version_with_its_source_and_paragraph(client):
    point = two_sided()

    block = about(client).find(id=f"differ-{point.slug}").find_parent("section")

    assert block.find("h3").get_text(strip=True) == "Who coined the term"
    items = block.find_all("li")
    assert len(items) == 2
    for item, side in zip(items, point.citations.order_by("source__date_earliest"), strict=True):
        assert item.find("blockquote").get_text(strip=True) == f"“{side.excerpt}”"
        assert item.find("a", href=side.source.get_absolute_url())
        assert f"paragraph {side.paragraph}" in item.get_text(" ", strip=True)
        assert side.says in item.get_text(" ", strip=True)


def test_the_about_page_says_so_when_no_disagreement_is_recorded(client):
    text = about(client).find(id="differ").find_parent("section").get_text(" ", strip=True)
    assert "No disagreements between the sources are recorded." in text


def test_the_about_page_query_count_does_not_grow_with_disagreements(client):
    two_sided("One")
    with CaptureQueriesContext(connection) as few:
        about(client)
    for n in range(4):
        two_sided(f"More {n}")
    with CaptureQueriesContext(connection) as many:
        about(client)
    assert len(many) == len(few)
