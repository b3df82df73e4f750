import datetime
import json
import re

import pytest
from bs4 import BeautifulSoup

from dialogues import citations
from dialogues.models import Citation, Dialogue, ParticipantKind, Role, Track
from tests.factories import add_participant, make_dialogue, make_era, make_source

pytestmark = pytest.mark.django_db

URL = "https://archive.example/dialogues/some-talks/"
ACCESSED = datetime.date(2026, 11, 22)


def fetched(dialogue) -> Dialogue:
    return Dialogue.objects.with_relations().get(pk=dialogue.pk)


def cite(dialogue, source, *paragraphs):
    for paragraph in paragraphs:
        Citation.objects.create(
            dialogue=dialogue, source=source, excerpt=f"Words {paragraph}", paragraph=paragraph
        )


def oslo():
    era = make_era(date="1987/1993")
    dialogue = make_dialogue(
        era=era, cite=False, slug="oslo-talks", title="The Oslo talks", date="1992/1993"
    )
    source = make_source(
        title="Time To Hang Up My Track (II) Shoes",
        author="Yossi Alpher",
        publication="The Forward",
        date="2006",
    )
    cite(dialogue, source, 4)
    return dialogue


def bibtex_fields(entry: str) -> dict[str, str]:
    # Each field is written on one line as `name = {value},`; reading it back that way is enough
    # for BibTeX, which is not a markup language a parser would be needed for.
    return dict(re.findall(r"^\s+(\w+)\s*=\s*\{(.*)\},?$", entry, flags=re.MULTILINE))


BIBTEX_COMMANDS = {
    "textbackslash": "\\",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textasciitilde": "~",
    "textasciicircum": "^",
}


def bibtex_unescape(value: str) -> str:
    """Read an escaped BibTeX value back to its text, dropping the braces that protect case."""

    def replace(match):
        if match.group(1):
            return BIBTEX_COMMANDS[match.group(1)]
        if match.group(2):
            return match.group(2)
        return ""

    return re.sub(r"\\(text[a-z]+)\{\}|\\([&%$#_])|[{}]", replace, value)


def braces_balance(value: str) -> bool:
    # BibTeX counts every brace, escaped or not.
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


# --- Plain text ---------------------------------------------------------------------------


def test_cite_text_follows_the_archive_style():
    text = citations.cite_text(fetched(oslo()), URL, ACCESSED)
    assert text == (
        f"“The Oslo talks” (1992–1993). Track II Dialogue Archive, dialogue record. {URL} "
        "(accessed 22 November 2026). Based on: Yossi Alpher, “Time To Hang Up My Track (II) "
        "Shoes”, The Forward, 2006, ¶ 4."
    )


def test_cite_text_lists_each_source_once_with_all_its_paragraphs():
    dialogue = make_dialogue(era=make_era(date="1990/1999"), cite=False, date="1995")
    first = make_source(author="First Author", date="1996", publication="")
    second = make_source(author="Second Author", date="1998", publication="The Forward")
    cite(dialogue, first, 7, 2)
    cite(dialogue, second, 3)
    text = citations.cite_text(fetched(dialogue), URL, ACCESSED)
    based_on = text.split("Based on: ", 1)[1]
    assert based_on.count("First Author") == 1
    assert based_on.count("Second Author") == 1
    assert f"First Author, “{first.title}”, 1996, ¶¶ 2, 7;" in based_on
    assert f"Second Author, “{second.title}”, {second.publication}, 1998, ¶ 3." in based_on
    # The prefetch orders citations by the source's date, so the older source comes first.
    assert based_on.index("First Author") < based_on.index("Second Author")


def test_cite_text_without_sources_ends_at_the_access_date():
    dialogue = make_dialogue(cite=False)
    text = citations.cite_text(fetched(dialogue), URL, ACCESSED)
    assert "Based on" not in text
    assert text.endswith("(accessed 22 November 2026).")


def test_citations_need_no_queries_of_their_own(django_assert_num_queries):
    dialogue = fetched(oslo())
    add_participant(dialogue, role=Role.ORGANISER)
    dialogue = fetched(dialogue)
    with django_assert_num_queries(0):
        citations.cite_text(dialogue, URL, ACCESSED)
        citations.bibtex(dialogue, URL, ACCESSED)
        citations.csl_json(dialogue, URL, ACCESSED)
        citations.event_json_ld(dialogue, URL)


# --- BibTeX -------------------------------------------------------------------------------


