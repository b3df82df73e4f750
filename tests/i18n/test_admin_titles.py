"""The admin's header and title are said in the editor's language, like the rest of the admin."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db
LATIN = re.compile(r"[A-Za-z]")


def admin_index(client, language: str) -> BeautifulSoup:
    client.force_login(User.objects.create_superuser("chief", password="a long chief password"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/admin/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_the_admin_header_and_title_are_english_in_english(client):
    soup = admin_index(client, settings.LANGUAGE_CODE)
    assert "Track II Dialogue Archive: editors" in soup.select_one("#site-name").get_text()
    assert "Track II archive editors" in soup.title.get_text()


@pytest.mark.parametrize("language", ["he", "ar"])
def test_the_admin_header_and_title_are_in_the_editors_language(client, language):
    soup = admin_index(client, language)
    header = soup.select_one("#site-name").get_text(strip=True)
    title = soup.title.get_text(strip=True)
    assert header and not LATIN.search(header), header
    assert "Track II" not in title and "editors" not in title, title
