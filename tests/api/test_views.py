import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dialogues.api import pagination
from dialogues.models import (
    Background,
    Citation,
    OutcomeKind,
    ParticipantKind,
    Side,
    Track,
    VenueKind,
)

from ..archives import build_many
from ..factories import (
    make_dialogue,
    make_era,
    make_source,
)
from .helpers import api_get, slugs

pytestmark = pytest.mark.django_db


DIALOGUE_KEYS = {
    "slug",
    "title",
    "url",
    "date",
    "era",
    "conflict",
    "place",
    "venue",
    "track",
    "summary",
    "participants",
    "outcomes",
    "sources",
    # The archive's Hebrew and Arabic of the title, summary and date note, by language tag.
    "translations",
}
# One dialogue's address gives issue 21's fields too (lists and exports do not yet).
DIALOGUE_KEYS |= {
    *("talks", "level", "implied_level", "level_note"),
    *("places", "series", "external_ids"),
}
# The detail adds the typed links to other dialogues (its lineage).
DETAIL_KEYS = DIALOGUE_KEYS | {"links"}
DATE_KEYS = {"edtf", "display", "earliest", "latest", "note"}
ENVELOPE_KEYS = {"count", "next", "previous", "results"}


# --- Helpers --------------------------------------------------------------------------------


@pytest.fixture
def archive(small_archive):
    return small_archive


# --- Filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["oslo", "stockholm", "geneva", "amman"]),
        ("era=nineties", ["oslo", "stockholm"]),
        ("era=noughties", ["geneva", "amman"]),
        ("conflict=gulf", ["geneva", "amman"]),
        ("participant=palestinian-journalist", ["oslo", "stockholm"]),
        ("participant=diplomats-group", ["geneva"]),
        # Two Israelis took part in Oslo: it is still listed once.
        ("side=israeli", ["oslo"]),
        ("side=palestinian", ["oslo", "stockholm"]),
        ("side=third_party", ["geneva"]),
        ("background=journalist", ["oslo", "stockholm"]),
        ("background=security_official", ["oslo"]),
        ("outcome=stalled", ["geneva"]),
        ("outcome=became_official", ["oslo"]),
        ("track=track_ii", ["stockholm", "geneva"]),
        ("track=proposed", ["amman"]),
        ("track=track_ii_to_i", ["oslo"]),
        ("place=norway", ["oslo"]),
        ("place=GENEVA", ["geneva"]),
        ("era=nineties&side=palestinian&outcome=proposal", ["stockholm"]),
        ("era=noughties&place=", ["geneva", "amman"]),
    ],
)
def test_dialogue_list_filters_by_every_parameter(client, archive, query, expected):
    response = api_get(client, "dialogue_list", query)
    assert response.status_code == 200
    assert slugs(response) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Stockholm, c. 1995, may be 1996: it overlaps a range from 1996 but is not within it.
        ("from=1996", ["stockholm", "geneva", "amman"]),
        ("from=1996&match=overlap", ["stockholm", "geneva", "amman"]),
        ("from=1996&match=within", ["geneva", "amman"]),
        ("to=1994", ["oslo", "stockholm"]),
        ("to=1994&match=within", ["oslo"]),
        ("from=1993-03-01&to=1993-03-31", ["oslo"]),
        ("from=1993-03-01&to=1993-03-31&match=within", []),
        ("from=1993-01-01&to=1993-08-31&match=within", ["oslo"]),
        # The Amman proposal, "2006?", may be any day of 2005–2007.
        ("from=2006-06-01&to=2006-06-30", ["amman"]),
        ("from=2006-06-01&to=2006-06-30&match=within", []),
        ("from=2005&to=2005", ["amman"]),
        ("from=2005&to=2005&match=within", []),
        ("from=2008", []),
    ],
)
def test_date_range_overlaps_or_contains_uncertain_dates(client, archive, query, expected):
    assert slugs(api_get(client, "dialogue_list", query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=date", ["oslo", "stockholm", "geneva", "amman"]),
        ("", ["oslo", "stockholm", "geneva", "amman"]),
        # Latest first by the latest possible day: Amman may be as late as 2007.
        ("sort=-date", ["amman", "geneva", "stockholm", "oslo"]),
        ("sort=title", ["amman", "geneva", "oslo", "stockholm"]),
        # Relevance means nothing without a search, so the order falls back to date.
        ("sort=relevance", ["oslo", "stockholm", "geneva", "amman"]),
        ("era=nineties&sort=-date", ["stockholm", "oslo"]),
    ],
)
def test_dialogue_list_sorts(client, archive, query, expected):
    assert slugs(api_get(client, "dialogue_list", query)) == expected


