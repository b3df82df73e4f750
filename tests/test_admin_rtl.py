"""The editors' admin in Hebrew and Arabic: right to left, a language an editor can choose, and
text boxes that show Hebrew or Arabic typed into them in its own direction on any page."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse

from dialogues.models import Dialogue

from .archives import build_small_archive

pytestmark = pytest.mark.django_db
TEXT_BOXES = "input[type=text], input[type=search], input[type=email], input[type=url], textarea"


@pytest.fixture
def chief(client):
    client.force_login(User.objects.create_superuser("chief", password="a long chief password"))
    return client


def page(client, url: str, language: str | None = None) -> BeautifulSoup:
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    # Adding an import batch leads on to the upload form, which is the form to check.
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def our_admins():
    return sorted(
        (model._meta.model_name, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "dialogues"
    )


def text_boxes_without_dir_auto(soup) -> list[str]:
    form = soup.select_one("#content form")
    assert form is not None
    boxes = form.select(TEXT_BOXES)
    return [box.get("name", "?") for box in boxes if not _has_its_direction(box)]


def _has_its_direction(box) -> bool:
    """Any text box takes its direction from what is typed (`dir="auto"`), except the input of
    a Hebrew or Arabic translation, which says its language and runs right to left."""
    if box.get("lang") in ("he", "ar"):
        return box.get("dir") == "rtl" and box.get("name", "").endswith("_" + box["lang"])
    return box.get("dir") == "auto"


@pytest.mark.parametrize("language", ["he", "ar"])
def test_a_change_page_in_hebrew_or_arabic_reads_right_to_left(chief, language):
    build_small_archive()
    record = Dialogue.objects.order_by("pk").first()
    soup = page(chief, reverse("admin:dialogues_dialogue_change", args=[record.pk]), language)
    assert soup.html["lang"] == language
    assert soup.html["dir"] == "rtl"
    assert soup.select("#content form " + TEXT_BOXES)
    assert text_boxes_without_dir_auto(soup) == []


def test_the_english_admin_reads_left_to_right_with_the_same_text_boxes(chief):
    build_small_archive()
    record = Dialogue.objects.order_by("pk").first()
    soup = page(chief, reverse("admin:dialogues_dialogue_change", args=[record.pk]))
    assert soup.html["dir"] == "ltr"
    assert text_boxes_without_dir_auto(soup) == []


@pytest.mark.parametrize(("name", "model_admin"), our_admins(), ids=[n for n, _ in our_admins()])
def test_every_text_box_of_every_add_form_takes_its_direction_from_its_text(
    chief, name, model_admin
):
    if not model_admin.has_add_permission(_request_of(chief)):
        pytest.skip(f"{name} is never added by hand")
    soup = page(chief, reverse(f"admin:dialogues_{name}_add"), "he")
    assert text_boxes_without_dir_auto(soup) == []


def _request_of(client):
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username="chief")
    return request


def test_an_editor_chooses_the_admins_language(chief):
    soup = page(chief, reverse("admin:index"))
    form = soup.select_one("#user-tools form.admin-language")
    assert form["action"] == reverse("set_language") and form["method"] == "post"
    select = form.select_one("select[name=language]")
    label = soup.select_one(f"label[for={select['id']}]")
    assert label and label.get_text(strip=True)
    assert [o["value"] for o in select.select("option")] == [c for c, _ in settings.LANGUAGES]
    assert select.select_one("option[selected]")["value"] == "en-gb"

    response = chief.post(reverse("set_language"), {"language": "ar", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    soup = page(chief, reverse("admin:index"))
    assert (soup.html["lang"], soup.html["dir"]) == ("ar", "rtl")
    chosen = soup.select_one("#user-tools form.admin-language option[selected]")
    assert chosen["value"] == "ar"


def test_a_language_that_is_not_offered_changes_nothing(chief):
    response = chief.post(reverse("set_language"), {"language": "xx", "next": "/admin/"})
    assert response.status_code == 302
    soup = page(chief, reverse("admin:index"))
    assert soup.html["dir"] == "ltr"


def test_the_public_pages_keep_the_language_of_their_address(chief):
    chief.post(reverse("set_language"), {"language": "he", "next": "/admin/"})
    assert page(chief, "/about/").html["lang"] == "en-gb"
    assert page(chief, "/he/about/").html["lang"] == "he"
