"""Two app servers sharing one PostgreSQL and one Redis answer as one archive.

Each server is a real gunicorn process with its own workers and memory. An editor publishes a
record through the admin of server A; server B's next answer shows it, with the count sentence
and the facet counts it changes, and its ETag moves, although B's figures were cached in the
shared Redis before the edit.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.db import connection

from dialogues.models import Status

from .factories import add_participant, make_dialogue

ROOT = Path(__file__).resolve().parent.parent
# The Redis database these tests may empty; the suite's own processes use no Redis at all.
REDIS_URL = os.environ.get("SCALE_OUT_REDIS_URL", "redis://127.0.0.1:6379/5")
HOST = "archive.test"
PASSWORD = "a long publisher password"

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    settings = connection.settings_dict
    user = quote(settings["USER"] or "", safe="")
    password = quote(settings["PASSWORD"] or "", safe="")
    login = f"{user}:{password}@" if password else f"{user}@" if user else ""
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{login}{settings['HOST'] or 'localhost'}{port}/{settings['NAME']}"


def unavailable(reason: str):
    """Skip, saying why; a CI run on PostgreSQL must run these tests, so there it fails."""
    if os.environ.get("CI", "").lower() == "true" and connection.vendor == "postgresql":
        pytest.fail(f"The scale-out test cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def shared_redis():
    import redis

    if connection.vendor != "postgresql":
        pytest.skip(
            "Two servers need one database both can reach: run on PostgreSQL "
            "(DATABASE_URL=postgres://…); SQLite's test database lives in this process."
        )
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        unavailable(f"no Redis at {REDIS_URL} ({exc}); set SCALE_OUT_REDIS_URL to one")
    yield client
    client.flushdb()
    client.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, port: int, process: subprocess.Popen):
        self.base = f"http://127.0.0.1:{port}"
        self.process = process

    def get(self, path: str, **kwargs) -> requests.Response:
        headers = {"Host": HOST, **kwargs.pop("headers", {})}
        return requests.get(self.base + path, headers=headers, timeout=20, **kwargs)


def start(env: dict[str, str]) -> Server:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "trackii.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "1", "--threads", "2", "--timeout", "30"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return Server(port, process)


def wait_until_up(server: Server, deadline: float):
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server stopped: {server.process.stderr.read().decode()}")
        try:
            if requests.get(server.base + "/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not answer within 60 s")


@pytest.fixture
def two_servers(shared_redis):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        # Development settings serve the static files without `collectstatic`.
        "DJANGO_DEBUG": "true",
        "DJANGO_ALLOWED_HOSTS": f"{HOST},127.0.0.1,localhost",
        "TRACKII_RATE_LIMIT": "off",
    }
    servers = [start(env), start(env)]
    try:
        deadline = time.monotonic() + 60
        for server in servers:
            wait_until_up(server, deadline)
        yield servers
    finally:
        for server in servers:
            server.process.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()
            server.process.stderr.close()
        # Their connections are closed now, so the test database can be flushed and dropped.


def sentence_count(response) -> int:
    page = BeautifulSoup(response.text, "html.parser")
    words = page.select_one("p.sentence").get_text(" ", strip=True)
    return int(re.match(r"[\d,]+", words).group().replace(",", ""))


def facet_count(response, facet: str, label: str) -> int:
    page = BeautifulSoup(response.text, "html.parser")
    section = page.select_one(f'section.facet[aria-labelledby="facet-{facet}"]')
    for link in section.select("a"):
        count = link.select_one(".count")
        if link.get_text(" ", strip=True).startswith(label):
            return int(next(count.strings).strip())
    return 0


def publish_through_the_admin(server: Server, dialogue_pk: int):
    session = requests.Session()
    base = server.base
    login = session.get(f"{base}/admin/login/", timeout=20)
    token = BeautifulSoup(login.text, "html.parser").select_one("[name=csrfmiddlewaretoken]")
    answer = session.post(
        f"{base}/admin/login/?next=/admin/",
        data={
            "username": "publisher",
            "password": PASSWORD,
            "csrfmiddlewaretoken": token["value"],
            "next": "/admin/",
        },
        timeout=20,
    )
    assert answer.url.endswith("/admin/"), "the publisher could not log in"
    url = f"{base}/admin/dialogues/dialogue/{dialogue_pk}/publish/"
    form = session.get(url, timeout=20)
    token = BeautifulSoup(form.text, "html.parser").select_one("[name=csrfmiddlewaretoken]")
    published = session.post(
        url, data={"to": "published", "csrfmiddlewaretoken": token["value"]}, timeout=20
    )
    assert published.status_code == 200 and "Published" in published.text


def test_an_edit_through_one_server_shows_at_once_through_the_other(two_servers, small_archive):
    server_a, server_b = two_servers
    User.objects.create_superuser("publisher", password=PASSWORD)
    era = small_archive.oslo.era
    draft = make_dialogue(era=era, status=Status.DRAFT, title="Back channel in Rome")
    add_participant(draft, small_archive.participants[0])

    before_b = server_b.get("/dialogues/")
    before_a = server_a.get("/dialogues/")
    assert before_a.status_code == before_b.status_code == 200
    count = sentence_count(before_b)
    in_era = facet_count(before_b, "era", era.name)
    assert (count, in_era) == (4, 2)
    assert "Back channel in Rome" not in before_b.text
    # One archive, one answer: the same tag from either server, so a CDN's copy from one
    # revalidates at the other.
    assert before_a.headers["ETag"] == before_b.headers["ETag"]
    assert (
        server_a.get("/dialogues/", headers={"If-None-Match": before_b.headers["ETag"]}).status_code
        == 304
    )
    api_before = server_b.get("/api/dialogues/")
    assert api_before.json()["count"] == 4

    publish_through_the_admin(server_a, draft.pk)

    after_b = server_b.get("/dialogues/", headers={"If-None-Match": before_b.headers["ETag"]})
    assert after_b.status_code == 200
    assert after_b.headers["ETag"] != before_b.headers["ETag"]
    assert sentence_count(after_b) == count + 1
    assert facet_count(after_b, "era", era.name) == in_era + 1
    assert "Back channel in Rome" in after_b.text
    api_after = server_b.get(
        "/api/dialogues/", headers={"If-None-Match": api_before.headers["ETag"]}
    )
    assert api_after.status_code == 200 and api_after.json()["count"] == 5
    record = server_b.get(draft.get_absolute_url())
    assert record.status_code == 200 and "public" in record.headers["Cache-Control"]
    # And both servers agree again.
    assert server_a.get("/dialogues/").headers["ETag"] == after_b.headers["ETag"]
