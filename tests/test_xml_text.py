"""Text that every format can carry: forms and imports refuse what XML 1.0 cannot hold, and the
XML writers (OAI-PMH, Atom) write stored text without it rather than fail."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from lxml import etree

from dialogues import xmltext
from dialogues.feeds import oai
from dialogues.models import Dialogue, Participant, Participation

from .admin_forms import admin_url, errors_in, open_form, soup_of
from .factories import add_participant, make_dialogue, make_era, make_participant

UNSAFE = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\ufffe", "\uffff", "\ud800"]
SAFE = ["\t", "\n", "\r", "é", "\u2028", "\U0001f600", "\ufffd"]


@pytest.mark.parametrize("char", UNSAFE)
def test_every_unsafe_character_is_found_and_left_out(char):
    text = f"before{char}after"
    assert xmltext.unsafe_characters(text) == [char]
    assert xmltext.xml_safe(text) == "beforeafter"
    assert f"U+{ord(char):04X}" in xmltext.refusal(text)


@pytest.mark.parametrize("char", SAFE)
def test_tabs_line_breaks_and_other_characters_are_kept(char):
    text = f"before{char}after"
    assert xmltext.refusal(text) is None
    assert xmltext.xml_safe(text) == text


@pytest.mark.django_db
@pytest.mark.parametrize("char", ["\x0c", "\x01", "\ufffe"])
def test_a_record_with_an_unsafe_character_is_refused_by_full_clean(char):
    dialogue = make_dialogue(cite=False)
    dialogue.summary = f"A summary{char} pasted from elsewhere."
    with pytest.raises(ValidationError) as refused:
        dialogue.full_clean()
    assert "summary" in refused.value.message_dict
    assert f"U+{ord(char):04X}" in refused.value.message_dict["summary"][0]
    person = make_participant()
    person.name = f"Name{char}"
    with pytest.raises(ValidationError, match="cannot be published"):
        person.full_clean()


@pytest.mark.django_db
def test_the_admin_form_refuses_a_form_feed_in_a_summary_and_saves_nothing(editor_client):
    dialogue = make_dialogue(era=make_era(date="1990/1999"), date="1995", summary="Clean.")
    url = admin_url("dialogue", "change", dialogue.pk)
    _, data = open_form(editor_client, url)
    data["summary"] = "Pasted\x0cfrom a word processor."

    response = editor_client.post(url, data)

    assert response.status_code == 200
    message = errors_in(soup_of(response).select_one(".form-row.field-summary"))
    assert "U+000C" in message and "tabs and line breaks are fine" in message
    dialogue.refresh_from_db()
    assert dialogue.summary == "Clean."


@pytest.fixture
def tainted(db):
    """A public dialogue whose stored text holds characters XML cannot carry, written by an
    update that skips validation (as text saved before the refusal existed would be)."""
    era = make_era(slug="nineties", name="The nineties")
    dialogue = make_dialogue(era=era, title="Tainted talks")
    person = add_participant(dialogue, name="Named person").participant
    day_ago = timezone.now() - timezone.timedelta(days=1)
    Dialogue.objects.filter(pk=dialogue.pk).update(
        title="Tainted\x01 talks",
        summary="Form\x0cfeed and \ufffe non-character.",
        place="Os\x08lo",
        updated=day_ago,
        published_at=day_ago,
    )
    Participant.objects.filter(pk=person.pk).update(name="Named\x1f person")
    # Not NUL, which PostgreSQL refuses to store at all (Django's forms refuse it already).
    Participation.objects.filter(dialogue=dialogue).update(note="Note\x02.")
    return dialogue


def _parsed(response):
    assert response.status_code == 200
    assert not xmltext.unsafe_characters(response.content.decode("utf-8"))
    return etree.fromstring(response.content)


@pytest.mark.parametrize(
    "query",
    [
        "verb=ListRecords&metadataPrefix=oai_dc",
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:testserver:dialogue/{pk}",
    ],
)
def test_oai_pmh_writes_stored_text_without_the_unsafe_characters(client, tainted, query):
    root = _parsed(client.get("/oai/?" + query.format(pk=tainted.pk)))
    ns = {"oai": oai.OAI, "dc": oai.DC}
    assert root.find(".//oai:error", ns) is None
    assert root.findtext(".//dc:title", namespaces=ns) == "Tainted talks"
    assert root.findtext(".//dc:description", namespaces=ns) == "Formfeed and  non-character."
    assert root.findtext(".//dc:coverage", namespaces=ns) == "Oslo"
    assert "Named person" in root.xpath(".//dc:contributor/text()", namespaces=ns)


@pytest.mark.parametrize("url", ["/feeds/changes.atom", "/feeds/eras/nineties.atom"])
def test_atom_writes_stored_text_without_the_unsafe_characters(client, tainted, url):
    root = _parsed(client.get(url))
    atom = {"a": "http://www.w3.org/2005/Atom"}
    (entry,) = root.findall("a:entry", atom)
    assert entry.findtext("a:title", namespaces=atom) == "Tainted talks"
    assert entry.findtext("a:summary", namespaces=atom) == "Formfeed and  non-character."
