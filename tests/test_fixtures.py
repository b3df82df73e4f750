"""The archive's own content: the JSON fixtures load, validate and agree with their sources."""

import json
import os
import random
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from dialogues import integrity
from dialogues.models import EXCERPT_MAX_WORDS, Citation, Dialogue, Era

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
# The source texts are kept beside the project, not in it; CI provides them.
SOURCES = Path(os.environ.get("TRACKII_SOURCES_DIR", ROOT.parent / "shared" / "seeds"))

pytestmark = pytest.mark.django_db


def fixture_records():
    records = []
    for path in sorted(FIXTURES.glob("*.json")):
        records.extend(json.loads(path.read_text(encoding="utf-8")))
    return records


@pytest.fixture
def loaded():
    call_command("load_initial_data", stdout=StringIO())


def test_every_record_uses_natural_keys():
    assert all("pk" not in record for record in fixture_records())


def test_the_fixtures_load_every_record(loaded):
    expected = Counter(record["model"] for record in fixture_records())
    for label, count in expected.items():
        assert apps.get_model(label).objects.count() == count, label


def test_every_loaded_record_is_valid(loaded):
    for model in apps.get_app_config("dialogues").get_models():
        for obj in model.objects.all():
            obj.full_clean()


def test_the_archive_has_no_integrity_problem(loaded):
    assert integrity.find_problems() == []


def test_check_archive_reports_nothing(loaded):
    out = StringIO()
    call_command("check_archive", stdout=out)
    assert out.getvalue().startswith("No problems found")


@pytest.mark.skipif(not SOURCES.is_dir(), reason="the source texts are not beside the project")
def test_every_excerpt_is_verbatim_in_the_paragraph_it_cites(loaded):
    out = StringIO()
    call_command("check_archive", "--sources", str(SOURCES), stdout=out)
    assert out.getvalue().startswith("No problems found")


def test_loading_twice_changes_nothing(loaded):
    def snapshot():
        rows = {}
        for model in apps.get_app_config("dialogues").get_models():
            rows[model.__name__] = sorted(
                map(repr, model.objects.values_list(*[f.attname for f in model._meta.fields]))
            )
        return rows

    before = snapshot()
    call_command("load_initial_data", "--force", stdout=StringIO())
    assert snapshot() == before


def test_the_records_load_in_any_order(tmp_path):
    records = fixture_records()
    random.Random(7).shuffle(records)
    half = len(records) // 2
    (tmp_path / "b.json").write_text(json.dumps(records[:half]), encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps(records[half:]), encoding="utf-8")
    call_command("load_initial_data", "--fixtures", str(tmp_path), stdout=StringIO())
    assert Dialogue.objects.count() == sum(r["model"] == "dialogues.dialogue" for r in records)


def test_every_dialogue_cites_a_passage_and_says_how_it_was_dated(loaded):
    for dialogue in Dialogue.objects.all():
        assert dialogue.citations.exists(), dialogue.slug
        assert dialogue.date_note.strip(), dialogue.slug


def test_loose_dates_keep_their_looseness(loaded):
    # "Some 30 years ago" and "around 2004-2005" are approximate in the essay, so in EDTF too;
    # the first is counted from the essay's uncertain year, so it is uncertain as well (%).
    assert Dialogue.objects.get(slug="first-contacts-with-plo-stalwarts").date == "1976%"
    assert "~" in Dialogue.objects.get(slug="track-ii-improves-2004-2005").date
    assert "/" in Dialogue.objects.get(slug="track-ii-gathers-steam-late-1980s").date


def test_excerpts_are_short(loaded):
    for citation in Citation.objects.all():
        assert len(citation.excerpt.split()) <= EXCERPT_MAX_WORDS, citation.excerpt


def test_walking_the_eras_in_order_covers_the_timeline_without_gaps(loaded):
    eras = list(Era.objects.order_by("position"))
    for before, after in zip(eras, eras[1:], strict=False):
        assert (after.date_earliest - before.date_latest).days == 1, (before.slug, after.slug)
    first_day = Dialogue.objects.order_by("date_earliest").first().date_earliest
    last_day = Dialogue.objects.order_by("-date_latest").first().date_latest
    assert eras[0].date_earliest <= first_day and last_day <= eras[-1].date_latest
