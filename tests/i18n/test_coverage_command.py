"""`manage.py translation_coverage`: the interface's and the records' translations, counted."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from dialogues.models import Status
from tests.factories import make_dialogue, make_era


def coverage() -> dict:
    out = StringIO()
    call_command("translation_coverage", "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_counts_public_records_with_a_translation_per_language():
    era = make_era(date="1970/1980")
    translated = make_dialogue(era=era, title="First", title_he="ראשון")
    make_dialogue(era=era, title="Second", slug="second")
    draft = make_dialogue(era=era, title="Draft", slug="draft", title_ar="مسودة")
    draft.status = Status.DRAFT
    draft.save()
    report = coverage()
    assert report["he"]["records"]["dialogue.title"] == {"translated": 1, "total": 2}
    # A draft's translation is not counted: readers do not see the draft.
    assert report["ar"]["records"]["dialogue.title"] == {"translated": 0, "total": 2}
    assert translated.title_he == "ראשון"


@pytest.mark.django_db
def test_the_interface_figure_counts_the_catalogue():
    report = coverage()
    for lang in ("he", "ar"):
        interface = report[lang]["interface"]
        assert interface["total"] > 100
        # The catalogue test requires every message translated; the figure says the same.
        assert interface["translated"] == interface["total"]


@pytest.mark.django_db
def test_the_table_names_each_language_and_field():
    make_dialogue(era=make_era(date="1970/1980"), title="First", title_he="ראשון")
    out = StringIO()
    call_command("translation_coverage", stdout=out)
    text = out.getvalue()
    assert text.splitlines()[0] == "he"
    assert "dialogue.title" in text and "100%" in text
