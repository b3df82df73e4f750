import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dialogues.api.exports import CSV_COLUMNS, TOTAL_COUNT_HEADER, defuse_formula
from dialogues.models import Citation, OutcomeKind, Role, Side, Track, VenueKind

from ..archives import build_many
from ..factories import add_participant, make_dialogue, make_era, make_participant, make_source

pytestmark = pytest.mark.django_db

FILTER_QUERIES = [
    "",
    "era=nineties",
    "conflict=gulf",
    "participant=palestinian-journalist",
    "side=israeli",
    "background=journalist",
    "outcome=stalled",
    "track=track_ii",
    "place=norway",
    "from=1996",
    "from=1996&match=within",
    "to=1994&match=within",
    "sort=-date",
    "sort=title",
    "era=noughties&sort=title",
    "place=nowhere",
]


def export(client, fmt, query=""):
    url = reverse("dialogues:export", args=[fmt])
    return client.get(f"{url}?{query}" if query else url)


def read_csv(response) -> list[list[str]]:
    """Return the header and rows, checking that the header's count is the rows' count."""
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert int(response[TOTAL_COUNT_HEADER]) == len(rows) - 1
    return rows


def read_json(response) -> list:
    assert response.streaming
    return json.loads(b"".join(response.streaming_content))


def api_results(client, query=""):
    url = reverse("dialogues:api:dialogue_list")
    body = client.get(f"{url}?page_size=100&{query}").json()
    assert body["count"] <= 100
    return body["results"]


@pytest.fixture
def archive(small_archive):
    return small_archive


# --- CSV ------------------------------------------------------------------------------------


def test_the_csv_columns_are_in_the_documented_order():
    assert CSV_COLUMNS == (
        "slug",
        "title",
        "url",
        "date_edtf",
        "date_display",
        "date_earliest",
        "date_latest",
        "date_note",
        "era",
        "conflict",
        "place",
        "venue",
        "venue_kind",
        "track",
        "talks",
        "level",
        "implied_level",
        "level_note",
        "places",
        "countries",
        "coordinates",
        "series",
        "external_ids",
        "capacities",
        "participants",
        "outcomes",
        "sources",
        "summary",
        "title_he",
        "title_ar",
        "summary_he",
        "summary_ar",
        "date_note_he",
        "date_note_ar",
        "era_slug",
        "conflict_slug",
        "venue_kind_code",
        "track_code",
        "talks_code",
        "level_code",
        "status",
        "embargo_until",
        "place_slugs",
        "series_list",
        "participant_list",
        "outcome_list",
        "citation_list",
    )


def test_the_import_columns_hold_codes_slugs_and_one_related_row_a_line(client):
    era = make_era(slug="nineties", date="1990/1999")
    dialogue = make_dialogue(era=era, slug="oslo", track=Track.PROPOSED, cite=False)
    source = make_source(slug="memoir")
    Citation.objects.create(dialogue=dialogue, source=source, paragraph=7, excerpt="We met\nthere")
    Citation.objects.create(dialogue=dialogue, source=source, paragraph=2, excerpt="Earlier | on")
    add_participant(dialogue, make_participant(slug="yair"), role=Role.ORGANISER)
    hidden = add_participant(dialogue, make_participant(slug="secret-person"))
    hidden.withheld, hidden.withheld_until, hidden.show_side = True, None, True
    hidden.save()
    lapsed = add_participant(dialogue, make_participant(slug="lapsed"))
    lapsed.withheld, lapsed.withheld_until = True, timezone.localdate().replace(year=2000)
    lapsed.save()
    header, row = read_csv(export(client, "csv"))
    cells = dict(zip(header, row, strict=True))
    assert (cells["era_slug"], cells["track_code"], cells["status"]) == (
        "nineties",
        "proposed",
        "published",
    )
    # A name withheld today is masked as on every public address; a lapsed one is shown with
    # its flags, so that importing the file again changes nothing.
    assert cells["participant_list"].splitlines() == [
        "* | participant | withheld",
        "lapsed | participant | withheld, until 2000-" + lapsed.withheld_until.strftime("%m-%d"),
        "yair | organiser",
    ]
    assert "secret-person" not in ",".join(row)
    assert cells["citation_list"].splitlines() == [
        "memoir | 2 | Earlier | on",
        "memoir | 7 | We met\\nthere",
    ]


