"""The search index: rebuilding it, and the receivers that keep it current."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection, transaction

from dialogues.models import Citation, Dialogue, Participant
from dialogues.search import index
from dialogues.search.index import rebuild_index
from dialogues.search.snippets import snippets
from dialogues.search.sqlite import FTS_TABLE
from tests.factories import (
    add_outcome,
    add_participant,
    make_dialogue,
    make_era,
    make_participant,
    make_source,
)

# --- Keeping the index current ------------------------------------------------------------


def test_rebuild_index_only_touches_the_given_ids(corpus, found):
    changed = [corpus["cairo-envoys"], corpus["mecca-meeting"]]
    # update() sends no signals, so only an explicit rebuild can bring these in.
    Dialogue.objects.filter(pk__in=[d.pk for d in changed]).update(title="Okapi conference")
    assert found("okapi") == set()

    assert rebuild_index([changed[0].pk]) == 1
    assert found("okapi") == {"cairo-envoys"}
    # The other one still answers to its old title and not yet to the new one.
    assert found("mecca") == {"mecca-meeting"}

    assert rebuild_index([d.pk for d in changed] + [10**9]) == 2
    assert found("okapi") == {"cairo-envoys", "mecca-meeting"}
    assert found("mecca") == set()
    assert rebuild_index() == len(corpus)


def test_rebuild_index_drops_deleted_dialogues(corpus):
    pk = corpus["rome-balcony"].pk
    Dialogue.objects.filter(pk=pk).delete()
    assert rebuild_index([pk]) == 0
    assert snippets([pk], "balcony") == {}


@pytest.mark.django_db(transaction=True)
def test_saving_in_a_transaction_reindexes_on_commit(found):
    # No rebuild_index() here: only the write path (dialogues.writes) can make these pass.
    with transaction.atomic():
        era = make_era(date="1990/2010")
        dialogue = make_dialogue(era=era, cite=False, title="Zebra talks", summary="Quiet.")
        # Inline rows are saved after the dialogue, as in the admin.
        add_participant(dialogue, name="Amira Quillfeather")
        add_outcome(dialogue, description="An aquifer accord.")
        Citation.objects.create(
            dialogue=dialogue, source=make_source(), excerpt="by the lighthouse", paragraph=2
        )
        # Before the commit nothing is indexed yet.
        assert found("zebra") == set()
    for q in ("zebra", "quillfeather", "aquifer", "lighthouse"):
        assert found(q) == {dialogue.slug}, q

    with transaction.atomic():
        dialogue.title = "Okapi talks"
        dialogue.save()
    assert found("okapi") == {dialogue.slug}
    assert found("zebra") == set()

    participant = Participant.objects.get(name="Amira Quillfeather")
    with transaction.atomic():
        participant.name = "Amira Thistlewood"
        participant.save()
    assert found("thistlewood") == {dialogue.slug}
    assert found("quillfeather") == set()

    # A rolled-back change leaves the index as it was.
    with pytest.raises(RuntimeError), transaction.atomic():
        dialogue.outcomes.all().delete()
        raise RuntimeError
    assert found("aquifer") == {dialogue.slug}

    with transaction.atomic():
        dialogue.outcomes.all().delete()
        dialogue.citations.all().delete()
    assert found("aquifer") == set()
    assert found("lighthouse") == set()

    pk = dialogue.pk
    with transaction.atomic():
        dialogue.delete()
    assert snippets([pk], "okapi") == {}


@pytest.mark.django_db(transaction=True)
def test_changes_in_one_transaction_reindex_once(monkeypatch, found):
    calls = []
    real = index.rebuild_index

    def counting(ids=None, **kwargs):
        calls.append(sorted(ids))
        return real(ids, **kwargs)

    monkeypatch.setattr(index, "rebuild_index", counting)
    with transaction.atomic():
        era = make_era(date="1990/2010")
        first = make_dialogue(era=era, cite=False, title="Walrus talks")
        second = make_dialogue(era=era, cite=False, title="Narwhal talks")
        for dialogue in (first, second):
            add_participant(dialogue, participant=make_participant(name="Ida Pemberton"))
            add_outcome(dialogue)
        first.save()
    assert calls == [sorted([first.pk, second.pk])]
    assert found("walrus or narwhal") == {first.slug, second.slug}


@pytest.mark.django_db(transaction=True)
def test_editing_a_bio_does_not_reindex(monkeypatch):
    dialogue = make_dialogue(era=make_era(date="1990/2010"), cite=False)
    participant = add_participant(dialogue, name="Noor Halabi").participant
    calls = []
    monkeypatch.setattr(index, "rebuild_index", lambda ids=None, **kw: calls.append(ids))
    participant.bio = "Economist."
    participant.save()
    assert calls == []
    participant.name = "Noor al-Halabi"
    participant.save()
    assert calls == [{dialogue.pk}]


def _index_contents(cursor) -> list[tuple]:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT id, search_vector::text FROM dialogues_dialogue ORDER BY id")
    else:
        cursor.execute(f"SELECT rowid, * FROM {FTS_TABLE} ORDER BY rowid")
    return cursor.fetchall()


def test_migration_fills_the_index_as_rebuild_index_does(corpus):
    # The migration keeps its own copy of the indexing SQL; the two must not drift apart.
    migration = importlib.import_module("dialogues.migrations.0003_search_index")
    with connection.cursor() as cursor:
        rebuilt = _index_contents(cursor)
        if connection.vendor == "postgresql":
            cursor.execute("UPDATE dialogues_dialogue SET search_vector = NULL")
            cursor.execute(
                f"UPDATE dialogues_dialogue AS d SET search_vector = {migration.PG_VECTOR}"
            )
        else:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
            cursor.execute(migration.SQLITE_FILL)
        migrated = _index_contents(cursor)
    assert len(rebuilt) == len(corpus)
    assert all(row[1] for row in rebuilt)
    assert migrated == rebuilt
