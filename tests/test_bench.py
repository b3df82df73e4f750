"""The benchmark's pure parts: sizes, wrk's report, the URL lists and their cold coverage.

No load is run here: `make bench` does that. These check what decides its figures.
"""

from __future__ import annotations

import os

import pytest

from bench import cli, cold, databases, datasette_compare, load, server, targets, workload
from bench.environment import BenchError
from bench.rawsql import shape
from bench.replay import _qmark
from dialogues import search
from dialogues.models import Capacity, Level, OutcomeKind
from tests.factories import add_outcome, add_participant, make_dialogue, make_era

# --- Sizes and options ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10k", 10_000),
        ("100k", 100_000),
        ("1m", 1_000_000),
        ("1M", 1_000_000),
        ("5000", 5_000),
        ("2.5k", 2_500),
        (" 10K ", 10_000),
    ],
)
def test_parse_size_reads_numbers_with_suffixes(text, expected):
    assert cli.parse_size(text) == expected


@pytest.mark.parametrize(
    "text", ["10x", "", "k", "-5", "0", "1.5", "0.0005k", "20m", "10 k", "1e4"]
)
def test_parse_size_refuses_anything_else_with_a_reason(text):
    with pytest.raises(ValueError) as excinfo:
        cli.parse_size(text)
    assert str(excinfo.value)


@pytest.mark.parametrize(
    ("n", "label"), [(10_000, "10k"), (100_000, "100k"), (1_000_000, "1m"), (5_500, "5500")]
)
def test_size_label_is_canonical(n, label):
    assert cli.size_label(n) == label
    assert cli.parse_size(label) == n


def test_parse_sizes_splits_on_spaces_and_commas_and_drops_repeats():
    assert cli.parse_sizes("10k 100k") == [10_000, 100_000]
    assert cli.parse_sizes("10k,100k, 10000") == [10_000, 100_000]


def test_parse_dbs_knows_aliases():
    assert cli.parse_dbs("sqlite postgres") == ["sqlite", "postgres"]
    assert cli.parse_dbs("pg,SQLite3 postgresql") == ["postgres", "sqlite"]
    with pytest.raises(ValueError, match="mysql"):
        cli.parse_dbs("mysql")


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--size", "10x"], ["SIZE", "10x"]),
        (["--size", ""], ["SIZE", "no size"]),
        (["--db", "oracle"], ["DB", "oracle"]),
        (["--duration", "0"], ["DURATION"]),
        (["--duration", "soon"], ["DURATION", "soon"]),
    ],
)
def test_bad_options_give_a_clear_message_not_a_traceback(argv, words, capsys):
    with pytest.raises(SystemExit) as excinfo:
        cli.parse_args(argv)
    assert excinfo.value.code == 2
    message = capsys.readouterr().err
    assert "Traceback" not in message
    for word in words:
        assert word in message


def test_defaults_are_both_sizes_and_both_databases():
    args = cli.parse_args(["--tool", "python"])
    assert args.size == [10_000, 100_000]
    assert args.db == ["sqlite", "postgres"]
    assert args.raw_duration == 2.0


# --- wrk's report -----------------------------------------------------------------------------

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:40123
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    10.45ms    3.21ms  45.12ms   80.00%
    Req/Sec   385.12     45.67   480.00     70.00%
  Latency Distribution
     50%    9.87ms
     75%   11.23ms
     90%   14.56ms
     99%   25.67ms
  3850 requests in 5.01s, 45.67MB read
Requests/sec:    768.45
Transfer/sec:      9.12MB
"""

WRK_MIXED_UNITS = """\
Running 3s test @ http://127.0.0.1:40123
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.02s   300.00ms   2.00s    60.00%
    Req/Sec     3.00      1.00     5.00     70.00%
  Latency Distribution
     50%  850.00us
     75%    1.20s
     90%    1.50s
     99%    2.00m
  17 requests in 3.00s, 1.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:      5.66
Transfer/sec:    341.33KB
"""

WRK_NOTHING_DONE = """\
Running 2s test @ http://127.0.0.1:40123
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.00us    0.00us   0.00us    -nan%
    Req/Sec     0.00      0.00     0.00      -nan%
  Latency Distribution
     50%    0.00us
     75%    0.00us
     90%    0.00us
     99%    0.00us
  0 requests in 2.00s, 0.00B read
  Socket errors: connect 0, read 0, write 0, timeout 8