def test_bibtex_entry_has_the_key_and_fields_of_a_web_record():
    dialogue = fetched(oslo())
    entry = citations.bibtex(dialogue, URL, ACCESSED)
    fields = bibtex_fields(entry)
    assert entry.startswith(f"@misc{{trackii-{dialogue.slug},\n")
    assert entry.rstrip().endswith("}")
    assert bibtex_unescape(fields["title"]) == dialogue.title
    assert fields["howpublished"] == "Track II Dialogue Archive"
    assert fields["publisher"] == "Track II Dialogue Archive"
    assert fields["year"] == str(dialogue.updated.year)
    assert fields["url"] == URL
    assert fields["urldate"] == ACCESSED.isoformat()
    note = bibtex_unescape(fields["note"])
    assert dialogue.date_display in note
    assert dialogue.date in note
    assert "Yossi Alpher" in note and "¶ 4" in note


def test_bibtex_year_is_the_records_not_the_dialogues():
    dialogue = make_dialogue(era=make_era(date="1975/1986"), date="1976~")
    Dialogue.objects.filter(pk=dialogue.pk).update(
        updated=datetime.datetime(2019, 6, 1, 12, tzinfo=datetime.UTC)
    )
    fields = bibtex_fields(citations.bibtex(fetched(dialogue), URL, ACCESSED))
    assert fields["year"] == "2019"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("R&D", r"R\&D"),
        ("100%", r"100\%"),
        ("$5", r"\$5"),
        ("#1", r"\#1"),
        ("a_b", r"a\_b"),
        ("{x}", r"\textbraceleft{}x\textbraceright{}"),
        ("a~b", r"a\textasciitilde{}b"),
        ("x^2", r"x\textasciicircum{}2"),
        ("back\\slash", r"back\textbackslash{}slash"),
        ("René", "René"),
    ],
)
def test_bibtex_escape_escapes_each_special_character_once(text, escaped):
    assert citations.bibtex_escape(text) == escaped


def test_bibtex_fields_with_every_special_character_read_back_and_balance():
    nasty = r"Peace & Quiet: 100% of $5 for #1_{x}~y^z \ end"
    era = make_era(date="1990/1999")
    dialogue = make_dialogue(era=era, cite=False, title=nasty, date="1995~")
    cite(dialogue, make_source(title=nasty, author="René Wadlow", publication="A & B"), 1)
    entry = citations.bibtex(fetched(dialogue), URL, ACCESSED)
    fields = bibtex_fields(entry)
    assert braces_balance(entry)
    for name, value in fields.items():
        assert braces_balance(value), name
        # After taking out the escapes, no special character is left bare.
        bare = re.sub(r"\\(text[a-z]+\{\}|[&%$#_])", "", value)
        if name != "url":
            assert not set(bare) & set("&%$#_~^\\"), name
    assert bibtex_unescape(fields["title"]) == nasty
    note = bibtex_unescape(fields["note"])
    assert "1995~" in note
    assert "René Wadlow" in note
    assert f"“{nasty}”" in note


def test_bibtex_title_protects_each_word_with_a_capital():
    dialogue = make_dialogue(title="Talks with the PLO in Oslo and iPhone era", cite=False)
    title = bibtex_fields(citations.bibtex(fetched(dialogue), URL, ACCESSED))["title"]
    for word in title.split(" "):
        plain = bibtex_unescape(word)
        assert (word.startswith("{") and word.endswith("}")) == (plain != plain.lower()), word


def test_bibtex_title_guards_a_capitalised_word_that_starts_with_an_escape():
    dialogue = make_dialogue(title="~Tilde first", cite=False)
    title = bibtex_fields(citations.bibtex(fetched(dialogue), URL, ACCESSED))["title"]
    first = title.split(" ")[0]
    # A group that opens with a backslash would still be case-changed by BibTeX.
    assert first.startswith("{{\\") and first.endswith("}}")
    assert bibtex_unescape(title) == "~Tilde first"


# --- CSL-JSON -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edtf", "parts", "circa"),
    [
        ("1976~", [[1976]], True),
        ("1992/1993", [[1992], [1993]], False),
        ("2025-03-18", [[2025, 3, 18]], False),
        ("2000-07/2002", [[2000, 7], [2002]], False),
        ("2004~/2005", [[2004], [2005]], True),
        ("2006?", [[2006]], True),
        ("2025-03-18/2025-03-20", [[2025, 3, 18], [2025, 3, 20]], False),
    ],
)
def test_csl_json_issued_keeps_the_edtf_precision(edtf, parts, circa):
    dialogue = make_dialogue(era=make_era(date="1970/2030"), date=edtf)
    items = citations.csl_json(fetched(dialogue), URL, ACCESSED)
    issued = items[0]["issued"]
    assert issued["date-parts"] == parts
    assert issued.get("circa", False) is circa
    assert issued["literal"] == dialogue.date_display


