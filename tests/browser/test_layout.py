"""The layout as rendered: no sideways scrolling from 360 to 1440 px, a readable measure, the
facets out of the way on phones, and a print view without the site's apparatus."""

from __future__ import annotations

import pytest

from tests.factories import PUBLIC_KINDS

pytestmark = pytest.mark.browser


# Characters on each rendered line of a block of text, measured from its own glyphs.
LINE_LENGTHS = """(block) => {
  const range = document.createRange();
  const lines = new Map();
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = range.getClientRects()[0];
      if (box) lines.set(Math.round(box.top), (lines.get(Math.round(box.top)) || 0) + 1);
    }
  }
  return [...lines.values()];
}"""


@pytest.mark.parametrize("width", [360, 1440])
def test_no_page_scrolls_sideways(new_page, archive, width):
    page = new_page(width=width)
    wide = {}
    for kind in PUBLIC_KINDS:
        page.goto(archive.urls()[kind])
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        if overflow > 0:
            wide[kind] = overflow
    assert wide == {}, f"pages wider than {width}px, by px: {wide}"


@pytest.mark.parametrize("width", [1280, 1440])
@pytest.mark.parametrize(
    ("kind", "selector"),
    [("record", ".summary"), ("about", ".prose p"), ("home", ".card-summary")],
)
def test_reading_text_keeps_a_readable_measure(new_page, archive, width, kind, selector):
    page = new_page(width=width)
    page.goto(archive.urls()[kind])
    # The last line of a paragraph may be short; the others show the measure.
    full = [block.evaluate(LINE_LENGTHS)[:-1] for block in page.locator(selector).all()]
    assert any(full), f"no {selector} on {kind} runs to a second line"
    for lines in full:
        if lines:
            assert 45 <= max(lines) <= 75, f"{selector} on {kind} has lines of {lines} characters"


def test_on_a_phone_the_facets_follow_the_results(new_page, archive):
    page = new_page(width=390)
    page.goto(archive.urls()["dialogues"])
    last_card = page.locator(".results .card").last.bounding_box()
    facets = page.locator(".sidebar details.facets").bounding_box()
    assert facets["y"] >= last_card["y"] + last_card["height"]
    wide = new_page(width=1280)
    wide.goto(archive.urls()["dialogues"])
    beside = wide.locator(".sidebar").bounding_box()
    results = wide.locator(".results").bounding_box()
    assert beside["x"] >= results["x"] + results["width"]


def test_a_record_prints_as_a_citation_sheet(new_page, archive):
    page = new_page(width=800)
    page.goto(archive.urls()["record"])
    page.emulate_media(media="print")
    for apparatus in ["header.site-header", "footer.site-footer", ".breadcrumbs", ".prev-next"]:
        assert not page.locator(apparatus).is_visible(), f"{apparatus} is printed"
    assert page.locator(".masthead").is_visible()
    heading = page.locator("h1").bounding_box()
    cite = page.locator(".cite-box").bounding_box()
    facts = page.locator(".facts").bounding_box()
    # Title, then the citation, then the evidence.
    assert heading["y"] < cite["y"] < facts["y"]
