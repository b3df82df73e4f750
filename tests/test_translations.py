"""The archive's Hebrew and Arabic translations of its records' words.

The English stays the record; a translation sits beside it, says it is the archive's, and a
field with none falls back to the English marked `lang="en"`. Excerpts stay verbatim.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import reversion
from bs4 import BeautifulSoup
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from reversion.models import Version

from dialogues.api.exports import CSV_COLUMNS
from dialogues.history.diff import compare
from dialogues.imports import apply
from dialogues.models import Citation, Dialogue, Era, Participation
from dialogues.models.translations import translated_fields
from dialogues.releases.codebook import markdown
from dialogues.releases.writer import make_release
from tests.admin_forms import admin_url, open_form, soup_of
from tests.factories import make_dialogue, make_era, make_participant, make_source
from tests.imports.conftest import csv_bytes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HEBREW = re.compile("[\u0590-\u05ff]")
ARABIC = re.compile("[\u0600-\u06ff]")


def address(obj, lang: str) -> str:
    """The record's page in `lang` (`/he/…`, `/ar/…`, or unprefixed in English)."""
    with translation.override(lang):
        return obj.get_absolute_url()


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def talks(db):
    """A dialogue with its title translated into Hebrew only, a participation note translated
    into Arabic only, and an excerpt translated into Hebrew."""
    era = make_era(slug="nineties", name="The nineties", name_he="שנות התשעים", date="1990/1999")
    dialogue = make_dialogue(
        slug="talks",
        title="Talks in Oslo",
        title_he="שיחות באוסלו",
        summary="Academics met <in secret>.",
        era=era,
        date="1993",
        cite=False,
    )
    Citation.objects.create(
        dialogue=dialogue,
        source=make_source(slug="memoir", title="Memoir"),
        excerpt="We met at a farmhouse near Oslo",
        excerpt_he="נפגשנו בחווה ליד אוסלו",
        paragraph=7,
    )
    Participation.objects.create(
        dialogue=dialogue,
        participant=make_participant(slug="yair", name="Yair", bio="An academic."),
        note="Organised the first round.",
        note_ar="نظّم الجولة الأولى.",
    )
    return dialogue


# --- The English stays the record --------------------------------------------------------


@pytest.mark.django_db
def test_the_original_field_stays_english_in_every_language(talks):
    for lang in ("he", "ar", "en-gb"):
        with translation.override(lang):
            dialogue = Dialogue.objects.get(pk=talks.pk)
            assert dialogue.title == "Talks in Oslo"
            # Filters and ordering read the English column, not the page language's.
            assert Dialogue.objects.filter(title="Talks in Oslo").count() == 1
            sql = str(Dialogue.objects.order_by("title").query)
            assert '"title_he"' not in sql.split("ORDER BY")[1]
            assert Dialogue(title="Another").title_he is None


def test_translated_fields_are_listed_per_model():
    assert set(translated_fields(Dialogue)) == {"title", "summary", "date_note"}
    assert set(translated_fields(Era)) == {"name", "summary", "boundary_note"}
    assert translated_fields(Citation) == ("excerpt",)


# --- The template tag ----------------------------------------------------------------------


def render(obj, field, lang):
    template = Template("{% load translated %}{% translated obj field %}")
    with translation.override(lang):
        return template.render(Context({"obj": obj, "field": field}))


def test_english_pages_show_the_english_escaped_and_unmarked():
    dialogue = Dialogue(title="A <b> title", title_he="כותרת")
    assert render(dialogue, "title", "en-gb") == "A &lt;b&gt; title"


def test_a_translation_is_shown_in_the_page_language_marked_as_the_archive_s():
    dialogue = Dialogue(title="Talks", title_he="שיחות <ב>")
    span = BeautifulSoup(render(dialogue, "title", "he"), "html.parser").span
    assert span["lang"] == "he" and "archive-translation" in span["class"]
    assert span.get_text() == "שיחות <ב>"  # escaped, so read back as text


@pytest.mark.parametrize("lang", ["he", "ar"])
def test_a_field_without_translation_falls_back_to_english_marked(lang):
    dialogue = Dialogue(title="Talks <here>", title_he="   ")
    span = BeautifulSoup(render(dialogue, "title", lang), "html.parser").span
    assert span["lang"] == "en" and "untranslated" in span["class"]
    assert span.get_text() == "Talks <here>"


def test_an_empty_field_shows_nothing_in_any_language():
    for lang in ("en-gb", "he", "ar"):
        assert render(Dialogue(date_note=""), "date_note", lang) == ""


