"""What the synthetic generator's tests share: running the command and reading the archive."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection

import synthetic
from dialogues.models import Era

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


def advance_id_counter(model, value: int) -> None:
    """Set the table's id counter as if rows up to `value` had been made and deleted."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, value])
        else:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [value, table])
