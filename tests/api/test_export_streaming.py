"""Whole exports of a generated archive hold the count they announce; abandoned ones stop."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import time
import urllib.request

import pytest
from django.db import connection
from django.urls import reverse

from dialogues.api import export_rows, export_shapes
from dialogues.api.exports import TOTAL_COUNT_HEADER
from dialogues.models import Era
from tests.synthetic.helpers import generate

ARCHIVE = 3000


def download(client, fmt, query=""):
    response = client.get(reverse("dialogues:export", args=[fmt]) + query)
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def api_count(client, query="") -> int:
    return client.get(reverse("dialogues:api:dialogue_list") + query).json()["count"]


@pytest.mark.django_db
def test_a_whole_generated_archive_exports_every_row_and_says_how_many(client):
    generate(ARCHIVE)

    response, data = download(client, "csv")
    assert int(response[TOTAL_COUNT_HEADER]) == ARCHIVE
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    # RFC 4180: the header row, then one row per dialogue, and nothing after them.
    assert len(rows) == ARCHIVE + 1
    assert rows[0][0] == "slug" and all(not row[0].startswith("#") for row in rows)
    assert len({row[0] for row in rows[1:]}) == ARCHIVE
    assert data.endswith(b"\r\n") and not data.endswith(b"\r\n\r\n")

    response, items = download(client, "json")
    assert int(response[TOTAL_COUNT_HEADER]) == ARCHIVE
    assert items.endswith(b"]")
    assert len(json.loads(items)) == ARCHIVE


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?era={era}", "?q=water&sort=relevance", "?q=zzzz"])
def test_pandas_reads_exactly_the_api_s_count(client, query):
    pandas = pytest.importorskip("pandas", reason="pandas is a dev dependency: make install")
    generate(400)
    query = query.format(era=Era.objects.order_by("position").last().slug)
    response, data = download(client, "csv", query)
    frame = pandas.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    count = api_count(client, query)
    assert len(frame) == count == int(response[TOTAL_COUNT_HEADER])
    assert list(frame.columns)[:2] == ["slug", "title"]
    assert frame["slug"].is_unique and not frame["slug"].str.startswith("#").any()


@pytest.mark.django_db
def test_a_cut_off_download_holds_fewer_rows_than_its_header_says(client):
    generate(50)
    response, data = download(client, "csv")
    cut = data[: len(data) // 2].decode("utf-8", errors="ignore")
    rows = list(csv.reader(io.StringIO(cut, newline="")))
    assert len(rows) - 1 < int(response[TOTAL_COUNT_HEADER]) == 50
    assert response["Access-Control-Expose-Headers"] == TOTAL_COUNT_HEADER


@pytest.fixture
def slow_rows(monkeypatch):
    """Make each exported row take a little time, and record how far the export got."""
    seen = {"rows": 0, "closed": threading.Event()}
    real_rows, real_cells = export_rows.rows, export_shapes.csv_cells

    def rows(queryset, chunk_size=export_rows.CHUNK_SIZE):
        try:
            yield from real_rows(queryset, chunk_size)
        finally:
            seen["closed"].set()

    def cells(*args, **kwargs):
        seen["rows"] += 1
        time.sleep(0.005)
        return real_cells(*args, **kwargs)

    monkeypatch.setattr(export_rows, "rows", rows)
    monkeypatch.setattr(export_shapes, "csv_cells", cells)
    return seen


def active_queries_elsewhere() -> int:
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'active' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_an_abandoned_export_stops_at_once_and_frees_its_worker(live_server, slow_rows):
    total = 1000
    generate(total)
    host, port = live_server.thread.host, live_server.thread.port

    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(f"GET {reverse('dialogues:export', args=['csv'])} HTTP/1.1\r\n".encode())
        sock.sendall(b"Host: localhost\r\nConnection: close\r\n\r\n")
        received = b""
        while len(received) < 8192:
            received += sock.recv(4096)
        # Closing with unread data resets the connection: the server's next write fails.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    assert slow_rows["closed"].wait(timeout=5), "the export went on after the client left"
    assert slow_rows["rows"] < total / 2
    started = time.perf_counter()
    with urllib.request.urlopen(f"{live_server.url}/healthz", timeout=5) as response:
        assert response.status == 200
    assert time.perf_counter() - started < 1
    assert active_queries_elsewhere() == 0
