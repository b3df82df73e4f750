"""Search across scripts and spellings, on whichever database the suite runs (SQLite, or
PostgreSQL with DATABASE_URL): a word typed with or without niqqud, tashkeel, tatweel, another
alef or a final letter finds the record that holds it, by the index's own query path, the list
page and the API; the snippet shows the text as written with the match marked on its word; the
forms of names, organisations and places find one another, and never a withheld one's."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.http import QueryDict

from dialogues.listing.filters import DialogueFilterSet
from dialogues.models import DialoguePlace, NameVariant, Organisation, Place, Status
from dialogues.search.index import rebuild_index
from dialogues.search.query import MAX_QUERY_LENGTH, parse
from dialogues.search.queryset import search_queryset
from dialogues.search.snippets import snippets
from tests.factories import add_participant, make_dialogue, make_era, make_participant

pytestmark = pytest.mark.django_db

# (the text as recorded, the text typed, the word that must be marked in the snippet)
SPELLINGS = [
    # Hebrew: niqqud, and the final mem that normalises like a regular one.
    ("נפגשו לשיחות שָׁלוֹם בירושלים", "שלום", "שָׁלוֹם"),
    ("נפגשו לשיחות שלום בירושלים", "שָׁלוֹם", "שלום"),
    ("נפגשו לשיחות שלום בירושלים", "שלומ", "שלום"),
    # A word run together with a final letter in its middle.
    ("הדיון על מיםהירדן נמשך", "מימהירדן", "מיםהירדן"),
    # Cantillation as well as niqqud.
    ("בְּרֵאשִׁ֖ית הַדִּיּוּן", "בראשית", "בְּרֵאשִׁ֖ית"),
    # Arabic: tashkeel, alef forms, teh marbuta, tatweel, the hamza seats.
    ("جولة مُفَاوَضَات سرية في أوسلو", "مفاوضات", "مُفَاوَضَات"),
    ("جولة مفاوضات سرية في أوسلو", "مُفَاوَضَات", "مفاوضات"),
    ("لقاء مع أحمد في المساء", "احمد", "أحمد"),
    ("لقاء مع احمد في المساء", "أحمد", "احمد"),
    ("زيارة إلى مدرسة القرية", "مدرسه", "مدرسة"),
    ("زيارة إلى مدرسه القرية", "مدرسة", "مدرسه"),
    ("جولة مـــفاوضات طويلة", "مفاوضات", "مـــفاوضات"),
    ("عقد مؤتمر في القاهرة", "موتمر", "مؤتمر"),
    ("اجتماع الرئيس والوفد", "الرييس", "الرئيس"),
    ("التقى الوفد في مستشفى المدينة", "مستشفي", "مستشفى"),
]


@pytest.fixture
def era():
    return make_era(date="1990/2010")


def _found(q: str) -> set[str]:
    return set(search_queryset(DialogueFilterSet(QueryDict()).qs, q).values_list("slug", flat=True))


@pytest.mark.parametrize(("recorded", "typed", "marked"), SPELLINGS)
def test_a_word_is_found_and_marked_however_either_side_spells_it(era, recorded, typed, marked):
    dialogue = make_dialogue(era=era, cite=False, slug="recorded", summary=recorded)
    make_dialogue(era=era, cite=False, slug="other", summary="Nothing in either script.")
    rebuild_index()
    assert _found(typed) == {"recorded"}
    html = snippets([dialogue.pk], typed)[dialogue.pk]
    soup = BeautifulSoup(html, "html.parser")
    # The snippet is the text as written, marks and all, with the mark on the word that matched.
    assert soup.get_text() == recorded
    assert [mark.get_text() for mark in soup.find_all("mark")] == [marked]


def test_a_word_elsewhere_in_the_text_is_not_marked(era):
    dialogue = make_dialogue(era=era, cite=False, summary="שָׁלוֹם עַכְשָׁיו: שיחות שָׁלוֹם, וגם ירושלים")
    rebuild_index()
    soup = BeautifulSoup(snippets([dialogue.pk], "ירושלים")[dialogue.pk], "html.parser")
    assert [mark.get_text() for mark in soup.find_all("mark")] == ["ירושלים"]
    soup = BeautifulSoup(snippets([dialogue.pk], "שלום")[dialogue.pk], "html.parser")
    assert [mark.get_text() for mark in soup.find_all("mark")] == ["שָׁלוֹם", "שָׁלוֹם"]
    assert soup.get_text() == dialogue.summary


def test_a_maqaf_splits_words_and_comes_back_in_the_snippet(era):
    dialogue = make_dialogue(era=era, cite=False, summary="נפגשו בתל־אביב ובירושלים")
    rebuild_index()
    assert _found("אביב") == {dialogue.slug}
    html = snippets([dialogue.pk], "אביב")[dialogue.pk]
    soup = BeautifulSoup(html, "html.parser")
    assert soup.get_text() == "נפגשו בתל־אביב ובירושלים"
    assert [mark.get_text() for mark in soup.find_all("mark")] == ["אביב"]


def test_arabic_punctuation_is_not_part_of_a_word(era):
    make_dialogue(era=era, cite=False, slug="comma", summary="جولة مفاوضات، ثم لقاء")
    rebuild_index()
    assert _found("مفاوضات") == {"comma"}
    assert _found("لقاء") == {"comma"}


def test_a_long_text_with_marks_is_cut_around_the_marked_word(era):
    before = " ".join(["מִלָּה"] * 40)
    after = " ".join(["דָּבָר"] * 40)
    dialogue = make_dialogue(era=era, cite=False, summary=f"{before} שָׁלוֹם {after}")
    rebuild_index()
    html = snippets([dialogue.pk], "שלום")[dialogue.pk]
    soup = BeautifulSoup(html, "html.parser")
    assert [mark.get_text() for mark in soup.find_all("mark")] == ["שָׁלוֹם"]
    text = soup.get_text()
    assert text.startswith("…") and text.endswith("…")
    assert text.strip("…").strip() in dialogue.summary


# --- Through the list page and the API -------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/he", "/ar"])
def test_the_list_page_finds_and_marks_across_spellings(client, era, prefix):
    make_dialogue(era=era, cite=False, slug="marked", summary="נפגשו לשיחות שָׁלוֹם")
    make_dialogue(era=era, cite=False, slug="plain", summary="جولة مفاوضات في أوسلو")
    rebuild_index()
    for q, slug, marked in (("שלום", "marked", "שָׁלוֹם"), ("مُفَاوَضَات", "plain", "مفاوضات")):
        response = client.get(f"{prefix}/dialogues/", {"q": q})
        assert response.status_code == 200
        soup = BeautifulSoup(response.content, "html.parser")
        cards = soup.select("article.card")
        assert [card.select_one(".card-title a")["href"].rstrip("/").rsplit("/", 1)[1]
                for card in cards] == [slug]  # fmt: skip
        snippet = cards[0].select_one(".card-snippet")
        assert snippet["dir"] == "auto"
        assert [mark.get_text() for mark in snippet.find_all("mark")] == [marked]


def test_the_api_finds_across_spellings(client, era):
    make_dialogue(era=era, cite=False, slug="marked", summary="לקראת הסכם שָׁלוֹם")
    make_dialogue(era=era, cite=False, slug="plain", summary="لقاء مع احمد في المساء")
    rebuild_index()
    for q, slug in (("שלום", "marked"), ("أحمد", "plain"), ("שָׁלוֹם", "marked")):
        response = client.get("/api/dialogues/", {"q": q})
        assert response.status_code == 200
        assert [item["slug"] for item in response.json()["results"]] == [slug]


# --- The length of a query -------------------------------------------------------------------


def test_a_query_is_read_as_far_as_the_form_and_the_api_allow(client, era):
    make_dialogue(era=era, cite=False, slug="far", summary="The quokka accord.")
    rebuild_index()
    # The only word comes after 9,000 characters of spaces: cut at 2,000 it was lost.
    q = " " * (MAX_QUERY_LENGTH - 1000) + "quokka"
    assert parse(q).groups == ((("quokka",),),)
    response = client.get("/api/dialogues/", {"q": q})
    assert [item["slug"] for item in response.json()["results"]] == ["far"]
    assert client.get("/dialogues/", {"q": q}).status_code == 200
    # One character over is refused with a message, never cut silently.
    too_long = client.get("/api/dialogues/", {"q": "x" * (MAX_QUERY_LENGTH + 1)})
    assert too_long.status_code == 400
    assert "10,000" in too_long.content.decode()


def test_the_api_documents_the_length_the_query_reads():
    from tests.api.test_contract import longest_q

    assert longest_q() == MAX_QUERY_LENGTH == 10_000


# --- Names in every form and script ----------------------------------------------------------


def _note(**kw):
    return NameVariant.objects.create(archive_note="Supplied by the archive for this test.", **kw)


def test_the_forms_of_a_name_find_one_another_across_scripts(era):
    qurei = make_participant(name="Ahmed Qurei", side="palestinian")
    add_participant(make_dialogue(era=era, slug="oslo-channel"), qurei)
    make_dialogue(era=era, slug="unrelated")
    for name, language, script in (
        ("Abu Ala", "en", "Latn"),
        ("Abu Alaa", "en", "Latn"),
        ("أبو علاء", "ar", "Arab"),
    ):
        _note(participant=qurei, name=name, language=language, script=script)
    rebuild_index()
    for q in ('"Abu Ala"', '"Abu Alaa"', "أبو علاء", '"ابو علاء"', "Qurei"):
        assert _found(q) == {"oslo-channel"}, q


def test_organisations_and_places_are_found_by_every_public_form(
    era, django_capture_on_commit_callbacks
):
    dialogue = make_dialogue(era=era, slug="talks", place="")
    fafo = Organisation.objects.create(
        slug="fafo", name="Fafo", kind="think_tank", status=Status.PUBLISHED
    )
    oslo = Place.objects.create(slug="oslo", name="Oslo", country="NO", status=Status.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        participation = add_participant(dialogue, make_participant(name="Open Person"))
        participation.on_behalf_of = fafo
        participation.save()
        DialoguePlace.objects.create(dialogue=dialogue, place=oslo)
    assert _found("Fafo") == {"talks"}
    assert _found("Oslo") == {"talks"}
    # A form added later is searchable once it is saved: the write reindexes the dialogue.
    with django_capture_on_commit_callbacks(execute=True):
        _note(place=oslo, name="אוֹסְלוֹ", language="he", script="Hebr")
        _note(organisation=fafo, name="فافو", language="ar", script="Arab")
    assert _found("אוסלו") == {"talks"}
    assert _found("فافو") == {"talks"}
    html = snippets([dialogue.pk], "אוסלו")[dialogue.pk]
    assert "<mark>אוֹסְלוֹ</mark>" in html
    # A record taken back to draft takes its forms out of the index.
    with django_capture_on_commit_callbacks(execute=True):
        oslo.status = Status.DRAFT
        oslo.save()
    assert _found("אוסלו") == set()
    assert _found("Oslo") == set()


def test_no_form_of_a_draft_or_a_withheld_participant_s_organisation_is_indexed(era):
    secret = Organisation.objects.create(
        slug="secret", name="Quietchannel", kind="ngo", status=Status.PUBLISHED
    )
    draft = Organisation.objects.create(slug="draft", name="Draftbody", kind="ngo")
    _note(organisation=secret, name="قناة هادئة", language="ar", script="Arab")
    dialogue = make_dialogue(era=era, slug="talks")
    hidden = add_participant(dialogue, make_participant(name="Hidden Negotiator"))
    hidden.on_behalf_of, hidden.withheld = secret, True
    hidden.save()
    shown = add_participant(dialogue, make_participant(name="Open Person"))
    shown.on_behalf_of = draft
    shown.save()
    unpublished = Place.objects.create(slug="nowhere", name="Nowhereville", country="NO")
    DialoguePlace.objects.create(dialogue=dialogue, place=unpublished)
    rebuild_index()
    for q in ("Quietchannel", "هادئة", "Draftbody", "Nowhereville", "Hidden"):
        assert _found(q) == set(), q
    assert _found('"Open Person"') == {"talks"}


# --- Rebuilding the index after a change to how it is built ---------------------------------


def test_rebuild_search_index_reindexes_every_dialogue(era):
    from io import StringIO

    from django.core.management import CommandError, call_command

    make_dialogue(era=era, cite=False, slug="marked", summary="לקראת הסכם שָׁלוֹם")
    # Inside the test's transaction the write's own reindex never ran.
    assert _found("שלום") == set()
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert out.getvalue().strip() == "Reindexed 1 dialogue."
    assert _found("שלום") == {"marked"}
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("rebuild_search_index", "--database", "nowhere")
