"""The URLs each kind of page is measured on, picked from the database, the same on every run.

Every kind gets a fixed list of distinct URLs (many where the archive has many, such as records
and participants; one for the timeline, which has one address), so that no cache can answer a
whole run from one stored page. The lists depend only on the data: every query here has a total
order, and words are chosen by their counts with ties broken alphabetically. Given the same
generator and seed, SQLite and PostgreSQL get the same lists.

Each URL is kept as its parameters too, so that `datasette_compare` can build the equivalent
Datasette page from the same era, outcome and word.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

PAGE_SIZE = 20
DEEP_PAGE = 2000
SORTS = ("date", "-date", "title")

COMMON_WORDS = 8
RARE_WORDS = 8
RECORDS = 48
BUSIEST_PARTICIPANTS = 10
OTHER_PARTICIPANTS = 30

# Short function words say nothing about the search; four letters or more, minus these.
STOPWORDS = frozenset(
    """
    about above after again against also among around because been before being below between
    both during each from further have having here into just more most much only other over
    same should some such than that their theirs them then there these they this those through
    under until very were what when where which while with would your
    """.split()
)
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    # Measured with wrk and its peers; the exports are measured to their first byte instead.
    loaded: bool = True


KINDS = (
    Kind("hello", "hello-world"),
    Kind("list", "list, unfiltered"),
    Kind("era", "list by era"),
    Kind("era_outcome", "list by era+outcome"),
    Kind("search_common", "search, common word"),
    Kind("search_rare", "search, rare word"),
    Kind("search_filter", "search + filters"),
    Kind("deep", "deep page"),
    Kind("record", "record"),
    Kind("timeline", "timeline"),
    Kind("era_page", "era page"),
    Kind("participant", "participant page"),
    Kind("api", "API list"),
    Kind("export", "CSV export TTFB", loaded=False),
    Kind("export_filtered", "CSV export TTFB, filtered", loaded=False),
)
KIND_LABELS = {kind.key: kind.label for kind in KINDS}

# The kinds taken from the database; "hello" is the server's own and chosen when it is up.
DATA_KINDS = tuple(kind.key for kind in KINDS if kind.key != "hello")


def words_of(text: str) -> set[str]:
    """The distinct words of a text that can stand for a search: lower case, 4+ letters."""
    return {
        word for word in _WORD.findall(text.casefold()) if len(word) >= 4 and word not in STOPWORDS
    }


def document_frequencies(texts: Iterable[str]) -> Counter:
    """How many of the texts hold each word (each text counts a word once)."""
    counts: Counter = Counter()
    for text in texts:
        counts.update(words_of(text or ""))
    return counts


def common_words(frequencies: Counter, n: int) -> list[str]:
    """The n words in most texts, ties broken alphabetically."""
    return [word for word, _ in sorted(frequencies.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def rare_candidates(frequencies: Counter, n: int) -> list[str]:
    """The n rarest words (fewest texts first, ties alphabetically)."""
    return [word for word, _ in sorted(frequencies.items(), key=lambda kv: (kv[1], kv[0]))[:n]]


def evenly(items: list, n: int) -> list:
    """n items taken at even intervals from a list, first included (all when it is shorter)."""
    if len(items) <= n:
        return list(items)
    return [items[(i * len(items)) // n] for i in range(n)]


def path(base: str, params: dict | None = None) -> str:
    return f"{base}?{urlencode(params)}" if params else base


def pages_for(count: int, per_page: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(count / per_page))


def build() -> dict:
    """Return the workload for the configured database: per kind, its params and paths.

    Needs Django set up. Shape: {"kinds": {key: {"paths", "params", "note"}}, "eras",
    "outcomes", "words": {"common": [[word, matches]], "rare": [...]}, "dialogues",
    "deep_page"}.
    """
    from django.db.models import Count

    from dialogues.listing.filters import DialogueFilterSet
    from dialogues.models import Dialogue, Era, OutcomeKind, Participant

    def matches(params: dict) -> int:
        return DialogueFilterSet(params, queryset=Dialogue.objects.all()).qs.count()

    total = Dialogue.objects.count()
    eras = list(
        Era.objects.order_by("position", "pk")
        .annotate(n=Count("dialogues"))
        .values("pk", "slug", "name", "n")
    )
    if not total or not eras:
        raise ValueError("the database holds no dialogues or no eras: nothing to measure")
    era_slugs = [era["slug"] for era in eras]
    outcomes = list(OutcomeKind.values)

    frequencies = document_frequencies(
        Dialogue.objects.order_by("pk").values_list("summary", flat=True).iterator(chunk_size=2000)
    )
    common = [(word, matches({"q": word})) for word in common_words(frequencies, COMMON_WORDS)]
    common = [(word, n) for word, n in common if n > 0]
    # The rarest summary words, by how many dialogues the search really finds for each (it
    # stems words and reads titles, names and excerpts too); each candidate costs one search.
    # A large archive over a small vocabulary may have no word in only a handful of dialogues:
    # then these are the rarest it has, and the note gives their counts.
    counted = [
        (word, matches({"q": word})) for word in rare_candidates(frequencies, RARE_WORDS * 4)
    ]
    rare = sorted(((w, n) for w, n in counted if n > 0), key=lambda wn: (wn[1], wn[0]))[:RARE_WORDS]
    common_list = [word for word, _ in common] or ["dialogue"]
    rare_list = [word for word, _ in rare] or common_list[-1:]

    kinds: dict[str, dict] = {}

    def add(key: str, base: str, params_list: list[dict], note: str = "") -> None:
        unique, seen = [], set()
        for params in params_list:
            rendered = path(base, params)
            if rendered not in seen:
                seen.add(rendered)
                unique.append((rendered, params))
        kinds[key] = {
            "paths": [rendered for rendered, _ in unique],
            "params": [params for _, params in unique],
            "note": note,
        }

    listing = "/dialogues/"
    add("list", listing, [{"sort": s, "page": p} for s in SORTS for p in range(1, 9)])
    add("era", listing, [{"era": slug, "sort": s} for slug in era_slugs for s in SORTS])
    add(
        "era_outcome",
        listing,
        [{"era": slug, "outcome": outcome} for slug in era_slugs for outcome in outcomes],
    )
    add(
        "search_common",
        listing,
        [{"q": w} for w in common_list] + [{"q": w, "sort": "date"} for w in common_list],
        "words in most summaries: " + ", ".join(f"{word} ({n:,} matches)" for word, n in common),
    )
    add(
        "search_rare",
        listing,
        [{"q": w} for w in rare_list],
        "the rarest summary words: " + ", ".join(f"{word} ({n:,} matches)" for word, n in rare),
    )
    combined = []
    for i, word in enumerate(common_list):
        combined.append({"q": word, "era": era_slugs[i % len(era_slugs)]})
        combined.append(
            {
                "q": word,
                "era": era_slugs[(i + len(era_slugs) // 2) % len(era_slugs)],
                "outcome": outcomes[i % len(outcomes)],
            }
        )
    add("search_filter", listing, combined)

    last_page = pages_for(total)
    deep = min(DEEP_PAGE, last_page)
    deep_note = (
        f"page {DEEP_PAGE:,} and the two before it"
        if deep == DEEP_PAGE
        else f"only {last_page:,} pages exist: the deepest page ({deep:,}) and the two before it"
    )
    add(
        "deep",
        listing,
        [{"sort": s, "page": p} for s in SORTS for p in range(deep, max(0, deep - 3), -1)],
        deep_note,
    )

    records = evenly(list(Dialogue.objects.order_by("pk").values_list("slug", flat=True)), RECORDS)
    kinds["record"] = {
        "paths": [f"/dialogues/{slug}/" for slug in records],
        "params": [{"slug": slug} for slug in records],
        "note": "",
    }

    add("timeline", "/timeline/", [{}], "the timeline has one address")
    kinds["era_page"] = {
        "paths": [f"/eras/{slug}/" for slug in era_slugs],
        "params": [{"slug": slug} for slug in era_slugs],
        "note": "",
    }

    busiest = list(
        Participant.objects.annotate(n=Count("participations"))
        .order_by("-n", "slug")
        .values_list("slug", flat=True)[:BUSIEST_PARTICIPANTS]
    )
    everyone = list(Participant.objects.order_by("slug").values_list("slug", flat=True))
    others = [slug for slug in evenly(everyone, OTHER_PARTICIPANTS) if slug not in busiest]
    chosen = busiest + others
    kinds["participant"] = {
        "paths": [f"/participants/{slug}/" for slug in chosen],
        "params": [{"slug": slug} for slug in chosen],
        "note": f"the {len(busiest)} busiest and {len(others)} others",
    }

    api = [{"page": p} for p in range(1, 5)]
    api += [{"era": slug} for slug in era_slugs]
    api += [{"q": word} for word in common_list[:4]]
    api += [{"outcome": outcome, "page_size": 50} for outcome in outcomes[:3]]
    api += [{"q": word} for word in rare_list[:2]]
    add("api", "/api/dialogues/", api)

    add("export", "/dialogues/export.csv", [{}], "the whole archive")
    add(
        "export_filtered",
        "/dialogues/export.csv",
        [
            {"era": era_slugs[0]},
            {"q": common_list[0]},
            {"era": era_slugs[-1], "outcome": outcomes[0]},
        ],
    )
    return {
        "dialogues": total,
        "deep_page": deep,
        "eras": [{"id": e["pk"], "slug": e["slug"], "dialogues": e["n"]} for e in eras],
        "outcomes": outcomes,
        "words": {"common": common, "rare": rare},
        "kinds": kinds,
    }
