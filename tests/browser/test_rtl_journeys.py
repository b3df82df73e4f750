"""The main journeys in Hebrew and in Arabic, in a real browser: each page reads right to left,
passes axe-core with no violation and breaks no rule of the Content Security Policy (the
`new_page` fixture fails the test on any violation), and time runs right to left in every
picture with a time axis.

Each language is loaded at both widths and in both colour schemes: Hebrew as a phone in the light
scheme and a desktop in the dark, Arabic the other way round, so every width meets every scheme
once without loading each page four times per language. The archive is the project's own
fixtures (`load_initial_data`), as in test_pictures.py.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from .test_accessibility import AXE_OPTIONS

pytestmark = pytest.mark.browser
axe = Axe()

PAGES = {
    "home": "/",
    "list": "/dialogues/?q=contacts&conflict=israeli-palestinian",
    "record": "/dialogues/first-contacts-with-plo-stalwarts/",
    "timeline": "/timeline/",
    "era": "/eras/after-camp-david/",
    "participant": "/participants/yossi-alpher/",
    "network": "/network/",
    "places": "/places/",
}
VIEWS = [
    ("he", 390, "light"),
    ("he", 1280, "dark"),
    ("ar", 390, "dark"),
    ("ar", 1280, "light"),
]

# The on-screen left edge of each era's band and each year's column, in the order of time.
BANDS = "svg.timeline a.tl-era rect"
COLUMNS = "section.years-block svg a.hist-year"
LEFT_EDGES = "(els) => els.map(e => e.getBoundingClientRect().left)"
YEAR_EDGES = """(els) => els
  .map(e => [Number(e.dataset.year), e.querySelector('rect').getBoundingClientRect().left])
  .sort((a, b) => a[0] - b[0]).map(pair => pair[1])"""
# Each band's label must lie inside its band: the SVG's direction turns its anchors round.
LABELS_OUTSIDE_BANDS = """(links) => links.filter(a => {
  const text = a.querySelector('text');
  if (!text) return false;
  const band = a.querySelector('rect').getBoundingClientRect();
  const label = text.getBoundingClientRect();
  return label.left < band.left - 1 || label.right > band.right + 1;
}).map(a => a.querySelector('text').textContent)"""
# What sticks out of the page sideways (a picture scrolls inside its own box, by design).
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def fixtures(transactional_db):
    from django.core.management import call_command

    from dialogues import caching

    call_command("load_initial_data", verbosity=0)
    caching.bump()


def runs_right_to_left(edges: list[float]) -> bool:
    return len(edges) >= 2 and all(a > b for a, b in zip(edges, edges[1:], strict=False))


@pytest.mark.parametrize(("language", "width", "scheme"), VIEWS, ids=lambda v: str(v))
@pytest.mark.parametrize("name", PAGES)
def test_each_page_reads_right_to_left_with_no_axe_or_csp_violation(
    new_page, fixtures, name, language, width, scheme
):
    page = new_page(width=width, scheme=scheme)
    response = page.goto(f"/{language}{PAGES[name]}")
    assert response.status == 200
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == (language, "rtl")
    # Links inside the page stay in its language.
    assert page.locator(f"header a[href^='/{language}/']").count() > 0
    assert page.evaluate(OVERFLOW) <= 0, f"{name} is wider than the screen"

    if page.locator(BANDS).count():
        assert runs_right_to_left(page.locator(BANDS).evaluate_all(LEFT_EDGES))
        assert page.locator("svg.timeline a.tl-era").evaluate_all(LABELS_OUTSIDE_BANDS) == []
    if page.locator(COLUMNS).count() > 1:
        assert runs_right_to_left(page.locator(COLUMNS).evaluate_all(YEAR_EDGES))
    if name in ("timeline", "list"):
        assert page.locator(f"{BANDS}, {COLUMNS}").count() > 0

    for details in page.locator("details.picture-text").all():
        details.locator("summary").click()  # the tables are checked open too
    results = axe.run(page, options=AXE_OPTIONS)
    if results.violations_count:
        pytest.fail(
            f"{name} in {language} at {width}px in {scheme}:\n{results.generate_report()}",
            pytrace=False,
        )


@pytest.mark.parametrize(("language", "scheme"), [("he", "dark"), ("ar", "light")])
def test_the_admin_reads_right_to_left_with_no_axe_or_csp_violation(
    new_page, log_in, editor, fixtures, language, scheme
):
    """An editor who chose Hebrew or Arabic gets the admin right to left, and text typed into
    it in either script shows in its own direction."""
    from dialogues.models import Dialogue

    record = Dialogue.objects.order_by("pk").first()
    page = new_page(scheme=scheme)
    log_in(page, editor)
    page.goto("/admin/")
    page.select_option("#admin-language", language)
    page.click("form.admin-language button")
    page.wait_for_url("**/admin/")
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == (language, "rtl")

    assert page.goto(f"/admin/dialogues/dialogue/{record.pk}/change/").status == 200
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == (language, "rtl")
    title = page.locator("#id_title")
    assert title.get_attribute("dir") == "auto"
    # An English title on the right-to-left admin still reads left to right.
    title.fill("Track II talks in Oslo")
    assert title.evaluate("e => getComputedStyle(e).direction") == "ltr"
    results = axe.run(page, options=AXE_OPTIONS)
    if results.violations_count:
        pytest.fail(f"admin in {language}:\n{results.generate_report()}", pytrace=False)
