"""`/api/changes/`: a mirror reads the public changes page by page with a signed cursor."""

import datetime

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dialogues import editorial
from dialogues.api import changes as api_changes
from dialogues.feeds import changes
from dialogues.models import Dialogue, Status

from ..factories import add_participant, make_conflict, make_dialogue, make_era
from .helpers import api_get

pytestmark = pytest.mark.django_db

EARLIER = timezone.now() - datetime.timedelta(days=2)


@pytest.fixture(autouse=True)
def settled(monkeypatch):
    monkeypatch.setattr(changes, "SETTLE", datetime.timedelta(0))


def read_all(client, page_size=3, since=None):
    """Follow `next` to the end, as a mirror does; return the items and the last cursor."""
    items = []
    while True:
        query = f"page_size={page_size}" + (f"&since={since}" if since else "")
        body = api_get(client, "changes", query).json()
        items += body["results"]
        since = body["next"]
        if not body["more"]:
            return items, since


def test_a_mirror_reads_every_public_change_once_and_then_only_what_is_new(client):
    era, conflict = make_era(), make_conflict()
    made = [make_dialogue(era=era, conflict=conflict, cite=False) for _ in range(8)]
    draft = make_dialogue(era=era, conflict=conflict, status=Status.DRAFT, title="Unseen draft")
    Dialogue.objects.update(published_at=EARLIER, updated=EARLIER)
    made = [Dialogue.objects.get(pk=d.pk) for d in made]
    items, cursor = read_all(client)
    assert sorted(item["slug"] for item in items) == sorted(d.slug for d in made)
    assert {item["type"] for item in items} == {"created"}
    assert draft.slug not in {item["slug"] for item in items}

    made[2].summary = "Corrected."
    made[2].save()
    editorial.withdraw(made[5], user=None, reason="A duplicate.", replaced_by=made[6])
    editorial.unpublish(made[7], user=None)
    new, _ = read_all(client, since=cursor)
    by_slug = {item["slug"]: item for item in new}
    assert list(by_slug) == [made[2].slug, made[5].slug, made[7].slug]
    assert by_slug[made[2].slug]["type"] == "updated"
    withdrawn = by_slug[made[5].slug]
    assert withdrawn["type"] == "withdrawn"
    assert withdrawn["withdrawal"] == {
        "reason": "A duplicate.",
        "replaced_by": {
            "slug": made[6].slug,
            "url": f"http://testserver/dialogues/{made[6].slug}/",
        },
    }
    assert withdrawn["api_url"] is None
    removed = by_slug[made[7].slug]
    assert removed["type"] == "removed"
    assert removed["title"] is None and removed["url"] is None and removed["id"] == made[7].pk


def test_the_cursor_stays_put_when_nothing_changed(client):
    make_dialogue()
    Dialogue.objects.update(published_at=EARLIER, updated=EARLIER)
    _, cursor = read_all(client)
    body = api_get(client, "changes", f"since={cursor}").json()
    assert body == {"next": cursor, "more": False, "results": []}


def test_an_empty_archive_has_no_cursor_yet(client):
    assert api_get(client, "changes").json() == {"next": None, "more": False, "results": []}


def test_withheld_names_and_embargoed_records_never_show(client):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    hidden = make_dialogue(embargo_until=tomorrow, title="Embargoed meeting")
    assert not hidden.is_public
    shown = make_dialogue()
    participation = add_participant(shown, name="Secret Negotiator")
    participation.withheld = True
    participation.save()
    Dialogue.objects.update(published_at=EARLIER, updated=EARLIER)
    response = api_get(client, "changes")
    assert [item["slug"] for item in response.json()["results"]] == [shown.slug]
    assert b"Embargoed meeting" not in response.content
    assert b"Secret Negotiator" not in response.content


def tampered(cursor: str) -> str:
    payload, signature = cursor.split(":")
    return f"{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}:{signature}"


def test_a_tampered_or_foreign_cursor_is_refused_with_a_clear_400(client):
    make_dialogue()
    Dialogue.objects.update(published_at=EARLIER, updated=EARLIER)
    _, cursor = read_all(client)
    foreign = signing.Signer(salt="another purpose").sign_object(["2020-01-01T00:00:00", 0, 1])
    for bad in (tampered(cursor), foreign, "not-a-cursor", "x" * 500, ""):
        response = api_get(client, "changes", f"since={bad}")
        assert response.status_code == 400, bad
        assert list(response.json()["errors"]) == ["since"]
        assert "cursor" in response.json()["errors"]["since"][0]


@pytest.mark.parametrize(
    "query, name",
    [
        ("page_size=0", "page_size"),
        ("page_size=1001", "page_size"),
        ("page_size=5.0", "page_size"),
        ("page_size=", "page_size"),
        ("page_size=2&page_size=3", "page_size"),
        ("since=a&since=b", "since"),
    ],
)
def test_bad_parameters_are_named_in_a_400(client, query, name):
    response = api_get(client, "changes", query)
    assert response.status_code == 400
    assert name in response.json()["errors"]


def test_the_largest_page_size_is_accepted(client):
    assert api_get(client, "changes", f"page_size={api_changes.MAX_PAGE_SIZE}").status_code == 200


def test_the_number_of_queries_does_not_grow_with_the_page(client):
    era, conflict = make_era(), make_conflict()
    for _ in range(30):
        make_dialogue(era=era, conflict=conflict, cite=False)
    for d in Dialogue.objects.all()[:5]:
        editorial.withdraw(d, user=None, reason="Gone.")
    counts = []
    for size in (3, 30):
        with CaptureQueriesContext(connection) as queries:
            assert api_get(client, "changes", f"page_size={size}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_document_describes_the_changes_feed(client):
    document = api_get(client, "openapi").json()
    operation = document["paths"]["/api/changes/"]["get"]
    assert operation["operationId"] == "getChanges"
    assert {"200", "400", "405"} <= set(operation["responses"])


def test_since_0_starts_from_the_beginning_as_leaving_it_out_does(client):
    era, conflict = make_era(), make_conflict()
    for _ in range(4):
        make_dialogue(era=era, conflict=conflict, cite=False)
    Dialogue.objects.update(published_at=EARLIER, updated=EARLIER)
    from_start = api_get(client, "changes", "page_size=3").json()
    from_zero = api_get(client, "changes", "since=0&page_size=3").json()
    assert from_zero == from_start and len(from_zero["results"]) == 3
    # Anything else that is not a cursor this archive issued is still refused.
    assert api_get(client, "changes", "since=00").status_code == 400