def test_latest_first_orders_by_the_latest_possible_day_not_the_reverse_of_date(client):
    era = make_era(date="1990/1999")
    make_dialogue(slug="decade", title="Zebra", era=era, date="1990/1999")
    make_dialogue(slug="one-day", title="Aardvark", era=era, date="1995-05-05")
    # The decade starts first and may also end last, so it leads both ways.
    assert slugs(api_get(client, "dialogue_list", "sort=date")) == ["decade", "one-day"]
    assert slugs(api_get(client, "dialogue_list", "sort=-date")) == ["decade", "one-day"]
    assert slugs(api_get(client, "dialogue_list", "sort=title")) == ["one-day", "decade"]


# --- Pagination -----------------------------------------------------------------------------


def _params(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_pages_link_to_each_other_with_absolute_urls_keeping_the_other_parameters(client):
    era = make_era(slug="the-era", date="1990/1999")
    for year in range(1990, 1995):
        make_dialogue(era=era, date=str(year))
    make_dialogue(date="2010")  # another era: filtered out

    first = api_get(client, "dialogue_list", "era=the-era&page_size=2").json()
    assert first["count"] == 5
    assert first["previous"] is None
    assert first["next"].startswith("http://testserver/api/dialogues/?")
    assert _params(first["next"]) == {"era": "the-era", "page_size": "2", "page": "2"}

    second = client.get(first["next"]).json()
    assert _params(second["previous"]) == {"era": "the-era", "page_size": "2", "page": "1"}
    third = client.get(second["next"]).json()
    assert third["next"] is None
    assert _params(third["previous"])["page"] == "2"

    seen = [d["slug"] for page in (first, second, third) for d in page["results"]]
    assert len(seen) == len(set(seen)) == 5
    everything = api_get(client, "dialogue_list", "era=the-era&page_size=100").json()
    assert seen == [d["slug"] for d in everything["results"]]


def test_a_page_holds_twenty_records_unless_asked_otherwise(client):
    era = make_era(date="1990/1999")
    for _ in range(pagination.DEFAULT_PAGE_SIZE + 1):
        make_dialogue(era=era, cite=False)
    default = api_get(client, "dialogue_list").json()
    assert len(default["results"]) == 20
    assert _params(default["next"]) == {"page": "2"}
    last = client.get(default["next"]).json()
    assert len(last["results"]) == 1
    assert len(api_get(client, "dialogue_list", "page_size=100").json()["results"]) == 21
    assert len(api_get(client, "dialogue_list", "page_size=1").json()["results"]) == 1


def test_an_empty_result_is_one_empty_page(client, archive):
    body = api_get(client, "dialogue_list", "place=nowhere").json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("name", ["era_list", "participant_list", "source_list"])
def test_every_list_is_paged(client, archive, name):
    total = api_get(client, name).json()["count"]
    assert total >= 2
    first = api_get(client, name, "page_size=1").json()
    assert first["count"] == total
    assert len(first["results"]) == 1
    assert _params(first["next"]) == {"page_size": "1", "page": "2"}
    last = api_get(client, name, f"page_size=1&page={total}").json()
    assert last["next"] is None
    assert last["previous"] is not None


# --- Errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "query", "field"),
    [
        # Not a slug at all: malformed, not merely unknown.
        ("dialogue_list", "era=no%20such%20era", "era"),
        ("dialogue_list", "participant=nobody%0A", "participant"),
        ("dialogue_list", "side=martian", "side"),
        ("dialogue_list", "background=astronaut", "background"),
        ("dialogue_list", "outcome=victory", "outcome"),
        ("dialogue_list", "track=track_iii", "track"),
        ("dialogue_list", "from=abc", "from"),
        ("dialogue_list", "to=1995-13-01", "to"),
        ("dialogue_list", "from=12345", "from"),
        ("dialogue_list", "from=0000", "from"),
        ("dialogue_list", "match=sideways", "match"),
        ("dialogue_list", "sort=random", "sort"),
        ("dialogue_list", "place=" + "x" * 201, "place"),
        ("dialogue_list", "q=" + "x" * 10_001, "q"),
        ("dialogue_list", "place=a%00b", "place"),
        ("dialogue_list", "era=a%00b", "era"),
        ("dialogue_list", "page=0", "page"),
        ("dialogue_list", "page=-1", "page"),
        ("dialogue_list", "page=x", "page"),
        ("dialogue_list", "page=1.5", "page"),
        ("dialogue_list", "page=1.0", "page"),
        ("dialogue_list", "page=%201", "page"),
        ("dialogue_list", "page=", "page"),
        ("dialogue_list", "page_size=", "page_size"),
        ("dialogue_list", "page_size=5.", "page_size"),
        ("dialogue_list", "page_size=0", "page_size"),
        ("dialogue_list", "page_size=101", "page_size"),
        ("dialogue_list", "page_size=abc", "page_size"),
        ("era_list", "page=0", "page"),
        ("era_list", "page_size=101", "page_size"),
        ("era_list", "page_size=5&page_size=10", "page_size"),
        ("participant_list", "side=martian", "side"),
        ("participant_list", "background=astronaut", "background"),
        ("participant_list", "kind=robot", "kind"),
        ("participant_list", "page=x", "page"),
        ("source_list", "page_size=-5", "page_size"),
        ("source_list", "page=1&page=1", "page"),
        # A repeated value would silently be read as its last: refused instead.
        ("dialogue_list", "side=israeli&side=palestinian", "side"),
        ("dialogue_list", "to=1995&to=1996", "to"),
        ("dialogue_list", "era=nineties&era=nineties", "era"),
        ("participant_list", "kind=person&kind=group", "kind"),
        # Only the two documented shapes of a date, though Python reads more.
        ("dialogue_list", "from=19950602", "from"),
        ("dialogue_list", "from=1995-W23", "from"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_the_field(client, archive, name, query, field):
    response = api_get(client, name, query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"errors"}
    assert list(body["errors"]) == [field]
    messages = body["errors"][field]
    assert messages and all(isinstance(m, str) and m for m in messages)


@pytest.mark.parametrize(
    ("name", "query", "field", "words"),
    [
        ("dialogue_list", "side=martian", "side", ["martian", *Side.values]),
        ("dialogue_list", "background=x", "background", Background.values),
        ("dialogue_list", "outcome=x", "outcome", OutcomeKind.values),
        ("dialogue_list", "track=x", "track", Track.values),
        ("dialogue_list", "sort=x", "sort", ["date", "-date", "title"]),
        ("dialogue_list", "match=x", "match", ["overlap", "within"]),
        ("dialogue_list", "from=abc", "from", ["abc", "1995"]),
        ("dialogue_list", "era=atlantis", "era", ["atlantis"]),
        ("dialogue_list", "page_size=101", "page_size", ["100"]),
        ("dialogue_list", "page_size=abc", "page_size", ["100"]),
        ("dialogue_list", "page=0", "page", ["1"]),
        ("dialogue_list", "page=7", "page", ["7", "last page is 1"]),
        ("dialogue_list", "side=israeli&side=palestinian", "side", ["once", "2 times"]),
        ("participant_list", "kind=robot", "kind", ParticipantKind.values),
    ],
)
def test_an_error_message_says_what_is_accepted(client, archive, name, query, field, words):
    message = " ".join(api_get(client, name, query).json()["errors"][field])
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("name", "query", "field"),
    [
        ("dialogue_list", "era=no-such-era", "era"),
        ("dialogue_list", "conflict=no-such-conflict", "conflict"),
        ("dialogue_list", "participant=nobody", "participant"),
        ("dialogue_list", "era=no-such-era&side=israeli", "era"),
        ("dialogue_list", "page=2", "page"),
        ("dialogue_list", "page=99999999999999999999999", "page"),
        ("era_list", "page=3", "page"),
        ("source_list", "page=50", "page"),
        ("participant_list", "side=israeli&page=9", "page"),
    ],
)
def test_a_well_formed_parameter_naming_nothing_is_a_404_naming_it(
    client, archive, name, query, field
):
    response = api_get(client, name, query)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert list(response.json()["errors"]) == [field]


def test_an_unknown_slug_beside_a_malformed_value_is_a_400_naming_both(client, archive):
    response = api_get(client, "dialogue_list", "era=no-such-era&side=martian")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"era", "side"}


@pytest.mark.parametrize(
    ("name", "query", "count"),
    [
        # As an HTML form sends unset fields: the same as not given.
        ("dialogue_list", "era=&side=&to=&from=&q=&sort=&match=", 4),
        ("dialogue_list", "era=&side=israeli", 1),
        ("participant_list", "kind=&side=&background=", 4),
    ],
)
def test_an_empty_filter_is_the_same_as_none(client, archive, name, query, count):
    response = api_get(client, name, query)
    assert response.status_code == 200
    assert response.json()["count"] == count


def test_every_bad_parameter_is_reported_at_once(client, archive):
    response = api_get(client, "dialogue_list", "era=nope&side=martian&from=abc&page=0")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"era", "side", "from", "page"}


