"""The synthetic archive generator: its shape, its realism, its safety and its command."""

from __future__ import annotations

import io
import json
import math
import os
import random
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Max

from dialogues import caching, dates, integrity, search, synthetic
from dialogues.management.commands.generate_synthetic import ProgressBar
from dialogues.models import (
    Citation,
    Conflict,
    Dialogue,
    Era,
    Outcome,
    Participant,
    Participation,
    Source,
)
from tests import factories as f

MODELS = [model for _, model in synthetic.STAGES]


def generate(dialogues: int, seed: int = 1, *args: str) -> str:
    """Run the command quietly and return what it printed on stdout."""
    out = io.StringIO()
    call_command(
        "generate_synthetic",
        "--dialogues",
        str(dialogues),
        "--seed",
        str(seed),
        "--quiet",
        *args,
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def dump() -> dict[str, list[tuple]]:
    """Return every row of every archive table, in primary-key order."""
    return {model.__name__: list(model.objects.order_by("pk").values_list()) for model in MODELS}


def empty_archive() -> None:
    for model in reversed(MODELS):
        model.objects.all().delete()


def load_fixture_eras() -> list[Era]:
    path = Path(settings.BASE_DIR) / "fixtures" / "eras.json"
    return [Era.objects.create(**record["fields"]) for record in json.loads(path.read_text())]


def slope(frequencies: list[int]) -> float:
    """Fit log(frequency) = a + b·log(rank) by least squares and return b."""
    xs = [math.log(rank) for rank in range(1, len(frequencies) + 1)]
    ys = [math.log(frequency) for frequency in frequencies]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    variance = sum((x - mean_x) ** 2 for x in xs)
    return covariance / variance


# --- Shape --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_counts_follow_the_ratios_to_the_number_of_dialogues():
    n = 500
    generate(n)

    assert Dialogue.objects.count() == n
    assert Participant.objects.count() == pytest.approx(n / 5, rel=0.05)
    assert Participation.objects.count() == pytest.approx(3 * n, rel=0.1)
    assert Outcome.objects.count() == pytest.approx(1.5 * n, rel=0.1)
    assert Citation.objects.count() == pytest.approx(2 * n, rel=0.1)
    assert Source.objects.count() == max(2, n // 1000)


@pytest.mark.django_db
def test_every_record_is_marked_synthetic():
    generate(200)

    for model in (Source, Era, Conflict, Participant, Dialogue):
        slugs = list(model.objects.values_list("slug", flat=True))
        assert slugs
        assert all(slug.startswith(synthetic.PREFIX) for slug in slugs), model


@pytest.mark.django_db
@pytest.mark.parametrize("eras", ["fixtures", "none"])
def test_every_dialogue_lies_inside_its_era_with_the_bounds_of_its_edtf_date(eras):
    if eras == "fixtures":
        load_fixture_eras()
    generate(600)

    dialogues = list(Dialogue.objects.select_related("era"))
    assert {d.era_id for d in dialogues} <= set(Era.objects.values_list("pk", flat=True))
    for dialogue in dialogues:
        era = dialogue.era
        assert era.date_earliest <= dialogue.date_earliest <= dialogue.date_latest, dialogue.date
        assert dialogue.date_latest <= era.date_latest, (dialogue.date, era.date)
    # Parsing costs milliseconds, so every uncertain date is checked but only some exact days.
    uncertain = [d for d in dialogues if d.date_earliest != d.date_latest]
    exact = random.Random(0).sample([d for d in dialogues if d not in uncertain], 50)
    for dialogue in uncertain + exact:
        bounds = dates.parse(dialogue.date)
        assert (dialogue.date_earliest, dialogue.date_latest) == (
            bounds.earliest,
            bounds.latest,
        ), dialogue.date


@pytest.mark.django_db
def test_eras_made_for_an_empty_archive_are_contiguous_and_the_archive_is_clean():
    generate(200)

    eras = list(Era.objects.ordered())
    assert len(eras) == synthetic.ERA_COUNT
    assert eras[0].date_earliest.year == synthetic.FIRST_YEAR
    assert eras[-1].date_latest.year == synthetic.LAST_YEAR
    # No overlaps, no gaps, no stale bounds, no dialogue outside its era or without a citation.
    assert integrity.check_records() == []


@pytest.mark.django_db
def test_the_archive_s_own_eras_are_used_and_stay_unchanged():
    eras = load_fixture_eras()
    before = list(Era.objects.order_by("pk").values_list())

    generate(200)

    assert list(Era.objects.order_by("pk").values_list()) == before
    used = set(Dialogue.objects.values_list("era_id", flat=True))
    assert used <= {era.pk for era in eras}
    assert len(used) >= len(eras) - 1  # all but perhaps the two-month ceasefire era
    assert integrity.check_records() == []


@pytest.mark.django_db
def test_about_a_fifth_of_the_dates_are_uncertain_in_each_form():
    load_fixture_eras()
    n = 800
    generate(n)

    edtf = list(Dialogue.objects.values_list("date", "date_earliest", "date_latest"))
    uncertain = [date for date, earliest, latest in edtf if earliest != latest]
    assert 0.15 <= len(uncertain) / n <= 0.25
    precise = [date for date, earliest, latest in edtf if earliest == latest]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", date) for date in precise)
    forms = {
        "approximate year": r"\d{4}~",
        "uncertain year": r"\d{4}\?",
        "span of years": r"\d{4}/\d{4}",
        "month": r"\d{4}-\d\d",
    }
    for form, pattern in forms.items():
        assert any(re.fullmatch(pattern, date) for date in uncertain), form


@pytest.mark.django_db
def test_references_between_records_are_consistent():
    generate(400)

    for citation in Citation.objects.select_related("outcome"):
        if citation.outcome_id:
            assert citation.outcome.dialogue_id == citation.dialogue_id
    took_part = set(Participation.objects.values_list("dialogue_id", "participant_id"))
    cited = Citation.objects.exclude(participant=None).values_list("dialogue_id", "participant_id")
    assert cited and set(cited) <= took_part
    assert not Participant.objects.filter(participations=None).exists()
    assert not Dialogue.objects.filter(citations=None).exists()


@pytest.mark.django_db
def test_a_sample_of_every_kind_of_record_passes_full_clean():
    generate(300)

    sampler = random.Random(3)
    for model in MODELS:
        pks = list(model.objects.values_list("pk", flat=True))
        for record in model.objects.filter(pk__in=sampler.sample(pks, min(25, len(pks)))):
            record.full_clean()


@pytest.mark.django_db
def test_timestamps_fall_before_the_fixed_epoch_and_after_the_dialogue():
    generate(300)

    for dialogue in Dialogue.objects.all():
        assert dialogue.created <= dialogue.updated <= synthetic.EPOCH
        assert dialogue.created.date() > dialogue.date_latest or dialogue.created == synthetic.EPOCH
    assert Participant.objects.values("created").distinct().count() > 1


# --- Realism ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_summary_word_frequencies_follow_zipf_s_law():
    generate(500)

    words = Counter(
        word
        for summary in Dialogue.objects.values_list("summary", flat=True)
        for word in re.findall(r"[^\W\d_]+", summary.casefold())
    )
    frequencies = sorted(words.values(), reverse=True)
    # The tail of a finite sample is flattened by words seen once or twice; fit the rest.
    reliable = [frequency for frequency in frequencies if frequency >= 5]
    assert len(reliable) >= 100
    assert -1.4 <= slope(reliable) <= -0.7
    # A vocabulary of thousands of words, not a handful.
    assert len(words) > 1000


@pytest.mark.django_db
def test_topical_words_are_among_the_common_ones():
    generate(300)

    text = " ".join(Dialogue.objects.values_list("summary", flat=True)).casefold()
    counts = Counter(re.findall(r"[^\W\d_]+", text))
    common = {word for word, _ in counts.most_common(400)}
    assert len(common & {word.casefold() for word in synthetic.TOPICAL_WORDS}) >= 20


@pytest.mark.django_db
def test_participant_activity_follows_a_power_law():
    generate(1000)

    activity = sorted(
        Counter(Participation.objects.values_list("participant_id", flat=True)).values(),
        reverse=True,
    )
    assert len(activity) == Participant.objects.count()  # everyone takes part at least once
    total = sum(activity)
    top = activity[: max(1, len(activity) // 100)]
    assert sum(top) / total > 0.10
    # Most participants take part only a little: the median is well below the mean, where an
    # even spread would put it close to the mean.
    median = activity[len(activity) // 2]
    assert median < 0.75 * total / len(activity)


@pytest.mark.django_db
def test_names_and_places_include_accented_letters():
    generate(500)

    def accented(text: str) -> bool:
        return any(unicodedata.decomposition(char) for char in text)

    assert any(map(accented, Participant.objects.values_list("name", flat=True)))
    assert any(map(accented, Dialogue.objects.values_list("place", flat=True)))


@pytest.mark.django_db
def test_choices_are_skewed_not_uniform():
    generate(500)

    tracks = Counter(Dialogue.objects.values_list("track", flat=True))
    kinds = Counter(Outcome.objects.values_list("kind", flat=True))
    sides = Counter(Participant.objects.values_list("side", flat=True))
    for counts in (tracks, kinds, sides):
        assert len(counts) >= 3
        assert max(counts.values()) > 2 * min(counts.values())


# --- Determinism --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_archive_and_another_seed_another():
    generate(300, 7)
    first = dump()
    first_titles = set(Dialogue.objects.values_list("title", flat=True))
    empty_archive()

    generate(300, 7)
    again = dump()
    empty_archive()

    generate(300, 8)

    assert again == first
    assert dump() != first
    assert set(Dialogue.objects.values_list("title", flat=True)) != first_titles


@pytest.mark.django_db
def test_the_rows_do_not_depend_on_the_batch_size():
    generate(400, 5, "--batch-size", "100")
    small_batches = dump()
    empty_archive()

    generate(400, 5, "--batch-size", "100000")

    assert dump() == small_batches


def test_the_rows_do_not_depend_on_the_process_s_hash_seed():
    # Set order varies with PYTHONHASHSEED; nothing that reaches a row may depend on it.
    script = """
import datetime, hashlib, django
django.setup()
from dialogues import synthetic
generator = synthetic.Generator(300, 7)
generator.next_id = lambda model: 1
generator.era_spans = [
    synthetic.EraSpan(1, datetime.date(1975, 1, 1), datetime.date(2025, 12, 31))
]
generator.conflicts_drawn = synthetic.Weighted.zipf([1, 2], 2)
stages = ["sources", "participants", "dialogues", "participations", "outcomes", "citations"]
rows = [list(getattr(generator, stage)()[0]) for stage in stages]
print(hashlib.sha256(repr(rows).encode()).hexdigest())
"""
    digests = set()
    for hash_seed in ("1", "2"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": hash_seed,
            "DJANGO_DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": "trackii.settings",
        }
        result = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            env=env,
            cwd=settings.BASE_DIR,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        digests.add(result.stdout.strip())
    assert len(digests) == 1


@pytest.mark.django_db
def test_a_second_run_adds_to_a_synthetic_archive_without_force():
    generate(100, 1)
    first_ids = set(Dialogue.objects.values_list("pk", flat=True))

    generate(100, 1)

    assert Dialogue.objects.count() == 200
    assert Era.objects.count() == synthetic.ERA_COUNT  # reused, not made twice
    assert min(set(Dialogue.objects.values_list("pk", flat=True)) - first_ids) > max(first_ids)


def advance_id_counter(model, value: int) -> None:
    """Set the table's id counter as if rows up to `value` had been made and deleted."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, value])
        else:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [value, table])


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


# --- Safety -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_refuses_a_database_with_real_dialogues_unless_forced():
    real = f.make_dialogue(slug="camp-david-follow-up")

    with pytest.raises(CommandError) as error:
        generate(50)

    message = str(error.value)
    assert "1 real dialogue" in message and "--force" in message
    assert Dialogue.objects.count() == 1
    assert not Participant.objects.exists()

    generate(50, 1, "--force")

    assert Dialogue.objects.filter(pk=real.pk).exists()
    assert Dialogue.objects.filter(slug__startswith=synthetic.PREFIX).count() == 50
    # The real era and conflict are reused rather than joined by synthetic ones.
    assert set(Dialogue.objects.values_list("era_id", flat=True)) == {real.era_id}
    assert set(Dialogue.objects.values_list("conflict_id", flat=True)) == {real.conflict_id}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failing", ["citations", "search index"])
def test_a_run_that_fails_midway_leaves_the_database_as_it_was(monkeypatch, failing):
    era = f.make_era()
    before = dump()

    if failing == "citations":
        original = synthetic.Generator._citation_rows

        def citation_rows(self, first):
            for count, row in enumerate(original(self, first)):
                if count == 250:
                    raise RuntimeError("disk on fire")
                yield row

        monkeypatch.setattr(synthetic.Generator, "_citation_rows", citation_rows)
    else:

        def rebuild_index(*args, **kwargs):
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(search, "rebuild_index", rebuild_index)

    with pytest.raises(RuntimeError, match="disk on fire"):
        generate(300, 1, "--batch-size", "100")

    assert dump() == before
    assert Era.objects.get().pk == era.pk


# --- Search -------------------------------------------------------------------------------


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


@pytest.mark.django_db
def test_cached_figures_are_marked_stale():
    before = caching.generation()

    generate(20)

    assert caching.generation() > before


# --- The command --------------------------------------------------------------------------


@pytest.mark.django_db
def test_dry_run_reports_the_counts_a_real_run_makes_and_writes_nothing():
    output = generate(400, 3, "--dry-run")

    assert "Dry run" in output
    assert all(not model.objects.exists() for model in MODELS)
    reported = {
        name: int(count.replace(",", ""))
        for name, count in re.findall(r"^\s+(\w+): ([\d,]+)", output, flags=re.MULTILINE)
    }

    generate(400, 3)

    for stage, model in synthetic.STAGES:
        assert reported[stage] == model.objects.count(), stage


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--dialogues", "0", "--seed", "1"], "from 1 to 10,000,000"),
        (["--dialogues", "10000001", "--seed", "1"], "from 1 to 10,000,000"),
        (["--dialogues", "many", "--seed", "1"], "from 1 to 10,000,000"),
        (["--dialogues", "2.5", "--seed", "1"], "from 1 to 10,000,000"),
        (["--dialogues", "10", "--seed", "x"], "whole number such as"),
        (["--dialogues", "10", "--seed", "1.5"], "whole number such as"),
        (["--dialogues", "10", "--seed", "1", "--batch-size", "99"], "from 100 to 100,000"),
        (["--dialogues", "10", "--seed", "1", "--batch-size", "100001"], "from 100 to 100,000"),
        (["--seed", "1"], "--dialogues"),
        (["--dialogues", "10"], "--seed"),
        (["--dialogues", "10", "--seed", "1", "--database", "elsewhere"], "no database"),
    ],
)
def test_bad_arguments_are_refused_with_what_is_accepted(args, expected):
    with pytest.raises(CommandError) as error:
        call_command("generate_synthetic", *args, stdout=io.StringIO(), stderr=io.StringIO())

    assert expected in str(error.value)
    assert not Dialogue.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"dialogues": 0, "seed": 1}, "--dialogues: expected a whole number"),
        ({"dialogues": True, "seed": 1}, "--dialogues: expected a whole number"),
        ({"dialogues": 10, "seed": "one"}, "--seed: expected a whole number"),
        ({"dialogues": 10, "seed": 1, "batch_size": 10**6}, "--batch-size: expected"),
    ],
)
def test_keyword_options_are_checked_as_strictly(options, expected):
    with pytest.raises(CommandError, match=re.escape(expected)):
        call_command("generate_synthetic", stdout=io.StringIO(), **options)


def test_a_bad_value_on_the_command_line_gives_a_message_not_a_traceback():
    manage = Path(settings.BASE_DIR) / "manage.py"
    result = subprocess.run(
        [sys.executable, str(manage), "generate_synthetic", "--dialogues", "-3", "--seed", "1"],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_DEBUG": "true"},
        timeout=60,
    )

    assert result.returncode != 0
    assert "from 1 to 10,000,000" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_progress_goes_to_stderr_unless_quiet():
    err = io.StringIO()
    call_command(
        "generate_synthetic", "--dialogues", "50", "--seed", "1", stdout=io.StringIO(), stderr=err
    )
    lines = err.getvalue().splitlines()
    assert any(line.startswith("dialogues 50/50 [") and "100%" in line for line in lines)
    assert any(line.startswith("search index") for line in lines)
    assert "\r" not in err.getvalue()  # not a terminal: whole lines only

    empty_archive()
    for extra in (["--quiet"], ["--verbosity", "0"]):
        err = io.StringIO()
        call_command(
            "generate_synthetic",
            "--dialogues",
            "20",
            "--seed",
            "1",
            *extra,
            stdout=io.StringIO(),
            stderr=err,
        )
        assert err.getvalue() == ""
        empty_archive()


@pytest.mark.parametrize("interactive", [False, True])
def test_the_progress_bar(interactive):
    written = []
    now = iter(range(100))
    bar = ProgressBar(written.append, interactive=interactive, clock=lambda: next(now))

    for done in range(0, 1001, 100):
        bar("dialogues", done, 1000)

    text = "".join(written)
    assert text.endswith("dialogues 1,000/1,000 [====================] 100% 10.0s\n")
    if interactive:
        # Redrawn in place at every call, with one newline when the stage ends.
        assert text.count("\r") == 11 and text.count("\n") == 1
        assert "\rdialogues 500/1,000 [==========          ]  50% 5.0s" in text
    else:
        # A line at each quarter, not one per batch.
        assert len(written) == 4
        assert written[1].startswith("dialogues 500/1,000 [==========          ]  50%")
