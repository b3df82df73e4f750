"""A GET or HEAD request changes nothing in the database, at every public address.

The suite-wide guard (tests/reads_never_write.py) fails any test whose GET or HEAD request
writes. Here it is shown to catch a write, to leave the admin's own routes alone, and every
kind of public address in the URL conf (walked, not listed by hand) is requested, plain and
searched, on an ordinary day and on the day an embargo lifts.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.utils import timezone

from dialogues.models import (
    Citation,
    Dialogue,
    Organisation,
    Participation,
    Place,
    Series,
    Side,
    Status,
)
from dialogues.search.index import rebuild_index, stale_dialogues
from tests.factories import add_participant, make_archive, make_dialogue, make_participant
from tests.reads_never_write import WRITES_IN_READS, WriteInRead

LIFTS_IN = datetime.timedelta(days=30)


def _writing_view(request):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE dialogues_generation SET number = number + 1 WHERE id = 1")
    return HttpResponse("wrote")


# The guard's own test site: a public address and one of the admin's, both writing on a read.
urlpatterns = [
    path("admin/writes-on-read/", _writing_view),
    path("admin/", admin.site.urls),
    path("writes-on-read/", _writing_view),
]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize("method", ["get", "head"])
def test_the_guard_fails_a_read_that_writes(client, method):
    with pytest.raises(WriteInRead, match="UPDATE dialogues_generation"):
        getattr(client, method)("/writes-on-read/")
    assert len(WRITES_IN_READS) == 1
    WRITES_IN_READS.clear()  # seen: this test's own write is not a failure of the suite


@pytest.mark.django_db
def test_only_the_admins_own_routes_may_write_on_a_read(client):
    from tests.reads_never_write import is_exempt

    login = client.get(reverse("admin:login"))
    assert login.status_code == 200 and is_exempt(login.wsgi_request)
    public = client.get("/")
    assert public.status_code == 200 and not is_exempt(public.wsgi_request)


# --- Every kind of public address -----------------------------------------------------------


def url_kinds(resolver=None, prefix: str = "", namespace: str = ""):
    """Yield (name, route, converters) for every address of the URL conf but the admin's."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_kinds(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            converters = getattr(pattern.pattern, "converters", {})
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern), converters


def _value(route: str, parameter: str, archive) -> list[str]:
    """The values to put in `parameter` of `route`: real records, every format served."""
    before = route.split(f"<{parameter}")[0] if "<" in route else route
    if parameter == "slug":
        for folder, model, extra in (
            ("organisations/", Organisation, {"kind": "ngo"}),
            ("places/", Place, {"country": "NO"}),
            ("series/", Series, {"kind": "channel"}),
        ):
            if before.endswith(folder):
                record, _ = model.objects.get_or_create(
                    slug="walked", defaults={"name": "Walked", "status": Status.PUBLISHED, **extra}
                )
                return [record.slug]
        for folder, record in (
            ("dialogues/", archive.record),
            ("eras/", archive.record.era),
            ("participants/", archive.participant),
            ("sources/", archive.sources[0]),
        ):
            if before.endswith(folder):
                return [record.slug]
    if parameter == "fmt":
        return ["csv", "json"] if "export" in route else ["bib", "json"]
    if parameter == "number":
        return ["1"]
    if parameter == "version":
        return ["1.0"]
    if parameter == "name":
        return ["datapackage.json"]
    raise AssertionError(f"no value for <{parameter}> in {route!r}: add one here")


def addresses(archive) -> list[str]:
    found = []
    for name, route, converters in url_kinds():
        if not converters and route.startswith("^"):  # a catch-all pattern (the API's 404)
            found.append("/" + route.split("^")[0] + "api/no-such-address/")
            continue
        choices = [{}]
        for parameter in converters:
            values = _value(route, parameter, archive)
            choices = [{**c, parameter: v} for c in choices for v in values]
        found += [reverse(name, kwargs=kwargs) for kwargs in choices]
    return sorted(set(found))


def _with_queries(url: str) -> list[str]:
    if url == reverse("oai"):
        return [f"{url}?verb={verb}&metadataPrefix=oai_dc" for verb in ("ListRecords",)] + [
            f"{url}?verb=Identify",
            f"{url}?verb=ListIdentifiers&metadataPrefix=oai_dc",
        ]
    # Every address is asked once plainly and once with a search and a filter: a search is
    # what once wrote, and any page that ignores the parameters still answers.
    return [url, f"{url}?q=Quartermaine+OR+talks&side=palestinian&page=1"]


@pytest.fixture
def lifting(db):
    """An archive with a name withheld and a dialogue embargoed until the same day."""
    archive = make_archive()
    day = timezone.localdate() + LIFTS_IN
    person = make_participant(
        slug="zebulon-quartermaine", name="Zebulon Quartermaine", side=Side.PALESTINIAN
    )
    withheld = add_participant(archive.record, person)
    Participation.objects.filter(pk=withheld.pk).update(withheld=True, withheld_until=day)
    Citation.objects.create(
        dialogue=archive.record,
        source=archive.sources[0],
        participant=person,
        excerpt="One of them had come at great personal risk",
        paragraph=9,
    )
    make_dialogue(slug="embargoed-talks", embargo_until=day)
    archive.participant = make_participant(slug="a-public-person")
    add_participant(archive.record, archive.participant)
    rebuild_index()  # in the test's transaction nothing commits: index what is there
    archive.day = day
    return archive


def test_the_walk_reaches_every_kind_of_public_address(lifting):
    walked = addresses(lifting)
    names = {name for name, _, _ in url_kinds()}
    # Pages, records, the API, feeds, OAI-PMH, releases and the health check are all there.
    for expected in ("dialogues:dialogue", "dialogues:api:dialogue_list", "feeds:changes", "oai"):
        assert expected in names
    assert "releases:list" in names and "healthz" in names
    assert not any(url.startswith(reverse("admin:index")) for url in walked)
    assert len(walked) >= len(names)


@pytest.mark.parametrize("when", ["an ordinary day", "the day the embargo lifts"])
@pytest.mark.parametrize("method", ["get", "head"])
def test_no_public_address_writes(client, lifting, monkeypatch, when, method):
    if when == "the day the embargo lifts":
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: lifting.day)
        # The index still lacks the name: the first search of the day is the one that wrote.
        assert stale_dialogues() == {lifting.record.pk}
        assert Dialogue.objects.public().filter(slug="embargoed-talks").exists()
    statuses = {}
    for url in addresses(lifting):
        for address in _with_queries(url):
            response = getattr(client, method)(address)
            statuses[address] = response.status_code
            if response.streaming:
                b"".join(response.streaming_content)
    assert WRITES_IN_READS == []
    # The walk read real pages, not only errors.
    assert sum(status == 200 for status in statuses.values()) >= len(statuses) // 2
    assert max(statuses.values()) < 500
