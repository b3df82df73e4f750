"""The reading pages, read as a browser would: parsed HTML, never string matching."""

import json
import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from dialogues.models import Dialogue, OutcomeKind, Role, Side

from ..factories import (
    add_outcome,
    add_participant,
    make_conflict,
    make_dialogue,
    make_era,
    make_participant,
    make_source,
)

pytestmark = pytest.mark.django_db


def soup(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def card_slugs(page):
    return [a["href"].rstrip("/").split("/")[-1] for a in page.select(".results .card-title a")]


@pytest.fixture
def archive():
    """A small archive: two eras, four dialogues, participants on both sides, outcomes."""
    early = make_era(slug="early", name="Early years", position=1, date="1975/1989")
    late = make_era(slug="late", name="Late years", position=2, date="1990/1999")
    conflict = make_conflict(slug="ip", name="Israeli–Palestinian conflict")
    israeli = make_participant(slug="amos", name="Amos", side=Side.ISRAELI, background="academic")
    palestinian = make_participant(
        slug="leila", name="Leila", side=Side.PALESTINIAN, background="journalist"
    )
    d1 = make_dialogue(slug="first", title="First", era=early, conflict=conflict, date="1976~")
    d2 = make_dialogue(
        slug="second", title="Second", era=early, conflict=conflict, date="1988", place="Rome"
    )
    d3 = make_dialogue(slug="third", title="Third", era=late, conflict=conflict, date="1992/1993")
    d4 = make_dialogue(slug="fourth", title="Fourth", era=late, conflict=conflict, date="1995")
    add_participant(d1, israeli)
    add_participant(d1, palestinian)
    add_participant(d2, israeli, role=Role.ORGANISER)
    add_participant(d3, palestinian)
    add_outcome(d2, OutcomeKind.WALKOUT, "Someone walked out.")
    add_outcome(d3, OutcomeKind.WALKOUT, "A walkout again.")
    add_outcome(d3, OutcomeKind.BECAME_OFFICIAL, "It became official.")
    return {"eras": [early, late], "dialogues": [d1, d2, d3, d4]}


# --- Home ---------------------------------------------------------------------------------


def test_home_lists_every_era_in_order_with_its_count(client, archive):
    page = soup(client.get("/"))
    items = page.select(".era-list li")
    assert [li.a.get_text() for li in items] == ["Early years", "Late years"]
    assert [li.select_one(".count").get_text() for li in items] == ["2 dialogues", "2 dialogues"]
    assert page.select_one("form[role=search] input[name=q]") is not None
    assert len(page.select("h1")) == 1
    counts = page.select_one(".counts").get_text(" ", strip=True)
    assert "4 dialogues" in counts and "2 eras" in counts and "2 participants" in counts


def test_home_shows_the_most_recently_added_records_first(client, archive):
    newest = make_dialogue(slug="newest", title="Newest", era=archive["eras"][0], date="1980")
    page = soup(client.get("/"))
    recent = [a.get_text() for a in page.select("[aria-labelledby=recent-heading] .card-title a")]
    assert recent[0] == newest.title


# --- The list -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["first", "second", "third", "fourth"]),
        ("era=early", ["first", "second"]),
        ("era=late&outcome=walkout", ["third"]),
        ("outcome=walkout", ["second", "third"]),
        ("side=palestinian", ["first", "third"]),
        ("background=academic", ["first", "second"]),
        ("participant=amos", ["first", "second"]),
        ("conflict=ip", ["first", "second", "third", "fourth"]),
        ("place=rom", ["second"]),
        ("track=track_ii", ["first", "second", "third", "fourth"]),
        ("from=1977&to=1980", ["first"]),
        ("from=1977&to=1980&match=within", []),
        ("from=1993", ["third", "fourth"]),
        ("to=1975", ["first"]),
        ("from=1993-06-01&to=1993-06-30", ["third"]),
        ("sort=-date", ["fourth", "third", "second", "first"]),
        ("sort=title", ["first", "fourth", "second", "third"]),
    ],
)
def test_list_filters(client, archive, query, expected):
    page = soup(client.get(f"/dialogues/?{query}"))
    assert card_slugs(page) == expected


