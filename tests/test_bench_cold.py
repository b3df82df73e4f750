"""Cold traffic and the -c8/-c2 runs: URL lists that never repeat, and how the load walks them.

No benchmark runs here: the lists are built from made-up values, and the load is either a fake
or a small local HTTP server.
"""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from bench import cli, cold, load, server, targets

# --- Cold traffic -----------------------------------------------------------------------------

VALUES = {
    "era": ["oslo", "madrid", "camp-david"],
    "side": ["israeli", "palestinian", "third_party"],
    "outcome": ["walkout", "agreement"],
    "from": [str(y) for y in range(1980, 2001)],
    "to": [str(y) for y in range(1980, 2001)],
    "match": ["overlap", "within"],
    "sort": ["date", "-date", "title", "relevance"],
}
ORDER = ["era", "side", "outcome", "from", "to", "match", "sort"]
FREQUENCIES = Counter({f"word{i:04d}": 5000 // (i + 1) + 1 for i in range(3000)})
RECORDS = [f"syn-{i}" for i in range(5000)]


def cold_lists(seed: int, n: int = 2000) -> dict[str, list[dict]]:
    return cold.build_lists(VALUES, ORDER, FREQUENCIES, RECORDS, n=n, seed=seed)


def cold_paths(lists) -> dict[str, list[str]]:
    return {key: [cold.render(p, ["q", *ORDER, "page"]) for p in v] for key, v in lists.items()}


def test_cold_lists_are_the_same_for_a_seed_and_differ_between_seeds():
    first, again, other = cold_lists(1), cold_lists(1), cold_lists(2)
    assert first == again
    assert set(first) == set(cold.COLD_KINDS)
    for key in ("cold_filter", "cold_search", "cold_search_filter", "cold_record"):
        assert first[key] != other[key], key


def test_no_cold_list_repeats_an_address_and_each_is_as_long_as_asked():
    for key, paths in cold_paths(cold_lists(7)).items():
        assert len(paths) == len(set(paths)), key
        assert len(paths) == 2000, key


def test_a_cold_list_is_as_long_as_its_values_allow_and_no_longer():
    few = cold.build_lists(
        {"side": ["israeli", "palestinian"]}, ["side"], Counter(), ["a", "b"], n=50, seed=1
    )
    assert few["cold_filter"] == [{"side": "israeli"}, {"side": "palestinian"}] or sorted(
        p["side"] for p in few["cold_filter"]
    ) == ["israeli", "palestinian"]
    assert sorted(p["slug"] for p in few["cold_record"]) == ["a", "b"]
    assert few["cold_search"] == []


def test_cold_filters_begin_with_every_parameter_alone_then_every_pair():
    filters = cold_lists(3)["cold_filter"]
    singles = filters[: len(ORDER)]
    assert [list(p) for p in singles] == [[name] for name in ORDER]
    pairs = {tuple(sorted(p)) for p in filters[len(ORDER) : len(ORDER) + 21]}
    assert pairs == {tuple(sorted(pair)) for pair in itertools.combinations(ORDER, 2)}
    for params in filters:
        if "from" in params and "to" in params:
            assert int(params["from"]) <= int(params["to"])


def test_searches_cover_the_whole_frequency_range():
    lists = cold_lists(5)
    bands = cold.word_bands(FREQUENCIES)
    assert len(bands["common"]) == 150 and len(bands["rare"]) == 1200
    common_words = [p["q"] for p in lists["cold_search_common"][: len(bands["common"])]]
    assert sorted(common_words) == sorted(bands["common"])  # each common word alone first
    spread = [p["q"] for p in lists["cold_search"][:30]]
    for band in ("common", "middle", "rare"):
        assert sum(word in bands[band] for word in spread) == 10, band


def test_the_load_and_the_capture_take_disjoint_parts_of_a_cold_list():
    paths = [f"/p{i}" for i in range(500)]
    walked, captured = cold.load_part(paths), cold.capture_part(paths)
    assert not set(walked) & set(captured)
    assert walked[0] == "/p0" and captured[0] == "/p499"
    assert len(walked) + len(captured) == 500
    short = [f"/p{i}" for i in range(10)]
    assert not set(cold.load_part(short)) & set(cold.capture_part(short))


def test_enough_cold_urls_for_the_fastest_page_over_both_runs():
    assert cold.urls_needed(1000, 5.0) == 10_000 + cold.CAPTURE_TAIL
    args = cli.parse_args(["--duration", "2", "--tool", "python"])
    assert args.cold_urls == cold.urls_needed(cli.COLD_MAX_RPS, 2.0)


def test_coverage_counts_parameters_alone_combined_and_in_pairs():
    found = cold.coverage(
        [[{"era": "a"}, {"era": "b", "side": "x", "page": 2}], [{"q": "w"}, {"slug": "s"}]]
    )
    assert found["alone"] == {"era": 1, "q": 1}
    assert found["combined"] == {"era": 1, "side": 1}
    assert found["pairs"] == {"era+side": 1}


# --- -c8 and -c2 ------------------------------------------------------------------------------


def test_mode_option_selects_warm_or_cold_kinds(capsys):
    both = cli.parse_args(["--tool", "python"])
    assert "cold_filter" in both.kinds and "era" in both.kinds
    warm = cli.parse_args(["--tool", "python", "--mode", "warm"])
    assert not set(warm.kinds) & set(cli.COLD_KEYS) and warm.cold_urls == 0
    only_cold = cli.parse_args(["--tool", "python", "--mode", "cold"])
    assert only_cold.kinds == ["hello", *cli.COLD_KEYS]
    with pytest.raises(SystemExit):
        cli.parse_args(["--mode", "tepid"])
    assert "tepid" in capsys.readouterr().err


def test_latency_runs_have_one_connection_per_worker_by_default():
    assert cli.parse_args(["--tool", "python"]).latency_connections == 2
    assert cli.parse_args(["--tool", "python", "--workers", "3"]).latency_connections == 3
    gthread = ["--tool", "python", "--worker-class", "gthread", "--threads", "4"]
    assert cli.parse_args(gthread).latency_connections == 8


def test_wrk_is_told_the_connections_the_threads_and_where_to_start(tmp_path):
    command = load.wrk_command(
        "http://127.0.0.1:1", tmp_path / "p.txt", duration=2, threads=2, connections=2, start=37
    )
    assert "-c2" in command and "-t2" in command
    assert command[-3:] == [str(tmp_path / "p.txt"), "2", "37"]
    one = load.wrk_command("http://x:1", tmp_path / "p.txt", duration=2, threads=2, connections=1)
    assert "-t1" in one  # wrk refuses more threads than connections


class FakeLoad:
    """Stands in for load.run_load: records each call, answers as a run that used 100 paths."""

    def __init__(self):
        self.calls = []

    def __call__(self, base_url, paths, paths_file, *, duration, threads, connections, tool, start):
        self.calls.append({"paths": paths, "connections": connections, "start": start})
        return load.LoadResult(
            tool="fake",
            requests=100,
            duration_s=duration,
            rps=100 / duration,
            latency_ms={"50": 10.0 * connections, "99": 50.0},
            connections=connections,
            paths_sent=100,
            paths_furthest=start + 100,
            paths_repeated=max(0, start + 100 - len(paths)),
        )


@pytest.fixture
def fake_load(monkeypatch, tmp_path):
    fake = FakeLoad()
    monkeypatch.setattr(load, "run_load", fake)
    monkeypatch.setattr(targets, "TMP_DIR", tmp_path)
    return fake


def test_each_kind_is_loaded_at_c8_for_throughput_then_at_c2_for_latency(fake_load):
    args = cli.parse_args(["--tool", "python", "--duration", "2"])
    paths = [f"/dialogues/?era=e{i}" for i in range(50)]
    throughput, latency, remarks = targets.measure(args, "http://127.0.0.1:1", paths, "warm")
    assert [c["connections"] for c in fake_load.calls] == [8, 8, 2]  # warm-up, -c8, -c2
    assert [c["start"] for c in fake_load.calls] == [0, 0, 0]
    assert (throughput.p50_ms, latency.p50_ms) == (80.0, 20.0)
    assert remarks == []  # a warm list is meant to be requested again


def test_a_cold_kind_walks_on_and_warms_up_elsewhere(fake_load):
    args = cli.parse_args(["--tool", "python", "--duration", "2"])
    paths = [f"/dialogues/?q=w{i}" for i in range(150)]
    warm = ["/dialogues/?q=talks"]
    _, latency, remarks = targets.measure(
        args, "http://127.0.0.1:1", paths, "cold", warmup_paths=warm, cold=True
    )
    warmup, c8, c2 = fake_load.calls
    assert warmup["paths"] == warm
    assert (c8["start"], c2["start"]) == (0, 100)  # the latency run starts where -c8 stopped
    assert latency.paths_repeated == 50
    assert remarks == [
        "-c2: the list of 150 URLs ran out and 50 requests repeated an address (raise --cold-urls)"
    ]


def test_the_python_load_walks_paths_from_start_without_repeating(tmp_path):
    import http.server
    import threading

    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        paths = [f"/p{i}" for i in range(100_000)]
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        result = load.run_python(base, paths, duration=0.3, connections=2, start=10)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result.requests > 0 and result.paths_repeated == 0
    assert len(seen) == len(set(seen))
    assert min(int(path[2:]) for path in seen) == 10
    assert result.paths_furthest == max(int(path[2:]) for path in seen) + 1


def test_gunicorn_runs_without_the_rate_limit(tmp_path):
    unlimited = server.gunicorn(
        {"TRACKII_RATE_LIMIT": "on"}, tmp_path / "log", workers=2, worker_class="sync", threads=1
    )
    assert unlimited.env["TRACKII_RATE_LIMIT"] == "off"
    from bench.environment import production_env

    assert production_env("key")["TRACKII_RATE_LIMIT"] == "off"


def test_the_readers_beside_an_editor_walk_filter_combinations_of_their_own():
    lists = cold_paths(cold_lists(3))
    readers = lists["write_during_reads"]
    assert len(readers) == len(set(readers)) == 2000
    # Their own addresses: a page cold_filter's run left behind would be no cold read.
    assert len(set(readers) & set(lists["cold_filter"])) < len(readers) // 4
    assert all(path.startswith("/dialogues/?") for path in readers)
    assert cold.WARM_OF["write_during_reads"] == "era_outcome"


def test_while_the_readers_run_an_editor_process_saves_and_reports(tmp_path, monkeypatch):
    # The harness's side of it: the editor starts with the workers' environment, is stopped
    # when the readers' runs end, and its summary goes into the kind's figures and notes.
    monkeypatch.setattr(targets, "TMP_DIR", tmp_path)
    started = {}

    class FakeProcess:
        def __init__(self, command, **kwargs):
            started.update(command=command, env=kwargs["env"])
            self.out = command[command.index("--out") + 1]

        def send_signal(self, signum):
            started["signal"] = signum
            with open(self.out, "w") as out:
                out.write('{"saves": 4, "followed": 4, "save_p50_ms": 9.5, "save_max_ms": 20.1}')

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(targets.subprocess, "Popen", FakeProcess)
    with targets.Editor({"REDIS_URL": "redis://x/1"}, "sqlite-10k-write_during_reads", 1) as ed:
        assert "signal" not in started
    assert started["command"][1:3] == ["-m", "bench.editor"]
    assert started["env"] == {"REDIS_URL": "redis://x/1"}
    assert ed.summary["saves"] == 4
    assert "saved 4 times" in ed.describe() and "4 of the saves updated" in ed.describe()
