"""Fixture files written in code for the loader's tests, and a way to run a command and read it.

The set is small and valid, and deliberately out of order; tests break one thing at a time.
"""

from __future__ import annotations

import io
import json

from django.apps import apps
from django.core.management import call_command

from .archives import ESSAY_TITLE


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def valid_fixtures() -> dict[str, list[dict]]:
    """A small, valid fixture set, deliberately out of order: citations before dialogues, and
    the file holding dialogues sorts before the file holding their eras and sources."""
    return {
        "1-dialogues.json": [
            {
                "model": "dialogues.citation",
                "fields": {
                    "dialogue": ["stockholm-channel"],
                    "source": ["across-the-line"],
                    "outcome": ["stockholm-channel", "proposal"],
                    "participant": ["a-negotiator"],
                    "excerpt": "nobody expected the talks to last",
                    "paragraph": 1,
                },
            },
            {
                "model": "dialogues.dialogue",
                "fields": {
                    "slug": "stockholm-channel",
                    "title": "The Stockholm channel",
                    "era": ["oslo-years"],
                    "conflict": ["israeli-palestinian"],
                    "date": "1995-06",
                    "summary": "Secret talks in a Stockholm hotel.",
                },
            },
            {
                "model": "dialogues.participation",
                "fields": {
                    "dialogue": ["stockholm-channel"],
                    "participant": ["a-negotiator"],
                    "role": "participant",
                },
            },
            {
                "model": "dialogues.outcome",
                "fields": {
                    "dialogue": ["stockholm-channel"],
                    "kind": "proposal",
                    "description": "A draft that no government adopted.",
                },
            },
            {
                "model": "dialogues.citation",
                "fields": {
                    "dialogue": ["geneva-talks"],
                    "source": ["across-the-line"],
                    "excerpt": "the drafts travelled in diplomatic bags",
                    "paragraph": 3,
                },
            },
            {
                "model": "dialogues.dialogue",
                "fields": {
                    "slug": "geneva-talks",
                    "title": "The Geneva talks",
                    "era": ["after-oslo"],
                    "conflict": ["israeli-palestinian"],
                    "date": "2003~",
                    "summary": "Talks on a model agreement.",
                },
            },
        ],
        "2-base.json": [
            {
                "model": "dialogues.participant",
                "fields": {
                    "slug": "a-negotiator",
                    "name": "A. Negotiator",
                    "kind": "person",
                    "side": "israeli",
                },
            },
            {
                "model": "dialogues.era",
                "fields": {
                    "slug": "after-oslo",
                    "name": "After Oslo",
                    "position": 2,
                    "date": "2000/2010",
                    "summary": "The years after the Oslo process.",
                },
            },
            {
                "model": "dialogues.era",
                "fields": {
                    "slug": "oslo-years",
                    "name": "The Oslo years",
                    "position": 1,
                    "date": "1993/1999",
                    "summary": "The Oslo process.",
                },
            },
            {
                "model": "dialogues.source",
                "fields": {
                    "slug": "across-the-line",
                    "title": ESSAY_TITLE,
                    "author": "A. Writer",
                    "date": "2006",
                    "first_words": "When the delegations",
                },
            },
            {
                "model": "dialogues.conflict",
                "fields": {"slug": "israeli-palestinian", "name": "Israeli–Palestinian"},
            },
        ],
    }


def write_fixtures(folder, files: dict[str, list[dict] | str]):
    folder.mkdir(exist_ok=True)
    for name, records in files.items():
        text = records if isinstance(records, str) else json.dumps(records, ensure_ascii=False)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def find(files, model: str, slug: str | None = None, **match) -> dict:
    """Return the fields of the one fixture record of `model` with that slug or field values."""
    if slug is not None:
        match["slug"] = slug
    (fields,) = [
        record["fields"]
        for records in files.values()
        for record in records
        if record["model"] == model and all(record["fields"].get(k) == v for k, v in match.items())
    ]
    return fields


def dump() -> dict[str, list[dict]]:
    """Every row of every archive table, to show that a command changed nothing."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_app_config("dialogues").get_models()
    }


def row_count() -> int:
    return sum(len(rows) for rows in dump().values())


def fixture_counts(files) -> dict[str, int]:
    counts: dict[str, int] = {}
    for records in files.values():
        for record in records:
            counts[record["model"]] = counts.get(record["model"], 0) + 1
    return counts
