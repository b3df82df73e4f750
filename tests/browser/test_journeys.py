"""Three people's journeys through the archive, each step a real click or keypress in Chromium.

The expected results are worked out from the records the test built, never written in: a
journey fails if the page shows anything other than what the data says it should.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Why focus is not visible on the focused element, or "" when it is: an outline or, on the
# timeline's SVG marks, a stroke in the focus colour; on screen, and not hidden behind anything.
FOCUS_PROBLEM = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "nothing has focus";
  const what = el.outerHTML.slice(0, 160);
  if (!el.matches(":focus-visible")) return "focus is not shown as visible on " + what;
  const probe = document.createElement("span");
  probe.style.color = "var(--focus)";
  document.body.append(probe);
  const focusColour = getComputedStyle(probe).color;
  probe.remove();
  const marked = (node) => {
    const style = getComputedStyle(node);
    if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) return true;
    return node instanceof SVGElement && style.stroke === focusColour
      && parseFloat(style.strokeWidth) >= 2;
  };
  if (![el, ...el.children].some(marked)) return "no focus indicator on " + what;
  // The part of it in sight: inside the window and every scrolling box around it.
  const box = el.getClientRects()[0];
  if (!box) return "the focused element has no box: " + what;
  let [left, top, right, bottom] = [box.left, box.top, box.right, box.bottom];
  const clips = [{left: 0, top: 0, right: innerWidth, bottom: innerHeight}];
  for (let up = el.parentElement; up; up = up.parentElement) {
    const style = getComputedStyle(up);
    if (style.overflowX !== "visible" || style.overflowY !== "visible") {
      clips.push(up.getBoundingClientRect());
    }
  }
  for (const clip of clips) {
    left = Math.max(left, clip.left); top = Math.max(top, clip.top);
    right = Math.min(right, clip.right); bottom = Math.min(bottom, clip.bottom);
  }
  if (right - left < 1 || bottom - top < 1) return "out of sight: " + what;
  const seen = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
  if (!seen || !(el === seen || el.contains(seen))) return "hidden behind another element: " + what;
  return "";
}"""

FACET_COUNTS = """(section) => Object.fromEntries(
  [...section.querySelectorAll("a")].map((link) => {
    const label = link.cloneNode(true);
    label.querySelectorAll(".count, .visually-hidden").forEach((n) => n.remove());
    return [label.textContent.trim(), parseInt(link.querySelector(".count").textContent, 10)];
  })
)"""


def facet_counts(page, name: str) -> dict[str, int]:
    return page.locator(f"section[aria-labelledby=facet-{name}]").evaluate(FACET_COUNTS)


def card_titles(page) -> list[str]:
    return page.locator(".results .card-title a").all_inner_texts()


def expected_counts(dialogues, key) -> dict[str, int]:
    return dict(Counter(label for dialogue in dialogues for label in key(dialogue)))


def outcome_labels(dialogue) -> set[str]:
    return {outcome.get_kind_display() for outcome in dialogue.outcomes.all()}


def press_tab(page) -> None:
    page.keyboard.press("Tab")
    problem = page.evaluate(FOCUS_PROBLEM)
    assert not problem, f"after Tab on {page.url}: {problem}"


def follow_with_enter(page) -> None:
    """Press Enter on the focused link and wait for the page it leads to."""
    href = page.evaluate("() => document.activeElement.href.baseVal ?? document.activeElement.href")
    page.keyboard.press("Enter")
    page.wait_for_url(href)


def tab_to(page, matches: str, *, limit: int = 300) -> bool:
    """Press Tab until the focused element matches the JS predicate `matches(el)`.

    Focus must be visible after every press. Returns False when focus leaves the page first.
    """
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            return False
        problem = page.evaluate(FOCUS_PROBLEM)
        assert not problem, f"after Tab on {page.url}: {problem}"
        if page.evaluate(f"() => ({matches})(document.activeElement)"):
            return True
    raise AssertionError(f"Tab never reached {matches} on {page.url}")


# --- 1. The researcher ----------------------------------------------------------------------


