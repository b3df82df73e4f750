"""Which database a request reads from (`trackii.replicas`), without a real replica: the
choice, the router and the cookie that sends a writer's next requests to the primary.
A real streaming replica is in tests/test_replicas_streaming.py."""

from __future__ import annotations

import pytest
from django.db import DatabaseError
from django.http import HttpResponse
from django.test import RequestFactory

from dialogues.models import Dialogue
from trackii import replicas


@pytest.fixture
def two_replicas(monkeypatch):
    monkeypatch.setattr(replicas, "aliases", lambda: ["replica1", "replica2"])
    monkeypatch.setattr(replicas, "_down_until", {})
    state = {"behind": set(), "down": set(), "tried": []}

    def caught_up(alias, generation):
        state["tried"].append(alias)
        if alias in state["down"]:
            raise DatabaseError("connection refused")
        return alias not in state["behind"]

    monkeypatch.setattr(replicas, "_caught_up", caught_up)
    monkeypatch.setattr(replicas, "_close", lambda alias: None)
    return state


def serve(request) -> tuple[str, str, HttpResponse]:
    seen = {}

    def view(request):
        seen["reading"] = replicas.reading()
        seen["routed"] = replicas.ReplicaRouter().db_for_read(Dialogue)
        return HttpResponse("ok")

    response = replicas.ReplicaMiddleware(view)(request)
    return seen["reading"], seen["routed"], response


factory = RequestFactory()


def test_public_reads_take_the_replicas_in_turn(two_replicas):
    served = {serve(factory.get("/dialogues/"))[1] for _ in range(4)}
    assert served == {"replica1", "replica2"}
    assert replicas.reading() == "default"  # outside a request: the primary


def test_writes_and_migrations_stay_on_the_primary():
    router = replicas.ReplicaRouter()
    assert router.db_for_write(Dialogue) == "default"
    assert router.allow_migrate("default", "dialogues") is True
    assert router.allow_migrate("replica1", "dialogues") is False


@pytest.mark.parametrize(
    "request_of",
    [
        lambda: factory.post("/admin/dialogues/dialogue/1/change/"),
        lambda: factory.get("/dialogues/", HTTP_COOKIE="sessionid=abc"),
        lambda: factory.get("/dialogues/", HTTP_COOKIE=f"{replicas.PIN_COOKIE}=1"),
    ],
    ids=["a write", "an editor's session", "just after a save"],
)
def test_editors_and_writers_read_the_primary(two_replicas, request_of):
    reading, routed, _ = serve(request_of())
    assert reading == routed == "default"
    assert two_replicas["tried"] == []


def test_a_write_s_answer_pins_the_next_requests_to_the_primary(two_replicas):
    _, _, response = serve(factory.post("/oai/"))
    cookie = response.cookies[replicas.PIN_COOKIE]
    assert cookie["max-age"] == replicas.PIN_SECONDS and cookie["httponly"]
    _, _, response = serve(factory.get("/dialogues/"))
    assert replicas.PIN_COOKIE not in response.cookies


def test_no_cookie_without_replicas(monkeypatch):
    monkeypatch.setattr(replicas, "aliases", lambda: [])
    reading, _, response = serve(factory.post("/oai/"))
    assert reading == "default" and replicas.PIN_COOKIE not in response.cookies
    assert serve(factory.get("/dialogues/"))[0] == "default"


def test_a_lagging_replica_is_passed_over(two_replicas):
    two_replicas["behind"] = {"replica1"}
    assert {serve(factory.get("/"))[0] for _ in range(4)} == {"replica2"}
    two_replicas["behind"] = {"replica1", "replica2"}
    assert serve(factory.get("/"))[0] == "default"


def test_a_replica_that_is_down_is_left_alone_for_a_while(two_replicas, monkeypatch):
    two_replicas["down"] = {"replica1", "replica2"}
    assert serve(factory.get("/"))[0] == "default"
    tried = len(two_replicas["tried"])
    assert serve(factory.get("/"))[0] == "default"
    assert len(two_replicas["tried"]) == tried  # not asked again before RETRY_SECONDS
    monkeypatch.setattr(replicas, "_down_until", {})
    two_replicas["down"] = set()
    assert serve(factory.get("/"))[0].startswith("replica")
