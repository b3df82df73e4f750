"""An editor who saves a dialogue every second, for the `write_during_reads` kind.

    python -m bench.editor --out FILE [--interval 1] [--seconds N] [--saves N]

Run beside the served workers, on their database and shared cache (the harness gives it their
environment). Each save goes through the one write path, as the admin's form does: the model's
`save()` inside a transaction, whose commit moves the generation on and updates the facet index
in place (`dialogues.writes`). The edit is one a reader's filter sees: the dialogue's track
moves to another value and, on the next save, back; the last save puts it back as it was found.

It stops on SIGTERM or SIGINT (or after --seconds) and writes what it did to --out: how many
saves, how long each took, and how many left the facet index updated for the workers to read
(the others leave it to be built again: the reason is in the log).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings")
    import django

    django.setup()


def chosen_dialogue(seed: int = 1):
    """The dialogue the editor works on: a public one, the same for a seed on every run."""
    from dialogues.models import Dialogue

    ids = list(Dialogue.objects.public().order_by("pk").values_list("pk", flat=True)[:1000])
    if not ids:
        raise SystemExit("editor: the archive has no public dialogue to edit")
    return ids[seed % len(ids)]


def save_once(pk: int, track: str) -> dict:
    """Set dialogue `pk`'s track through the write path; return how it went."""
    from django.core.cache import cache
    from django.db import transaction
    from django.utils.timezone import localdate as today

    from dialogues import caching
    from dialogues.listing import facet_index
    from dialogues.models import Dialogue

    started = time.perf_counter()
    with transaction.atomic():
        dialogue = Dialogue.objects.select_for_update().get(pk=pk)
        dialogue.track = track
        dialogue.save()
    # The commit has run the write path's effects, the facet index's update among them.
    seconds = time.perf_counter() - started
    generation = caching.read_generation()
    token_key, _ = facet_index._keys("default", generation)
    held = facet_index.shared._process.get("default")
    # Stored by this process's update, not built by a worker: its token is the one we hold, or
    # the file it wrote is the one it maps.
    stored = (cache.get(token_key), facet_index.shared._file_key("default", generation, today()))
    followed = held is not None and held[0] in stored
    return {"ms": seconds * 1000, "followed": followed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.editor")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between saves")
    parser.add_argument("--seconds", type=float, default=0, help="stop after (0: on a signal)")
    parser.add_argument("--saves", type=int, default=0, help="stop after (0: on a signal)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.interval <= 0:
        parser.error("--interval must be more than 0")
    setup()
    from dialogues.models import Dialogue, Track

    stopping = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.append(True))
    pk = chosen_dialogue(args.seed)
    original = Dialogue.objects.get(pk=pk).track
    other = next(value for value in Track.values if value != original)
    saves: list[dict] = []
    started = time.monotonic()
    try:
        while not stopping and not (args.seconds and time.monotonic() - started >= args.seconds):
            if args.saves and len(saves) >= args.saves:
                break
            tick = time.monotonic()
            saves.append(save_once(pk, other if len(saves) % 2 == 0 else original))
            time.sleep(max(0.0, args.interval - (time.monotonic() - tick)))
    finally:
        if len(saves) % 2:
            save_once(pk, original)
        args.out.write_text(json.dumps(summary(saves, pk), indent=1))
    return 0


def summary(saves: list[dict], pk: int) -> dict:
    times = sorted(save["ms"] for save in saves)
    return {
        "dialogue": pk,
        "saves": len(saves),
        "followed": sum(1 for save in saves if save["followed"]),
        "save_p50_ms": round(times[len(times) // 2], 1) if times else None,
        "save_max_ms": round(times[-1], 1) if times else None,
    }


if __name__ == "__main__":
    sys.exit(main())
