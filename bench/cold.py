"""Cold traffic: URL lists in which every address is one nobody has requested before.

Researchers mostly make filter combinations nobody has made before, so a page that is fast only
once a cache holds it is not fast. The cold kinds of page are drawn, with a seeded generator,
from the whole product of what the list accepts:

- `cold_filter`: every filter parameter alone, then every pair of them, then random
  combinations of one to five, each with a value drawn from all its values (every era,
  conflict, side, background, outcome, track and sort; participants and places across the
  archive; years from the earliest to the latest);
- `cold_search_common`: the most common words (each alone first, then with each sort, then
  page 2 and 3, then pairs of them);
- `cold_search`: words from the whole frequency range, common, middle and rare in turn;
- `cold_search_filter`: words from the whole range with one to three random filters;
- `cold_record`: records drawn from all of them.

No address appears twice in a list, and the lists depend only on the data and the seed. The
load walks each list from its start without wrapping (`paths.lua`), and the in-process capture
takes its URLs from the list's end (`capture_part`), so the server meets none of them before.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

LISTING = "/dialogues/"
COLD_KINDS = (
    "cold_filter",
    "cold_search_common",
    "cold_search",
    "cold_search_filter",
    "cold_record",
    "write_during_reads",
)
# The warm kind each cold kind is set beside in the report, and warmed up on: its code and
# templates are loaded before the run, none of its data.
WARM_OF = {
    "cold_filter": "era_outcome",
    "cold_search_common": "search_common",
    "cold_search": "search_rare",
    "cold_search_filter": "search_filter",
    "cold_record": "record",
    "write_during_reads": "era_outcome",
}
# The in-process capture requests these many URLs from the end of each cold list; the load
# never reaches them unless it runs out of list, which it reports.
CAPTURE_TAIL = 40
# The share of the searchable words, by how many dialogues hold them, that count as common and
# as rare; the rest are the middle of the range.
COMMON_SHARE = 0.05
RARE_SHARE = 0.40
MIN_COMMON = 20
# Participants and places are sampled evenly from all of them: at 1M dialogues there are too
# many participants to keep every one in the list of values.
MAX_VALUES = 5_000
# Tries at drawing an address not drawn before, before a list is declared as long as it gets.
MAX_MISSES = 2_000


def load_part(paths: list[str]) -> list[str]:
    """The part of a cold list the load walks: all but the capture's tail."""
    return paths[:-CAPTURE_TAIL] if len(paths) > 2 * CAPTURE_TAIL else paths[: len(paths) // 2]


def capture_part(paths: list[str]) -> list[str]:
    """The URLs the in-process capture requests: the list's end, the last first."""
    return list(reversed(paths[len(load_part(paths)) :]))


def urls_needed(max_rps: float, duration: float, runs: int = 2) -> int:
    """How many distinct URLs a kind needs so that `runs` runs at max_rps never repeat one."""
    return int(max_rps * duration * runs) + CAPTURE_TAIL


def render(params: dict, order: Iterable[str]) -> str:
    """The address of a list page with params, the parameters in a fixed order."""
    ordered = {name: params[name] for name in order if name in params}
    ordered.update({name: value for name, value in params.items() if name not in ordered})
    return f"{LISTING}?{urlencode(ordered)}" if ordered else LISTING


# --- Words ------------------------------------------------------------------------------------


def word_bands(frequencies: Counter) -> dict[str, list[str]]:
    """Split the words into common, middle and rare by how many texts hold them.

    Within a band words run from the most frequent down, ties alphabetical.
    """
    ranked = [w for w, _ in sorted(frequencies.items(), key=lambda kv: (-kv[1], kv[0]))]
    common = max(MIN_COMMON, int(len(ranked) * COMMON_SHARE))
    rare = int(len(ranked) * RARE_SHARE)
    common = min(common, len(ranked))
    return {
        "common": ranked[:common],
        "middle": ranked[common : max(common, len(ranked) - rare)],
        "rare": ranked[max(common, len(ranked) - rare) :],
    }


def across_bands(bands: dict[str, list[str]], rng: random.Random) -> list[str]:
    """Every word of every band once, the bands taken in turn, each band in a seeded order."""
    shuffled = []
    for name in ("common", "middle", "rare"):
        words = list(bands.get(name, []))
        rng.shuffle(words)
        shuffled.append(words)
    return [w for group in itertools.zip_longest(*shuffled) for w in group if w is not None]


# --- Filter combinations ----------------------------------------------------------------------


class Drawer:
    """Draw filter parameters and values from the catalogue of every value, with one generator.

    values maps each filter parameter (`era`, `side`, `from`, `sort`, …) to the values it
    accepts; order is the order parameters are written in an address.
    """

    def __init__(self, values: dict[str, list[str]], order: list[str], rng: random.Random):
        self.values = {name: list(v) for name, v in values.items() if v}
        self.order = [name for name in order if name in self.values]
        self.rng = rng

    def params(self, names: Iterable[str]) -> dict:
        chosen = {name: self.rng.choice(self.values[name]) for name in names}
        if "from" in chosen and "to" in chosen and int(chosen["from"]) > int(chosen["to"]):
            chosen["from"], chosen["to"] = chosen["to"], chosen["from"]
        return chosen

    def random_names(self, low: int, high: int, exclude: tuple[str, ...] = ()) -> list[str]:
        names = [name for name in self.order if name not in exclude]
        count = self.rng.randint(low, min(high, len(names)))
        return self.rng.sample(names, count)

    def structured(self) -> list[dict]:
        """Every parameter alone, then every pair of parameters: the coverage's floor."""
        singles = [self.params([name]) for name in self.order]
        pairs = [self.params(pair) for pair in itertools.combinations(self.order, 2)]
        self.rng.shuffle(pairs)
        return singles + pairs


def _distinct(
    candidates: Iterable[dict], draw: Callable[[], dict] | None, n: int, order: list[str]
) -> list[dict]:
    """Up to n params with distinct addresses: the candidates first, then fresh draws."""
    chosen: list[dict] = []
    seen: set[str] = set()

    def take(params: dict) -> bool:
        address = render(params, order)
        if address in seen:
            return False
        seen.add(address)
        chosen.append(params)
        return True

    for params in candidates:
        if len(chosen) >= n:
            return chosen
        take(params)
    misses = 0
    while draw is not None and len(chosen) < n and misses < MAX_MISSES:
        misses = 0 if take(draw()) else misses + 1
    return chosen


def filter_lists(drawer: Drawer, n: int) -> list[dict]:
    """Filter combinations: each parameter alone, each pair, then random ones of 1 to 5."""
    return _distinct(
        drawer.structured(),
        lambda: drawer.params(drawer.random_names(1, 5)),
        n,
        drawer.order,
    )


def common_searches(words: list[str], sorts: list[str], n: int, order: list[str]) -> list[dict]:
    """Common words alone, then with each sort, then pages 2 and 3, then in pairs."""

    def candidates():
        yield from ({"q": w} for w in words)
        yield from ({"q": w, "sort": s} for s in sorts for w in words)
        yield from ({"q": w, "page": p} for p in (2, 3) for w in words)
        yield from ({"q": f"{a} {b}"} for a, b in itertools.combinations(words, 2))

    return _distinct(candidates(), None, n, order)


def range_searches(words: list[str], sorts: list[str], n: int, order: list[str]) -> list[dict]:
    """Words across the frequency range alone, then with each sort."""
    candidates = [{"q": w} for w in words] + [{"q": w, "sort": s} for s in sorts for w in words]
    return _distinct(candidates, None, n, order)


def filtered_searches(drawer: Drawer, words: list[str], n: int) -> list[dict]:
    """Words across the range, each with one to three random filters."""
    if not words:
        return []
    cycle = itertools.cycle(words)

    def draw() -> dict:
        return {"q": next(cycle), **drawer.params(drawer.random_names(1, 3))}

    return _distinct([], draw, n, ["q", *drawer.order])


def build_lists(
    values: dict[str, list[str]],
    order: list[str],
    frequencies: Counter,
    records: list[str],
    *,
    n: int,
    seed: int,
) -> dict[str, list[dict]]:
    """Return the params of each cold kind's URLs, n at most each; pure, for one seed."""
    rng = random.Random(f"cold-{seed}")
    drawer = Drawer(values, order, rng)
    bands = word_bands(frequencies)
    common = list(bands["common"])
    rng.shuffle(common)
    spread = across_bands(bands, rng)
    sorts = list(values.get("sort", []))
    query_order = ["q", *order, "page"]
    sample = rng.sample(records, min(n, len(records)))
    return {
        "cold_filter": filter_lists(drawer, n),
        "cold_search_common": common_searches(common, sorts, n, query_order),
        "cold_search": range_searches(spread, sorts, n, query_order),
        "cold_search_filter": filtered_searches(drawer, spread, n),
        "cold_record": [{"slug": slug} for slug in sample],
        "write_during_reads": edited_lists(values, order, n, seed),
    }


def edited_lists(values: dict, order: list[str], n: int, seed: int) -> list[dict]:
    """Random filter combinations of 1 to 5 for the readers while an editor saves.

    Drawn with a generator of their own, so that they are not `cold_filter`'s addresses:
    whichever kind runs first would otherwise leave pages for the other.
    """
    drawer = Drawer(values, order, random.Random(f"write-{seed}"))
    return _distinct([], lambda: drawer.params(drawer.random_names(1, 5)), n, drawer.order)


def coverage(params_lists: Iterable[list[dict]]) -> dict:
    """Which parameters the lists use, alone and with others, and every pair used together.

    `page` is left out: it is not a filter.
    """
    alone: Counter = Counter()
    combined: Counter = Counter()
    pairs: Counter = Counter()
    for params_list in params_lists:
        for params in params_list:
            names = sorted(name for name in params if name not in {"page", "slug"})
            if len(names) == 1:
                alone[names[0]] += 1
            for name in names if len(names) > 1 else ():
                combined[name] += 1
            pairs.update("+".join(pair) for pair in itertools.combinations(names, 2))
    return {
        "alone": dict(sorted(alone.items())),
        "combined": dict(sorted(combined.items())),
        "pairs": dict(sorted(pairs.items())),
    }
