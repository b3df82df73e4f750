import xml.etree.ElementTree as ET
from collections import Counter
from operator import attrgetter

import pytest

from dialogues.models import Dialogue, Era
from dialogues.pages import scale, timeline

from ..factories import make_conflict, make_dialogue, make_era

pytestmark = pytest.mark.django_db

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"
DRAWING_TAGS = {"svg", "title", "desc", "g", "a", "rect", "circle", "line", "text"}


def draw(**kwargs) -> ET.Element:
    eras, dialogues = Era.objects.ordered(), Dialogue.objects.chronological()
    return ET.fromstring(str(timeline.timeline_svg(eras, dialogues, **kwargs)))


def text_alternative() -> list[dict]:
    return timeline.timeline_text(Era.objects.ordered(), Dialogue.objects.chronological())


def links(root, kind: str) -> dict[str, ET.Element]:
    found = [a for a in root.iter(f"{SVG}a") if kind in a.get("class", "").split()]
    hrefs = [a.get("href") for a in found]
    assert len(hrefs) == len(set(hrefs)), "each record is drawn once"
    return dict(zip(hrefs, found, strict=True))


def shape(anchor) -> ET.Element:
    return next(child for child in anchor if child.tag in {f"{SVG}rect", f"{SVG}circle"})


def extent(element) -> tuple[float, float]:
    if element.tag == f"{SVG}circle":
        cx, r = float(element.get("cx")), float(element.get("r"))
        return cx - r, cx + r
    x = float(element.get("x"))
    return x, x + float(element.get("width"))


def middle_y(element) -> float:
    if element.tag == f"{SVG}circle":
        return float(element.get("cy"))
    return float(element.get("y")) + float(element.get("height")) / 2


def width(element) -> float:
    left, right = extent(element)
    return right - left


def tooltip(anchor) -> str:
    first = anchor[0]
    assert first.tag == f"{SVG}title"
    return first.text


@pytest.fixture
def archive():
    """Three eras of very different lengths, the middle one empty, with dialogues in the others."""
    conflict = make_conflict()
    first = make_era(name="Early years", date="1975/1986", position=101)
    empty = make_era(name="Quiet years", date="1987/2006", position=102)
    last = make_era(name="A short season", date="2007-01/2007-03", position=103)
    dialogues = [
        make_dialogue(era=first, conflict=conflict, date="1976~", cite=False),
        make_dialogue(era=first, conflict=conflict, date="1980-05-02", cite=False),
        make_dialogue(era=last, conflict=conflict, date="2007-02-01/2007-02-03", cite=False),
    ]
    return [first, empty, last], dialogues


def test_every_era_and_every_dialogue_is_one_focusable_link(archive):
    eras, dialogues = archive
    root = draw()
    era_links, dialogue_links = links(root, "tl-era"), links(root, "tl-dialogue")
    assert set(era_links) == {era.get_absolute_url() for era in eras}
    assert set(dialogue_links) == {d.get_absolute_url() for d in dialogues}
    everything = Counter(a.get("href") for a in root.iter(f"{SVG}a"))
    assert set(everything.values()) == {1}
    for anchor in [*era_links.values(), *dialogue_links.values()]:
        assert "tl-link" in anchor.get("class").split()


def test_each_link_is_named_by_a_title_with_name_and_date_in_words(archive):
    eras, dialogues = archive
    root = draw()
    era_links, dialogue_links = links(root, "tl-era"), links(root, "tl-dialogue")
    for era in eras:
        name = tooltip(era_links[era.get_absolute_url()])
        assert era.name in name and era.date_display in name
    for dialogue in dialogues:
        name = tooltip(dialogue_links[dialogue.get_absolute_url()])
        assert dialogue.title in name and dialogue.date_display in name


def test_an_era_without_dialogues_still_has_its_band(archive):
    eras, _ = archive
    empty = eras[1]
    assert not empty.dialogues.exists()
    band = shape(links(draw(), "tl-era")[empty.get_absolute_url()])
    assert band.tag == f"{SVG}rect"
    assert width(band) > 0


