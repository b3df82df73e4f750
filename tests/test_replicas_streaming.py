"""Reads from a real streaming replica: a second PostgreSQL cluster made with pg_basebackup.

The archive runs under gunicorn against a throwaway primary with DATABASE_REPLICA_URLS naming
its replica. Public pages are read from the replica; a save made on the primary shows once the
replica has replayed it; with the replica down, the archive answers from the primary.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
from bs4 import BeautifulSoup
from django.db import connection

from tests import streaming_replica as pg

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a streaming replica is PostgreSQL's: run the suite with a PostgreSQL DATABASE_URL",
    ),
    pytest.mark.skipif(
        bool(pg.missing_tools()),
        reason=f"PostgreSQL's server programs are not in {pg.BIN}: {', '.join(pg.missing_tools())}",
    ),
]


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def stack():
    """Primary, replica and one gunicorn worker reading from the replica; all removed after."""
    # Not under pytest's own temporary folder, which the postgres user may not enter.
    root = Path(tempfile.mkdtemp(prefix="trackii-replica-"))
    server = None
    try:
        primary, replica = pg.make_pair(root)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "REDIS"))}
        env.update(DJANGO_DEBUG="true", DATABASE_URL=primary.url, TRACKII_PAGE_CACHE="off")
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "load_initial_data")
        pg.start_replica(primary, replica)
        port = pg.free_port()
        env["DATABASE_REPLICA_URLS"] = replica.url
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "trackii.wsgi",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(f"http://127.0.0.1:{port}/healthz")
        yield {
            "primary": primary,
            "replica": replica,
            "base": f"http://127.0.0.1:{port}",
            "env": env,
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        for cluster in ("replica", "primary"):
            pg.Cluster(root / cluster, 0).stop()
        shutil.rmtree(root, ignore_errors=True)


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def get(stack, path: str) -> tuple[int, str]:
    with urllib.request.urlopen(stack["base"] + path, timeout=30) as response:
        return response.status, response.read().decode("utf-8")


def a_slug(stack) -> str:
    with psycopg.connect(stack["primary"].url) as db:
        return db.execute(
            "SELECT slug FROM dialogues_dialogue WHERE status = 'published' ORDER BY id LIMIT 1"
        ).fetchone()[0]


def clock(cluster):
    with psycopg.connect(cluster.url, autocommit=True) as db:
        return db.execute("SELECT clock_timestamp()").fetchone()[0]


def the_app_s_last_queries(cluster, since=None) -> list[str]:
    """The last statement of each client connection to the archive's database there (begun
    after `since`, if given)."""
    with psycopg.connect(cluster.url, autocommit=True) as db:
        rows = db.execute(
            "SELECT query, query_start FROM pg_stat_activity WHERE datname = 'trackii' "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchall()
    return [query for query, started in rows if since is None or started >= since]


def reads_the_archive(query: str) -> bool:
    """A page's read of the archive's records or their history, not the generation's."""
    return (
        query.startswith("SELECT")
        and re.search(r'FROM "(dialogues|reversion)_', query)
        and ("dialogues_generation" not in query)
    )


def title_of(html: str) -> str:
    return BeautifulSoup(html, "html.parser").find("h1").get_text(" ", strip=True)


def test_public_pages_are_read_from_the_replica(stack):
    slug = a_slug(stack)
    before = clock(stack["replica"])
    status, html = get(stack, f"/dialogues/{slug}/")
    assert status == 200 and title_of(html)
    # The worker's connection to the replica read the record; the primary gave the generation.
    on_replica = the_app_s_last_queries(stack["replica"], since=before)
    assert any(reads_the_archive(query) for query in on_replica), on_replica
    status, _ = get(stack, "/dialogues/?era=")
    assert status == 200
    with psycopg.connect(stack["replica"].url, autocommit=True) as db:
        assert db.execute("SELECT pg_is_in_recovery()").fetchone()[0]  # it is a standby


def test_a_save_is_seen_once_the_replica_has_caught_up(stack):
    slug = a_slug(stack)
    new_title = "Renamed on the primary for the replica test"
    code = (
        "from dialogues.models import Dialogue; "
        f"d = Dialogue.objects.get(slug={slug!r}); d.title = {new_title!r}; d.save()"
    )
    env = {k: v for k, v in stack["env"].items() if k != "DATABASE_REPLICA_URLS"}
    manage(env, "shell", "-c", code)
    pg.wait_for_replay(stack["primary"], stack["replica"])
    before = clock(stack["replica"])
    _, html = get(stack, f"/dialogues/{slug}/")
    assert new_title in title_of(html)
    # Read from the replica, which has the save: its generation is the primary's.
    read = the_app_s_last_queries(stack["replica"], since=before)
    assert any(reads_the_archive(query) for query in read), read


def test_the_archive_answers_from_the_primary_while_the_replica_is_down(stack):
    slug = a_slug(stack)
    stack["replica"].stop()
    try:
        for path in (f"/dialogues/{slug}/", "/dialogues/", "/api/dialogues/"):
            status, body = get(stack, path)
            assert status == 200 and body, path
        # Each answered from the primary: no request waited for the dead replica again.
        started = time.perf_counter()
        get(stack, "/dialogues/")
        assert time.perf_counter() - started < 5
    finally:
        stack["replica"].start()
