"""Every picture with JavaScript off: its shapes against its text equivalent; then axe-core and
the Content Security Policy on the same pages, in both colour schemes.

The archive is the project's own fixtures (`load_initial_data`), with one participation
withheld, so the withheld name can be looked for in every picture.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from .test_accessibility import AXE_OPTIONS

pytestmark = pytest.mark.browser
axe = Axe()
PAGES = {
    "timeline": "/timeline/",
    "timeline-era": "/timeline/?era=after-camp-david",
    "list": "/dialogues/",
    "era": "/eras/after-camp-david/",
    "network": "/network/",
    "places": "/places/",
    "participant": "/participants/yossi-alpher/",
    "organisation": "/organisations/association-of-world-citizens/",
}


@pytest.fixture
def fixtures(transactional_db):
    from django.core.management import call_command

    from dialogues.models import Participation

    call_command("load_initial_data", verbosity=0)
    hidden = Participation.objects.filter(participant__slug="palestinian-track-ii-colleagues")
    hidden.update(withheld=True)
    from dialogues import caching

    caching.bump()
    return "Palestinian Track II colleagues"


def keys(page, selector: str, attribute: str) -> list[str]:
    return sorted(
        page.locator(selector).evaluate_all(f"(els) => els.map(e => e.getAttribute('{attribute}'))")
    )


def count(page, selector: str) -> int:
    return page.locator(selector).count()


def check_shapes_against_text(page, name: str) -> None:
    if name.startswith("timeline"):
        assert count(page, "svg a.tl-era") == count(page, "section.timeline-era") > 0
        assert count(page, "svg a.tl-dialogue") == count(page, ".timeline-dialogues li") > 0
        assert count(page, "svg g.tl-legend text") == count(page, "svg a.tl-era")
    if page.locator("section.years-block table").count():
        assert (
            count(page, "section.years-block svg a.hist-year")
            == count(page, "section.years-block tbody tr")
            > 0
        )
    if page.locator("section.map-block").count():
        drawn = keys(page, "section.map-block svg a.map-place", "data-place")
        tabled = keys(page, "section.map-block tbody tr:not([data-unmapped])", "data-place")
        assert drawn == tabled
        assert count(page, "svg line.map-or") == count(page, "ul.map-alternatives-list li")
    if page.locator("ol.network-list").count():
        drawn = keys(page, "svg a.net-node", "data-key")
        assert drawn == keys(page, "ol.network-list > li", "data-key") and drawn


@pytest.mark.parametrize("name", PAGES)
def test_each_picture_matches_its_text_with_javascript_off(new_page, fixtures, name):
    page = new_page(java_script_enabled=False)
    response = page.goto(PAGES[name])
    assert response.status == 200
    assert page.locator("figure svg").count() >= 1
    check_shapes_against_text(page, name)
    if name in {"network", "participant", "list", "era"}:
        assert fixtures not in page.locator("main, body").first.inner_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_no_axe_or_csp_violations(new_page, fixtures, name, scheme):
    page = new_page(scheme=scheme)
    assert page.goto(PAGES[name]).status == 200
    for details in page.locator("details.picture-text").all():
        details.locator("summary").click()  # the tables are checked open too
    results = axe.run(page, options=AXE_OPTIONS)
    if results.violations_count:
        pytest.fail(f"{name} in {scheme}:\n{results.generate_report()}", pytrace=False)