def facet(page, name):
    section = page.select_one(f"section[aria-labelledby=facet-{name}]")
    result = {}
    for link in section.select("a"):
        count = link.select_one(".count")
        label = link.get_text(" ", strip=True).split(" ")[0]
        result[label] = int(re.match(r"\d+", count.get_text(strip=True)).group())
    return result


def test_facet_counts_leave_out_their_own_filter(client, archive):
    page = soup(client.get("/dialogues/?era=early&outcome=walkout"))
    # Era counts answer "how many walkouts in each era", ignoring the era filter.
    assert facet(page, "era") == {"Early": 1, "Late": 1}
    # Outcome counts answer "what outcomes in the early era", ignoring the outcome filter.
    assert facet(page, "outcome") == {"Walkout": 1}
    assert facet(page, "side") == {"Israeli": 1}


def test_facet_values_are_links_that_set_the_filter(client, archive):
    page = soup(client.get("/dialogues/?outcome=walkout"))
    link = page.select_one("section[aria-labelledby=facet-era] a")
    assert "era=early" in link["href"] and "outcome=walkout" in link["href"]
    assert card_slugs(soup(client.get("/dialogues/" + link["href"]))) == ["second"]


def test_chips_show_active_filters_and_remove_one(client, archive):
    page = soup(client.get("/dialogues/?era=late&outcome=walkout"))
    chips = {a.get_text(" ", strip=True): a["href"] for a in page.select(".chips a.chip")}
    era_chip = next(href for label, href in chips.items() if label.startswith("Late years"))
    after = soup(client.get("/dialogues/" + era_chip))
    assert card_slugs(after) == ["second", "third"]


def test_sentence_says_what_is_shown(client, archive):
    page = soup(client.get("/dialogues/?era=late&outcome=walkout"))
    assert (
        page.select_one(".sentence").get_text(strip=True)
        == "1 dialogue in Late years with a walkout"
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=abc", "From"),
        ("era=no-such-era", "Era"),
        ("side=martian", "Side"),
        ("to=1995-02-30", "To"),
        ("outcome=%00", "Outcome"),
        ("participant=" + "x" * 300, "Participant"),
    ],
)
def test_bad_values_show_the_form_error_and_keep_the_page_usable(client, archive, query, field):
    page = soup(client.get(f"/dialogues/?{query}"))
    errors = page.select_one(".errors[role=alert]")
    assert errors is not None
    assert field in errors.get_text()
    # The bad value is ignored: every record is still listed.
    assert len(card_slugs(page)) == 4


@pytest.mark.parametrize(
    ("page_param", "shown", "noted"),
    [("0", 1, True), ("-1", 1, True), ("x", 1, True), ("99999", 2, True), ("2", 2, False)],
)
def test_bad_page_numbers_serve_the_nearest_page_with_a_note(client, page_param, shown, noted):
    era = make_era(date="1990/1999")
    for n in range(25):
        make_dialogue(era=era, date="1995", slug=f"d{n:02}", title=f"D{n:02}")
    page = soup(client.get(f"/dialogues/?page={page_param}"))
    current = page.select_one(".pagination a[aria-current=page]")
    assert current.get_text(strip=True).endswith(str(shown))
    assert (page.select_one(".note[role=status]") is not None) == noted


def test_empty_state_suggests_what_to_loosen(client, archive):
    page = soup(client.get("/dialogues/?era=early&outcome=became_official"))
    empty = page.select_one(".empty")
    assert empty is not None
    removals = [a["href"] for a in empty.select("a")]
    assert any("outcome" not in href and "era=early" in href for href in removals)


def test_download_links_carry_the_filters_and_the_count(client, archive):
    page = soup(client.get("/dialogues/?era=early"))
    downloads = page.select_one(".downloads")
    assert "Download all 2 results" in downloads.get_text(" ", strip=True)
    hrefs = [a["href"] for a in downloads.select("a")]
    assert hrefs == [
        reverse("dialogues:export", args=["csv"]) + "?era=early",
        reverse("dialogues:export", args=["json"]) + "?era=early",
    ]


