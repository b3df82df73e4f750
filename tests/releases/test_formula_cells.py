"""A release's CSV keeps text that starts with =, +, - or @ exactly as stored, as its codebook
says; the live export, made for spreadsheets, neutralises the same text."""

from __future__ import annotations

import csv

import pytest

from dialogues.releases.writer import make_release
from tests.factories import make_dialogue

pytestmark = pytest.mark.django_db

STARTS = {
    "formula-eq": '=HYPERLINK("http://example.org","x")',
    "formula-plus": "+1 more round was planned.",
    "formula-minus": "-- the talks were informal.",
    "formula-at": "@SUM(1)",
}


def test_release_cells_keep_formula_like_text_as_stored(client, releases_dir):
    for slug, summary in STARTS.items():
        make_dialogue(slug=slug, summary=summary)
    folder = make_release("1.0.0").path
    with open(folder / "data" / "dialogues.csv", newline="", encoding="utf-8") as fh:
        summaries = {row["slug"]: row["summary"] for row in csv.DictReader(fh)}
    assert {slug: summaries[slug] for slug in STARTS} == STARTS
    codebook = (folder / "codebook.md").read_text(encoding="utf-8")
    assert "exactly as stored" in codebook
    live = b"".join(client.get("/dialogues/export.csv").streaming_content).decode()
    rows = {r["slug"]: r["summary"] for r in csv.DictReader(live.splitlines()) if r["summary"]}
    assert {slug: rows[slug] for slug in STARTS} == {s: "'" + v for s, v in STARTS.items()}