def test_unknown_parameters_are_ignored(client, archive):
    assert api_get(client, "dialogue_list", "colour=blue").json()["count"] == 4


@pytest.mark.parametrize(
    "path",
    [
        "/api/dialogues/no-such-dialogue/",
        "/api/",
        "/api/nothing/",
        "/api/dialogues/oslo/extra/",
        "/api/eras/nineties/",
        "/api/dialogues",
        "/api/openapi.yaml",
        # `.` in a URL pattern does not match a newline: these once fell through to HTML.
        "/api/dialogues/%0A/",
        "/api/x%0Ay",
        "/api/%00",
        "/api/" + "x" * 5000,
    ],
)
def test_an_unknown_address_is_a_json_404(client, archive, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == {"errors": {"detail": ["not found"]}}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("path", ["/api/dialogues/", "/api/dialogues/oslo/", "/api/nothing/"])
def test_only_get_and_head_are_answered(archive, method, path):
    # A browser-like client that enforces CSRF must still get the API's JSON answer.
    response = getattr(Client(enforce_csrf_checks=True), method)(path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert list(response.json()["errors"]) == ["detail"]


@pytest.mark.parametrize(
    "path", ["/api/dialogues/", "/api/dialogues/oslo/", "/api/eras/", "/api/openapi.json"]
)
def test_head_is_answered_like_get(client, archive, path):
    response = client.head(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "path",
    [
        "/api/dialogues/",
        "/api/dialogues/?side=martian",
        "/api/dialogues/oslo/",
        "/api/eras/",
        "/api/participants/",
        "/api/sources/",
        "/api/openapi.json",
        "/api/nothing/",
    ],
)
def test_every_answer_may_be_read_from_any_origin(client, archive, path):
    assert client.get(path)["Access-Control-Allow-Origin"] == "*"


# --- Shapes ---------------------------------------------------------------------------------


def test_a_dialogue_has_exactly_the_contracted_keys_and_values(client, archive):
    Citation.objects.create(
        dialogue=archive.oslo, source=make_source(title="Memoir"), excerpt="We met.", paragraph=4
    )
    body = api_get(client, "dialogue", slug="oslo").json()
    assert set(body) == DETAIL_KEYS
    assert set(body["date"]) == DATE_KEYS
    assert set(body["era"]) == set(body["conflict"]) == {"slug", "name"}
    assert body["url"] == "http://testserver" + archive.oslo.get_absolute_url()
    assert body["date"] == {
        "edtf": "1993-01/1993-08",
        "display": archive.oslo.date_display,
        "earliest": "1993-01-01",
        "latest": "1993-08-31",
        "note": "",
    }
    assert body["era"] == {"slug": "nineties", "name": "The nineties"}
    assert body["conflict"] == {"slug": "levant", "name": "Levant"}
    assert body["track"] == "track_ii_to_i"
    assert body["venue"] == "A country house"
    for person in body["participants"]:
        assert set(person) == {
            "slug",
            "name",
            "name_withheld",
            "kind",
            "side",
            "background",
            "role",
            "at_the_table",
        }
        assert person["name_withheld"] is False
    assert {
        "slug": "israeli-academic",
        "name": "Israeli Academic",
        "kind": "person",
        "side": "israeli",
        "background": "academic",
        "role": "organiser",
        "name_withheld": False,
        "at_the_table": {
            "capacity": "not_stated",
            "basis": "",
            "on_behalf_of": None,
            "side": "israeli",
            "background": "academic",
        },
    } in body["participants"]
    assert [p["slug"] for p in body["participants"]] == [
        "israeli-academic",
        "israeli-official",
        "palestinian-journalist",
    ]
    assert body["outcomes"] == [
        {
            "kind": "became_official",
            "label": OutcomeKind.BECAME_OFFICIAL.label,
            "description": "It became the Oslo process.",
        }
    ]
    for source in body["sources"]:
        assert set(source) == {"slug", "title", "author", "excerpt", "locator", "translations"}
    assert len(body["sources"]) == archive.oslo.citations.count() == 2
    memoir = next(s for s in body["sources"] if s["title"] == "Memoir")
    assert memoir["excerpt"] == "We met."
    assert memoir["locator"] == "¶ 4"


def test_a_source_cited_twice_is_listed_once_per_citation(client):
    dialogue = make_dialogue(cite=False)
    source = make_source()
    for paragraph in (2, 7):
        Citation.objects.create(dialogue=dialogue, source=source, excerpt="x", paragraph=paragraph)
    body = api_get(client, "dialogue", slug=dialogue.slug).json()
    assert [(s["slug"], s["locator"]) for s in body["sources"]] == [
        (source.slug, "¶ 2"),
        (source.slug, "¶ 7"),
    ]


def test_a_dialogue_without_venue_text_gives_the_venue_kind(client, archive):
    body = api_get(client, "dialogue", slug="stockholm").json()
    assert body["venue"] == VenueKind.HOTEL.label
    assert api_get(client, "dialogue", slug="geneva").json()["venue"] == VenueKind.NOT_STATED.label


def test_a_list_item_equals_the_detail(client, archive):
    listed = {d["slug"]: d for d in api_get(client, "dialogue_list").json()["results"]}
    for slug in ("oslo", "geneva", "amman"):
        detail = api_get(client, "dialogue", slug=slug).json()
        # The detail adds its lineage; all the rest is the same.
        assert listed[slug] == {k: v for k, v in detail.items() if k in DIALOGUE_KEYS}


def test_every_list_has_the_envelope_and_item_keys(client, archive):
    expected = {
        "dialogue_list": DIALOGUE_KEYS,
        "era_list": {"slug", "name", "date", "summary", "dialogue_count", "url", "translations"},
        "participant_list": {
            "slug",
            "name",
            "kind",
            "side",
            "background",
            "bio",
            "dialogue_count",
            "url",
            "translations",
        },
        "source_list": {"slug", "title", "author", "publication", "date", "url"},
    }
    for name, keys in expected.items():
        body = api_get(client, name).json()
        assert set(body) == ENVELOPE_KEYS, name
        assert body["results"], name
        for item in body["results"]:
            assert set(item) == keys, name
            if "date" in keys:
                assert set(item["date"]) == DATE_KEYS, name
            assert item["url"].startswith("http://testserver/"), name


def test_eras_are_in_timeline_order_with_their_dialogue_counts(client):
    later = make_era(slug="later", position=20, date="2000/2009")
    earlier = make_era(slug="earlier", position=10, date="1990/1999")
    make_era(slug="empty", position=30, date="2010/2019")
    for _ in range(3):
        make_dialogue(era=later)
    make_dialogue(era=earlier)
    results = api_get(client, "era_list").json()["results"]
    assert [(e["slug"], e["dialogue_count"]) for e in results] == [
        ("earlier", 1),
        ("later", 3),
        ("empty", 0),
    ]
    assert results[0]["date"]["earliest"] == "1990-01-01"
    assert results[0]["url"] == "http://testserver" + earlier.get_absolute_url()


def test_participants_are_by_name_with_their_dialogue_counts(client, archive):
    results = api_get(client, "participant_list").json()["results"]
    assert [p["name"] for p in results] == sorted(p.name for p in archive.participants)
    counts = {p["slug"]: p["dialogue_count"] for p in results}
    assert counts == {p.slug: p.participations.count() for p in archive.participants}
    journalist = next(p for p in results if p["slug"] == "palestinian-journalist")
    assert journalist["side"] == "palestinian"
    assert journalist["kind"] == "person"
    assert journalist["background"] == "journalist"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("side=israeli", ["israeli-academic", "israeli-official"]),
        ("side=third_party", ["diplomats-group"]),
        ("background=journalist", ["palestinian-journalist"]),
        ("kind=group", ["diplomats-group"]),
        ("kind=person&side=israeli&background=academic", ["israeli-academic"]),
        (
            "side=",
            ["diplomats-group", "israeli-academic", "israeli-official", "palestinian-journalist"],
        ),
    ],
)
def test_participants_filter_by_side_background_and_kind(client, archive, query, expected):
    assert slugs(api_get(client, "participant_list", query)) == expected


