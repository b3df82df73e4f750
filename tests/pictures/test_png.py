"""Each figure's PNG download: the SVG file drawn as pixels, with its text, size and direction.

The PNG is drawn from the very SVG file the SVG download gives (so what the SVG withholds the PNG
withholds), at 800 pixels times `?scale=` wide, its caption strip set in a font the machine
has; right to left, the strip reads from the right as it does in a browser.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from dialogues.models import Participation, Side
from dialogues.pages.pictures import download
from tests.factories import make_dialogue, make_participant
from tests.i18n.archive import build

from . import png

pytestmark = pytest.mark.django_db
SVG_NS = "{http://www.w3.org/2000/svg}"
SECRET = "Zebulon Quartermaine"
# Each figure's SVG download and its PNG twin.
FIGURES = {
    "dialogues:years_figure": "dialogues:years_figure_png",
    "dialogues:timeline_figure": "dialogues:timeline_figure_png",
    "dialogues:network_figure": "dialogues:network_figure_png",
    "dialogues:map_figure": "dialogues:map_figure_png",
}


@pytest.fixture
def archive():
    """One record of every kind (a draft among them), and a name withheld from the first."""
    records = build()
    secret = make_participant(slug="zebulon", name=SECRET, side=Side.PALESTINIAN)
    Participation.objects.create(dialogue=records.dialogue, participant=secret, withheld=True)
    return records


def sizes(svg_body: bytes) -> tuple[float, float, float]:
    """(width, height, the drawing's height) of an SVG figure file, in its own pixels."""
    root = ET.fromstring(svg_body)
    drawing = root.find(f"{SVG_NS}svg")
    return float(root.get("width")), float(root.get("height")), float(drawing.get("height"))


def drawn_size(png_body: bytes, svg_body: bytes, scale: int) -> bool:
    """Whether the PNG is the SVG file's size, its height rounded to a whole pixel, times
    `scale`."""
    width, height, _ = sizes(svg_body)
    found_width, found_height = png.size(png_body)
    return (
        found_width == scale * width
        and found_height % scale == 0
        and abs(found_height / scale - height) <= 0.5
    )


@pytest.mark.parametrize("name", FIGURES)
def test_the_png_is_the_svg_file_drawn(client, archive, name):
    svg = client.get(reverse(name))
    answer = client.get(reverse(FIGURES[name]))
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    assert answer["Content-Disposition"] == svg["Content-Disposition"].replace(".svg", ".png")
    text = svg.content.decode()
    assert SECRET not in text and archive.draft.title not in text
    # Drawn from that file and no other: what the SVG leaves out, the PNG cannot show.
    assert answer.content == download.figure_png(text)
    assert drawn_size(answer.content, svg.content, 2)


@pytest.mark.parametrize("scale", ["1", "3"])
def test_the_scale_sets_the_width(client, archive, scale):
    svg = client.get(reverse("dialogues:timeline_figure"))
    answer = client.get(reverse("dialogues:timeline_figure_png"), {"scale": scale})
    assert drawn_size(answer.content, svg.content, int(scale))


@pytest.mark.parametrize("name", FIGURES)
def test_the_png_is_drawn_and_its_strip_written(client, archive, name):
    svg = client.get(reverse(name))
    image = png.read(client.get(reverse(FIGURES[name]), {"scale": "1"}).content)
    _, _, drawing = sizes(svg.content)
    top = math.ceil(drawing)
    # The drawing is more than a background: its shapes bring colours of their own.
    assert len(image.colours(0, top)) > 8
    # The caption's line (the strip's first) is written: text needs a font, and resvg drops
    # the text it has no font for. In English it starts at the left margin.
    caption = image.ink(top + 2, top + download.LINE + 4)
    assert len(caption) > 300
    assert min(caption) < 20
    # Four lines of text: caption, filters, archive and code, address.
    rows_with_ink = [y for y in range(top, image.height) if image.ink(y, y + 1)]
    assert rows_with_ink and max(rows_with_ink) > top + 3 * download.LINE


@pytest.mark.parametrize("language", ["he", "ar"])
def test_right_to_left_the_strip_reads_from_the_right(client, archive, language):
    address = f"/{language}{reverse('dialogues:timeline_figure')}"
    svg = client.get(address)
    assert ET.fromstring(svg.content).get("direction") == "rtl"
    image = png.read(client.get(address.replace(".svg", ".png"), {"scale": "1"}).content)
    width, _, drawing = sizes(svg.content)
    top = math.ceil(drawing)
    caption = image.ink(top + 2, top + download.LINE + 4)
    # Set from the right margin (x = width - 12) leftwards, not from the left one.
    assert len(caption) > 300
    assert width - 20 < max(caption) <= width - 10
    assert min(caption) > 40


def test_right_to_left_text_is_given_its_anchor_and_direction_for_the_renderer():
    document = (
        '<svg xmlns="http://www.w3.org/2000/svg" direction="rtl" width="100" height="40">'
        '<svg viewBox="0 0 10 10" width="100" height="20">'
        '<text x="9">אחת</text><text x="5" text-anchor="middle">2000</text></svg>'
        '<text x="90" y="30" text-anchor="end">שתיים</text>'
        '<text x="90" y="38" direction="ltr" text-anchor="end">https://example.org/</text></svg>'
    )
    root = ET.fromstring(download._for_raster(document))
    texts = list(root.iter(f"{SVG_NS}text"))
    assert [(t.get("text-anchor"), t.get("direction")) for t in texts] == [
        ("end", "ltr"),
        ("middle", "ltr"),
        ("start", "ltr"),
        ("end", "ltr"),
    ]
    assert [t.text for t in texts] == [
        "\u202bאחת\u202c",
        "\u202b2000\u202c",
        "\u202bשתיים\u202c",
        "https://example.org/",
    ]
    assert root.find(f"{SVG_NS}svg").get("overflow") == "visible"


@pytest.mark.parametrize("scale", ["0", "4", "2.5", "-1", "two", "%00", "x" * 500])
def test_a_bad_scale_is_a_400_saying_what_is_accepted(client, archive, scale):
    for name in FIGURES.values():
        response = client.get(reverse(name) + "?scale=" + scale)
        assert response.status_code == 400, name
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        text = response.content.decode()
        assert "1, 2 or 3" in text and "\x00" not in text and len(text) < 300


def test_the_refusal_is_in_the_page_language(client, archive):
    text = client.get("/ar" + reverse("dialogues:map_figure_png") + "?scale=9").content.decode()
    assert "PNG" in text and "scale" not in text and "9" in text


@pytest.mark.parametrize("query", ["?era=nope", "?from=abc", "?side=martian", "?scale="])
def test_bad_filters_are_left_out_as_in_the_svg(client, archive, query):
    for name in ("dialogues:years_figure_png", "dialogues:map_figure_png"):
        assert client.get(reverse(name) + query).status_code == 200
    assert client.get(reverse("dialogues:network_figure_png") + query).status_code == 200
    bad_era = client.get(reverse("dialogues:timeline_figure_png"), {"era": "nope"})
    assert bad_era.status_code == 404


def test_the_png_is_cached_until_the_archive_changes(client, archive, monkeypatch):
    calls = []
    draw = download.resvg_py.svg_to_bytes

    def counted(**kwargs):
        calls.append(1)
        return draw(**kwargs)

    monkeypatch.setattr(download.resvg_py, "svg_to_bytes", counted)
    address = reverse("dialogues:years_figure_png")
    first = client.get(address).content
    assert client.get(address).content == first and len(calls) == 1
    client.get(address, {"scale": "1"})
    assert len(calls) == 2
    make_dialogue(slug="new-talks", era=archive.era, date="1998")
    assert client.get(address).content != first and len(calls) == 3


@pytest.mark.parametrize(
    "page,svg_name",
    [
        ("/places/", "dialogues:map_figure"),
        ("/dialogues/?era=the-nineties", "dialogues:map_figure"),
        ("/dialogues/?era=the-nineties", "dialogues:years_figure"),
        ("/network/?side=israeli", "dialogues:network_figure"),
        ("/timeline/?era=the-nineties", "dialogues:timeline_figure"),
    ],
)
def test_each_picture_links_its_png_beside_its_svg(client, archive, page, svg_name):
    soup = BeautifulSoup(client.get(page).content, "html.parser")
    links = [a["href"] for a in soup.select("a[download]")]
    svgs = [href for href in links if href.split("?")[0] == reverse(svg_name)]
    pngs = [href for href in links if href.split("?")[0] == reverse(FIGURES[svg_name])]
    assert svgs and [href.replace(".png", ".svg") for href in pngs] == svgs
    for href in pngs:
        assert client.get(href)["Content-Type"] == "image/png"


@pytest.mark.parametrize("language", ["", "/he", "/ar"])
def test_the_strip_wraps_its_long_lines_to_the_file_s_width(client, archive, language):
    """The histogram's caption, its title and rule, is longer than the strip is wide."""
    root = ET.fromstring(client.get(language + reverse("dialogues:years_figure")).content)
    lines = [t.text for t in root.findall(f"{SVG_NS}text")]
    caption = root.find(".//{http://purl.org/dc/elements/1.1/}title").text
    assert len(caption) > download.ROOM
    assert all(len(line) <= download.ROOM for line in lines[:-1])
    first_lines = lines[: lines.index(next(line for line in lines if line.startswith("Filters:")))]
    assert len(first_lines) > 1 and " ".join(first_lines) == caption
    # The text's last line, the address, is whole.
    assert lines[-1].startswith("http://testserver/")