def test_csl_json_is_one_item_with_the_fields_reference_managers_read():
    dialogue = fetched(oslo())
    items = citations.csl_json(dialogue, URL, ACCESSED)
    assert isinstance(items, list) and len(items) == 1
    item = json.loads(json.dumps(items))[0]
    assert item["id"] == f"trackii-{dialogue.slug}"
    assert item["type"] in {"entry", "webpage"}
    assert item["title"] == dialogue.title
    assert item["container-title"] == "Track II Dialogue Archive"
    assert item["URL"] == URL
    assert item["accessed"] == {"date-parts": [[ACCESSED.year, ACCESSED.month, ACCESSED.day]]}
    assert "Yossi Alpher" in item["note"] and "¶ 4" in item["note"]


def test_csl_json_leaves_out_the_note_when_nothing_is_cited():
    item = citations.csl_json(fetched(make_dialogue(cite=False)), URL, ACCESSED)[0]
    assert "note" not in item


# --- JSON-LD ------------------------------------------------------------------------------


@pytest.mark.parametrize("edtf", ["1976~", "1992/1993", "2025-03-18", "2000-07/2002"])
def test_event_dates_are_the_stored_bounds(edtf):
    dialogue = fetched(make_dialogue(era=make_era(date="1970/2030"), date=edtf))
    data = citations.event_json_ld(dialogue, URL)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["startDate"] == dialogue.date_earliest.isoformat()
    assert data["endDate"] == dialogue.date_latest.isoformat()
    assert data["name"] == dialogue.title
    assert data["url"] == URL


def test_event_organizers_and_attendees_have_schema_types_by_kind():
    dialogue = make_dialogue()
    organiser = add_participant(dialogue, role=Role.ORGANISER, kind=ParticipantKind.PERSON)
    group = add_participant(dialogue, role=Role.PARTICIPANT, kind=ParticipantKind.GROUP)
    observer = add_participant(dialogue, role=Role.OBSERVER, kind=ParticipantKind.PERSON)
    data = citations.event_json_ld(fetched(dialogue), URL)
    assert data["organizer"] == [{"@type": "Person", "name": organiser.participant.name}]
    attendees = {a["name"]: a["@type"] for a in data["attendee"]}
    assert attendees == {
        group.participant.name: "Organization",
        observer.participant.name: "Person",
    }


def test_a_proposal_has_no_event_status_and_no_attendees():
    dialogue = make_dialogue(track=Track.PROPOSED)
    add_participant(dialogue, role=Role.PROPOSER)
    add_participant(dialogue, role=Role.PROPOSED, kind=ParticipantKind.GROUP)
    data = citations.event_json_ld(fetched(dialogue), URL)
    assert "eventStatus" not in data
    assert "attendee" not in data


@pytest.mark.parametrize(
    ("track", "status"),
    [
        (Track.TRACK_II, "https://schema.org/EventScheduled"),
        (Track.TRACK_II_TO_I, "https://schema.org/EventScheduled"),
        (Track.PROPOSED, None),
    ],
)
def test_event_status_only_for_held_talks(track, status):
    data = citations.event_json_ld(fetched(make_dialogue(track=track)), URL)
    assert data.get("eventStatus") == status


@pytest.mark.parametrize("place", ["Oslo", ""])
def test_event_location_is_a_place_only_when_known(place):
    data = citations.event_json_ld(fetched(make_dialogue(place=place)), URL)
    if place:
        assert data["location"] == {"@type": "Place", "name": place}
    else:
        assert "location" not in data


def test_event_is_based_on_each_cited_source_once():
    dialogue = make_dialogue(cite=False)
    source = make_source(author="René Wadlow")
    cite(dialogue, source, 1, 2, 5)
    data = citations.event_json_ld(fetched(dialogue), URL)
    assert data["isBasedOn"] == [
        {
            "@type": "CreativeWork",
            "name": source.title,
            "author": {"@type": "Person", "name": "René Wadlow"},
        }
    ]


def test_json_ld_script_cannot_be_closed_by_the_data():
    summary = 'Ends here </script><script>alert("x")</script> <!-- and & so on'
    dialogue = fetched(make_dialogue(summary=summary, title="A <b>bold</b> & odd title"))
    data = citations.event_json_ld(dialogue, URL)
    html = f"<body><p>before</p>{citations.json_ld_script(data)}<p>after</p></body>"
    soup = BeautifulSoup(html, "html.parser")
    scripts = soup.find_all("script")
    assert len(scripts) == 1
    assert scripts[0]["type"] == "application/ld+json"
    assert json.loads(scripts[0].string) == data
    assert [p.get_text() for p in soup.find_all("p")] == ["before", "after"]