Requests/sec:      0.00
Transfer/sec:       0.00B
"""


def test_parse_wrk_reads_throughput_and_percentiles():
    result = load.parse_wrk(WRK_OUTPUT)
    assert result.requests == 3850
    assert result.duration_s == 5.01
    assert result.rps == 768.45
    assert result.latency_ms == {"50": 9.87, "75": 11.23, "90": 14.56, "99": 25.67}
    assert (result.p50_ms, result.p99_ms) == (9.87, 25.67)
    assert result.errors == 0


def test_parse_wrk_converts_every_unit_and_counts_errors():
    result = load.parse_wrk(WRK_MIXED_UNITS)
    assert result.latency_ms == {"50": 0.85, "75": 1200.0, "90": 1500.0, "99": 120_000.0}
    assert result.socket_errors == {"connect": 0, "read": 2, "write": 0, "timeout": 3}
    assert result.non_2xx == 4
    assert result.errors == 9


def test_parse_wrk_gives_no_latency_when_nothing_completed():
    result = load.parse_wrk(WRK_NOTHING_DONE)
    assert result.requests == 0
    assert result.rps == 0.0
    # wrk prints zeros; a latency of 0 ms would read as the fastest page of all.
    assert result.p50_ms is None and result.p99_ms is None


@pytest.mark.parametrize(
    "text",
    ["", "unable to connect to 127.0.0.1:1 Connection refused", WRK_OUTPUT.replace("50%", "")],
)
def test_parse_wrk_refuses_output_that_is_not_a_report(text):
    with pytest.raises(load.LoadError):
        load.parse_wrk(text)


def test_percentile_interpolates_between_ranks():
    assert load.percentile([], 50) is None
    assert load.percentile([5.0], 99) == 5.0
    assert load.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert load.percentile(list(range(101)), 99) == 99


# --- Datasette equivalents and SQL helpers ----------------------------------------------------


def test_datasette_equivalents_use_ids_subqueries_and_fts():
    ids = {"oslo": 3}
    assert datasette_compare.equivalent({"era": "oslo", "sort": "title"}, ids) == {
        "era_id": 3,
        "_sort": "title",
        "_size": 20,
    }
    combined = datasette_compare.equivalent({"q": "settlers", "outcome": "walkout"}, ids)
    assert combined["_search"] == "settlers"
    assert combined["_fts_table"] == "dialogues_dialogue_fts"
    assert combined["_fts_pk"] == "id"
    assert "kind = 'walkout'" in combined["_where"]
    assert datasette_compare.equivalent({"page": 2}, ids) is None
    assert datasette_compare.equivalent({"era": "unknown"}, ids) is None


def test_sqlite_placeholders_are_converted_as_django_does():
    assert _qmark("SELECT %s, '100%%' WHERE a = %s") == "SELECT ?, '100%' WHERE a = ?"


def test_shape_folds_in_lists():
    assert shape("SELECT * FROM t WHERE id IN (%s, %s,   %s)") == (
        "SELECT * FROM t WHERE id IN (%s, …)"
    )


# --- URL lists --------------------------------------------------------------------------------


def test_word_choice_is_by_document_frequency_with_alphabetical_ties():
    texts = [
        "The settlers and the refugees met.",
        "Settlers talked; refugees listened.",
        "Settlers, again, and water.",
        "Water rights for settlers near Hebron.",
        "Hebron and Hebron again.",
    ]
    counts = workload.document_frequencies(texts)
    assert counts["settlers"] == 4  # once per text, however often it appears in one
    assert counts["hebron"] == 2
    assert "the" not in counts and "and" not in counts  # short words are no search
    assert workload.common_words(counts, 3) == ["settlers", "hebron", "refugees"]
    assert workload.rare_candidates(counts, 2) == ["listened", "near"]


def test_evenly_takes_items_at_even_intervals():
    items = list(range(10))
    assert workload.evenly(items, 4) == [0, 2, 5, 7]
    assert workload.evenly(items[:3], 5) == [0, 1, 2]


@pytest.fixture
def tiny_archive(db):
    eras = [make_era(slug=f"bench-era-{i}", position=100 + i) for i in range(3)]
    words = ["settlers", "water", "refugees", "jerusalem"]
    for i in range(30):
        rarity = "rare" + "abcdefghij"[i // 3]  # each in three summaries
        summary = f"Talks on {words[i % 4]} and {words[(i + 1) % 4]}; {rarity} noted."
        dialogue = make_dialogue(
            era=eras[i % 3],
            slug=f"bench-dialogue-{i:02d}",
            summary=summary,
            place=("Oslo", "Cairo", "Amman")[i % 3],
        )
        add_participant(dialogue)
        add_outcome(dialogue, kind=list(OutcomeKind.values)[i % 6])
    # Issue 21's filters draw their values from the published organisations and series.
    from dialogues.models import (
        Dialogue,
        DialoguePlace,
        Organisation,
        Participation,
        Place,
        Series,
        SeriesMembership,
        Status,
    )

    org = Organisation.objects.create(
        slug="bench-org", name="O", kind="ngo", status=Status.PUBLISHED
    )
    Organisation.objects.create(slug="idle-org", name="I", kind="ngo", status=Status.PUBLISHED)
    series = Series.objects.create(
        slug="bench-series", name="S", kind="forum", status=Status.PUBLISHED
    )
    oslo = Place.objects.create(slug="oslo", name="Oslo", country="NO", status=Status.PUBLISHED)
    first = Dialogue.objects.get(slug="bench-dialogue-00")
    Participation.objects.filter(dialogue=first).update(on_behalf_of=org)
    SeriesMembership.objects.create(
        series=series, dialogue=first, position=1, basis="inferred", reason="Same hosts."
    )
    DialoguePlace.objects.create(dialogue=first, place=oslo)
    search.rebuild_index()
    return eras


def test_url_lists_are_the_same_every_time_and_distinct(tiny_archive):
    first = workload.build(cold_urls=60)
    second = workload.build(cold_urls=60)
    assert first == second
    kinds = first["kinds"]
    assert set(kinds) == set(workload.DATA_KINDS)
    for key, listed in kinds.items():
        assert listed["paths"], key
        assert len(listed["paths"]) == len(set(listed["paths"])), key
        assert len(listed["params"]) == len(listed["paths"]), key
    assert len(kinds["era"]["paths"]) == 3 * len(workload.SORTS)
    assert len(kinds["era_outcome"]["paths"]) == 3 * len(OutcomeKind.values)
    assert kinds["record"]["paths"][0] == "/dialogues/bench-dialogue-00/"
    # Issue 21's filters: each value drawn from the data, busiest first, in two orders.
    # Only the organisation someone acted for: one with no dialogue would list nothing.
    assert kinds["by_organisation"]["params"] == [
        {"organisation": "bench-org"},
        {"organisation": "bench-org", "sort": "-date"},
    ]
    assert kinds["by_series"]["paths"] == [
        "/dialogues/?series=bench-series",
        "/dialogues/?series=bench-series&sort=-date",
    ]
    assert kinds["by_place"]["params"][0] == {"place": "oslo"}
    assert kinds["by_country"]["params"][0] == {"country": "NO"}
    assert {p["level"] for p in kinds["by_level"]["params"]} == set(Level.values)
    assert {p["capacity"] for p in kinds["by_capacity"]["params"]} == set(Capacity.values)
    common = [word for word, _ in first["words"]["common"]]
    assert common[:2] == ["noted", "talks"]  # in every summary: alphabetical
    rare = first["words"]["rare"]
    assert [n for _, n in rare] == [3] * workload.RARE_WORDS
    assert first["deep_page"] == 2  # 30 dialogues make two pages: the deepest is used
    assert "the deepest page" in kinds["deep"]["note"]


def test_datasette_paths_follow_the_workload(tiny_archive):
    data = workload.build()
    ids = {era["slug"]: era["id"] for era in data["eras"]}
    paths = datasette_compare.datasette_paths(data, "archive", ids)
    assert set(paths) == set(datasette_compare.EQUIVALENT_KINDS)
    assert len(paths["era"]) == len(data["kinds"]["era"]["paths"])
    assert all(path.startswith("/archive/dialogues_dialogue?") for path in paths["era"])


def test_memory_is_read_from_proc():
    assert server.rss_kb(os.getpid()) > 0
    assert server.rss_kb(2**22 + 12345) is None


def test_kinds_option_checks_names_and_keeps_hello(capsys):
    assert cli.parse_kinds("search_common list") == ["hello", "list", "search_common"]
    with pytest.raises(SystemExit):
        cli.parse_args(["--kinds", "lists"])
    assert "lists" in capsys.readouterr().err


def test_the_makefile_s_options_are_all_accepted():
    # What `make bench SIZE=10k DB=sqlite DURATION=2 KINDS="list search_common" REBUILD=1` passes.
    args = cli.parse_args(
        ["--size", "10k", "--db", "sqlite", "--duration", "2", "--warmup", "1", "--seed", "1"]
        + ["--worker-class", "sync", "--kinds", "list search_common", "--rebuild"]
    )
    assert (args.size, args.db, args.duration, args.warmup, args.seed) == (
        [10_000],
        ["sqlite"],
        2.0,
        1.0,
        1,
    )
    assert (args.worker_class, args.rebuild) == ("sync", True)
    assert args.kinds == ["hello", "list", "search_common"]


def test_the_generator_s_fingerprint_covers_every_module_of_its_package(tmp_path, monkeypatch):
    package = tmp_path / "synthetic"
    package.mkdir()
    (package / "a.py").write_text("A = 1\n")
    (package / "b.py").write_text("B = 1\n")
    monkeypatch.setattr(databases, "GENERATOR_PACKAGE", package)

    def fingerprint() -> str:
        databases.generator_version.cache_clear()
        return databases.generator_version()

    before = fingerprint()
    assert fingerprint() == before
    (package / "b.py").write_text("B = 2\n")
    changed = fingerprint()
    (package / "c.py").write_text("C = 1\n")

    assert changed != before
    assert fingerprint() not in (before, changed)
    databases.generator_version.cache_clear()


def test_every_filter_parameter_is_measured_cold_alone_and_combined(tiny_archive):
    from dialogues.listing.filters import DialogueFilterSet

    data = workload.build(cold_urls=400)
    covered = data["cold"]["coverage"]
    parameters = set(DialogueFilterSet.base_filters)
    assert parameters - set(covered["alone"]) == set()
    assert parameters - set(covered["combined"]) == set()
    for key in cold.COLD_KINDS:
        paths = data["kinds"][key]["paths"]
        assert paths and len(paths) == len(set(paths)), key


def test_parse_wrk_reads_how_the_paths_were_walked():
    walked = load.parse_wrk(WRK_OUTPUT + "Paths: 3851 sent, furthest 3860, 12 repeated\n")
    assert (walked.paths_sent, walked.paths_furthest, walked.paths_repeated) == (3851, 3860, 12)
    assert walked.connections == 8
    assert load.parse_wrk(WRK_OUTPUT).paths_repeated is None


# --- Reusing a built database -----------------------------------------------------------------


def test_a_built_million_on_postgresql_is_reused_not_rebuilt(monkeypatch, tmp_path):
    database = databases.Database("postgres", 1_000_000, 1, "postgres://u@h:5432/")
    assert (database.label, database.name) == ("1m", "trackii_bench_1m")
    built = {**database.expected(), "generate_seconds": 948.0, "migrate_seconds": 3.0}
    monkeypatch.setattr(databases.Database, "marker", lambda self: built)
    monkeypatch.setattr(databases.Database, "_count_synthetic", lambda self: 1_000_000)
    commands = []
    monkeypatch.setattr(databases, "manage", lambda env, *a, log, **kw: commands.append(a) or 0.1)
    monkeypatch.setattr(databases, "TMP_DIR", tmp_path)

    generation = database.ensure({}, rebuild=False)

    assert generation["reused"] is True
    assert generation["generate_seconds"] == 948.0
    assert commands == [("migrate", "--noinput")]  # no generate_synthetic


def test_a_million_built_by_another_generator_or_cut_short_is_rebuilt(monkeypatch):
    database = databases.Database("postgres", 1_000_000, 1, "postgres://u@h:5432")
    marker = database.expected()
    monkeypatch.setattr(databases.Database, "marker", lambda self: marker)
    monkeypatch.setattr(databases.Database, "_count_synthetic", lambda self: 999_000)
    ok, reason = database.intact()
    assert not ok and "999,000" in reason
    marker = {**database.expected(), "generator_version": "older"}
    ok, reason = database.intact()
    assert not ok and "generator_version" in reason


# --- The workers' shared cache ----------------------------------------------------------------


def _args(redis_url: str):
    return cli.parse_args(["--size", "10k", "--db", "sqlite", "--redis-url", redis_url])


def test_without_a_redis_url_each_worker_keeps_its_own_cache(monkeypatch):
    monkeypatch.setattr(targets, "manage", _no_command)
    env, cache = targets.shared_cache(_args(""), {"A": "1"}, log=None)
    assert env == {"A": "1"}
    assert cache["cache"].startswith("per-process")


def test_an_unreachable_shared_cache_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(targets, "manage", _no_command)
    with pytest.raises(BenchError, match="does not answer.*--redis-url ''"):
        targets.shared_cache(_args("redis://127.0.0.1:1/0"), {}, log=None)
    with pytest.raises(BenchError, match="does not answer"):
        targets.shared_cache(_args("not a url"), {}, log=None)


def test_the_shared_cache_is_emptied_and_the_facet_index_built_into_it(monkeypatch):
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        client.set("left-over", "1")
    except redis.RedisError:
        pytest.skip(f"no Redis at {url}")
    ran = []
    monkeypatch.setattr(targets, "manage", lambda env, *argv, log: ran.append((env, argv)) or 2.5)
    env, cache = targets.shared_cache(_args(url), {"A": "1"}, log=None)
    assert client.get("left-over") is None
    assert env == {"A": "1", "REDIS_URL": url}
    assert ran == [(env, ("build_facet_index",))]
    assert cache == {"cache": f"redis ({url})", "facet_index_build_s": 2.5}


def _no_command(*args, **kwargs):
    raise AssertionError("no command should run")
