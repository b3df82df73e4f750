"""Each picture's page and each download (SVG and PNG) asks the database as many times for a
small archive as for one six times larger: no query per dialogue, place or person.

Each address is asked with its pictures not yet drawn (the cache emptied, the facet index built
again, as on the first request after a save), so what is counted is the drawing's own cost.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dialogues.listing import facet_index
from dialogues.models import Affiliation, DialoguePlace, Organisation, Place, Side, Status
from tests.factories import add_participant, make_conflict, make_dialogue, make_era

pytestmark = pytest.mark.django_db

PAGES = ["/places/", "/network/", "/dialogues/", "/timeline/", "/eras/early/"]
DOWNLOADS = [
    f"{path}.{fmt}"
    for path in ("/places/map", "/network/figure", "/dialogues/years", "/timeline/figure")
    for fmt in ("svg", "png")
]
FILTERED = [
    "/dialogues/?era=early",
    "/network/?side=israeli",
    "/network/?level=track_ii",
    "/places/map.png?era=early",
    "/network/figure.png?side=israeli",
    "/dialogues/years.png?era=early",
    "/timeline/figure.png?era=early",
]
ADDRESSES = PAGES + DOWNLOADS + FILTERED


def grow(n: int, era, conflict, start: int) -> None:
    """`n` more dialogues, each in a place of its own, with three people and an organisation."""
    for i in range(start, start + n):
        dialogue = make_dialogue(era=era, conflict=conflict, date=f"{1990 + i % 5}", cite=False)
        place = Place.objects.create(
            slug=f"place-{i}",
            name=f"Place {i}",
            country="NO",
            latitude=55 + i % 10,
            longitude=5 + i,
            status=Status.PUBLISHED,
        )
        DialoguePlace.objects.create(dialogue=dialogue, place=place, position=1)
        people = [
            add_participant(dialogue, side=side).participant
            for side in (Side.ISRAELI, Side.PALESTINIAN, Side.THIRD_PARTY)
        ]
        organisation = Organisation.objects.create(
            slug=f"body-{i}", name=f"Body {i}", kind="ngo", status=Status.PUBLISHED
        )
        Affiliation.objects.create(
            participant=people[0], organisation=organisation, role="member", status=Status.PUBLISHED
        )


def counts(client) -> dict[str, int]:
    found = {}
    for address in ADDRESSES:
        cache.clear()
        facet_index.current(inline=True)
        client.get("/about/")  # what every request warms: the generation, the era list
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        assert response.status_code == 200, address
        found[address] = len(queries)
    return found


def test_pictures_cost_the_same_queries_at_any_size(client):
    era = make_era(slug="early", name="Early", date="1990/1994", position=1)
    conflict = make_conflict()
    grow(3, era, conflict, 0)
    small = counts(client)
    grow(15, era, conflict, 3)
    large = counts(client)
    assert large == small