def _grow(n, era):
    conflict = make_conflict()
    people = [make_participant(side=side) for side in (Side.ISRAELI, Side.PALESTINIAN)]
    for i in range(n):
        dialogue = make_dialogue(era=era, conflict=conflict, date="1995", cite=(i % 3 == 0))
        add_participant(dialogue, people[i % 2])
        add_outcome(dialogue, OutcomeKind.WALKOUT)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/dialogues/",
        "/dialogues/?era={era}&outcome=walkout&side=israeli&from=1990",
        "/dialogues/?page=2",
        "/timeline/",
        "/eras/{era}/",
        "/participants/",
        "/participants/?side=israeli",
    ],
)
def test_query_count_does_not_grow_with_records(client, django_assert_max_num_queries, url):
    era = make_era(date="1990/1999")
    _grow(10, era)
    # A list takes one page: the generation, the count, the page's ids, rows, participations
    # and outcomes, four facets, the filter form's two lists of choices, and one more for a
    # filter or a search (test_list_paging.py).
    # The list page's budget is tests/pages/test_list_paging.py's; other pages' is looser.
    budget = 24 if url.startswith("/dialogues/") else 25
    with django_assert_max_num_queries(budget) as small:
        client.get(url.format(era=era.slug))
    _grow(490, era)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url.format(era=era.slug))
    assert response.status_code == 200


# --- A record -----------------------------------------------------------------------------


def test_record_page_shows_every_field(client, archive):
    d = archive["dialogues"][1]
    page = soup(client.get(d.get_absolute_url()))
    assert page.h1.get_text(strip=True) == "Second"
    facts = {
        dt.get_text(strip=True): dd.get_text(" ", strip=True)
        for dt, dd in zip(page.select(".facts dt"), page.select(".facts dd"), strict=True)
    }
    assert facts["Date"].startswith("1988")
    assert facts["Era"].startswith("Early years")
    assert facts["Place"] == "Rome"
    assert facts["Track"] == "Track II"
    assert facts["Organisers"] == "Amos"
    outcomes = page.select_one("section[aria-labelledby=outcomes-heading]").get_text(
        " ", strip=True
    )
    assert "Walkout" in outcomes and "Someone walked out." in outcomes


def test_record_page_gives_the_date_in_words_with_its_note(client):
    era = make_era(date="1975/1986")
    d = make_dialogue(era=era, date="1976~", date_note="Some 30 years before the essay.")
    page = soup(client.get(d.get_absolute_url()))
    assert page.select_one(".record-date").get_text(strip=True) == "c. 1976"
    assert "Some 30 years before the essay." in page.select_one(".date-note").get_text()


def test_record_page_groups_participants_by_side(client, archive):
    page = soup(client.get(archive["dialogues"][0].get_absolute_url()))
    section = page.select_one("section[aria-labelledby=participants-heading]")
    groups = {
        h3.get_text(strip=True): [a.get_text() for a in h3.find_next_sibling("ul").select("a")]
        for h3 in section.select("h3")
    }
    assert groups == {"Israeli": ["Amos"], "Palestinian": ["Leila"]}
    assert "Academic" in section.get_text() or "academic" in section.get_text()


def test_record_page_quotes_citations_with_source_and_paragraph(client):
    source = make_source(title="An Essay", author="A. Writer")
    d = make_dialogue(cite=False)
    d.citations.create(source=source, excerpt="Talking can still help.", paragraph=18)
    page = soup(client.get(d.get_absolute_url()))
    item = page.select_one(".citations li")
    assert item.blockquote.get_text(strip=True) == "“Talking can still help.”"
    assert item.select_one("cite").get_text() == "An Essay"
    assert "paragraph 18" in item.get_text()


def test_record_page_links_previous_and_next_in_date_order(client, archive):
    first, second, third, fourth = archive["dialogues"]
    page = soup(client.get(second.get_absolute_url()))
    assert page.select_one("a[rel=prev]")["href"] == first.get_absolute_url()
    assert page.select_one("a[rel=next]")["href"] == third.get_absolute_url()
    last = soup(client.get(fourth.get_absolute_url()))
    assert last.select_one(".prev-next a[rel=next]") is None


def test_walking_next_dialogue_visits_every_record_once(client, archive):
    url, seen = archive["dialogues"][0].get_absolute_url(), []
    while url:
        seen.append(url)
        link = soup(client.get(url)).select_one(".prev-next a[rel=next]")
        url = link["href"] if link else None
    assert seen == [d.get_absolute_url() for d in archive["dialogues"]]


