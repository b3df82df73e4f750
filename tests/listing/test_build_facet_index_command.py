"""`manage.py build_facet_index`: builds and stores the index once, so workers only load it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from dialogues import caching
from dialogues.listing import facet_index
from dialogues.models import Status
from tests.factories import make_dialogue, make_era


@pytest.fixture
def archive(db):
    era = make_era(slug="oslo", date="1990/1999")
    make_dialogue(slug="one", era=era, date="1993")
    make_dialogue(slug="two", era=era, date="1994")
    make_dialogue(slug="draft", era=era, date="1995", status=Status.DRAFT)
    caching.start_request()
    yield
    facet_index.forget()


def run(*args) -> str:
    out = StringIO()
    call_command("build_facet_index", *args, stdout=out)
    return out.getvalue()


def stored_token():
    token_key, _ = facet_index._keys("default")
    return cache.get(token_key)


def test_it_builds_the_published_dialogues_into_the_shared_cache(archive):
    assert stored_token() is None
    output = run()
    assert "Facet index: 2 published dialogues" in output
    token = stored_token()
    assert token is not None
    # A worker that starts afterwards loads that very index instead of building its own.
    facet_index.forget()
    index = facet_index.current(inline=True)
    assert index is not None and index.size == 2
    assert stored_token() == token


def test_a_second_run_reuses_the_stored_index(archive):
    run()
    token = stored_token()
    run()
    assert stored_token() == token


def test_a_save_makes_the_next_run_build_again(archive):
    run()
    token = stored_token()
    make_dialogue(slug="three", era=None, date="1996")
    caching.start_request()
    assert "3 published dialogues" in run()
    assert stored_token() not in (None, token)


def test_it_waits_for_another_builder_and_says_so_when_it_gives_up(archive):
    _, lock_key = facet_index._keys("default")
    assert cache.add(lock_key, 1)
    with pytest.raises(CommandError, match="Another process is still building"):
        run("--wait", "0")
    assert stored_token() is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--database", "elsewhere"), "There is no database 'elsewhere'"),
        (("--wait", "-1"), "--wait must be 0 or more seconds"),
    ],
)
def test_bad_arguments_are_refused_with_what_is_accepted(archive, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert stored_token() is None


def test_a_wait_that_is_not_a_number_is_refused(archive):
    with pytest.raises(CommandError, match="--wait"):
        run("--wait", "soon")


def test_an_index_kept_after_the_cache_was_emptied_is_the_current_one(archive, monkeypatch):
    index = facet_index.current(inline=True)
    cache.clear()
    caching.start_request()
    facet_index.keep(index)
    assert stored_token() is not None
    monkeypatch.setattr(facet_index.shared, "build", _no_build)
    assert facet_index.current() is index  # this process holds it
    facet_index.forget()
    loaded = facet_index.current()  # another process loads it
    assert loaded is not None and list(loaded.ids) == list(index.ids)


def _no_build(*args, **kwargs):
    raise AssertionError("built again although the index was kept")
