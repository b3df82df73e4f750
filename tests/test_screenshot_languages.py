"""`make screenshots` per language: the addresses and file names it uses, and what it refuses."""

import pytest

from scripts import screenshots


@pytest.mark.parametrize(
    ("path", "lang", "expected"),
    [
        ("/timeline/", "en", "/timeline/"),
        ("/timeline/", "he", "/he/timeline/"),
        ("/", "ar", "/ar/"),
        ("/dialogues/?q=oslo", "ar", "/ar/dialogues/?q=oslo"),
        # The admin keeps its one address; its language comes from the cookie.
        ("/admin/dialogues/dialogue/1/change/", "he", "/admin/dialogues/dialogue/1/change/"),
    ],
)
def test_each_page_is_taken_at_its_address_in_the_language(path, lang, expected):
    assert screenshots.address(path, lang) == expected


def test_files_of_other_languages_are_named_apart_and_english_keeps_its_names():
    assert screenshots.name("home", "en", 390, "light") == "home-390-light"
    assert screenshots.name("home", "he", 390, "light") == "home-he-390-light"
    assert screenshots.name("record", "ar", "print") == "record-ar-print"


def test_a_language_not_offered_is_refused_with_the_choices(capsys):
    with pytest.raises(SystemExit) as stopped:
        screenshots.main(["--lang", "fr"])
    assert stopped.value.code == 2
    assert "choose from 'ar', 'en', 'he'" in capsys.readouterr().err