def test_researcher_searches_filters_reads_the_citation_and_downloads(
    new_page, live_server, archive
):
    word = "talks"
    hits = [d for d in archive.dialogues if word[:-1] in d.title.lower()]
    eras_hit = Counter(d.era for d in hits)
    assert len(eras_hit) > 1, "the search must span eras for the era filter to narrow it"
    page = new_page(width=1280, permissions=["clipboard-read", "clipboard-write"])

    page.goto("/")
    page.get_by_label("Search dialogues, participants, places and quoted passages").fill(word)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(rf"/dialogues/\?q={word}$"))
    assert sorted(card_titles(page)) == sorted(d.title for d in hits)
    outcomes_before = facet_counts(page, "outcome")
    assert outcomes_before == expected_counts(hits, outcome_labels)

    # Narrow to the era with most hits, from the facet in the sidebar.
    era = eras_hit.most_common(1)[0][0]
    in_era = [d for d in hits if d.era == era]
    page.locator("section[aria-labelledby=facet-era]").get_by_role(
        "link", name=re.compile(rf"^{re.escape(era.name)} ")
    ).click()
    page.wait_for_url(re.compile(rf"era={era.slug}"))
    assert sorted(card_titles(page)) == sorted(d.title for d in in_era)
    outcomes_in_era = facet_counts(page, "outcome")
    assert outcomes_in_era == expected_counts(in_era, outcome_labels)
    assert outcomes_in_era != outcomes_before

    # Then by the era's outcome that is commonest across all the hits, so that taking the era
    # away again widens the list.
    label = max(outcomes_in_era, key=lambda label: (outcomes_before[label], label))
    with_outcome = [d for d in in_era if label in outcome_labels(d)]
    everywhere_with_outcome = [d for d in hits if label in outcome_labels(d)]
    assert len(with_outcome) < len(in_era) and len(with_outcome) < len(everywhere_with_outcome)
    eras_before = facet_counts(page, "era")
    page.locator("section[aria-labelledby=facet-outcome]").get_by_role(
        "link", name=re.compile(rf"^{re.escape(label)} ")
    ).click()
    page.wait_for_url(re.compile(r"outcome="))
    assert sorted(card_titles(page)) == sorted(d.title for d in with_outcome)
    eras_after = facet_counts(page, "era")
    assert eras_after == expected_counts(everywhere_with_outcome, lambda d: [d.era.name])
    assert eras_after != eras_before
    # One chip for each of the search, the era and the outcome.
    chips = page.locator(".chips a.chip:not(.chip-clear)")
    assert chips.count() == 3

    # Remove the era: every era's hits with that outcome come back.
    chips.filter(has_text=era.name).click()
    page.wait_for_url(lambda url: "era=" not in url)
    assert sorted(card_titles(page)) == sorted(d.title for d in everywhere_with_outcome)
    remaining = page.locator(".chips a.chip:not(.chip-clear)").all_inner_texts()
    assert len(remaining) == 2 and not any(era.name in chip for chip in remaining)
    list_url = page.url

    # Open the first record and copy its citation.
    first = page.locator(".results .card-title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/dialogues/[\w-]+/$"))
    assert page.locator("h1").inner_text() == title
    citation = page.locator("#citation-text").inner_text().strip()
    assert page.url in citation and title in citation
    copy = page.locator(".cite-actions button")
    expect(copy).to_have_text("Copy citation")
    copy.click()
    assert page.evaluate("navigator.clipboard.readText()") == citation
    expect(copy).to_have_text("Copied")
    expect(page.get_by_role("status").filter(has_text="copied")).to_be_attached()

    # Back on the list, the CSV holds exactly the rows the page counts.
    page.go_back()
    page.wait_for_url(list_url)
    downloads = page.locator(".downloads")
    stated = int(re.search(r"Download all (\d+) result", downloads.inner_text()).group(1))
    with page.expect_download() as download:
        downloads.get_by_role("link", name="CSV").click()
    text = download.value.path().read_text(encoding="utf-8")
    # Plain CSV: a header row and one row per dialogue (the count goes in X-Total-Count).
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == stated == len(card_titles(page)) == len(everywhere_with_outcome)
    assert sorted(row["title"] for row in rows) == sorted(card_titles(page))
    query = parse_qs(urlsplit(download.value.url).query)
    assert query == parse_qs(urlsplit(list_url).query)


# --- 2. The reader, by keyboard alone -------------------------------------------------------


@pytest.mark.parametrize("width", [390, 1280])
def test_reader_walks_every_era_from_the_timeline_by_keyboard(new_page, archive, width):
    eras = sorted(archive.eras, key=lambda era: era.position)
    page = new_page(width=width)
    page.goto("/timeline/")
    first = eras[0].get_absolute_url()
    assert tab_to(page, f"(el) => el.getAttribute('href') === '{first}'")
    # The first link to it is the era's band in the timeline picture.
    assert page.evaluate("() => document.activeElement.matches('svg a.tl-link')")
    follow_with_enter(page)

    seen = [page.locator("h1").inner_text()]
    while tab_to(page, "(el) => el.matches('.prev-next a[rel=next]')"):
        follow_with_enter(page)
        seen.append(page.locator("h1").inner_text())
    assert seen == [era.name for era in eras]