def test_record_page_offers_a_citation_with_permalink_and_access_date(client, archive):
    d = archive["dialogues"][0]
    page = soup(client.get(d.get_absolute_url()))
    text = page.select_one("#citation-text").get_text()
    assert "http://testserver" + d.get_absolute_url() in text
    assert "accessed" in text
    downloads = [a["href"] for a in page.select(".cite-actions a[download]")]
    assert downloads == [
        reverse("dialogues:dialogue_citation", args=[d.slug, "bib"]),
        reverse("dialogues:dialogue_citation", args=[d.slug, "json"]),
    ]
    bib = client.get(downloads[0])
    assert bib.status_code == 200 and bib.content.decode().lstrip().startswith("@misc{")
    csl = json.loads(client.get(downloads[1]).content)
    assert csl[0]["URL"] == "http://testserver" + d.get_absolute_url()


def test_record_page_embeds_schema_org_event_json_ld(client, archive):
    d = archive["dialogues"][0]
    page = soup(client.get(d.get_absolute_url()))
    data = json.loads(page.head.select_one("script[type='application/ld+json']").string)
    assert data["@type"] == "Event"
    assert data["startDate"] == d.date_earliest.isoformat()
    assert data["endDate"] == d.date_latest.isoformat()


@pytest.mark.parametrize(
    "url",
    [
        "/dialogues/nope/",
        "/eras/nope/",
        "/participants/nope/",
        "/sources/nope/",
        "/dialogues/nope/cite.bib",
        "/dialogues/first/cite.exe",
    ],
)
def test_unknown_addresses_are_404(client, archive, url):
    assert client.get(url).status_code == 404


# --- Timeline and eras --------------------------------------------------------------------


def test_timeline_lists_every_era_with_its_dialogues_in_order(client, archive):
    page = soup(client.get("/timeline/"))
    eras = page.select(".timeline-era")
    assert [s.h3.a.get_text() for s in eras] == ["Early years", "Late years"]
    assert [a.get_text() for a in eras[0].select("li a")] == ["First", "Second"]
    svg = page.select_one("figure svg")
    hrefs = {a.get("href") or a.get("xlink:href") for a in svg.find_all("a")}
    assert {d.get_absolute_url() for d in archive["dialogues"]} <= hrefs
    assert {e.get_absolute_url() for e in archive["eras"]} <= hrefs


def test_following_next_era_from_the_first_reaches_the_last(client):
    eras = [make_era(position=n, date=f"{1950 + n * 10}/{1959 + n * 10}") for n in range(1, 6)]
    url, seen = eras[0].get_absolute_url(), []
    while url:
        page = soup(client.get(url))
        seen.append(page.h1.get_text(strip=True))
        link = page.select_one(".prev-next a[rel=next]")
        url = link["href"] if link else None
    assert seen == [e.name for e in eras]


def test_era_page_shows_dates_summary_and_dialogues_in_order(client, archive):
    early = archive["eras"][0]
    page = soup(client.get(early.get_absolute_url()))
    assert page.select_one(".record-date").get_text(strip=True) == "1975–1989"
    assert [a.get_text() for a in page.select(".card-title a")] == ["First", "Second"]
    assert page.select_one(".prev-next a[rel=prev]") is None
    assert (
        page.select_one(".prev-next a[rel=next]")["href"] == archive["eras"][1].get_absolute_url()
    )


@pytest.fixture
def tied():
    """Dialogues whose dates tie or overlap, in the one chronological order they must appear in.

    Titles are single capitalised words, so every database collation orders them alike.
    """
    era = make_era(slug="tied", name="Tied era", date="1990/1999")
    person = make_participant(slug="everywhere", name="Everywhere")

    def made(title, date, slug=None):
        dialogue = make_dialogue(era=era, title=title, date=date, cite=False, slug=slug or title)
        add_participant(dialogue, person)
        return dialogue

    # Created out of order, so that neither creation order nor slugs decide it.
    kappa = made("Kappa", "1995~")  # 1994-01-01 to 1996-12-31, like 1994/1996
    span = made("Epsilon", "1995-05-05/1995-05-20")
    beta = made("Beta", "1995-05-05")
    same_first = made("Same", "1995-05-05", slug="same-z")
    iota = made("Iota", "1994/1996")
    alpha = made("Alpha", "1995-05-05")
    same_second = made("Same", "1995-05-05", slug="same-a")
    delta = made("Delta", "1995-05")
    gamma = made("Gamma", "1995")
    assert (kappa.date_earliest, kappa.date_latest) == (iota.date_earliest, iota.date_latest)
    return [iota, kappa, gamma, delta, alpha, beta, same_first, same_second, span]


