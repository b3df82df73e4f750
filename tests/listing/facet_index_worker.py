"""A worker process for `test_facet_index_between_processes.py`: one command a line on stdin.

- `seed`: an era, a published dialogue and a draft;
- `read`: the facet index this process's next request would use, as `size mapped built`
  (its size, or `none`; whether it is mapped from the shared file; how many builds it started);
- `publish`: publish the draft through the write path, then as `read`.

It runs with no Redis: each process has its own in-process cache.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trackii.settings")


def main() -> None:
    import django

    django.setup()
    from django.db import transaction

    from dialogues import caching
    from dialogues.listing import facet_index
    from dialogues.models import Dialogue, Status
    from tests.factories import make_dialogue, make_era

    builds = []
    real_build = facet_index.shared.build

    def counted(*args, **kwargs):
        builds.append(1)
        return real_build(*args, **kwargs)

    facet_index.shared.build = counted

    def report() -> str:
        caching.start_request()
        index = facet_index.current(inline=True)
        if index is None:
            return f"none - {len(builds)}"
        mapped = isinstance(index.ids, memoryview)
        return f"{index.size} {'mapped' if mapped else 'own'} {len(builds)}"

    for line in sys.stdin:
        command = line.strip()
        if command == "seed":
            era = make_era(slug="oslo", date="1990/1999")
            make_dialogue(slug="shown", era=era, date="1993", cite=False)
            make_dialogue(slug="draft", era=era, date="1994", status=Status.DRAFT, cite=False)
            answer = "seeded"
        elif command == "read":
            answer = report()
        elif command == "publish":
            with transaction.atomic():
                draft = Dialogue.objects.get(slug="draft")
                draft.status = Status.PUBLISHED
                draft.save()
            answer = report()
        else:
            answer = f"unknown {command}"
        print(answer, flush=True)


if __name__ == "__main__":
    main()
