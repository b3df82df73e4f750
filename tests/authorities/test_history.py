"""The public history of an organisation, place or series: published versions only, their
dates and reasons; a draft has none to show, and an old slug leads to the history at the new."""

from __future__ import annotations

import pytest
import reversion
from bs4 import BeautifulSoup

from dialogues.models import Organisation, Place, Series, Status

pytestmark = pytest.mark.django_db

KINDS = [
    ("organisations", Organisation, {"kind": "ngo"}),
    ("places", Place, {"country": "NO"}),
    ("series", Series, {"kind": "channel"}),
]


def _save(record, comment):
    with reversion.create_revision():
        reversion.set_comment(comment)
        record.save()


def _rows(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
        for row in soup.select("table.history-table tbody tr")
    ]


@pytest.mark.parametrize("folder, model, extra", KINDS)
def test_only_published_versions_are_listed_newest_first(client, folder, model, extra):
    record = model(slug="first", name="A record", **extra)
    _save(record, "Drafted with a private working title")
    record.status = Status.PUBLISHED
    _save(record, "Published")
    record.name = "A record, renamed"
    _save(record, "Corrected the name from ¶3")
    rows = _rows(client.get(f"/{folder}/first/history/"))
    assert [row[0] for row in rows] == ["Version 2 (current)", "Version 1"]
    assert [row[2] for row in rows] == ["Corrected the name from ¶3", "Published"]
    assert "private working title" not in client.get(f"/{folder}/first/history/").text


@pytest.mark.parametrize("folder, model, extra", KINDS)
def test_a_draft_has_no_public_history_and_an_old_slug_moves(client, folder, model, extra):
    model.objects.create(slug="draft", name="Draft", **extra)
    assert client.get(f"/{folder}/draft/history/").status_code == 404
    record = model.objects.create(slug="old", name="Moved", status=Status.PUBLISHED, **extra)
    record.slug = "new"
    record.save()
    response = client.get(f"/{folder}/old/history/")
    assert (response.status_code, response["Location"]) == (301, f"/{folder}/new/history/")


@pytest.mark.parametrize("folder, model, extra", KINDS)
@pytest.mark.parametrize("prefix", ["", "/he", "/ar"])
def test_the_record_page_links_to_its_history(client, folder, model, extra, prefix):
    record = model(slug="linked", name="A record", status=Status.PUBLISHED, **extra)
    _save(record, "Published")
    page = BeautifulSoup(client.get(f"{prefix}/{folder}/linked/").content, "html.parser")
    link = page.select_one("p.record-history a")
    assert link is not None
    assert link["href"] == f"{prefix}/{folder}/linked/history/"
    assert link.get_text(strip=True)
    history = client.get(link["href"])
    assert history.status_code == 200
    assert _rows(history)[0][2] == "Published"
