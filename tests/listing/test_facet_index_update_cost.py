"""A save's update of the facet index reads the changed dialogues, never the whole archive.

The same edits are made on an archive of 50 dialogues and on one of 500: each update runs the
same number of queries, and every query that reads dialogues (or their participations,
outcomes, places and series) names the changed one or stops at one row (`LIMIT`).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dialogues.listing import facet_index
from dialogues.models import Dialogue, Status
from tests.factories import make_conflict, make_dialogue, make_era
from tests.listing.test_facet_index_follows import contents, followed

PER_DIALOGUE = (
    Dialogue._meta.db_table,
    *(
        Dialogue._meta.get_field(name).related_model._meta.db_table
        for name in ("participations", "outcomes")
    ),
    "dialogues_dialogueplace",
    "dialogues_seriesmembership",
)


def grow(era, conflict, start: int, stop: int) -> None:
    """Dialogues `start` to `stop`, spread over years and titles, a few of them drafts."""
    with transaction.atomic():
        for i in range(start, stop):
            make_dialogue(
                slug=f"d-{i}",
                title=f"Talks {i * 7919 % 1000:03d}",
                era=era,
                conflict=conflict,
                date=f"{1970 + i * 31 % 30}-{1 + i % 12:02d}",
                status=Status.DRAFT if i % 10 == 3 else Status.PUBLISHED,
                cite=False,
            )


def publish(dialogue):
    dialogue.status = Status.PUBLISHED


def withdraw(dialogue):
    dialogue.status = Status.WITHDRAWN


def redate(dialogue):
    dialogue.date = "1999-12" if dialogue.date != "1999-12" else "1971"


def retitle(dialogue):
    dialogue.title = "Zurich round" if dialogue.title != "Zurich round" else "Aaron's round"


EDITS = {
    "publish": ("d-13", publish),  # a draft
    "withdraw": ("d-20", withdraw),
    "date": ("d-21", redate),
    "title": ("d-22", retitle),
}


def measured_edits(monkeypatch, django_capture_on_commit_callbacks) -> dict:
    """Make each edit through the write path; return the SQL its update of the index ran."""
    captured = {}
    real_update = facet_index.shared.update
    for name, (slug, edit) in EDITS.items():
        dialogue = Dialogue.objects.get(slug=slug)
        queries = []

        def counted(*args, queries=queries, **kwargs):
            with CaptureQueriesContext(connection) as context:
                result = real_update(*args, **kwargs)
            queries.extend(query["sql"] for query in context.captured_queries)
            return result

        monkeypatch.setattr(facet_index.shared, "update", counted)
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                edit(dialogue)
                dialogue.save()
        monkeypatch.setattr(facet_index.shared, "update", real_update)
        index = followed(monkeypatch)  # stored by the update: no build
        assert contents(index) == contents(facet_index.build()), name
        captured[name] = (dialogue.pk, queries)
    return captured


def reads_all_of_them(sql: str, pk: int) -> bool:
    """Whether `sql` reads per-dialogue rows without naming dialogue `pk` or a `LIMIT`."""
    if not any(f'"{table}"' in sql for table in PER_DIALOGUE):
        return False
    if re.search(r"\bLIMIT\b", sql):
        return False
    lists = re.findall(r"\bIN \(([^()]*)\)", sql)
    return not any(str(pk) in re.split(r"[\s,]+", found) for found in lists)


def test_an_update_costs_the_same_on_a_tenfold_archive(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    era = make_era(slug="all", date="1970/1999")
    conflict = make_conflict(slug="ip")
    grow(era, conflict, 0, 50)
    assert facet_index.current(inline=True).size == 45
    small = measured_edits(monkeypatch, django_capture_on_commit_callbacks)

    grow(era, conflict, 50, 500)
    assert facet_index.current(inline=True).size > 400
    # The draft and the withdrawn one back as they were, so that each edit is the same again.
    for slug, status in (("d-13", Status.DRAFT), ("d-20", Status.PUBLISHED)):
        dialogue = Dialogue.objects.get(slug=slug)
        dialogue.status = status
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                dialogue.save()
    assert followed(monkeypatch).size == facet_index.build().size
    large = measured_edits(monkeypatch, django_capture_on_commit_callbacks)

    for name in EDITS:
        small_pk, small_queries = small[name]
        large_pk, large_queries = large[name]
        assert small_queries and len(small_queries) == len(large_queries), name
        for sql in large_queries:
            assert not reads_all_of_them(sql, large_pk), (name, sql)
        assert any(re.search(r"\bLIMIT\b", sql) for sql in large_queries) or name == "withdraw"


@pytest.mark.parametrize(
    "sql, expected",
    [
        ('SELECT "dialogues_dialogue"."id" FROM "dialogues_dialogue"', True),
        ('SELECT "dialogues_dialogue"."id" FROM "dialogues_dialogue" WHERE id IN (4, 7)', True),
        ('SELECT "dialogues_dialogue"."id" FROM "dialogues_dialogue" WHERE id IN (4, 17)', False),
        ('SELECT "dialogues_dialogue"."id" FROM "dialogues_dialogue" LIMIT 1', False),
        ('SELECT "dialogues_era"."id" FROM "dialogues_era"', False),
    ],
)
def test_the_check_tells_a_whole_read_from_a_restricted_one(sql, expected):
    assert reads_all_of_them(sql, 17) is expected
