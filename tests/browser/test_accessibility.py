"""axe-core on every kind of page, in both colour schemes, on a phone and on a desktop.

Each (page, scheme, width) is one test and one page load, so a failure names exactly what
failed, with axe's own report.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import ALL_KINDS

pytestmark = pytest.mark.browser

# WCAG 2.0, 2.1 and 2.2, levels A and AA: the rules the archive promises to meet.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
# The tombstone of a withdrawn record is a page readers meet too, answering 410.
KINDS = [*ALL_KINDS, "withdrawn"]
STATUS = {"withdrawn": 410}
WIDTHS = [390, 1280]
SCHEMES = ["light", "dark"]

axe = Axe()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", KINDS)
def test_no_axe_violations(request, new_page, log_in, archive, kind, width, scheme):
    page = new_page(width=width, scheme=scheme)
    if kind.startswith("admin-"):
        # Only the admin needs an account, and making one costs a slow password hash.
        log_in(page, request.getfixturevalue("editor"))
    response = page.goto(archive.urls()[kind])
    expected = STATUS.get(kind, 200)
    assert response.status == expected, f"{kind} answered {response.status}"
    results = axe.run(page, options=AXE_OPTIONS)
    if results.violations_count:
        pytest.fail(f"{kind} at {width}px in {scheme}:\n{results.generate_report()}", pytrace=False)
