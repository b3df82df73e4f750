"""The Atom feeds: new and changed public records, newest first, linked from every page's head."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from lxml import etree

from dialogues import editorial
from dialogues.models import Dialogue, Participation, Status

from ..factories import add_participant, make_conflict, make_dialogue, make_era

pytestmark = pytest.mark.django_db

ATOM = {"a": "http://www.w3.org/2005/Atom"}
DAY = datetime.timedelta(days=1)


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content)
    return response, [
        (e.findtext("a:title", namespaces=ATOM), e.findtext("a:updated", namespaces=ATOM))
        for e in root.findall("a:entry", ATOM)
    ]


def test_the_feed_lists_public_records_newest_change_first(client):
    era, conflict = make_era(), make_conflict()
    old = make_dialogue(era=era, conflict=conflict, title="Old talks")
    new = make_dialogue(era=era, conflict=conflict, title="New talks")
    corrected = make_dialogue(era=era, conflict=conflict, title="Corrected talks")
    make_dialogue(era=era, conflict=conflict, status=Status.DRAFT, title="Draft talks")
    make_dialogue(embargo_until=timezone.localdate() + DAY, title="Embargoed talks")
    gone = make_dialogue(era=era, conflict=conflict, title="Withdrawn talks")
    editorial.withdraw(gone, user=None, reason="Wrong.")
    now = timezone.now()
    Dialogue.objects.filter(pk=old.pk).update(published_at=now - 3 * DAY, updated=now - 3 * DAY)
    Dialogue.objects.filter(pk=new.pk).update(published_at=now - 2 * DAY, updated=now - 2 * DAY)
    Dialogue.objects.filter(pk=corrected.pk).update(published_at=now - 4 * DAY, updated=now - DAY)
    participation = add_participant(old, name="Named Later")
    Participation.objects.filter(pk=participation.pk).update(withheld=True)
    response, found = entries(client, "/feeds/changes.atom")
    assert [title for title, _ in found] == ["Corrected talks", "New talks", "Old talks"]
    # An entry's updated is the record's datestamp, as in the changes feed and OAI-PMH.
    assert found[0][1] == (now - DAY).isoformat()
    for secret in (b"Draft talks", b"Embargoed talks", b"Withdrawn talks", b"Named Later"):
        assert secret not in response.content


def test_an_era_has_its_own_feed(client):
    nineties, noughties = make_era(slug="nineties"), make_era(slug="noughties")
    make_dialogue(era=nineties, title="In the nineties")
    make_dialogue(era=noughties, title="In the noughties")
    Dialogue.objects.update(updated=timezone.now() - DAY, published_at=timezone.now() - DAY)
    _, found = entries(client, "/feeds/eras/nineties.atom")
    assert [title for title, _ in found] == ["In the nineties"]
    assert client.get("/feeds/eras/atlantis.atom").status_code == 404


def test_every_page_links_to_the_feed_in_its_head(client):
    response = client.get("/")
    link = BeautifulSoup(response.content, "html.parser").head.find(
        "link", rel="alternate", type="application/atom+xml"
    )
    assert link["href"] == "/feeds/changes.atom"


def test_the_feed_answers_only_get_and_head(client):
    assert client.post("/feeds/changes.atom").status_code == 405
