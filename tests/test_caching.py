"""Cached figures follow every save at once, in every worker, with or without a shared cache."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.urls import reverse

from dialogues import caching
from tests.factories import make_dialogue, make_era

pytestmark = pytest.mark.django_db


def era_names_on_home(client) -> list[str]:
    page = BeautifulSoup(client.get(reverse("dialogues:home")).content, "html.parser")
    return [a.get_text(strip=True) for a in page.select("a[href^='/eras/']")]


def test_a_save_in_another_worker_shows_in_this_workers_next_response(client, monkeypatch):
    era = make_era(name="The Oslo years", date="1990/1999")
    make_dialogue(era=era, date="1995")
    assert "The Oslo years" in era_names_on_home(client)  # now cached in this worker

    # Another worker has its own in-process cache: its save cannot touch this worker's.
    other_worker = LocMemCache("other-worker", {})
    with monkeypatch.context() as other:
        other.setattr(caching, "cache", other_worker)
        era.name = "The back-channel years"
        era.save()

    names = era_names_on_home(client)
    assert "The back-channel years" in names
    assert "The Oslo years" not in names


def test_outside_a_request_the_generation_is_read_once_and_then_cached(
    django_assert_num_queries,
):
    first = caching.generation()
    with django_assert_num_queries(0):
        assert caching.generation() == first


def test_each_request_reads_the_generation_from_the_database_once(
    client, django_assert_num_queries
):
    make_era(date="1990/1999")
    era_names_on_home(client)
    caching.start_request()
    with django_assert_num_queries(1):
        caching.generation()
        caching.generation()


def test_a_save_moves_the_generation_on(client):
    before = caching.generation()
    make_era(date="1990/1999")
    caching.start_request()
    assert caching.generation() > before


def test_a_rolled_back_save_leaves_the_generation_as_it_was():
    before = caching.generation()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            make_era(date="1990/1999")
            raise RuntimeError("refused")
    caching.start_request()
    assert caching.generation() == before
