import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from dialogues.models import Dialogue, Era
from dialogues.pages import timeline

from ..factories import make_conflict, make_dialogue, make_era

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
LONG = "After the first contacts, a long and winding season of meetings"


@pytest.fixture
def archive():
    conflict = make_conflict()
    first = make_era(name=LONG, date="1975/1986", position=101)
    second = make_era(name="A brief season", date="2007-01/2007-03", position=102)
    make_dialogue(era=first, conflict=conflict, date="1976~", cite=False)
    make_dialogue(era=first, conflict=conflict, date="1980-05-02", cite=False)
    make_dialogue(era=second, conflict=conflict, date="2007-02-01", cite=False)
    return first, second


def draw(eras=None) -> ET.Element:
    eras = Era.objects.ordered() if eras is None else eras
    return ET.fromstring(str(timeline.timeline_svg(eras, Dialogue.objects.chronological())))


def test_era_names_are_never_cut_and_the_legend_names_every_band(archive):
    root = draw()
    bands = [a for a in root.iter(f"{SVG}a") if "tl-era" in a.get("class")]
    labels = [next(a.iter(f"{SVG}text")).text for a in bands]
    assert not any("…" in label for label in labels)
    for number, (label, era) in enumerate(zip(labels, archive, strict=True), start=1):
        assert label in {str(number), f"{number} {era.name}"}
    legend = [t.text for t in root.find(f"{SVG}g[@class='tl-legend']").iter(f"{SVG}text")]
    assert legend == [f"{n}  {era.name} ({era.date_display})" for n, era in enumerate(archive, 1)]


@pytest.mark.parametrize(
    ("first", "last", "step"), [(1975, 1980, 1), (1975, 2007, 5), (1960, 2025, 10)]
)
def test_ticks_are_labelled_on_round_years_only(first, last, step):
    assert timeline.tick_step(first, last) == step


def test_the_labelled_ticks_fall_on_multiples_of_the_step(archive):
    root = draw()
    years = [int(t.text) for t in root.find(f"{SVG}g[@class='tl-axis']").iter(f"{SVG}text")]
    assert years and all(year % 5 == 0 for year in years)


def test_one_era_opens_alone_at_a_larger_scale(client, archive):
    first, second = archive
    whole = BeautifulSoup(client.get(reverse("dialogues:timeline")).content, "html.parser")
    response = client.get(reverse("dialogues:timeline") + f"?era={first.slug}")
    page = BeautifulSoup(response.content, "html.parser")
    bands = page.select("svg a.tl-era")
    assert [a["href"] for a in bands] == [first.get_absolute_url()]
    second_alone = client.get(reverse("dialogues:timeline") + f"?era={second.slug}")
    band = BeautifulSoup(second_alone.content, "html.parser").select_one("svg a.tl-era text")
    assert band.text.split()[0] == "2"  # one era drawn alone keeps its number
    assert len(page.select("svg a.tl-dialogue")) == 2
    whole_band = next(a for a in whole.select("svg a.tl-era") if a["href"] == bands[0]["href"])
    assert float(bands[0].rect["width"]) > float(whole_band.rect["width"])
    links = [a["href"] for a in whole.select("nav.era-zoom a")]
    assert f"{reverse('dialogues:timeline')}?era={second.slug}" in links


@pytest.mark.parametrize("bad", ["nope", "%00", "x" * 300, "<script>"])
def test_an_unknown_era_is_a_404_with_a_message(client, archive, bad):
    response = client.get(reverse("dialogues:timeline"), {"era": bad})
    assert response.status_code == 404
    assert client.get(reverse("dialogues:timeline_figure"), {"era": bad}).status_code == 404


def test_the_download_carries_caption_filters_generation_and_date(client, archive):
    first, _ = archive
    response = client.get(reverse("dialogues:timeline_figure"), {"era": first.slug})
    assert response["Content-Type"] == "image/svg+xml"
    assert "attachment" in response["Content-Disposition"]
    root = ET.fromstring(response.content)
    lines = [t.text for t in root.findall(f"{SVG}text")]
    assert lines[0] == f"Timeline of {first.name}"
    assert lines[1] == f"Filters: era: {first.name}"
    assert "generation" in lines[2] and "drawn" in lines[2]
    nested = root.find(f"{SVG}svg")
    assert [a.get("href") for a in nested.iter(f"{SVG}a") if "tl-era" in a.get("class")] == [
        first.get_absolute_url()
    ]
