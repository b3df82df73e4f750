"""Time runs the way the page reads, on every picture with a time axis, on the page and in its
download: left to right in English, right to left in Hebrew and Arabic (earliest at the right).
The text equivalents stay in chronological order in every language. The map and the network have
no time axis and stay drawn as they are (geographic, and laid out once) in every language.
"""

import re
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from dialogues.listing.browse import Browse
from dialogues.models import Dialogue, Era
from dialogues.pages import timeline
from dialogues.pages.pictures import years
from dialogues.pages.pictures.histogram import histogram

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
LANGUAGES = [("en-gb", "ltr"), ("he", "rtl"), ("ar", "rtl")]


def address(language: str, name: str) -> str:
    with translation.override(language):
        return reverse(name)


def soup_of(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def band_xs(svg) -> list[float]:
    """The x of each era's band, in the order the eras are drawn (chronological)."""
    return [float(a.find("rect")["x"]) for a in svg.select("a.tl-era")]


def column_xs(svg) -> dict[int, float]:
    return {int(a["data-year"]): float(a.find("rect")["x"]) for a in svg.select("a.hist-year")}


def runs(xs: list[float]) -> str:
    """'ltr' when x grows with time, 'rtl' when it shrinks."""
    assert len(xs) >= 2
    if all(a < b for a, b in zip(xs, xs[1:], strict=False)):
        return "ltr"
    if all(a > b for a, b in zip(xs, xs[1:], strict=False)):
        return "rtl"
    return "mixed"


@pytest.mark.parametrize(("language", "direction"), LANGUAGES)
def test_the_timeline_runs_the_way_the_page_reads(client, small_archive, language, direction):
    soup = soup_of(client, address(language, "dialogues:timeline"))
    assert soup.html["dir"] == direction
    svg = soup.select_one("svg.timeline")
    assert svg["direction"] == direction
    assert runs(band_xs(svg)) == direction
    # Each era's dashed rule stands at the side where the era begins.
    for band in svg.select("a.tl-era"):
        rect = band.find("rect")
        rule = band.find_next_sibling("line")
        start = float(rect["x"]) + (float(rect["width"]) if direction == "rtl" else 0)
        assert float(rule["x1"]) == pytest.approx(start, abs=0.11)
    # The year labels run the same way as the bands.
    labelled = [(int(t.text), float(t["x"])) for t in svg.select("g.tl-axis text")]
    assert runs([x for _, x in sorted(labelled)]) == direction
    # The text equivalent keeps chronological order.
    headings = [h["id"] for h in soup.select(".timeline-text h3")]
    assert headings == ["era-nineties", "era-noughties"]
    for era in soup.select(".timeline-era"):
        # The dates are words of the page's language: their years give the order.
        dates = [li.select_one(".date").text for li in era.select(".timeline-dialogues li")]
        years = [int(re.search(r"\d{4}", date).group()) for date in dates]
        assert years == sorted(years)


@pytest.mark.parametrize(("language", "direction"), LANGUAGES)
def test_the_years_histogram_runs_the_way_the_page_reads(
    client, small_archive, language, direction
):
    soup = soup_of(client, address(language, "dialogues:dialogue_list"))
    svg = soup.select_one("section.years-block svg")
    assert svg["direction"] == direction
    columns = column_xs(svg)
    earliest, latest = min(columns), max(columns)
    if direction == "rtl":
        assert columns[earliest] > columns[latest]
    else:
        assert columns[earliest] < columns[latest]
    assert runs([columns[year] for year in sorted(columns)]) == direction
    table_years = [int(tr["data-year"]) for tr in soup.select(".years-table tbody tr")]
    assert table_years == sorted(columns)


@pytest.mark.parametrize(("language", "direction"), LANGUAGES)
def test_the_downloads_run_as_their_pages_do(client, small_archive, language, direction):
    for name in ("dialogues:timeline_figure", "dialogues:years_figure"):
        response = client.get(address(language, name))
        assert response.status_code == 200
        root = ET.fromstring(response.content)
        assert root.get("direction") == direction
        inner = root.find(f"{SVG}svg")
        assert inner.get("direction") == direction
        kind = "tl-era" if name == "dialogues:timeline_figure" else "hist-year"
        links = [a for a in inner.iter(f"{SVG}a") if kind in a.get("class", "").split()]
        xs = [float(a.find(f"{SVG}rect").get("x")) for a in links]
        if kind == "hist-year":
            years_drawn = [int(a.get("data-year")) for a in links]
            xs = [x for _, x in sorted(zip(years_drawn, xs, strict=True))]
        assert runs(xs) == direction
        # The caption strip starts on the side the language reads from.
        lines = root.findall(f"{SVG}text")
        width = float(root.get("width"))
        assert (float(lines[0].get("x")) > width / 2) == (direction == "rtl")
        # The last line is the address, which reads left to right, ending at that side.
        assert lines[-1].text.startswith("http://")
        if direction == "rtl":
            assert (lines[-1].get("direction"), lines[-1].get("text-anchor")) == ("ltr", "end")
        else:
            assert lines[-1].get("direction") is None


def test_each_language_gets_its_own_cached_pictures(client, small_archive):
    """The pictures are cached; English's must never be served to Hebrew or the other way."""
    seen = []
    for language in ("en-gb", "he", "en-gb", "ar", "he"):
        soup = soup_of(client, address(language, "dialogues:timeline"))
        seen.append(runs(band_xs(soup.select_one("svg.timeline"))))
        soup = soup_of(client, address(language, "dialogues:dialogue_list"))
        columns = column_xs(soup.select_one("section.years-block svg"))
        seen.append(runs([columns[year] for year in sorted(columns)]))
    assert seen == ["ltr"] * 2 + ["rtl"] * 2 + ["ltr"] * 2 + ["rtl"] * 4


def test_the_right_to_left_timeline_is_the_left_to_right_one_mirrored(small_archive):
    eras, dialogues = Era.objects.ordered(), Dialogue.objects.chronological()
    ltr = timeline.timeline_drawing(eras, dialogues, rtl=False)
    rtl = timeline.timeline_drawing(eras, dialogues, rtl=True)
    width = ltr.width
    assert (ltr.direction, rtl.direction) == ("ltr", "rtl")
    for a, b in zip(ltr.bands, rtl.bands, strict=True):
        assert b.x == pytest.approx(width - a.x - a.width, abs=0.11)
        assert b.width == a.width and b.label == a.label
        assert b.label_x == pytest.approx(width - a.label_x, abs=0.11)
    for a, b in zip(ltr.marks, rtl.marks, strict=True):
        assert b.x == pytest.approx(width - a.x - a.width, abs=0.11)
        assert b.cx == pytest.approx(width - a.cx, abs=0.11) and b.cy == a.cy
        assert 0 <= b.x <= b.x + b.width <= width
    for a, b in zip(ltr.ticks, rtl.ticks, strict=True):
        assert (b.year, b.anchor) == (a.year, a.anchor)
        assert b.x == pytest.approx(width - a.x, abs=0.11)
    assert rtl.legend_x == width - ltr.legend_x
    assert rtl.axis == (width - ltr.axis[1], width - ltr.axis[0])


def test_the_right_to_left_histogram_is_the_left_to_right_one_mirrored(small_archive):
    weights = years.year_weights(Browse(QueryDict("")).filterset)
    ltr = histogram(weights, QueryDict(""), "/dialogues/", rtl=False)
    rtl = histogram(weights, QueryDict(""), "/dialogues/", rtl=True)
    width = ltr["width"]
    for a, b in zip(ltr["columns"], rtl["columns"], strict=True):
        assert (b.year, b.parts, b.width) == (a.year, a.parts, a.width)
        assert b.x == pytest.approx(width - a.x - a.width, abs=0.11)
    assert [year for _, year in rtl["labels"]] == [year for _, year in ltr["labels"]]
    assert rtl["value_x"] > width / 2 > ltr["value_x"]
    assert rtl["rows"] == ltr["rows"]