def test_the_csv_starts_with_the_header_row(client, archive):
    response = export(client, "csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert rows[0] == list(CSV_COLUMNS)
    assert all(len(row) == len(CSV_COLUMNS) for row in rows)


@pytest.mark.parametrize("query", FILTER_QUERIES)
def test_the_csv_has_one_row_per_dialogue_of_the_filtered_list_in_its_order(client, archive, query):
    rows = read_csv(export(client, "csv", query))
    expected = [d["slug"] for d in api_results(client, query)]
    assert [row[0] for row in rows[1:]] == expected


def test_a_csv_row_holds_the_dialogue_in_words(client, archive):
    Citation.objects.create(
        dialogue=archive.oslo, source=make_source(title="Memoir"), excerpt="We met.", paragraph=4
    )
    Citation.objects.create(
        dialogue=archive.oslo, source=make_source(title="Memoir, vol. 2"), excerpt="x", paragraph=9
    )
    rows = read_csv(export(client, "csv", "era=nineties"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["slug"] == "oslo"
    assert row["title"] == "Oslo back channel"
    assert row["url"] == "http://testserver" + archive.oslo.get_absolute_url()
    assert row["date_edtf"] == "1993-01/1993-08"
    assert row["date_display"] == archive.oslo.date_display
    assert (row["date_earliest"], row["date_latest"]) == ("1993-01-01", "1993-08-31")
    assert row["era"] == "The nineties"
    assert row["conflict"] == "Levant"
    assert row["place"] == "Sarpsborg, Norway"
    assert row["venue"] == "A country house"
    assert row["venue_kind"] == VenueKind.PRIVATE.label
    assert row["track"] == Track.TRACK_II_TO_I.label
    assert row["participants"].split(" | ") == [
        f"Israeli Academic ({Side.ISRAELI.label}; {Role.ORGANISER.label})",
        f"Israeli Official ({Side.ISRAELI.label}; {Role.PARTICIPANT.label})",
        f"Palestinian Journalist ({Side.PALESTINIAN.label}; {Role.PARTICIPANT.label})",
    ]
    assert row["outcomes"] == OutcomeKind.BECAME_OFFICIAL.label
    sources = row["sources"].split(" | ")
    assert len(sources) == 3
    assert "Memoir ¶4" in sources
    assert "Memoir, vol. 2 ¶9" in sources
    assert row["summary"] == archive.oslo.summary


def test_a_csv_row_joins_several_outcomes_and_leaves_empty_cells_empty(client, archive):
    rows = read_csv(export(client, "csv", "era=noughties"))
    geneva, amman = (dict(zip(rows[0], row, strict=True)) for row in rows[1:])
    labels = {d["slug"]: [o["label"] for o in d["outcomes"]] for d in api_results(client)}
    assert len(labels["geneva"]) == 2
    assert geneva["outcomes"].split(" | ") == labels["geneva"]
    assert amman["participants"] == amman["outcomes"] == amman["place"] == ""


def test_commas_quotes_newlines_and_non_ascii_survive_the_csv(client):
    title = 'Talks in "Jérusalem", café; ¶ 1'
    summary = "First line,\nsecond line — “quoted”."
    make_dialogue(slug="tricky", title=title, summary=summary)
    rows = read_csv(export(client, "csv"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["title"], row["summary"]) == (title, summary)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", '=HYPERLINK("http://evil.example","click")'),
        ("summary", "+1+1"),
        ("place", "-2+3"),
        ("venue", "@SUM(A1:A2)"),
        ("date_note", "=1+1"),
        ("summary", "\t=1+1"),
    ],
)
def test_a_cell_that_a_spreadsheet_would_run_is_prefixed_with_a_quote(client, field, value):
    make_dialogue(slug="formula", **{field: value})
    rows = read_csv(export(client, "csv"))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row[field] == "'" + value
    assert row["slug"] == "formula"


def test_a_participant_name_starting_a_cell_with_a_formula_is_defused(client):
    dialogue = make_dialogue(slug="formula")
    add_participant(dialogue, make_participant(name="=cmd|' /C calc'!A0"))
    rows = read_csv(export(client, "csv"))
    assert rows[1][CSV_COLUMNS.index("participants")].startswith("'=cmd")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        ("Oslo - Norway", "Oslo - Norway"),
        ("", ""),
    ],
)
def test_defuse_formula_quotes_only_a_leading_trigger(value, expected):
    assert defuse_formula(value) == expected


