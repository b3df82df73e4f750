"""Generate a synthetic archive and write it, all or nothing.

Everything, the search index included, happens in one transaction, so a failed or interrupted
run leaves the database as it was. No per-record history is written: the rows go in through
bulk writes that send no signals.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS

from dialogues import writes
from dialogues.models import Dialogue

from .arguments import DEFAULT_BATCH_SIZE, check_batch_size
from .generator import PREFIX, STAGES, Generator, SyntheticError
from .writer import Progress, Writer, build_index, lock_tables, reset_sequences

MODELS = tuple(model for _, model in STAGES)


@dataclass
class Result:
    """What a run made (or, for a dry run, would make), and how long each stage took."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    reused: dict[str, int] = field(default_factory=dict)
    indexed: int = 0
    dry_run: bool = False


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


def real_dialogue_count(using: str = DEFAULT_DB_ALIAS) -> int:
    """Count the dialogues that are not synthetic."""
    return Dialogue.objects.using(using).exclude(slug__startswith=PREFIX).count()


def generate(
    dialogues: int,
    seed: int,
    *,
    using: str = DEFAULT_DB_ALIAS,
    batch_size: int = DEFAULT_BATCH_SIZE,
    force: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Result:
    """Create a synthetic archive of `dialogues` dialogues from `seed`, all or nothing.

    Refuse (SyntheticError) when the database holds real dialogues, unless `force`. A dry run
    generates every row in memory, reports the counts and writes nothing. `progress`, if given,
    is called with (stage, rows done, rows in the stage) as the work goes on.
    """
    progress = progress or _no_progress
    batch_size = check_batch_size(batch_size)
    generator = Generator(dialogues, seed, using=using)
    if not force:
        _refuse_real_dialogues(using)
    result = Result(dry_run=dry_run)
    writer = Writer(using, batch_size, dry_run, progress)
    if dry_run:
        _run_stages(generator, writer, result)
        return result
    _write(generator, writer, result, using, progress)
    return result


def _refuse_real_dialogues(using: str) -> None:
    real = real_dialogue_count(using)
    if real:
        noun = "dialogue" if real == 1 else "dialogues"
        raise SyntheticError(
            f"The database “{using}” holds {real:,} real {noun} (slugs not starting with "
            f"“{PREFIX}”). Synthetic records would be mixed in with them; use a database of "
            "their own, or --force to add them anyway."
        )


def _write(
    generator: Generator, writer: Writer, result: Result, using: str, progress: Progress
) -> None:
    """Write every stage and rebuild the search index in one transaction, then commit."""
    with writes.batch(using):
        lock_tables(using, MODELS)
        _run_stages(generator, writer, result)
        reset_sequences(using, MODELS)
        started = time.monotonic()
        result.indexed = build_index(using, MODELS, progress)
        result.seconds["search index"] = time.monotonic() - started
        started = time.monotonic()
        progress("commit", 0, 1)
    progress("commit", 1, 1)
    result.seconds["commit"] = time.monotonic() - started


def _run_stages(generator: Generator, writer: Writer, result: Result) -> None:
    for stage, model in STAGES:
        started = time.monotonic()
        rows, total = getattr(generator, stage)()
        written = writer.write(stage, model, rows, total) if total else 0
        result.counts[stage] = written
        if stage in ("eras", "conflicts") and not written:
            result.reused[stage] = (
                len(generator.era_spans)
                if stage == "eras"
                else len(generator.conflicts_drawn.values)
            )
        result.seconds[stage] = time.monotonic() - started
