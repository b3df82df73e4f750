"""The OAI-PMH provider, harvested over HTTP by a real harvester (sickle) and read with lxml."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree
from sickle import Sickle, oaiexceptions
from sickle.iterator import OAIResponseIterator

from dialogues import editorial
from dialogues.feeds import oai
from dialogues.models import Dialogue, Participation, Removal, Status

from ..factories import add_participant, make_conflict, make_dialogue, make_era, make_source

NS = {"oai": oai.OAI, "dc": oai.DC, "oai_dc": oai.OAI_DC}
SECRETS = [
    "Unpublished draft talks",
    "Embargoed summit",
    "Hidden Envoy",
    "Withdrawn unseen",
    "Quietly reworked",
]
T0 = datetime.datetime(2024, 3, 1, 12, 0, 0, tzinfo=datetime.UTC)


def build_harvest(count: int):
    """`count` public dialogues in two eras, one to a second from T0, and every kind of record
    a harvester must not see, or must see as deleted. Return the records by role."""
    nineties = make_era(slug="nineties", name="The nineties", date="1990/1999")
    noughties = make_era(slug="noughties", name="The noughties", date="2000/2009")
    conflict = make_conflict(name="Levant")
    public = []
    for i in range(count):
        era = nineties if i % 2 else noughties
        public.append(make_dialogue(era=era, conflict=conflict, cite=False))
    for i, dialogue in enumerate(public):
        moment = T0 + datetime.timedelta(seconds=i)
        Dialogue.objects.filter(pk=dialogue.pk).update(published_at=moment, updated=moment)
    cited = public[0]
    add_participant(cited, name="Open Negotiator")
    withheld = add_participant(cited, name="Hidden Envoy")
    Participation.objects.filter(pk=withheld.pk).update(withheld=True)
    source = make_source(title="Memoir of the back channel", author="A. Writer")
    cited.citations.create(source=source, excerpt="Once upon a time", paragraph=1)

    draft = make_dialogue(era=nineties, status=Status.DRAFT, title="Unpublished draft talks")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    embargoed = make_dialogue(era=nineties, embargo_until=tomorrow, title="Embargoed summit")
    unseen = make_dialogue(era=nineties, status=Status.DRAFT, title="Withdrawn unseen")
    editorial.withdraw(unseen, user=None, reason="Never shown.")
    withdrawn = make_dialogue(era=nineties, title="Seen then withdrawn")
    editorial.withdraw(withdrawn, user=None, reason="A duplicate.")
    removed = make_dialogue(era=noughties, title="Seen then unpublished")
    editorial.unpublish(removed, user=None)
    removed.title = "Quietly reworked"
    removed.save()
    # The withdrawal and the removal come after the public records, at fixed moments too.
    after = T0 + datetime.timedelta(seconds=count)
    Dialogue.objects.filter(pk=withdrawn.pk).update(withdrawn_at=after)
    Removal.objects.update(removed_at=after + datetime.timedelta(seconds=1))
    return {
        "public": public,
        "cited": cited,
        "hidden": [draft, embargoed, unseen],
        "deleted": [withdrawn, removed],
        "eras": (nineties, noughties),
    }


@pytest.fixture
def harvester(live_server, settings):
    settings.OAI_PAGE_SIZE = 40
    return Sickle(f"{live_server.url}/oai/")


def local_id(identifier: str) -> int:
    return int(identifier.rsplit("/", 1)[1])


@pytest.mark.django_db(transaction=True)
def test_a_harvester_takes_every_record_over_several_pages_and_never_a_hidden_one(harvester):
    archive = build_harvest(250)
    pages = list(
        Sickle(harvester.endpoint, iterator=OAIResponseIterator).ListRecords(
            metadataPrefix="oai_dc"
        )
    )
    assert len(pages) == 7  # 252 records, 40 a page
    tokens = [etree.fromstring(p.raw.encode()).find(".//oai:resumptionToken", NS) for p in pages]
    assert [int(t.get("cursor")) for t in tokens] == [0, 40, 80, 120, 160, 200, 240]
    assert {t.get("completeListSize") for t in tokens} == {"252"}
    assert tokens[-1].text is None  # the last page of a split list ends with an empty token
    for page in pages:
        assert not any(secret in page.raw for secret in SECRETS)

    records = list(harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    ids = [local_id(r.header.identifier) for r in records]
    assert len(ids) == len(set(ids)) == 252
    live = {local_id(r.header.identifier) for r in records if not r.header.deleted}
    gone = {local_id(r.header.identifier) for r in records if r.header.deleted}
    assert live == {d.pk for d in archive["public"]}
    assert gone == {d.pk for d in archive["deleted"]}
    assert not {d.pk for d in archive["hidden"]} & set(ids)
    # In datestamp order, the public records one second apart from T0.
    stamps = [r.header.datestamp for r in records]
    assert stamps == sorted(stamps)
    assert stamps[0] == "2024-03-01T12:00:00Z" and stamps[1] == "2024-03-01T12:00:01Z"


@pytest.mark.django_db(transaction=True)
def test_the_metadata_is_dublin_core_without_withheld_names(harvester, live_server):
    archive = build_harvest(3)
    cited = archive["cited"]
    identifier = f"oai:localhost:dialogue/{cited.pk}"
    record = harvester.GetRecord(identifier=identifier, metadataPrefix="oai_dc")
    dc = record.metadata
    assert dc["title"] == [cited.title]
    cited.refresh_from_db()
    bounds = f"{cited.date_earliest.isoformat()}/{cited.date_latest.isoformat()}"
    assert dc["date"] == [cited.date, bounds]
    assert dc["description"] == [cited.summary]
    assert dc["contributor"] == ["Open Negotiator"]
    assert dc["source"] == ["A. Writer, Memoir of the back channel, 2006"]
    assert dc["subject"] == [cited.era.name, "Levant", "Track II"]
    assert dc["identifier"] == [f"{live_server.url}/dialogues/{cited.slug}/"]
    assert dc["relation"] == [f"{live_server.url}/eras/{cited.era.slug}/"]
    assert dc["type"] == ["Event"] and dc["language"] == ["en"]
    assert "Hidden Envoy" not in record.raw
    root = etree.fromstring(record.raw.encode())
    assert root.tag == f"{{{oai.OAI}}}record"
    assert [child.tag for child in root.find("oai:header", NS)] == [
        f"{{{oai.OAI}}}identifier",
        f"{{{oai.OAI}}}datestamp",
        f"{{{oai.OAI}}}setSpec",
        f"{{{oai.OAI}}}setSpec",
    ]


@pytest.mark.django_db(transaction=True)
def test_withdrawn_and_unpublished_records_are_deleted_and_hidden_ones_do_not_exist(harvester):
    archive = build_harvest(2)
    for dialogue in archive["deleted"]:
        record = harvester.GetRecord(
            identifier=f"oai:localhost:dialogue/{dialogue.pk}", metadataPrefix="oai_dc"
        )
        assert record.header.deleted
        assert etree.fromstring(record.raw.encode()).find("oai:metadata", NS) is None
    for dialogue in archive["hidden"]:
        with pytest.raises(oaiexceptions.IdDoesNotExist):
            harvester.GetRecord(
                identifier=f"oai:localhost:dialogue/{dialogue.pk}", metadataPrefix="oai_dc"
            )


@pytest.mark.django_db(transaction=True)
def test_identify_formats_and_sets(harvester, live_server):
    archive = build_harvest(2)
    identify = harvester.Identify()
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.deletedRecord == "persistent"
    assert identify.protocolVersion == "2.0"
    assert identify.baseURL == f"{live_server.url}/oai/"
    assert identify.earliestDatestamp == "2024-03-01T12:00:00Z"
    formats = list(harvester.ListMetadataFormats())
    assert [f.metadataPrefix for f in formats] == ["oai_dc"]
    some = f"oai:localhost:dialogue/{archive['public'][0].pk}"
    assert [f.metadataPrefix for f in harvester.ListMetadataFormats(identifier=some)] == ["oai_dc"]
    sets = [(s.setSpec, s.setName) for s in harvester.ListSets()]
    assert sets == [
        ("era", "Every era"),
        ("era:nineties", "The nineties"),
        ("era:noughties", "The noughties"),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_set_holds_its_eras_records_and_their_deletions(harvester):
    archive = build_harvest(60)
    nineties, noughties = archive["eras"]
    headers = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", set="era:noughties"))
    expected = {d.pk for d in archive["public"] if d.era_id == noughties.pk}
    removed = archive["deleted"][1]
    assert {local_id(h.identifier) for h in headers} == expected | {removed.pk}
    assert all("era:noughties" in h.setSpecs for h in headers)
    everything = list(harvester.ListIdentifiers(metadataPrefix="oai_dc", set="era"))
    assert len(everything) == 62


@pytest.mark.django_db(transaction=True)
def test_from_and_until_select_by_datestamp_in_seconds_and_in_days(harvester):
    archive = build_harvest(50)
    public = archive["public"]

    def ids(**kwargs):
        return [
            local_id(h.identifier)
            for h in harvester.ListIdentifiers(metadataPrefix="oai_dc", **kwargs)
        ]

    # Inclusive at both ends, to the second.
    assert ids(**{"from": "2024-03-01T12:00:10Z", "until": "2024-03-01T12:00:14Z"}) == [
        d.pk for d in public[10:15]
    ]
    assert ids(until="2024-03-01T12:00:00Z") == [public[0].pk]
    whole_day = [d.pk for d in public + archive["deleted"]]
    assert ids(**{"from": "2024-03-01", "until": "2024-03-01"}) == whole_day
    with pytest.raises(oaiexceptions.NoRecordsMatch):
        ids(until="2024-02-29")
    # The withdrawal and the removal come last.
    assert ids(**{"from": "2024-03-01T12:00:50Z"}) == [d.pk for d in archive["deleted"]]


@pytest.mark.django_db(transaction=True)
def test_a_harvester_may_post_its_requests(live_server, settings):
    settings.OAI_PAGE_SIZE = 5
    build_harvest(12)
    posting = Sickle(f"{live_server.url}/oai/", http_method="POST")
    assert len(list(posting.ListIdentifiers(metadataPrefix="oai_dc"))) == 14
    assert posting.Identify().repositoryName == oai.REPOSITORY_NAME


# --- Errors, through the test client -------------------------------------------------------


def ask(client, query: str = "", method: str = "get"):
    response = getattr(client, method)(
        "/oai/" + (f"?{query}" if method == "get" else ""),
        **(
            {"data": query, "content_type": "application/x-www-form-urlencoded"}
            if method == "post"
            else {}
        ),
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return etree.fromstring(response.content)


def error_of(root):
    errors = root.findall("oai:error", NS)
    return errors[0].get("code") if errors else None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, code",
    [
        ("", "badVerb"),
        ("verb=Dance", "badVerb"),
        ("verb=Identify&verb=Identify", "badVerb"),
        ("verb=Identify&colour=blue", "badArgument"),
        ("verb=ListRecords", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-13-01", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01T00:00Z", "badArgument"),
        (
            "verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01&until=2020-02-01T00:00:00Z",
            "badArgument",
        ),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2020-02-01&until=2020-01-01", "badArgument"),
        ("verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=abc", "badArgument"),
        ("verb=ListIdentifiers&metadataPrefix=oai_dc&set=era:atlantis", "badArgument"),
        ("verb=GetRecord&identifier=oai:testserver:dialogue/1", "badArgument"),
        ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
        (
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:testserver:dialogue/999999",
            "idDoesNotExist",
        ),
        ("verb=GetRecord&metadataPrefix=oai_dc&identifier=junk", "idDoesNotExist"),
        ("verb=ListMetadataFormats&identifier=oai:elsewhere.org:dialogue/1", "idDoesNotExist"),
        ("verb=ListRecords&metadataPrefix=oai_dc&from=2999-01-01", "noRecordsMatch"),
        ("verb=ListRecords&resumptionToken=not-a-token", "badResumptionToken"),
        ("verb=ListSets&resumptionToken=not-a-token", "badResumptionToken"),
    ],
)
def test_every_error_has_its_protocol_code(client, small_archive, query, code):
    root = ask(client, query)
    assert error_of(root) == code
    request = root.find("oai:request", NS)
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}  # illegal arguments are not echoed
    else:
        assert request.get("verb")
    # An error answers nothing else.
    assert [child.tag.split("}")[1] for child in root] == ["responseDate", "request", "error"]


def first_token(client, verb="ListIdentifiers"):
    # Records made this very second are not listed yet: a list ends at its response's second.
    Dialogue.objects.update(updated=T0, published_at=T0)
    root = ask(client, f"verb={verb}&metadataPrefix=oai_dc")
    return root.find(".//oai:resumptionToken", NS).text


@pytest.mark.django_db
def test_a_tampered_expired_or_borrowed_token_is_a_bad_resumption_token(
    client, small_archive, settings, monkeypatch
):
    settings.OAI_PAGE_SIZE = 1
    token = first_token(client)
    assert error_of(ask(client, f"verb=ListIdentifiers&resumptionToken={token}")) is None
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert error_of(ask(client, f"verb=ListIdentifiers&resumptionToken={tampered}")) == (
        "badResumptionToken"
    )
    # A token continues the verb it came from.
    assert error_of(ask(client, f"verb=ListRecords&resumptionToken={token}")) == (
        "badResumptionToken"
    )
    monkeypatch.setattr(oai.tokens, "TOKEN_LIFETIME", datetime.timedelta(seconds=-1))
    assert error_of(ask(client, f"verb=ListIdentifiers&resumptionToken={token}")) == (
        "badResumptionToken"
    )


@pytest.mark.django_db
def test_a_post_needs_no_csrf_token_and_other_methods_are_refused(small_archive):
    client = Client(enforce_csrf_checks=True)
    Dialogue.objects.update(updated=T0, published_at=T0)
    root = ask(client, "verb=ListIdentifiers&metadataPrefix=oai_dc", method="post")
    assert error_of(root) is None
    assert len(root.findall(".//oai:header", NS)) == 4
    response = client.put("/oai/", "verb=Identify")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"


@pytest.mark.django_db
def test_a_page_of_records_costs_the_same_queries_whatever_its_size(client, settings):
    era, conflict = make_era(), make_conflict()
    source = make_source()
    for _ in range(30):
        dialogue = make_dialogue(era=era, conflict=conflict, cite=False)
        add_participant(dialogue)
        dialogue.citations.create(source=source, excerpt="Once upon a time", paragraph=1)
    Dialogue.objects.update(updated=T0, published_at=T0)
    counts = []
    for size in (3, 20):
        settings.OAI_PAGE_SIZE = size
        with CaptureQueriesContext(connection) as queries:
            root = ask(client, "verb=ListRecords&metadataPrefix=oai_dc")
        assert len(root.findall(".//oai:record", NS)) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