def walk(client, url, rel):
    seen = []
    while url:
        seen.append(url)
        link = soup(client.get(url)).select_one(f".prev-next a[rel={rel}]")
        url = link["href"] if link else None
    return seen


def test_every_page_lists_tied_and_overlapping_dates_in_one_order(client, tied):
    expected = [d.get_absolute_url() for d in tied]
    assert [d.get_absolute_url() for d in Dialogue.objects.chronological()] == expected
    listed = soup(client.get("/dialogues/"))
    assert [a["href"] for a in listed.select(".results .card-title a")] == expected
    era_page = soup(client.get("/eras/tied/"))
    assert [a["href"] for a in era_page.select(".card-title a")] == expected
    timeline = soup(client.get("/timeline/"))
    assert [a["href"] for a in timeline.select(".timeline-era li a")] == expected
    marks = timeline.select("figure svg a.tl-dialogue")
    assert [a["href"] for a in marks] == expected
    person = soup(client.get("/participants/everywhere/"))
    assert [a["href"] for a in person.select(".participations li a")] == expected
    assert walk(client, expected[0], "next") == expected
    assert walk(client, expected[-1], "prev") == expected[::-1]


# --- Participants and sources -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Amos", "Leila"]),
        ("side=palestinian", ["Leila"]),
        ("background=academic", ["Amos"]),
        ("kind=group", []),
        ("side=martian", ["Amos", "Leila"]),
    ],
)
def test_participant_list_filters(client, archive, query, expected):
    page = soup(client.get(f"/participants/?{query}"))
    assert [a.get_text() for a in page.select(".participant-list a.participant-name")] == expected


def test_participant_page_lists_dialogues_in_order_with_roles(client, archive):
    page = soup(client.get("/participants/amos/"))
    items = page.select(".participations li")
    assert [li.a.get_text() for li in items] == ["First", "Second"]
    assert "Organiser" in items[1].get_text()


def test_source_page_lists_every_citing_record_with_paragraphs(client):
    source = make_source(title="The Essay")
    a = make_dialogue(cite=False, title="Alpha")
    b = make_dialogue(cite=False, title="Beta")
    a.citations.create(source=source, excerpt="one", paragraph=3)
    b.citations.create(source=source, excerpt="two", paragraph=1)
    page = soup(client.get(source.get_absolute_url()))
    rows = [
        li.select_one(".cite-source").get_text(" ", strip=True)
        for li in page.select(".citations li")
    ]
    assert rows[0].startswith("Paragraph 1") and "Beta" in rows[0]
    assert rows[1].startswith("Paragraph 3") and "Alpha" in rows[1]


def test_about_explains_track_ii_dates_and_citing(client):
    page = soup(client.get("/about/"))
    headings = [h.get_text() for h in page.select("h2")]
    assert "What Track II is" in headings
    assert "How uncertain dates are written" in headings
    assert "How to cite the archive" in headings


@pytest.mark.parametrize("url", ["/", "/dialogues/", "/timeline/", "/participants/", "/about/"])
def test_every_page_has_one_h1_landmarks_and_a_skip_link(client, archive, url):
    page = soup(client.get(url))
    assert len(page.select("h1")) == 1
    for landmark in ("header", "nav", "main", "footer"):
        assert page.find(landmark) is not None
    skip = page.select_one("a.skip-link")
    assert skip["href"] == "#main" and page.select_one("#main") is not None


def test_cached_facet_counts_follow_a_save(client, archive):
    before = facet(soup(client.get("/dialogues/")), "outcome")
    add_outcome(archive["dialogues"][3], OutcomeKind.WALKOUT, "A late walkout.")
    after = facet(soup(client.get("/dialogues/")), "outcome")
    assert after["Walkout"] == before["Walkout"] + 1


def test_cached_facet_counts_follow_a_delete(client, archive):
    before = facet(soup(client.get("/dialogues/")), "era")
    archive["dialogues"][0].delete()
    after = facet(soup(client.get("/dialogues/")), "era")
    assert after["Early"] == before["Early"] - 1
