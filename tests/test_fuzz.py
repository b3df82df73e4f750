"""Odd input never causes a server error: many nasty values in every argument of OAI-PMH, the
changes feed, the Atom feeds, the release downloads and the citation formats.

The values are generated rather than drawn at random, so a failure names the value and repeats.
"""

from __future__ import annotations

import itertools
from urllib.parse import quote

import pytest
import reversion
from lxml import etree

from dialogues.feeds import oai
from dialogues.releases.writer import make_release
from tests.factories import add_participant, make_dialogue, make_era

CONTROL = [chr(c) for c in itertools.chain(range(0x00, 0x20), [0x7F, 0x85])]
NON_CHARACTERS = ["\ufffe", "\uffff", "\ufdd0", "\U0010ffff"]
UNICODE_DIGITS = ["²", "٣", "१", "１２", "⅕", "𝟙"]
NUMBERS = ["-1", "0", "00", "1.5", "1e309", "9" * 19, "9" * 5000, "0x10", " 1", "1 ", "+1"]
DATES = [
    "9999-12-31",
    "9999-12-31T23:59:59Z",
    "0000-01-01",
    "0001-01-01",
    "2024-02-30",
    "2024-13-01",
    "2024-01-01T24:00:00Z",
    "2024-01-01T00:00:00+01:00",
    "٢٠٢٤-٠١-٠١",
]
TEXT = [
    "",
    " ",
    "a" * 10_000,
    "../../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\u202eevil",
    "😀",
    "null",
    "[]",
    "{}",
    "%",
    "%%",
    "%00",
    "%ZZ",
    "\\",
    "oai:testserver:dialogue/1",
    "oai:testserver:dialogue/99999999999999999999",
    "era:",
    "era:nineties:extra",
]
VALUES = [*CONTROL, *NON_CHARACTERS, *UNICODE_DIGITS, *NUMBERS, *DATES, *TEXT]
# Already percent-encoded: bytes that are no UTF-8 at all, a lone surrogate, overlong NUL.
RAW = ["%FF", "%ED%A0%80", "%C0%80", "%EF%BF%BE", "%00%00", "%E2%82", "%2"]


def _encoded() -> list[tuple[str, str]]:
    """Every value as (what it is, as it goes in an address)."""
    return [(repr(v[:40]), quote(v, safe="")) for v in VALUES] + [(r, r) for r in RAW]


# Each slot takes one value (`{}`); the query or path around it is a valid request otherwise.
SLOTS = {
    "oai-verb": "/oai/?verb={}",
    "oai-prefix": "/oai/?verb=ListRecords&metadataPrefix={}",
    "oai-from": "/oai/?verb=ListRecords&metadataPrefix=oai_dc&from={}",
    "oai-until": "/oai/?verb=ListIdentifiers&metadataPrefix=oai_dc&until={}",
    "oai-set": "/oai/?verb=ListRecords&metadataPrefix=oai_dc&set={}",
    "oai-token": "/oai/?verb=ListRecords&resumptionToken={}",
    "oai-identifier": "/oai/?verb=GetRecord&metadataPrefix=oai_dc&identifier={}",
    "oai-formats": "/oai/?verb=ListMetadataFormats&identifier={}",
    "oai-name": "/oai/?verb=Identify&{}=1",
    "changes-since": "/api/changes/?since={}",
    "changes-size": "/api/changes/?page_size={}",
    "changes-other": "/api/changes/?{}={}",
    "atom": "/feeds/changes.atom?{}={}",
    "atom-era": "/feeds/eras/{}.atom",
    "data": "/data/{}",
    "data-file": "/data/1.0.0/{}",
    "data-zip": "/data/{}.zip",
    "data-list": "/data/?{}={}",
    "cite-bib": "/dialogues/talks/cite.bib?version={}",
    "cite-json": "/dialogues/talks/cite.json?version={}",
    "cite-format": "/dialogues/talks/cite.{}",
    "version-page": "/dialogues/talks/v/{}/",
}


@pytest.fixture
def archive(db, tmp_path, settings):
    settings.TRACKII_RELEASES_DIR = tmp_path / "releases"
    settings.RATE_LIMIT = None
    with reversion.create_revision():
        talks = make_dialogue(slug="talks", era=make_era(slug="nineties"))
        add_participant(talks, name="Named Person")
    make_release("1.0.0")
    return talks


@pytest.mark.parametrize("slot", sorted(SLOTS))
def test_no_odd_value_in_any_argument_gives_a_server_error(client, archive, slot):
    failures = []
    for label, value in _encoded():
        url = SLOTS[slot].replace("{}", value)
        response = client.get(url)
        if response.status_code >= 500:
            failures.append((label, response.status_code))
        elif url.startswith("/oai/"):
            # Always a well-formed OAI-PMH answer, never one echoing what XML cannot hold.
            root = etree.fromstring(response.content)
            assert root.tag == f"{{{oai.OAI}}}OAI-PMH", label
    assert not failures, failures


@pytest.mark.parametrize(
    "query",
    [
        "until=9999-12-31",
        "until=9999-12-31T23:59:59Z",
        "from=0000-01-01",
        "until=2024-01-01%00",
        "from=2024-01-01%0C",
        "set=era%EF%BF%BE",
    ],
)
def test_oai_pmh_answers_bad_argument_to_out_of_range_dates_and_unencodable_characters(
    client, archive, query
):
    response = client.get(f"/oai/?verb=ListRecords&metadataPrefix=oai_dc&{query}")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    error = root.find(f"{{{oai.OAI}}}error")
    assert error is not None and error.get("code") == "badArgument"
    # The request element echoes no argument of a bad request.
    assert root.find(f"{{{oai.OAI}}}request").attrib == {}


@pytest.mark.parametrize("number", ["²", "١", "１", "9" * 5000, "1.0", "-1"])
@pytest.mark.parametrize("fmt", ["bib", "json"])
def test_a_version_is_ascii_digits_only(client, archive, number, fmt):
    response = client.get(f"/dialogues/talks/cite.{fmt}?version={quote(number)}")
    assert response.status_code == 404
    assert client.get(f"/dialogues/talks/cite.{fmt}?version=1").status_code == 200
