"""The list pages echo only valid parameters into their links, so a huge `q` stays out of them."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from dialogues.listing.filters import MAX_QUERY_LENGTH

from ..factories import add_participant, make_dialogue, make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def dialogues(settings):
    settings.RATE_LIMIT = None
    for n in range(3):
        make_dialogue(slug=f"oslo-{n}", title=f"Oslo talks {n}")


def links(response):
    page = BeautifulSoup(response.content, "html.parser")
    return [a["href"] for a in page.find_all("a", href=True)]


def test_a_search_past_its_longest_is_named_once_and_copied_into_no_link(client):
    q = "talks " * (100_000 // 6)
    response = client.get(reverse("dialogues:dialogue_list"), {"q": q, "era": "nowhere-era"})
    assert response.status_code == 200
    # The search box keeps the text for correcting, and the printed masthead shows the address;
    # before, every link of the page carried it too (3.8 MB for this search).
    assert len(response.content) < 2 * len(q) + 50_000
    assert all(len(href) < 1000 for href in links(response))
    text = BeautifulSoup(response.content, "html.parser").get_text()
    assert f"at most {MAX_QUERY_LENGTH:,} characters" in text


def test_a_valid_search_is_kept_in_the_links(client):
    response = client.get(reverse("dialogues:dialogue_list"), {"q": "talks", "sort": "title"})
    hrefs = links(response)
    assert any("q=talks" in href and "export.csv" in href for href in hrefs)
    assert any("q=talks" in href and "sort=" in href for href in hrefs)


def test_an_invalid_filter_is_dropped_from_the_links_and_a_valid_one_kept(client):
    response = client.get(reverse("dialogues:dialogue_list"), {"q": "talks", "from": "not-a-date"})
    export = next(href for href in links(response) if "export.csv" in href)
    assert "q=talks" in export
    assert "from=" not in export


def test_an_unknown_parameter_is_copied_into_no_link(client):
    response = client.get(reverse("dialogues:dialogue_list"), {"q": "talks", "junk": "x" * 50_000})
    assert response.status_code == 200
    hrefs = links(response)
    assert all("junk" not in href for href in hrefs)
    assert any("q=talks" in href for href in hrefs)


@pytest.mark.parametrize("extra", [{"side": "x" * 50_000}, {"junk": "x" * 50_000}])
def test_the_participant_list_echoes_only_valid_parameters(client, extra):
    # Only participants named in a public dialogue are listed.
    dialogue = make_dialogue()
    for n in range(51):
        add_participant(dialogue, make_participant(slug=f"p-{n}"))
    response = client.get(reverse("dialogues:participant_list"), {"kind": "person", **extra})
    assert response.status_code == 200
    hrefs = [href for href in links(response) if "page=" in href]
    assert hrefs, "the list should have a second page"
    assert all(len(href) < 1000 and "kind=person" in href for href in hrefs)
