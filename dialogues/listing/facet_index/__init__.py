"""The facet index: every filter of the browse page as compressed bitmaps of public dialogues.

Counting the dialogues per value of a facet under the other active filters would otherwise be a
grouped scan for every combination of filters nobody asked for before, which is most of them.
Instead, once per archive generation and day, `build()` reads the public dialogues in three
streamed queries of plain values and two of their outcomes and participations, and keeps:

- the dialogues numbered by their position in date order (`Dialogue.CHRONOLOGICAL`): a set of
  dialogues is a `pyroaring.BitMap` of positions, and a page in date order is a slice of it;
- for the two other sorts (`-date`, `title`), each position's rank and each rank's position;
- one bitmap per value of each filter: era, conflict, track, place, outcome, side (only the
  participations whose side readers may see), background and participant (only disclosed
  participations), in the same words as `DialogueFilterSet`'s methods;
- each dialogue's earliest and latest possible day, to answer `from`/`to` as ranges.

A facet's count is then `len(value & rest)`, `rest` being the intersection of the other active
filters; a search joins as the bitmap of the ids its index matches (`search.search_ids`), and
a `place` (a substring) as the union of the places the database's own `icontains` accepts.

The index is exact the moment an editor saves: it is keyed by the generation (read from the
database once per request, bumped in the save's transaction) and by the day (an embargo lifts
and a withheld name appears at midnight without a save). It is built once for all workers and
app servers: the first to need it takes a lock in the shared cache (`cache.add`), builds it and
stores it serialized; the others wait for it and read it. Each process keeps its deserialized
copy while the generation and day last. A token stored beside it names the copy, so that a
process never trusts its own copy of an index the shared cache no longer vouches for. Every
stored index is also written to a file of its generation and day that the workers of the
machine map (`files.py`): one copy in memory for all of them, and a save seen by each with no
shared cache at all.

A save does not leave the next generation's index to be built: the write path takes its lock
inside the save's transaction (`reserve`), and once the save commits it updates the index of
the generation before in place with the dialogues the save changed (`follow`, `update`) and
stores it as the new generation's, in the process, the shared cache and the file. Readers of
the new generation meanwhile find the lock (or the file's marker) and answer by SQL; none
builds it.

The package: `index.py` holds the index (`FacetIndex`: reading, storing and loading it),
`build.py` builds one from the database (`build`), `update.py` brings one up to date with
the dialogues a save changed (`update`), `files.py` writes it to a file and maps it,
`shared.py` keeps the current one in the
shared cache and in each process (`current`, `forget`), and `selection.py` reads a filterset's
filters off it (`Selection`, `selection`, `sort_of`).
"""

# `build` and `selection` below are the functions, which shadow their modules' names here.
from .build import build
from .build import progress as build_progress
from .index import FACETED, FORMAT, SORT_ORDERS, FacetIndex
from .selection import Selection, search_positions, selection, sort_of
from .shared import BUILD_TIMEOUT, MOST_UPDATED, _keys, current, follow, forget, keep, reserve
from .update import update

__all__ = [
    "BUILD_TIMEOUT",
    "FACETED",
    "FORMAT",
    "SORT_ORDERS",
    "MOST_UPDATED",
    "FacetIndex",
    "Selection",
    "_keys",
    "build",
    "build_progress",
    "current",
    "follow",
    "forget",
    "keep",
    "reserve",
    "search_positions",
    "selection",
    "sort_of",
    "update",
]
