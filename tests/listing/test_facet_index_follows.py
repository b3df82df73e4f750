"""A save updates the facet index in place, and the result is the index a full build gives."""

from __future__ import annotations

import datetime
import random

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from dialogues import caching, writes
from dialogues.listing import facet_index
from dialogues.models import (
    Dialogue,
    OutcomeKind,
    Participant,
    Participation,
    Side,
    Status,
    Track,
)
from tests.factories import add_outcome, make_dialogue, make_era, make_participant
from tests.listing.test_facet_index import mixed_archive  # noqa: F401 (a fixture)


def day(offset: int = 0) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def contents(index: facet_index.FacetIndex) -> dict:
    """Everything a reader's request can read off an index, in plain values."""
    return {
        "size": index.size,
        "ids": list(index.ids),
        "orders": {sort: list(order) for sort, order in index.orders.items()},
        "ranks": {sort: list(rank) for sort, rank in index.ranks.items()},
        "values": {
            name: {key: list(bitmap) for key, bitmap in index.bitmaps(name)}
            for name in facet_index.FACETED
        },
        "places": {key: list(bitmap) for key, bitmap in index.places.items()},
        "eras": index.eras,
        "labels": index.labels,
        "earliest": (list(index.earliest), index.earliest_from),
        "latest": (list(index.latest), index.latest_from),
        "latest_years": [(a, b, list(bitmap)) for a, b, bitmap in index.latest_years],
        "lookup": [index.position(pk) for pk in range(max(index.ids, default=0) + 2)],
    }


def _refuse(*args, **kwargs):
    raise AssertionError("the index was built again although the save updated it")


def followed(monkeypatch) -> facet_index.FacetIndex:
    """The index the next request reads: it must be there already, never built."""
    caching.start_request()
    with monkeypatch.context() as patch:
        patch.setattr(facet_index.shared, "build", _refuse)
        index = facet_index.current(inline=True)
    assert index is not None
    return index


def save(django_capture_on_commit_callbacks, change) -> None:
    """Make `change` as one committed transaction through the models (the write path)."""
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            change()


class Editor:
    """Random edits of every kind an editor makes, each one transaction."""

    def __init__(self, rng: random.Random, archive):
        self.rng = rng
        self.archive = archive
        self.made = 0

    def dialogue(self, **filters) -> Dialogue | None:
        found = list(Dialogue.objects.filter(**filters).order_by("pk"))
        return self.rng.choice(found) if found else None

    def publish(self):
        dialogue = self.dialogue(status__in=[Status.DRAFT, Status.WITHDRAWN])
        if dialogue:
            dialogue.status = Status.PUBLISHED
            dialogue.save()

    def withdraw(self):
        dialogue = self.dialogue(status=Status.PUBLISHED)
        if dialogue:
            dialogue.status = Status.WITHDRAWN
            dialogue.save()

    def embargo(self):
        dialogue = self.dialogue(status=Status.PUBLISHED)
        if dialogue:
            dialogue.embargo_until = self.rng.choice([day(1), day(-1), None])
            dialogue.save()

    def change_era(self):
        dialogue = self.dialogue()
        if dialogue:
            dialogue.era = self.rng.choice(self.archive["eras"])
            dialogue.track = self.rng.choice(list(Track.values))
            dialogue.save()

    def change_date(self):
        dialogue = self.dialogue()
        if dialogue:
            dialogue.date = self.rng.choice(["1975", "1983~", "1990/1992", "1996-03", ""])
            dialogue.save()

    def retitle(self):
        dialogue = self.dialogue()
        if dialogue:
            dialogue.title = self.rng.choice(["Talks", "Aaron's round", "Zurich", "Back channel"])
            dialogue.place = self.rng.choice(["Rome", "Oslo", "", "Geneva"])
            dialogue.save()

    def add_participation(self):
        dialogue = self.dialogue()
        if dialogue:
            withheld = self.rng.random() < 0.4
            Participation.objects.create(
                dialogue=dialogue,
                participant=self.rng.choice(self.archive["people"]),
                withheld=withheld,
                withheld_until=self.rng.choice([None, day(1), day(-2)]) if withheld else None,
                show_side=withheld and self.rng.random() < 0.5,
            )

    def withhold(self):
        found = list(Participation.objects.order_by("pk"))
        if found:
            participation = self.rng.choice(found)
            participation.withheld = not participation.withheld
            participation.withheld_until = None
            participation.show_side = self.rng.random() < 0.5
            participation.save()

    def drop_participation(self):
        found = list(Participation.objects.order_by("pk"))
        if found:
            self.rng.choice(found).delete()

    def change_side(self):
        person = self.rng.choice(list(Participant.objects.order_by("pk")))
        person.side = self.rng.choice(list(Side.values))
        person.background = self.rng.choice(["academic", "journalist", ""])
        person.save()

    def add_outcome(self):
        dialogue = self.dialogue()
        kind = self.rng.choice(list(OutcomeKind.values))
        if dialogue and not dialogue.outcomes.filter(kind=kind).exists():
            add_outcome(dialogue, kind, "What came of it.")

    def delete(self):
        dialogue = self.dialogue()
        if dialogue:
            dialogue.delete()

    def create(self):
        self.made += 1
        dialogue = make_dialogue(
            slug=f"new-{self.made}",
            title=self.rng.choice(["Talks", "Madrid", "Oslo track"]),
            era=self.rng.choice(self.archive["eras"]),
            date=self.rng.choice(["1977", "1988~", "1995/1997"]),
            status=self.rng.choice([Status.PUBLISHED, Status.DRAFT]),
            cite=False,
        )
        Participation.objects.create(
            dialogue=dialogue, participant=self.rng.choice(self.archive["people"])
        )

    def any(self):
        edits = [
            *(self.publish, self.withdraw, self.embargo, self.change_era, self.change_date),
            *(self.retitle, self.add_participation, self.withhold, self.drop_participation),
            *(self.change_side, self.add_outcome, self.delete, self.create),
        ]
        edit = self.rng.choice(edits)
        return edit.__name__, edit


