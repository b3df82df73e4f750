"""Whole exports of a generated archive end with their marker; abandoned ones stop at once."""

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

from dialogues.api import export_rows
from dialogues.api.exports import CSV_TRAILER
from tests.synthetic.helpers import generate

ARCHIVE = 3000


def body(client, fmt) -> str:
    response = client.get(reverse("dialogues:export", args=[fmt]))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.mark.django_db
def test_a_whole_generated_archive_exports_every_row_with_its_completion_marker(client):
    generate(ARCHIVE)

    text = body(client, "csv")
    *rows, trailer = list(csv.reader(io.StringIO(text, newline="")))
    assert trailer == [CSV_TRAILER.format(count=ARCHIVE)]
    assert len(rows) == ARCHIVE + 1  # and the header
    assert len({row[0] for row in rows[1:]}) == ARCHIVE

    items = body(client, "json")
    assert items.endswith("]")
    assert len(json.loads(items)) == ARCHIVE


@pytest.mark.django_db
def test_a_cut_off_download_lacks_its_marker(client):
    generate(50)
    text = body(client, "csv")
    cut = text[: len(text) // 2]
    assert CSV_TRAILER.format(count=50) in text
    assert "# complete:" not in cut


@pytest.fixture
def slow_rows(monkeypatch):
    """Make each exported row take a little time, and record how far the export got."""
    seen = {"rows": 0, "closed": threading.Event()}
    real_rows, real_cells = export_rows.rows, export_rows.csv_cells

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
    monkeypatch.setattr(export_rows, "csv_cells", cells)
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
