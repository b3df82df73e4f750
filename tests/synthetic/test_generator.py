"""The generator's plan: the shape of the archive, its eras and its determinism."""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys

import pytest
from django.conf import settings

import synthetic
from dialogues import integrity
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
from tests.synthetic.helpers import MODELS, dump, empty_archive, generate, load_fixture_eras


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
def test_a_sample_of_every_kind_of_record_passes_full_clean():
    generate(300)

    sampler = random.Random(3)
    for model in MODELS:
        pks = list(model.objects.values_list("pk", flat=True))
        for record in model.objects.filter(pk__in=sampler.sample(pks, min(25, len(pks)))):
            record.full_clean()


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


def test_the_rows_do_not_depend_on_the_process_s_hash_seed():
    # Set order varies with PYTHONHASHSEED; nothing that reaches a row may depend on it.
    script = """
import datetime, hashlib, django
django.setup()
import synthetic
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


# Digests of every stage's rows, taken from the generator before it was split into modules.
# Participants, outcomes and citations were re-pinned when they gained new columns
# (side_note and background_note, key, key), and every table as the models gained columns
# (version, publishing, disclosure, date_display); without those columns, their rows hash
# as before.
# A change to any of them changes every archive built from a seed, and with it the benchmark's
# reused databases and figures: such a change must be deliberate, and these updated with it.
# Sources, eras and dialogues changed when rows began to carry their date in words.
# Eras, participants, organisations, series, dialogues, participations and citations changed
# when rows gained the translation columns, all empty: without them the rows were the same.
# Affiliations and their citations were added after the other stages, leaving them as they were.
PINNED_ROWS = {
    (200, 1): {
        "sources": "280490d86fb44ff07ee257da17ba183f5fe5bedb7afdd2f88a754541cd6a315f",
        "eras": "e1a9e1e0ae394803409bba5288b800dec4aab3332ce1c869dfc2c5c581d15da2",
        "conflicts": "011917389bd4450b2f0c440a850ab61a250e61aa15622b3b6d2758695c7006e6",
        "participants": "03b72b6fe0d8493d8ea09ffc94855289661721f2cdab3f5da56c521e5d85d370",
        "organisations": "a7ca604c96e6cf84c0b74921fe9a39afd89c2fa38c5ac5965d3b1a57612dae05",
        "places": "264d1e3ade4eaa3eccb4ab384655e7cc6b9ebd94bce56c1d06c3d11260e504a4",
        "series": "beef3286d34de5e4768577c453a0a6ae6c54472650aad80b7f3ea00a04bd1196",
        "dialogues": "db18570f7458231430fd52312424db30561dec24947b7edda497cec02eb296b8",
        "participations": "be564c20164222896afade5c93c271f1e375e584911700f7538d55f260bb6c48",
        "outcomes": "6507bc76fa328342e1031cd7d02e81899535d0032dae2efcb94e26188bed780b",
        "citations": "719715fe1aae4f55088bf89669d452b842747a0a8d6c7697d9afbd664a73439f",
        "dialogue_places": "89d73827b02c7d2e2291aaf79dbe52428460962d0f951a948fb3c112e47c1352",
        "memberships": "c5870c69abd6dc85701a56809ab6c6560371cd98968815f8c44c41185958e6e3",
        "name_forms": "04ecfb9ff4d79c3a5773eb2f40391c26041d5b8addc8148262802adf0c36a948",
        "affiliations": "50cc481012b8232f065dc73a3801b592649fbb9c4fcdfa3999308e225b8dc516",
        "affiliation_citations": "6d9ffcf244169421e75fa3e158bbf4a32294ff6a3535a2aae7ea756bf07b2c9b",
    },
    (300, 7): {
        "sources": "5d743476b66ce1dedbeee0e9739dcbb440df2a0b499590c2ee8e9a4b35ffb647",
        "eras": "2801e9496e47e9a5c7c1ff63674795461b8fa26c217c8546ba8a184aa7dd863d",
        "conflicts": "011917389bd4450b2f0c440a850ab61a250e61aa15622b3b6d2758695c7006e6",
        "participants": "5b884513e2e2d4aee4a39eeef20f749d3455302898067447f07eacf7cefbecf5",
        "organisations": "a6a9a072ffb4d160f31901f3f0801adc9ce07406c4a7e835348ef2f672b304ca",
        "places": "a0eae3dc7b76e30af7ad74240686ca61c32dd76964706c805c72f8b82b4c2540",
        "series": "7a569da1ea1d01123fc60381cdb7a68ac0ab4d262e97b6c2f9338d862812f038",
        "dialogues": "3f5710fa52011e2dcd7350a21c224c64d217b90cd8a53fd151d160bfceea72c8",
        "participations": "9cd9e1b3f9d22d14d9032ea26dae12decdbb1639420272fa2009cfafb79e3032",
        "outcomes": "86999f9f92e6e7262f9949280e39426051a929eb49b2fdfba3ba6c0c4a5bd7e2",
        "citations": "36a23606acf506d48652af589dd01978661d2759b743b04292ea1bb3bc1efb6c",
        "dialogue_places": "5907388bd7d126c3be606a05720048e25f22b950cf86a94a938d177c84ab2b3b",
        "memberships": "528546122b2558ef5017b269d9beaf33da3825822120d6d530c7c6ecd90e8baa",
        "name_forms": "4038a5b0ae85d50492b5226b417873223f87706f5588569a8bddae17b53ea7d2",
        "affiliations": "c936fe3c59f8d86359111e62783bc6e41fb5cbccf0b6e5911e800c2f049b28bf",
        "affiliation_citations": "84795de969561be483e778f3b6e5ea18f4a2a0bc52f3344e0ae3d1e8b2eb17d9",
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize(("dialogues", "seed"), list(PINNED_ROWS))
def test_a_seed_gives_the_rows_it_always_gave(dialogues, seed):
    generator = synthetic.Generator(dialogues, seed)
    digests = {}
    for stage, _ in synthetic.STAGES:
        # Each stage's rows are read in full before the next stage, as the writer does.
        rows = list(getattr(generator, stage)()[0])
        digests[stage] = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()

    assert digests == PINNED_ROWS[(dialogues, seed)]


@pytest.mark.django_db
def test_people_hold_posts_with_role_kinds_edtf_dates_and_a_citation_each():
    from dialogues import dates
    from dialogues.models import RoleKind

    generator = synthetic.Generator(2000, 3)
    rows = {}
    for stage, model in synthetic.STAGES:
        names = [f.attname for f in model._meta.concrete_fields]
        rows[stage] = [
            dict(zip(names, values, strict=True)) for values in getattr(generator, stage)()[0]
        ]
    affiliations = rows["affiliations"]
    people = {r["id"] for r in rows["participants"] if r["kind"] == "person"}
    assert len(affiliations) > 100
    assert {r["participant_id"] for r in affiliations} <= people
    assert {r["role"] for r in affiliations} <= set(RoleKind.values)
    for r in affiliations:
        for value in (r["start"], r["end"]):
            if value:
                dates.parse(value)  # raises on a date that is not EDTF
    spells = [(r["participant_id"], r["organisation_id"], r["role"]) for r in affiliations]
    # The same role held twice, each spell its own row, told apart by its start.
    assert len(set(spells)) < len(spells)
    starts = [(*spell, r["start"]) for spell, r in zip(spells, affiliations, strict=True)]
    assert len(set(starts)) == len(starts)
    cited = [r["affiliation_id"] for r in rows["affiliation_citations"]]
    assert sorted(cited) == sorted(r["id"] for r in affiliations)
    # Published: each has the citation that publishing an affiliation needs.
    assert {r["status"] for r in affiliations} == {"published"}