def test_sources_are_oldest_first(client):
    newer = make_source(slug="newer", date="2010", publication="A paper")
    older = make_source(slug="older", date="1990")
    results = api_get(client, "source_list").json()["results"]
    assert [s["slug"] for s in results] == [older.slug, newer.slug]
    assert results[1]["publication"] == "A paper"
    assert results[1]["date"]["earliest"] == "2010-01-01"
    assert results[1]["url"] == "http://testserver" + newer.get_absolute_url()


# --- Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 40])
@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("dialogue_list", "page_size=100"),
        ("dialogue_list", "page_size=100&side=palestinian&background=academic&outcome=stalled"),
        ("era_list", ""),
        ("participant_list", "page_size=100&side=israeli"),
        ("source_list", ""),
    ],
)
def test_a_list_runs_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, n, name, query
):
    build_many(n)
    for i in range(n):
        make_source()
        make_era(date=f"{1800 + i}")
    # One of them reads the archive's generation, which keys the cached counts; a page of
    # dialogues reads its places, series, links and external ids in four more.
    with django_assert_max_num_queries(11 if name == "dialogue_list" else 7):
        response = api_get(client, name, query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("dialogue_list", "page_size=100&era="),
        ("dialogue_list", "page_size=100&side=israeli&sort=-date"),
        ("era_list", "page_size=100"),
        ("participant_list", "page_size=100"),
        ("source_list", "page_size=100"),
    ],
)
def test_a_list_runs_as_many_queries_for_forty_records_as_for_three(client, name, query):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert api_get(client, name, query).status_code == 200
        return len(queries)

    build_many(3)
    few = count_queries()
    build_many(37)
    for _ in range(40):
        make_source()
    make_era(date="2020/2029")
    assert count_queries() == few


