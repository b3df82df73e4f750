"""The writer: batches, id sequences after a run, and the search index."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest
from django.db.models import Max

from dialogues import search
from dialogues.models import Conflict, Dialogue
from synthetic import writer
from tests import factories as f
from tests.synthetic.helpers import advance_id_counter, dump, empty_archive, generate


@pytest.mark.django_db
def test_the_rows_do_not_depend_on_the_batch_size():
    generate(400, 5, "--batch-size", "100")
    small_batches = dump()
    empty_archive()

    generate(400, 5, "--batch-size", "100000")

    assert dump() == small_batches


@pytest.mark.django_db
def test_ordinary_saves_after_a_run_get_fresh_ids():
    deleted = f.make_dialogue()
    era, conflict = deleted.era, deleted.conflict
    deleted.delete()
    counter = Dialogue.objects.aggregate(top=Max("pk"))["top"] or 0
    advance_id_counter(Dialogue, counter + 5000)

    generate(100)
    top = Dialogue.objects.aggregate(top=Max("pk"))["top"]
    dialogue = f.make_dialogue(era=era, conflict=conflict)

    # Past the synthetic ids, and never an id handed out before the run.
    assert dialogue.pk > max(top, counter + 5000)


@pytest.mark.django_db
def test_the_search_index_finds_synthetic_dialogues():
    generate(500)

    titles = dict(Dialogue.objects.values_list("pk", "title"))
    counts = Counter(word.casefold() for title in titles.values() for word in title.split())
    pk, title = sorted(titles.items())[len(titles) // 2]
    rarest = min(re.findall(r"[^\W\d_]{4,}", title), key=lambda word: counts[word.casefold()])
    found = search.search_queryset(Dialogue.objects.all(), rarest)
    assert pk in set(found.values_list("pk", flat=True))

    # Places are indexed too, and found without their accents.
    accented = Dialogue.objects.filter(place__in=["Genève", "Montréal", "Reykjavík", "Zürich"])
    dialogue = accented.order_by("pk").first()
    assert dialogue is not None
    plain = unicodedata.normalize("NFKD", dialogue.place).encode("ascii", "ignore").decode()
    found = search.search_queryset(Dialogue.objects.all(), plain)
    assert dialogue.pk in set(found.values_list("pk", flat=True))


def test_a_row_follows_the_model_s_field_order_whatever_the_order_of_the_values():
    fields = [field.attname for field in Conflict._meta.concrete_fields]
    values = {name: f"value of {name}" for name in reversed(fields)}

    assert writer.row(Conflict, **values) == tuple(f"value of {name}" for name in fields)
    # A required field left out fails; an optional one (blank, or with a default) is filled.
    del values["summary"]
    assert writer.row(Conflict, **values)[fields.index("summary")] == ""
    del values["name"]
    with pytest.raises(KeyError):
        writer.row(Conflict, **values)
