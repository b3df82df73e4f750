"""Issue 21's journey in a browser: an editor records, through the admin alone, a Track 1.5
meeting in Oslo or Stockholm (two capacities, one on behalf of an organisation, a series, the
meeting it led to, a Hebrew and an Arabic form of a name, a Wikidata id); a reader then finds it
by each form of the name, by level, series, organisation and country."""

from __future__ import annotations

import importlib
import re
from types import SimpleNamespace

import pytest

from tests.browser.test_journeys import card_titles, field, pick

pytestmark = pytest.mark.browser

HEBREW, ARABIC = "אמוס", "عاموس"


def _grant_new_permissions():
    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("dialogues.migrations.0019_track_to_talks_and_level")
    migration.grant(apps, SimpleNamespace(connection=connection))


def _add_row(page, group: str):
    page.locator(f"#{group}-group .add-row a").click()


def test_editor_records_a_track_one_and_a_half_meeting_and_a_reader_finds_it(
    new_page, archive, editor, publisher, log_in
):
    from dialogues import editorial
    from dialogues.models import Dialogue, Organisation, Place, Series, Status

    _grant_new_permissions()
    fafo = Organisation.objects.create(
        slug="fafo", name="Fafo", kind="think_tank", status=Status.PUBLISHED
    )
    for slug, name, country in (("oslo", "Oslo", "NO"), ("stockholm", "Stockholm", "SE")):
        Place.objects.create(slug=slug, name=name, country=country, status=Status.PUBLISHED)
    Series.objects.create(
        slug="back-channel", name="The Norwegian back channel", kind="channel",
        status=Status.PUBLISHED,
    )  # fmt: skip
    era = next(e for e in archive.eras if e.slug == "after-oslo")
    amos, leila = archive.participants[:2]
    source, later = archive.sources[0], archive.record
    page = new_page(width=1400)
    log_in(page, editor)

    # The participant's other names and Wikidata id.
    page.goto(f"/admin/dialogues/participant/{amos.pk}/change/")
    _add_row(page, "names")
    row = page.locator("#names-0")
    for name, language, script in ((HEBREW, "he", "Hebr"),):
        field(row, "textbox", "Name").fill(name)
        field(row, "textbox", "Language").fill(language)
        field(row, "textbox", "Script").fill(script)
        field(row, "textbox", "Supplied by the archive").fill("The archive's own rendering.")
    _add_row(page, "names")
    row = page.locator("#names-1")
    field(row, "textbox", "Name").fill(ARABIC)
    field(row, "textbox", "Language").fill("ar")
    field(row, "textbox", "Script").fill("Arab")
    field(row, "textbox", "Supplied by the archive").fill("The archive's own rendering.")
    _add_row(page, "external_ids")
    row = page.locator("#external_ids-0")
    field(row, "combobox", "Scheme").select_option(label="Wikidata")
    field(row, "textbox", "Id").fill("Q4115189")
    field(row, "textbox", "Public source").fill("https://www.wikidata.org/wiki/Q4115189")
    field(page, "textbox", "Reason for readers (public)").fill("name forms and Wikidata id")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "was changed successfully" in page.locator(".messagelist").inner_text()

    # The meeting.
    page.goto("/admin/dialogues/dialogue/add/")
    title = "Quiet talks in Oslo or Stockholm"
    field(page, "textbox", "Title").fill(title)
    field(page, "combobox", "Era").select_option(label=f"{era.name} ({era.date_display})")
    field(page, "combobox", "Conflict").select_option(label=later.conflict.name)
    field(page, "textbox", "Date").fill("1995~")
    field(page, "textbox", "Summary").fill("Officials and scholars met quietly.")
    field(page, "combobox", "Level").select_option(label="Track 1.5")
    field(page, "textbox", "Evidence for the level").fill("Inferred from the capacities.")
    _add_row(page, "participations")
    for index, (person, capacity) in enumerate(
        [(amos, "Official in a personal capacity"), (leila, "Non-official")]
    ):
        row = page.locator(f"#participations-{index}")
        pick(page, row, "Participant", person.name.split()[0], person.name)
        field(row, "combobox", "Role").select_option(label="Participant")
        field(row, "combobox", "Capacity").select_option(label=capacity)
        field(row, "combobox", "Capacity is").select_option(label="Inferred by the archive")
        field(row, "textbox", "Capacity note").fill("From the memoir's account.")
    pick(page, page.locator("#participations-0"), "On behalf of", "Fafo", "Fafo")
    citation = page.locator("#citations-0")
    pick(page, citation, "Source", source.title.split()[0], source.title)
    field(citation, "spinbutton", "Paragraph").fill("7")
    field(citation, "textbox", "Excerpt").fill("We met in Oslo or Stockholm.")
    for index, place in enumerate(["Oslo", "Stockholm"]):
        _add_row(page, "places")
        row = page.locator(f"#places-{index}")
        pick(page, row, "Place", place, place)
        field(row, "spinbutton", "Position").fill(str(index + 1))
    _add_row(page, "memberships")
    row = page.locator("#memberships-0")
    pick(page, row, "Series", "Norwegian", "The Norwegian back channel")
    field(row, "spinbutton", "Position").fill("1")
    field(row, "combobox", "Basis").select_option(label="Inferred by the archive")
    field(row, "textbox", "How it is inferred").fill("The same people, a year apart.")
    _add_row(page, "links_out")
    row = page.locator("#links_out-0")
    field(row, "combobox", "Relation").select_option(label="led to")
    pick(page, row, "Target", later.title.split()[0], later.title)
    field(row, "combobox", "Basis").select_option(label="Inferred by the archive")
    field(row, "textbox", "How it is inferred").fill("The memoir's order of events.")
    field(page, "textbox", "Reason for readers (public)").fill("added from the memoir, ¶7")
    page.get_by_role("button", name="Save", exact=True).click()
    assert "was added successfully" in page.locator(".messagelist").inner_text()

    meeting = Dialogue.objects.get(title=title)
    assert meeting.implied_level() == "track_1_5"
    assert meeting.participations.get(participant=amos).on_behalf_of == fafo
    editorial.publish(meeting, user=publisher)  # a publisher's step, outside the editor's journey

    reader = new_page(width=1280)
    for query in (
        f"q={HEBREW}",
        f"q={ARABIC}",
        "level=track_1_5",
        "series=back-channel",
        "organisation=fafo",
        "country=SE",
    ):
        reader.goto(f"/dialogues/?{query}")
        assert title in card_titles(reader), query
    reader.get_by_role("link", name=title).first.click()
    reader.wait_for_url(re.compile(re.escape(meeting.get_absolute_url())))
    assert reader.locator("dd.places").inner_text() == "Oslo or Stockholm"
    facts = reader.locator(".facts").first.inner_text()
    assert "Track 1.5" in facts and "number 1" in facts