@pytest.mark.parametrize("seed", [1, 2])
def test_random_edits_update_the_index_as_a_full_build_would(
    mixed_archive,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,
    seed,
):
    assert facet_index.current(inline=True) is not None
    editor = Editor(random.Random(seed), mixed_archive)
    kinds = set()
    for step in range(40):
        name, edit = editor.any()
        save(django_capture_on_commit_callbacks, edit)
        kinds.add(name)
        index = followed(monkeypatch)
        assert contents(index) == contents(facet_index.build()), (step, name)
        if step % 10 == 9:
            # Another worker, sharing the cache: it reads the updated index, never builds it.
            monkeypatch.setattr(facet_index.shared, "_process", {})
            assert contents(followed(monkeypatch)) == contents(index)
    assert len(kinds) >= 10, kinds


def test_a_dialogue_that_leaves_the_public_leaves_every_bitmap(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    era = make_era(slug="oslo", date="1990/1999")
    person = make_participant(slug="amos", side=Side.ISRAELI, background="academic")
    shown = make_dialogue(slug="shown", era=era, date="1993", place="Oslo", cite=False)
    other = make_dialogue(slug="other", era=era, date="1994", cite=False)
    Participation.objects.create(dialogue=shown, participant=person)
    add_outcome(shown, OutcomeKind.WALKOUT)
    assert facet_index.current(inline=True).size == 2

    def withdraw():
        shown.status = Status.WITHDRAWN
        shown.save()

    save(django_capture_on_commit_callbacks, withdraw)
    index = followed(monkeypatch)
    assert list(index.ids) == [other.pk]
    for name in facet_index.FACETED:
        assert all(index.ids[p] != shown.pk for _, bm in index.bitmaps(name) for p in bm)
    assert not index.value("participant", person.pk)
    assert not index.value("side", Side.ISRAELI)
    assert "Oslo" not in index.places

    def withhold():
        shown.status = Status.PUBLISHED
        shown.save()
        participation = Participation.objects.get(dialogue=shown)
        participation.withheld = True
        participation.save()

    save(django_capture_on_commit_callbacks, withhold)
    index = followed(monkeypatch)
    assert index.size == 2
    assert not index.value("participant", person.pk)
    assert not index.value("background", "academic")
    assert contents(index) == contents(facet_index.build())


def test_a_rolled_back_save_changes_nothing(db, monkeypatch, django_capture_on_commit_callbacks):
    era = make_era(slug="oslo", date="1990/1999")
    shown = make_dialogue(slug="shown", era=era, date="1993", cite=False)
    before = facet_index.current(inline=True)
    held = dict(facet_index.shared._process)

    def withdraw_then_fail():
        shown.status = Status.WITHDRAWN
        shown.save()
        raise RuntimeError("the editor's save failed")

    with pytest.raises(RuntimeError):
        save(django_capture_on_commit_callbacks, withdraw_then_fail)
    assert facet_index.shared._process == held
    caching.start_request()
    assert facet_index.current(inline=True) is before
    assert list(before.ids) == [shown.pk]


def test_a_bulk_load_leaves_the_index_to_be_built(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    era = make_era(slug="oslo", date="1990/1999")
    make_dialogue(slug="shown", era=era, date="1993", cite=False)
    facet_index.current(inline=True)
    calls = []
    monkeypatch.setattr(facet_index.shared, "update", lambda *a, **k: calls.append(a))

    def load():
        make_dialogue(slug="loaded", era=era, date="1994", cite=False)
        writes.changed(everything=True)

    save(django_capture_on_commit_callbacks, load)
    assert calls == []
    caching.start_request()
    token_key, _ = facet_index._keys("default")
    assert cache.get(token_key) is None  # nothing stored: the next request builds it
    assert facet_index.current(inline=True).size == 2


def test_from_the_save_to_the_stored_update_no_reader_may_start_a_build(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    era = make_era(slug="oslo", date="1990/1999")
    shown = make_dialogue(slug="shown", era=era, date="1993", cite=False)
    facet_index.current(inline=True)
    seen = []
    real_update = facet_index.shared.update

    def watched(old, dialogues, day, *, using):
        # A reader of the new generation, now: the lock is held, so it would answer by SQL
        # and leave the index to this update rather than build one itself.
        token_key, lock_key = facet_index._keys("default", caching.read_generation())
        seen.append((cache.add(lock_key, 1), cache.get(token_key)))
        return real_update(old, dialogues, day, using=using)

    monkeypatch.setattr(facet_index.shared, "update", watched)

    def retitle():
        shown.title = "Renamed"
        shown.save()

    save(django_capture_on_commit_callbacks, retitle)
    assert seen == [(False, None)]
    _, lock_key = facet_index._keys("default", caching.read_generation())
    assert cache.add(lock_key, 1)  # released once the update is stored
    assert followed(monkeypatch).size == 1
