"""Dialogues by year: the weights, the histogram against its table, links, filters and cost."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dialogues.listing import facet_index
from dialogues.listing.browse import Browse
from dialogues.pages.pictures import years

from ..archives import build_many

pytestmark = pytest.mark.django_db
LIST = "/dialogues/"


def weights(query: str):
    return years.year_weights(Browse(QueryDict(query)).filterset)


def flat(found) -> dict:
    return {
        (year, track): round(w, 6)
        for year, stack in found.years.items()
        for track, w in stack.items()
        if w
    }


@pytest.mark.parametrize("query", ["", "conflict=levant", "from=1994&to=1995", "side=israeli"])
def test_the_index_gives_the_weights_the_sql_gives(small_archive, query):
    by_sql = weights(query)
    assert facet_index.current(inline=True) is not None
    by_index = weights(query)
    assert flat(by_index) == flat(by_sql)
    assert by_index.undated == by_sql.undated


def test_an_uncertain_date_is_spread_evenly_over_its_years(small_archive):
    facet_index.current(inline=True)
    found = weights("")
    # Stockholm, "1995~", may fall in any of 1994-1996: a third in each.
    for year in (1994, 1995, 1996):
        assert found.years[year]["track_ii"] == pytest.approx(1 / 3)
    assert found.years[1993]["track_ii_to_i"] == 1
    assert found.total == pytest.approx(4)


def page(client, query=""):
    response = client.get(LIST + query)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def drawn_and_tabled(soup):
    block = soup.select_one("section.years-block")
    columns = {a["data-year"]: a for a in block.select("svg a.hist-year")}
    rows = {tr["data-year"]: tr for tr in block.select("table tbody tr")}
    return columns, rows


@pytest.mark.parametrize("indexed", [False, True])
def test_each_column_matches_its_row_in_the_table(client, small_archive, indexed):
    if indexed:
        facet_index.current(inline=True)
    columns, rows = drawn_and_tabled(page(client))
    assert (
        set(columns)
        == set(rows)
        == {"1993", "1994", "1995", "1996", "2003", "2005", "2006", "2007"}
    )
    heights = {y: sum(float(r["height"]) for r in a.select("rect")) for y, a in columns.items()}
    totals = {y: float(tr.select_one("td.total").text) for y, tr in rows.items()}
    unit = heights["1993"] / totals["1993"]
    for year in columns:
        # A total is shown to one decimal: its height may differ by half of that.
        assert heights[year] == pytest.approx(totals[year] * unit, abs=0.05 * unit + 0.3)
        assert columns[year].title.text.startswith(
            f"{year}: {rows[year].select_one('td.total').text} "
        )


def test_a_column_sets_from_and_to_and_the_table_sets_one_end(client, small_archive):
    columns, rows = drawn_and_tabled(page(client, "?conflict=levant"))
    href = columns["1995"]["href"]
    assert QueryDict(href.split("?", 1)[1]).dict() == {
        "conflict": "levant",
        "from": "1995",
        "to": "1995",
    }
    ends = [QueryDict(a["href"].split("?", 1)[1]).dict() for a in rows["1995"].select("td a")]
    assert ends == [{"conflict": "levant", "from": "1995"}, {"conflict": "levant", "to": "1995"}]
    chosen = page(client, "?" + href.split("?", 1)[1])
    assert "Stockholm" in chosen.select_one(".results").text


def test_the_histogram_follows_the_filters(client, small_archive):
    columns, _ = drawn_and_tabled(page(client, "?track=proposed"))
    assert set(columns) == {"2005", "2006", "2007"}


@pytest.mark.parametrize(
    "query", ["?from=abc", "?to=99999", "?era=nope", "?from=1995-13-40", "?track=%00", "?page=x"]
)
def test_bad_parameters_are_no_server_error(client, small_archive, query):
    assert client.get(LIST + query).status_code == 200
    assert client.get(reverse("dialogues:years_figure") + query).status_code == 200


def test_the_era_page_shows_the_era_s_years(client, small_archive):
    response = client.get("/eras/nineties/")
    columns, rows = drawn_and_tabled(BeautifulSoup(response.content, "html.parser"))
    assert set(columns) == {"1993", "1994", "1995", "1996"}
    assert all("era=nineties" in a["href"] for a in columns.values())


def test_the_download_names_the_filters(client, small_archive):
    response = client.get(reverse("dialogues:years_figure") + "?conflict=levant")
    text = response.content.decode()
    assert response["Content-Type"] == "image/svg+xml"
    assert "Filters: Levant" in text and "split evenly" in text


def list_queries(client) -> int:
    facet_index.current(inline=True)
    client.get(LIST + "?conflict=levant")  # warms what every page warms
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST + "?track=track_ii")
    return len(queries)


def test_the_list_page_s_query_count_does_not_grow_with_the_records(client):
    build_many(4)
    small = list_queries(client)
    build_many(36)
    assert list_queries(client) <= small


def test_a_large_peak_is_labelled_in_whole_dialogues_within_the_margin():
    from dialogues.pages.pictures import histogram

    weights = years.YearWeights()
    weights.add(1994, 1994, "track_ii", 2110)
    weights.add(1994, 1995, "track_ii", 1.4)
    figure = histogram.histogram(weights, QueryDict(""), "/dialogues/", rtl=False)
    assert figure["peak"] == "2111"
    # Six characters of about 0.6 em at 10 px fit between the figure's edge and the label's end.
    assert figure["value_x"] >= 6 * 6
    small = years.YearWeights()
    small.add(1994, 1995, "track_ii", 3)
    assert histogram.histogram(small, QueryDict(""), "/dialogues/", rtl=False)["peak"] == "1.5"