def test_every_timeline_mark_is_reached_by_keyboard_with_visible_focus(new_page, archive):
    page = new_page(width=390)
    page.goto("/timeline/")
    reached = set()
    while tab_to(page, "(el) => el.matches('svg a.tl-link')"):
        reached.add(page.evaluate("() => document.activeElement.getAttribute('href')"))
    wanted = {record.get_absolute_url() for record in [*archive.eras, *archive.dialogues]}
    assert reached == wanted
    # The text alternative lists the same facts: every era and every dialogue, as links.
    listed = set(page.locator(".timeline-text a").evaluate_all("(as) => as.map(a => a.pathname)"))
    assert listed == wanted


# --- 3. The editor --------------------------------------------------------------------------


def field(scope, role: str, name: str):
    """A form field by its role and label; the admin's labels end with a colon."""
    return scope.get_by_role(role, name=re.compile(rf"^{re.escape(name)}:?$"))


def pick(page, row, name: str, term: str, choice: str) -> None:
    """Choose `choice` in an autocomplete box, found by its accessible name, as a person would."""
    row.get_by_role("combobox", name=re.compile(rf"^{name}")).click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=choice).click()


def test_editor_adds_a_dialogue_views_finds_and_cannot_delete_it(
    new_page, live_server, archive, editor
):
    from dialogues.models import Dialogue
    from tests.browser.conftest import EDITOR_PASSWORD

    era = next(e for e in archive.eras if e.slug == "after-oslo")
    amos, leila = archive.participants[:2]
    source = archive.sources[0]
    page = new_page(width=1280)

    page.goto("/admin/")
    page.get_by_label("Username").fill(editor.username)
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Dialogues", exact=True).click()
    page.get_by_role("link", name="Add dialogue").click()

    title = "Quiet talks at a farmhouse near Sarpsborg"
    field(page, "textbox", "Title").fill(title)
    field(page, "combobox", "Era").select_option(label=f"{era.name} ({era.date_display})")
    field(page, "combobox", "Conflict").select_option(label=archive.record.conflict.name)
    field(page, "textbox", "Date").fill("1995~")
    field(page, "textbox", "Place").fill("Sarpsborg")
    field(page, "textbox", "Summary").fill("Academics from both sides met at a farmhouse.")

    participations = page.locator("#participations-group")
    participations.locator(".add-row a").click()
    for index, person in enumerate([amos, leila]):
        row = page.locator(f"#participations-{index}")
        pick(page, row, "Participant", person.name.split()[0], person.name)
        field(row, "combobox", "Role").select_option(label="Participant")
    outcome = page.locator("#outcomes-0")
    field(outcome, "combobox", "Kind").select_option(label="Became official (Track I)")
    field(outcome, "textbox", "Description").fill("The talks became the official channel.")
    citation = page.locator("#citations-0")
    pick(page, citation, "Source", source.title.split()[0], source.title)
    field(citation, "spinbutton", "Paragraph").fill("7")
    field(citation, "textbox", "Excerpt").fill("We met at a farmhouse.")
    field(page, "textbox", "Reason for readers (public)").fill("added from the memoir, ¶7")
    page.get_by_role("button", name="Save", exact=True).click()

    assert "was added successfully" in page.locator(".messagelist").inner_text()
    dialogue = Dialogue.objects.get(title=title)
    # Saving leads back to the list of dialogues, where the new one can be opened again.
    page.locator("#result_list").get_by_role("link", name=title).click()
    change_url = page.url
    assert change_url.endswith(f"/{dialogue.pk}/change/")

    page.get_by_role("link", name="View on site").click()
    page.wait_for_url(f"**{dialogue.get_absolute_url()}")
    # A new record is a draft: staff preview it under a banner until a publisher publishes it.
    assert "Draft — not public" in page.locator(".preview-banner").inner_text()
    assert page.locator("h1").inner_text() == title
    assert page.locator(".record-date").inner_text() == dialogue.date_display
    assert dialogue.date_display.startswith("c. ")
    people = page.locator("section[aria-labelledby=participants-heading] a").all_inner_texts()
    assert sorted(people) == sorted([amos.name, leila.name])
    outcomes = page.locator("section[aria-labelledby=outcomes-heading]").inner_text()
    assert "Became official" in outcomes
    assert "We met at a farmhouse." in page.locator(".citations").inner_text()

    page.get_by_role("searchbox", name="Search the archive").fill("farmhouse")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=farmhouse"))
    assert card_titles(page) == []

    page.goto(change_url)
    assert page.locator("a.deletelink").count() == 0
    # An editor may remove a wrong inline row, never the record.
    assert page.locator("input[name$='-DELETE']").count() > 0
    refused = page.goto(change_url.replace("/change/", "/delete/"))
    assert refused.status == 403
    assert Dialogue.objects.filter(pk=dialogue.pk).exists()
    assert dialogue.participations.count() == 2