# --- Full-text search -------------------------------------------------------------------------


@pytest.fixture
def searchable(archive):
    from dialogues import search

    era = make_era(slug="water-era", date="1980/1989")
    make_dialogue(slug="water-in-title", title="Water talks", era=era, date="1988")
    make_dialogue(
        slug="water-in-summary", era=era, date="1981", summary="They spoke of water rights."
    )
    # Inside the test's transaction nothing commits, so the on-commit reindex never runs.
    search.rebuild_index()
    return archive


def test_a_search_finds_only_matching_dialogues(client, searchable):
    assert slugs(api_get(client, "dialogue_list", "q=Stockholm")) == ["stockholm"]
    assert api_get(client, "dialogue_list", "q=Stockholm").json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # A match in the title outranks one in the summary: relevance is the default order.
        ("q=water", ["water-in-title", "water-in-summary"]),
        ("q=water&sort=relevance", ["water-in-title", "water-in-summary"]),
        ("q=water&sort=date", ["water-in-summary", "water-in-title"]),
        ("q=water&era=nineties", []),
        ("q=talks&era=nineties", ["stockholm"]),
        ("q=water+-rights", ["water-in-title"]),
    ],
)
def test_a_search_combines_with_filters_and_sorts(client, searchable, query, expected):
    assert slugs(api_get(client, "dialogue_list", query)) == expected


@pytest.mark.parametrize(
    ("q", "status"),
    [
        # Search syntax that does not parse is read as plain words.
        ('"', 200),
        ("-", 200),
        ("or", 200),
        ("(((", 200),
        ("%E2%80%AE", 200),
        ("x" * 2000, 200),
        # A null character can be stored nowhere: it is refused with a message.
        ("a%00b", 400),
    ],
)
def test_any_search_text_is_answered(client, searchable, q, status):
    response = api_get(client, "dialogue_list", f"q={q}")
    assert response.status_code == status
    if status == 400:
        assert list(response.json()["errors"]) == ["q"]


def test_a_search_with_a_bad_filter_is_still_a_400_naming_only_that_filter(client, searchable):
    response = api_get(client, "dialogue_list", "q=Oslo&side=martian")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["side"]


def test_dates_in_the_api_are_iso_days(client, archive):
    body = api_get(client, "dialogue", slug="amman").json()
    for key in ("earliest", "latest"):
        datetime.date.fromisoformat(body["date"][key])
    assert body["date"]["earliest"] < body["date"]["latest"]


def test_too_many_parameters_is_a_json_400(client):
    response = client.get("/api/dialogues/?" + "&".join(f"x{i}=1" for i in range(1500)))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["detail"]