@pytest.mark.parametrize(
    "uncertain",
    ["1992/1993", "1995~", "1995?", "1995", "1995-03", "1995-03-18/1995-03-20", "1995-03-18~"],
)
def test_an_uncertain_date_is_a_span_wider_than_a_precise_one(uncertain):
    era = make_era(date="1990/1999")
    fuzzy = make_dialogue(era=era, date=uncertain, cite=False)
    exact = make_dialogue(era=era, date="1997-06-01", cite=False)
    marks = links(draw(), "tl-dialogue")
    span = shape(marks[fuzzy.get_absolute_url()])
    point = shape(marks[exact.get_absolute_url()])
    assert span.tag == f"{SVG}rect"
    assert point.tag == f"{SVG}circle"
    assert width(span) > width(point)


def test_a_span_is_as_wide_as_its_dates_within_an_era():
    era = make_era(date="1990/1999")
    dialogue = make_dialogue(era=era, date="1992/1993", cite=False)
    root = draw()
    band = shape(links(root, "tl-era")[era.get_absolute_url()])
    span = shape(links(root, "tl-dialogue")[dialogue.get_absolute_url()])
    era_days = (era.date_latest - era.date_earliest).days + 1
    span_days = (dialogue.date_latest - dialogue.date_earliest).days + 1
    assert width(span) / width(band) == pytest.approx(span_days / era_days, rel=0.02)
    left_days = (dialogue.date_earliest - era.date_earliest).days
    assert extent(span)[0] - extent(band)[0] == pytest.approx(
        width(band) * left_days / era_days, abs=0.2
    )


def test_overlapping_dialogues_go_on_different_rows_and_others_share_one():
    era = make_era(date="1990/1999")
    first = make_dialogue(era=era, date="1992/1993", cite=False)
    overlapping = make_dialogue(era=era, date="1993/1994", cite=False)
    later = make_dialogue(era=era, date="1997", cite=False)
    marks = {url: shape(a) for url, a in links(draw(), "tl-dialogue").items()}
    row = {d.pk: middle_y(marks[d.get_absolute_url()]) for d in (first, overlapping, later)}
    assert row[first.pk] != row[overlapping.pk]
    assert row[later.pk] == row[first.pk]
    # Marks on one row never cover each other.
    by_row: dict[float, list[tuple[float, float]]] = {}
    for mark in marks.values():
        by_row.setdefault(middle_y(mark), []).append(extent(mark))
    for extents in by_row.values():
        extents.sort()
        for (_, right), (left, _) in zip(extents, extents[1:], strict=False):
            assert right <= left


def test_marks_for_the_same_day_do_not_cover_each_other():
    era = make_era(date="1990/1999")
    same = [make_dialogue(era=era, date="1995-05-05", cite=False) for _ in range(3)]
    marks = links(draw(), "tl-dialogue")
    rows = {middle_y(shape(marks[d.get_absolute_url()])) for d in same}
    assert len(rows) == len(same)


def test_a_short_era_gets_a_readable_share_of_the_axis():
    long = make_era(date="1950/1999")
    short = make_era(date="2000-01/2000-02")
    bands = links(draw(), "tl-era")
    long_width = width(shape(bands[long.get_absolute_url()]))
    short_width = width(shape(bands[short.get_absolute_url()]))
    share = short_width / (long_width + short_width)
    days = {e: (e.date_latest - e.date_earliest).days + 1 for e in (long, short)}
    assert share > 10 * days[short] / (days[long] + days[short])
    assert share >= scale.MIN_ERA_SHARE / (1 + scale.MIN_ERA_SHARE) - 1e-3


def test_bands_follow_each_other_in_date_order_without_overlap(archive):
    eras, _ = archive
    bands = links(draw(), "tl-era")
    extents = [extent(shape(bands[era.get_absolute_url()])) for era in eras]
    for (_, right), (left, _) in zip(extents, extents[1:], strict=False):
        assert right == pytest.approx(left, abs=0.2)


def label_extent(text) -> tuple[float, float]:
    x, size = float(text.get("x")), len(text.text) * timeline.CHAR_WIDTH
    offset = {"start": 0, "middle": size / 2, "end": size}[text.get("text-anchor")]
    return x - offset, x - offset + size