# --- The record pages ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_hebrew_record_page_shows_the_translation_and_says_whose_it_is(client, talks):
    page = soup(client.get(address(talks, "he")))
    title = page.select_one("h1 span")
    assert (title["lang"], title.get_text()) == ("he", "שיחות באוסלו")
    # No Hebrew summary: the English, marked for screen readers and as untranslated.
    summary = page.select_one("p.summary span")
    assert summary["lang"] == "en" and "untranslated" in summary["class"]
    assert summary.get_text() == "Academics met <in secret>."
    note = page.select_one(".translation-note")
    assert note is not None and note["data-translation"] == "he"
    # The era's name in the kicker is translated too.
    assert page.select_one(".kicker span").get_text() == "שנות התשעים"
    # The participation note has only an Arabic translation: English here.
    assert page.select_one(".participation-note span")["lang"] == "en"


@pytest.mark.django_db
def test_an_excerpt_stays_verbatim_in_english_with_its_translation_beside_it(client, talks):
    page = soup(client.get(address(talks, "he")))
    quote = page.select_one("ol.citations blockquote")
    assert quote["lang"] == "en"
    assert quote.get_text(strip=True) == "“We met at a farmhouse near Oslo”"
    beside = quote.find_next_sibling("p", class_="excerpt-translation")
    assert beside is not None and beside["lang"] == "he"
    assert "נפגשנו בחווה ליד אוסלו" in beside.get_text()
    assert beside.select_one(".translation-label").get_text(strip=True)
    # Never in its place: the translation is not inside the quotation.
    assert "נפגשנו" not in quote.get_text()


@pytest.mark.django_db
def test_an_excerpt_without_translation_has_nothing_beside_it(client, talks):
    page = soup(client.get(address(talks, "ar")))
    assert page.select_one("ol.citations blockquote")["lang"] == "en"
    assert page.select_one(".excerpt-translation") is None
    # The Arabic note of the participation is shown, marked as the archive's.
    note = page.select_one(".participation-note span")
    assert (note["lang"], note.get_text()) == ("ar", "نظّم الجولة الأولى.")


@pytest.mark.django_db
def test_the_english_page_is_unchanged_by_translations(client, talks):
    page = soup(client.get(address(talks, "en-gb")))
    assert page.h1.get_text(strip=True) == "Talks in Oslo"
    assert page.select_one(".translation-note") is None
    assert page.select_one(".excerpt-translation") is None
    assert "שיחות" not in page.get_text()


@pytest.mark.django_db
def test_a_page_without_any_translation_says_it_is_shown_in_english(client, talks):
    Dialogue.objects.filter(pk=talks.pk).update(title_he=None)
    Era.objects.update(name_he=None)
    Citation.objects.update(excerpt_he=None)
    page = soup(client.get(address(talks, "he")))
    assert page.select_one(".translation-note")["data-translation"] == "none"
    assert page.select_one("h1 span")["lang"] == "en"


@pytest.mark.django_db
def test_the_era_and_participant_pages_use_their_translations(client, talks):
    era_page = soup(client.get(address(talks.era, "he")))
    assert era_page.select_one("h1 span").get_text() == "שנות התשעים"
    assert era_page.select_one("p.summary span")["lang"] == "en"
    person = talks.participations.get().participant
    person_page = soup(client.get(address(person, "ar")))
    bio = person_page.select_one("p.summary span")
    assert (bio["lang"], bio.get_text()) == ("en", "An academic.")


@pytest.mark.django_db
def test_a_withheld_participation_s_translated_note_is_masked(client, talks):
    Participation.objects.update(withheld=True)
    page = soup(client.get(address(talks, "ar")))
    text = page.get_text()
    assert "نظّم الجولة الأولى" not in text and "Organised the first round" not in text
    api = client.get(reverse("dialogues:api:dialogue", args=["talks"]))
    assert "نظّم" not in api.content.decode()