# --- JSON -----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", FILTER_QUERIES)
def test_the_json_export_equals_the_apis_items(client, archive, query):
    response = export(client, "json", query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert read_json(response) == api_results(client, query)


def test_an_empty_json_export_is_an_empty_array(client, archive):
    assert read_json(export(client, "json", "place=nowhere")) == []


# --- Both formats ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_is_a_streamed_dated_attachment(client, archive, fmt):
    response = export(client, fmt)
    assert response.streaming is True
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="trackii-dialogues-{today}.{fmt}"'
    )


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_holds_every_row_not_one_page(client, fmt):
    era = make_era(date="1990/1999")
    for _ in range(25):
        make_dialogue(era=era, cite=False)
    for query in ("", "page=2", "page=abc", "page_size=5"):
        response = export(client, fmt, query)
        assert response.status_code == 200
        count = len(read_csv(response)) - 1 if fmt == "csv" else len(read_json(response))
        assert count == 25


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("era=no%20such%20era", "era"),
        ("side=martian", "side"),
        ("side=israeli&side=palestinian", "side"),
        ("from=abc", "from"),
        ("from=19950602", "from"),
        ("to=1995-13-40", "to"),
        ("match=sideways", "match"),
        ("sort=random", "sort"),
        ("place=a%00b", "place"),
    ],
)
def test_an_export_with_a_bad_parameter_is_a_plain_400(client, archive, fmt, query, field):
    response = export(client, fmt, query)
    assert response.status_code == 400
    assert not response.streaming
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert f"\n{field}: " in text
    assert "Content-Disposition" not in response


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize(
    ("query", "field"),
    [("era=no-such-era", "era"), ("participant=nobody&side=israeli", "participant")],
)
def test_an_export_naming_no_record_is_a_plain_404(client, archive, fmt, query, field):
    response = export(client, fmt, query)
    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert f"\n{field}: There is no " in response.content.decode()


def test_an_export_with_an_unknown_slug_and_a_bad_value_is_a_400(client, archive):
    response = export(client, "csv", "era=no-such-era&side=martian")
    assert response.status_code == 400


def test_an_export_400_lists_every_bad_parameter(client, archive):
    text = export(client, "csv", "era=nope&side=martian").content.decode()
    assert "era: " in text
    assert "side: " in text
    assert "martian" in text


@pytest.mark.parametrize("fmt", ["xml", "CSV", "xlsx", "csv.exe"])
def test_an_unknown_export_format_is_a_plain_404(client, fmt):
    response = client.get(f"/dialogues/export.{fmt}")
    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "csv" in response.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("n", [3, 40])
@pytest.mark.parametrize("query", ["", "side=palestinian&era=", "background=academic"])
def test_an_export_runs_a_bounded_number_of_queries(
    client, django_assert_max_num_queries, fmt, n, query
):
    build_many(n)
    # The rows are read while the response streams, so it is consumed inside the block. One of
    # the queries is the archive's generation, read for the download's ETag; one counts the
    # rows for the X-Total-Count header; the chunk of rows costs seven (see `export_rows`).
    with django_assert_max_num_queries(10):
        response = export(client, fmt, query)
        body = b"".join(response.streaming_content)
    assert body


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_runs_as_many_queries_for_forty_rows_as_for_three(client, fmt):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            b"".join(export(client, fmt, "side=israeli").streaming_content)
        return len(queries)

    build_many(3)
    few = count_queries()
    build_many(37)
    assert count_queries() == few


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_rows_read_in_several_chunks_keep_their_own_relations(client, monkeypatch, fmt):
    monkeypatch.setattr("dialogues.api.exports.CHUNK_SIZE", 3)
    build_many(8)
    expected = api_results(client)
    response = export(client, fmt)
    if fmt == "json":
        assert read_json(response) == expected
    else:
        rows = read_csv(response)
        column = CSV_COLUMNS.index("participants")
        assert [row[0] for row in rows[1:]] == [d["slug"] for d in expected]
        for row, item in zip(rows[1:], expected, strict=True):
            assert [p.split(" (")[0] for p in row[column].split(" | ")] == [
                p["name"] for p in item["participants"]
            ]


@pytest.mark.parametrize("query", ["q=talks", "q=channel+or+initiative", "q=nothing-matches-this"])
def test_a_searched_export_holds_the_apis_search_results_in_their_order(client, archive, query):
    from dialogues import search

    # Inside the test's transaction nothing commits, so the on-commit reindex never runs.
    search.rebuild_index()
    expected = api_results(client, query)
    assert read_json(export(client, "json", query)) == expected
    rows = read_csv(export(client, "csv", query))
    assert [row[0] for row in rows[1:]] == [d["slug"] for d in expected]