@pytest.mark.parametrize("drawing_width", [1000, 480])
def test_year_labels_run_in_order_inside_the_drawing_without_overlap(archive, drawing_width):
    eras, _ = archive
    root = draw(width=drawing_width)
    axis = root.find("svg:g[@class='tl-axis']", NS)
    texts = list(axis.iter(f"{SVG}text"))
    years = [int(t.text) for t in texts]
    assert len(years) >= 3
    assert years == sorted(years)
    assert eras[0].date_earliest.year <= years[0] and years[-1] <= eras[-1].date_latest.year + 1
    extents = [label_extent(t) for t in texts]
    assert extents[0][0] >= 0 and extents[-1][1] <= drawing_width
    for (_, right), (left, _) in zip(extents, extents[1:], strict=False):
        assert right < left


@pytest.mark.parametrize(
    ("era_name", "dialogue_title"),
    [
        ("Peace & <War>", 'Talks "A" < "B" & C\'s'),
        ("</svg><script>alert(1)</script>", "]]> <!-- -->"),
    ],
)
def test_names_with_markup_characters_are_escaped(era_name, dialogue_title):
    era = make_era(name=era_name, date="1990/1999")
    dialogue = make_dialogue(era=era, title=dialogue_title, date="1995", cite=False)
    root = draw()
    assert {element.tag.removeprefix(SVG) for element in root.iter()} <= DRAWING_TAGS
    assert tooltip(links(root, "tl-era")[era.get_absolute_url()]).startswith(era_name)
    name = tooltip(links(root, "tl-dialogue")[dialogue.get_absolute_url()])
    assert name.startswith(dialogue_title)


def test_the_svg_is_self_contained_and_labelled_for_assistive_technology(archive):
    root = draw(width=640, id_prefix="tl")
    assert root.tag == f"{SVG}svg"
    assert root.get("role") != "img"
    assert root.get("width") == "100%"
    assert [float(n) for n in root.get("viewBox").split()][:3] == [0, 0, 640]
    ids = {element.get("id"): element.tag for element in root.iter() if element.get("id")}
    assert ids[root.get("aria-labelledby")] == f"{SVG}title"
    assert ids[root.get("aria-describedby")] == f"{SVG}desc"
    assert root.find("svg:title", NS).text and root.find("svg:desc", NS).text
    for anchor in root.iter(f"{SVG}a"):
        assert anchor.get("href").startswith("/")


def test_every_mark_lies_inside_the_drawing(archive):
    root = draw(width=480)
    _, _, view_width, view_height = (float(n) for n in root.get("viewBox").split())
    for anchor in links(root, "tl-dialogue").values():
        mark = shape(anchor)
        left, right = extent(mark)
        assert 0 <= left < right <= view_width
        assert 0 < middle_y(mark) < view_height


def test_the_text_alternative_lists_the_same_records_as_the_svg(archive):
    eras, dialogues = archive
    root = draw()
    text = text_alternative()
    assert [era["url"] for era in text] == [era.get_absolute_url() for era in eras]
    assert [era["url"] for era in text] == list(links(root, "tl-era"))
    listed = [d for era in text for d in era["dialogues"]]
    drawn = links(root, "tl-dialogue")
    assert {d["url"] for d in listed} == set(drawn)
    assert len(listed) == len(drawn) == len(dialogues)
    for d in listed:
        assert tooltip(drawn[d["url"]]) == f"{d['title']} ({d['date']})"


def test_the_text_alternative_gives_each_era_its_own_dialogues_in_date_order(archive):
    eras, dialogues = archive
    text = text_alternative()
    for era, entry in zip(eras, text, strict=True):
        assert (entry["name"], entry["date"]) == (era.name, era.date_display)
        mine = sorted(
            (d for d in dialogues if d.era_id == era.pk),
            key=attrgetter(*Dialogue.CHRONOLOGICAL),
        )
        assert [d["url"] for d in entry["dialogues"]] == [d.get_absolute_url() for d in mine]
        assert [d["date"] for d in entry["dialogues"]] == [d.date_display for d in mine]
    assert text[1]["dialogues"] == []


def test_with_no_records_the_timeline_is_still_valid_svg():
    root = ET.fromstring(str(timeline.timeline_svg([], [])))
    assert root.find("svg:title", NS) is not None
    assert list(root.iter(f"{SVG}a")) == []
    assert timeline.timeline_text([], []) == []