# --- History -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_history_keeps_a_translation_s_versions_and_the_diff_names_it(client, editor_client, talks):
    with reversion.create_revision():
        talks.save()
    url = admin_url("dialogue", "change", talks.pk)
    form, data = open_form(editor_client, url, reason="Hebrew title corrected")
    field = form.select_one("[name=title_he]")
    assert (field["lang"], field["dir"]) == ("he", "rtl")
    assert form.select_one("[name=summary_ar]")["dir"] == "rtl"
    data["title_he"] = "שיחות אוסלו"
    assert editor_client.post(url, data).status_code == 302

    versions = list(Version.objects.get_for_object(talks))
    assert [v.field_dict["title_he"] for v in versions] == ["שיחות אוסלו", "שיחות באוסלו"]
    assert all(v.field_dict["title"] == "Talks in Oslo" for v in versions)
    changes = compare(versions[1], versions[0]).fields
    assert [(c.name, c.label, c.before, c.after) for c in changes] == [
        ("title_he", "title (Hebrew translation)", "שיחות באוסלו", "שיחות אוסלו")
    ]
    diff_page = soup_of(
        editor_client.get(reverse("admin:dialogues_version_diff", args=[versions[0].pk]))
    )
    assert "Title (Hebrew translation)" in diff_page.get_text()
    # The first public version, read in Hebrew, shows the translation as it was then.
    with translation.override("he"):
        old_url = reverse("dialogues:dialogue_version", args=["talks", 1])
    old = soup(client.get(old_url))
    assert old.select_one("h1 span").get_text() == "שיחות באוסלו"


# --- API, exports, imports, releases -------------------------------------------------------


@pytest.mark.django_db
def test_the_api_gives_translations_by_language_tag_and_keeps_its_english_keys(client, talks):
    for lang in ("en-gb", "he"):
        with translation.override(lang):
            url = reverse("dialogues:api:dialogue", args=["talks"])
        item = client.get(url).json()
        assert item["title"] == "Talks in Oslo"
        assert item["translations"]["he"] == {
            "title": "שיחות באוסלו",
            "summary": None,
            "date_note": None,
        }
        assert item["translations"]["ar"]["title"] is None
        assert item["sources"][0]["excerpt"] == "We met at a farmhouse near Oslo"
        assert item["sources"][0]["translations"] == {
            "he": {"excerpt": "נפגשנו בחווה ליד אוסלו"},
            "ar": {"excerpt": None},
        }
    eras = client.get(reverse("dialogues:api:era_list")).json()
    (era,) = [e for e in eras.get("results", eras) if e["slug"] == "nineties"]
    assert era["translations"]["he"] == {"name": "שנות התשעים", "summary": None}


@pytest.mark.django_db
def test_the_exports_carry_the_translations(client, talks):
    items = json.loads(b"".join(client.get(reverse("dialogues:export", args=["json"]))))
    assert items[0]["translations"]["he"]["title"] == "שיחות באוסלו"
    assert items[0]["sources"][0]["translations"]["he"]["excerpt"] == "נפגשנו בחווה ליד אוסלו"
    body = b"".join(client.get(reverse("dialogues:export", args=["csv"]))).decode("utf-8")
    row = next(csv.DictReader(io.StringIO(body)))
    assert (row["title"], row["title_he"], row["title_ar"]) == ("Talks in Oslo", "שיחות באוסלו", "")
    assert {"summary_he", "summary_ar", "date_note_he", "date_note_ar"} <= set(row)


@pytest.mark.django_db
def test_an_import_reads_the_translation_columns(client, editor, talks):
    body = b"".join(client.get(reverse("dialogues:export", args=["csv"]))).decode("utf-8")
    row = next(csv.DictReader(io.StringIO(body)))
    assert list(row) == list(CSV_COLUMNS)
    row["summary_ar"] = "التقى أكاديميون سرًا."
    batch, plan = apply.store("talks.csv", csv_bytes(row), user=editor)
    assert not plan.ignored_columns
    apply.run_import(batch, user=editor)
    talks.refresh_from_db()
    assert talks.summary_ar == "التقى أكاديميون سرًا."
    assert talks.title_he == "שיחות באוסלו" and talks.summary == "Academics met <in secret>."


