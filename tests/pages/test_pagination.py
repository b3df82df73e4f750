import pytest
from bs4 import BeautifulSoup
from django.core.paginator import Paginator

from dialogues.pages.pagination import page_numbers, paginate

from ..factories import add_participant, make_dialogue, make_era, make_participant, make_source


@pytest.mark.parametrize(
    ("raw", "number", "note"),
    [
        (None, 1, ""),
        ("", 1, ""),
        (" 2 ", 2, ""),
        ("3", 3, ""),
        ("0", 1, "Pages start at 1; showing page 1 instead of 0."),
        ("-4", 1, "Pages start at 1; showing page 1 instead of -4."),
        ("two", 1, "“two” is not a page number; showing page 1."),
        ("x" * 50, 1, f"“{'x' * 20}” is not a page number; showing page 1."),
        ("1.5", 1, "“1.5” is not a page number; showing page 1."),
        ("12000", 3, "There are only 3 pages; showing the last instead of page 12,000."),
    ],
)
def test_a_bad_page_number_serves_the_nearest_page_and_says_why(raw, number, note):
    page, said = paginate(list(range(45)), raw)
    assert (page.number, said) == (number, note)
    assert page.paginator.per_page == 20


def test_one_page_is_named_in_the_singular():
    page, note = paginate(list(range(3)), "9", per_page=10)
    assert page.number == 1
    assert note == "There is only 1 page; showing the last instead of page 9."


def test_a_paginator_passed_in_is_used_as_it_is():
    paginator = Paginator(list(range(30)), 7)
    page, _ = paginate(paginator, "5")
    assert page.paginator is paginator
    assert list(page.object_list) == [28, 29]


@pytest.mark.parametrize(
    ("pages", "current", "expected"),
    [
        (1, 1, [1]),
        (5, 3, [1, 2, 3, 4, 5]),
        (20, 1, [1, 2, 3, None, 20]),
        (20, 6, [1, None, 4, 5, 6, 7, 8, None, 20]),
        (20, 4, [1, 2, 3, 4, 5, 6, None, 20]),
        (20, 20, [1, None, 18, 19, 20]),
    ],
)
def test_page_numbers_link_the_ends_and_the_neighbours_and_mark_a_gap(pages, current, expected):
    page = Paginator(list(range(pages)), 1).page(current)
    assert page_numbers(page) == expected


# --- The detail pages that list records page by page ---------------------------------------


def era_with_dialogues(count):
    era = make_era(name="Long era", date="1990/1999")
    for n in range(count):
        make_dialogue(era=era, date="1995", slug=f"d{n:02}", title=f"D{n:02}", cite=False)
    return era.get_absolute_url(), ["Home", "Timeline", "Long era"]


def participant_with_dialogues(count):
    person = make_participant(name="Busy person")
    for _ in range(count):
        add_participant(make_dialogue(date="1995", cite=False), person)
    return person.get_absolute_url(), ["Home", "Participants", "Busy person"]


def source_with_citations(count):
    source = make_source(title="Cited often")
    for n in range(count):
        make_dialogue(cite=False).citations.create(source=source, excerpt="x", paragraph=n + 1)
    return source.get_absolute_url(), ["Home", "Sources", "Cited often"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("build", "per_page"),
    [(era_with_dialogues, 20), (participant_with_dialogues, 50), (source_with_citations, 50)],
    ids=["era", "participant", "source"],
)
@pytest.mark.parametrize(
    ("raw", "shown", "noted"), [("2", 2, False), ("x", 1, True), ("99", 2, True), ("", 1, False)]
)
def test_detail_pages_page_their_records_under_a_breadcrumb_trail(
    client, build, per_page, raw, shown, noted
):
    url, trail = build(per_page + 1)
    response = client.get(url, {"page": raw})
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    current = page.select_one(".pagination a[aria-current=page]")
    assert current.get_text(strip=True).endswith(str(shown))
    assert (page.select_one(".note[role=status]") is not None) == noted
    crumbs = page.select(".breadcrumbs li a")
    assert [a.get_text(strip=True) for a in crumbs] == trail
    assert crumbs[-1]["aria-current"] == "page"
    for link in crumbs[:-1]:
        assert client.get(link["href"]).status_code == 200