@pytest.mark.django_db
def test_a_release_carries_translations_in_tagged_columns(tmp_path, settings, talks):
    settings.TRACKII_RELEASES_DIR = tmp_path / "releases"
    Participation.objects.update(withheld=True)
    folder = make_release("1.0.0").path

    def table(name):
        with open(folder / "data" / f"{name}.csv", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    (dialogue,) = table("dialogues")
    assert (dialogue["title"], dialogue["title_he"], dialogue["title_ar"]) == (
        "Talks in Oslo",
        "שיחות באוסלו",
        "",
    )
    (citation,) = table("citations")
    assert (citation["excerpt"], citation["excerpt_he"]) == (
        "We met at a farmhouse near Oslo",
        "נפגשנו בחווה ליד אוסלו",
    )
    assert table("eras")[0]["name_he"] == "שנות התשעים"
    (withheld,) = table("participations")
    assert withheld["note"] == withheld["note_ar"] == ""
    codebook = (folder / "codebook.md").read_text(encoding="utf-8")
    assert "### Translations" in codebook and "`title_he`" in codebook


def test_the_codebook_describes_each_translation_column():
    text = markdown("1.0.0", "2026-12-07")
    assert "The archive's own Hebrew translation (language tag `he`) of `title`" in text
    assert "The archive's own Arabic translation (language tag `ar`) of `excerpt`" in text


# --- The fixtures --------------------------------------------------------------------------


def fixture_records(name, model):
    records = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return [r["fields"] for r in records if r["model"] == model]


TRANSLATED_FIXTURES = [
    *((fields, ("name", "summary")) for fields in fixture_records("eras.json", "dialogues.era")),
    *(
        (fields, ("title", "summary"))
        for fields in fixture_records("dialogues.json", "dialogues.dialogue")
    ),
]


def test_the_fixtures_translate_every_era_and_the_nine_dialogues():
    assert len(fixture_records("dialogues.json", "dialogues.dialogue")) == 9
    assert len(fixture_records("eras.json", "dialogues.era")) == 8
    for fields, names in TRANSLATED_FIXTURES:
        for name in names:
            assert HEBREW.search(fields.get(f"{name}_he") or ""), (fields["slug"], name)
            assert ARABIC.search(fields.get(f"{name}_ar") or ""), (fields["slug"], name)
            # Each in its own script: no Arabic in the Hebrew, and no Hebrew in the Arabic.
            assert not ARABIC.search(fields[f"{name}_he"]), (fields["slug"], name)
            assert not HEBREW.search(fields[f"{name}_ar"]), (fields["slug"], name)


NUMBER = re.compile(r"\d+")


@pytest.mark.parametrize("lang", ["he", "ar"])
def test_a_fixture_translation_has_the_numbers_of_its_english(lang):
    """A cheap fidelity guard: every year, day and paragraph number of the English, and no
    other, is in the translation."""
    for fields, names in TRANSLATED_FIXTURES:
        for name in names:
            english = sorted(NUMBER.findall(fields[name]))
            assert sorted(NUMBER.findall(fields[f"{name}_{lang}"])) == english, (
                fields["slug"],
                name,
            )


@pytest.mark.parametrize("lang", ["he", "ar"])
def test_a_fixture_translation_cites_the_paragraphs_its_english_cites(lang):
    for fields, names in TRANSLATED_FIXTURES:
        for name in names:
            cited = re.findall(r"¶\d+", fields[name])
            assert re.findall(r"¶\d+", fields[f"{name}_{lang}"]) == cited, fields["slug"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "typed"),
    [
        ("he", "מגעים ראשונים עם אנשי אש״ף", "מגעים"),
        ("ar", "الاتصالات الأولى مع قدامى منظمة التحرير", "الاتصالات"),
    ],
)
def test_a_translated_title_is_found_by_a_search_in_its_script(client, language, title, typed):
    from dialogues.search.index import rebuild_index
    from tests.factories import make_dialogue, make_era

    found = make_dialogue(era=make_era(date="1970/1980"), title="First contacts")
    other = make_dialogue(era=found.era, title="Second contacts", slug="second-contacts")
    setattr(found, f"title_{language}", title)
    found.save()
    rebuild_index()
    response = client.get(f"/{language}/dialogues/", {"q": typed})
    assert response.status_code == 200
    links = {a["href"] for a in BeautifulSoup(response.content, "html.parser").select("a[href]")}
    assert any(found.slug in href for href in links)
    assert not any(other.slug in href for href in links)


@pytest.mark.django_db
def test_the_timeline_figure_names_eras_in_the_page_language(client):
    from tests.factories import make_dialogue, make_era

    era = make_era(date="1970/1980", name="First contacts", name_he="מגעים ראשונים")
    make_dialogue(era=era, title="A meeting", title_he="פגישה")
    svg_text = {
        lang: " ".join(
            BeautifulSoup(client.get(f"{prefix}/timeline/").content, "html.parser")
            .select_one("svg.timeline")
            .stripped_strings
        )
        for lang, prefix in (("en", ""), ("he", "/he"), ("ar", "/ar"))
    }
    assert "מגעים ראשונים" in svg_text["he"] and "פגישה" in svg_text["he"]
    assert "First contacts" not in svg_text["he"]
    # No Arabic translation: the English is drawn; English pages draw the English.
    assert "First contacts" in svg_text["ar"]
    assert "First contacts" in svg_text["en"] and "מגעים" not in svg_text["en"]
