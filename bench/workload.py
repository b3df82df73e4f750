"""The URLs each kind of page is measured on, picked from the database, the same on every run.

Every kind gets a fixed list of distinct URLs (many where the archive has many, such as records
and participants; one for the timeline, which has one address), so that no cache can answer a
whole run from one stored page. The lists depend only on the data: every query here has a total
order, and words are chosen by their counts with ties broken alphabetically. Given the same
generator and seed, SQLite and PostgreSQL get the same lists.

Each URL is kept as its parameters too, so that `datasette_compare` can build the equivalent
Datasette page from the same era, outcome and word.

These lists are the warm traffic: a run requests each URL many times. The cold kinds (`cold.py`)
are drawn from every value of every filter, so that no address repeats within a run.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from bench import cold

PAGE_SIZE = 20
DEEP_PAGE = 2000
SORTS = ("date", "-date", "title")

COMMON_WORDS = 8
RARE_WORDS = 8
RECORDS = 48
FILTER_VALUES = 8  # values of each of issue 21's filters, the busiest first
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
    # Walked once from the start, never wrapping, and reported beside its warm kind.
    cold: bool = False


KINDS = (
    Kind("hello", "hello-world"),
    Kind("list", "list, unfiltered"),
    Kind("era", "list by era"),
    Kind("era_outcome", "list by era+outcome"),
    Kind("search_common", "search, common word"),
    Kind("search_rare", "search, rare word"),
    Kind("search_filter", "search + filters"),
    # Issue 21's filters of the list, each on its own, with values drawn from the data.
    Kind("by_organisation", "list by organisation"),
    Kind("by_series", "list by series"),
    Kind("by_level", "list by level"),
    Kind("by_capacity", "list by capacity"),
    Kind("by_place", "list by place"),
    Kind("by_country", "list by country"),
    Kind("deep", "deep page"),
    Kind("record", "record"),
    Kind("timeline", "timeline"),
    Kind("era_page", "era page"),
    Kind("participant", "participant page"),
    # The pictures (dialogues/pages/pictures): each page that draws one, and each figure's download.
    Kind("network", "network of who met whom"),
    Kind("places", "places with their map"),
    Kind("years_svg", "dialogues by year, SVG"),
    Kind("map_svg", "map of places, SVG"),
    Kind("api", "API list"),
    Kind("export", "CSV export TTFB", loaded=False),
    Kind("export_filtered", "CSV export TTFB, filtered", loaded=False),
    # Every address of these is one nobody requested before: see cold.py.
    Kind("cold_filter", "filtered list, never requested", cold=True),
    Kind("cold_search_common", "common word, never requested", cold=True),
    Kind("cold_search", "any word, never requested", cold=True),
    Kind("cold_search_filter", "search + filters, never req.", cold=True),
    Kind("cold_record", "record, never requested", cold=True),
    # Lists never requested before, while an editor saves a dialogue every second (editor.py).
    Kind("write_during_reads", "lists never req., editor saving", cold=True),
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


def build(*, cold_urls: int = 0, seed: int = 1) -> dict:
    """Return the workload for the configured database: per kind, its params and paths.

    Needs Django set up. Shape: {"kinds": {key: {"paths", "params", "note"}}, "eras",
    "outcomes", "words": {"common": [[word, matches]], "rare": [...]}, "dialogues",
    "deep_page", "cold": {"urls", "seed", "coverage", "bands"}}. With cold_urls, each cold kind
    gets up to that many distinct URLs, drawn with the seed.
    """
    from dialogues.models import Dialogue, OutcomeKind

    total = Dialogue.objects.count()
    eras = _eras()
    if not total or not eras:
        raise ValueError("the database holds no dialogues or no eras: nothing to measure")
    era_slugs = [era["slug"] for era in eras]
    outcomes = list(OutcomeKind.values)
    frequencies = document_frequencies(
        Dialogue.objects.order_by("pk").values_list("summary", flat=True).iterator(chunk_size=2000)
    )
    common, rare = _words(frequencies)
    common_list = [word for word, _ in common] or ["dialogue"]
    rare_list = [word for word, _ in rare] or common_list[-1:]

    kinds: dict[str, dict] = {}
    _list_kinds(kinds, era_slugs, outcomes, common, rare, common_list, rare_list)
    _filter_kinds(kinds)
    deep = _deep_kind(kinds, total)
    _page_kinds(kinds, era_slugs)
    _api_and_export_kinds(kinds, era_slugs, outcomes, common_list, rare_list)
    cold_info = _cold_kinds(kinds, frequencies, cold_urls, seed) if cold_urls else {}
    return {
        "dialogues": total,
        "deep_page": deep,
        "eras": [{"id": e["pk"], "slug": e["slug"], "dialogues": e["n"]} for e in eras],
        "outcomes": outcomes,
        "words": {"common": common, "rare": rare},
        "kinds": kinds,
        "cold": cold_info,
    }


def _eras() -> list[dict]:
    from django.db.models import Count

    from dialogues.models import Era

    return list(
        Era.objects.order_by("position", "pk")
        .annotate(n=Count("dialogues"))
        .values("pk", "slug", "name", "n")
    )


def _matches(params: dict) -> int:
    from dialogues.listing.filters import DialogueFilterSet
    from dialogues.models import Dialogue

    return DialogueFilterSet(params, queryset=Dialogue.objects.all()).qs.count()


def _words(frequencies: Counter) -> tuple[list, list]:
    """The common and rare words, each with how many dialogues the search finds for it."""
    common = [(word, _matches({"q": word})) for word in common_words(frequencies, COMMON_WORDS)]
    common = [(word, n) for word, n in common if n > 0]
    # The rarest summary words, by how many dialogues the search really finds for each (it
    # stems words and reads titles, names and excerpts too); each candidate costs one search.
    # A large archive over a small vocabulary may have no word in only a handful of dialogues:
    # then these are the rarest it has, and the note gives their counts.
    counted = [
        (word, _matches({"q": word})) for word in rare_candidates(frequencies, RARE_WORDS * 4)
    ]
    rare = sorted(((w, n) for w, n in counted if n > 0), key=lambda wn: (wn[1], wn[0]))[:RARE_WORDS]
    return common, rare


def _add(kinds: dict, key: str, base: str, params_list: list[dict], note: str = "") -> None:
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


def _list_kinds(kinds, era_slugs, outcomes, common, rare, common_list, rare_list) -> None:
    listing = "/dialogues/"
    _add(kinds, "list", listing, [{"sort": s, "page": p} for s in SORTS for p in range(1, 9)])
    _add(kinds, "era", listing, [{"era": slug, "sort": s} for slug in era_slugs for s in SORTS])
    _add(
        kinds,
        "era_outcome",
        listing,
        [{"era": slug, "outcome": outcome} for slug in era_slugs for outcome in outcomes],
    )
    _add(
        kinds,
        "search_common",
        listing,
        [{"q": w} for w in common_list] + [{"q": w, "sort": "date"} for w in common_list],
        "words in most summaries: " + ", ".join(f"{word} ({n:,} matches)" for word, n in common),
    )
    _add(
        kinds,
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
    _add(kinds, "search_filter", listing, combined)


def _busiest(rows, field: str) -> list[str]:
    """The values of `field` among `rows` (rows tied to dialogues) with the most dialogues,
    ties by value, at most FILTER_VALUES of them."""
    from django.db.models import Count

    counted = (
        rows.values(field).annotate(n=Count("dialogue_id", distinct=True)).order_by("-n", field)
    )
    return [str(value) for value in counted.values_list(field, flat=True)[:FILTER_VALUES]]


def filter_kind_values() -> dict[str, list[str]]:
    """For each of issue 21's filters, the values its warm kind is measured on: the published
    records (or countries) with the most public dialogues, and every level and capacity."""
    from dialogues.models import (
        Capacity,
        DialoguePlace,
        Level,
        Organisation,
        Participation,
        Place,
        Series,
        SeriesMembership,
        public_q,
    )

    public = public_q("dialogue__")
    organisations = _busiest(
        Participation.objects.filter(public, public_q("on_behalf_of__")), "on_behalf_of__slug"
    ) or list(Organisation.objects.public().order_by("slug").values_list("slug", flat=True))
    series = _busiest(
        SeriesMembership.objects.filter(public, public_q("series__")), "series__slug"
    ) or list(Series.objects.public().order_by("slug").values_list("slug", flat=True))
    placed = DialoguePlace.objects.filter(public, public_q("place__"))
    places = _busiest(placed, "place__slug")
    countries = _busiest(placed.exclude(place__country=""), "place__country") or sorted(
        {str(code) for code in Place.objects.public().values_list("country", flat=True) if code}
    )
    if not places:
        # An archive without place records is filtered by the words of its places.
        places = _place_words()
    return {
        "organisation": organisations[:FILTER_VALUES],
        "series": series[:FILTER_VALUES],
        "level": [str(value) for value in Level.values],
        "capacity": [str(value) for value in Capacity.values],
        "place": places[:FILTER_VALUES],
        "country": countries[:FILTER_VALUES],
    }


def _place_words() -> list[str]:
    from dialogues.models import Dialogue

    words = Dialogue.objects.exclude(place="").order_by("place").values_list("place", flat=True)
    return list(words.distinct()[:FILTER_VALUES])


def _filter_kinds(kinds: dict) -> None:
    listing = "/dialogues/"
    for name, values in filter_kind_values().items():
        _add(
            kinds,
            f"by_{name}",
            listing,
            [{name: value, **sort} for value in values for sort in ({}, {"sort": "-date"})] or [{}],
            f"{len(values)} values, the busiest first"
            if values
            else "no value in the data: the unfiltered list",
        )


def _deep_kind(kinds: dict, total: int) -> int:
    last_page = pages_for(total)
    deep = min(DEEP_PAGE, last_page)
    deep_note = (
        f"page {DEEP_PAGE:,} and the two before it"
        if deep == DEEP_PAGE
        else f"only {last_page:,} pages exist: the deepest page ({deep:,}) and the two before it"
    )
    _add(
        kinds,
        "deep",
        "/dialogues/",
        [{"sort": s, "page": p} for s in SORTS for p in range(deep, max(0, deep - 3), -1)],
        deep_note,
    )
    return deep


def _by_slug(kinds: dict, key: str, base: str, slugs: list[str], note: str = "") -> None:
    kinds[key] = {
        "paths": [f"{base}{slug}/" for slug in slugs],
        "params": [{"slug": slug} for slug in slugs],
        "note": note,
    }


def _page_kinds(kinds: dict, era_slugs: list[str]) -> None:
    from django.db.models import Count

    from dialogues.models import Dialogue, Participant

    records = evenly(list(Dialogue.objects.order_by("pk").values_list("slug", flat=True)), RECORDS)
    _by_slug(kinds, "record", "/dialogues/", records)
    _add(kinds, "timeline", "/timeline/", [{}], "the timeline has one address")
    _by_slug(kinds, "era_page", "/eras/", era_slugs)
    _add(
        kinds,
        "network",
        "/network/",
        [{}, *({"era": slug} for slug in era_slugs), {"side": "israeli"}, {"level": "track_ii"}],
        "every era, one side, one level and no filter",
    )
    _add(kinds, "places", "/places/", [{}], "the list of places has one map")
    by_era = [{}, *({"era": slug} for slug in era_slugs)]
    _add(kinds, "years_svg", "/dialogues/years.svg", by_era, "every era and no filter")
    _add(kinds, "map_svg", "/places/map.svg", by_era, "every era and no filter")
    busiest = list(
        Participant.objects.annotate(n=Count("participations"))
        .order_by("-n", "slug")
        .values_list("slug", flat=True)[:BUSIEST_PARTICIPANTS]
    )
    everyone = list(Participant.objects.order_by("slug").values_list("slug", flat=True))
    others = [slug for slug in evenly(everyone, OTHER_PARTICIPANTS) if slug not in busiest]
    _by_slug(
        kinds,
        "participant",
        "/participants/",
        busiest + others,
        f"the {len(busiest)} busiest and {len(others)} others",
    )


def _api_and_export_kinds(kinds, era_slugs, outcomes, common_list, rare_list) -> None:
    api = [{"page": p} for p in range(1, 5)]
    api += [{"era": slug} for slug in era_slugs]
    api += [{"q": word} for word in common_list[:4]]
    api += [{"outcome": outcome, "page_size": 50} for outcome in outcomes[:3]]
    api += [{"q": word} for word in rare_list[:2]]
    _add(kinds, "api", "/api/dialogues/", api)
    _add(kinds, "export", "/dialogues/export.csv", [{}], "the whole archive")
    _add(
        kinds,
        "export_filtered",
        "/dialogues/export.csv",
        [
            {"era": era_slugs[0]},
            {"q": common_list[0]},
            {"era": era_slugs[-1], "outcome": outcomes[0]},
        ],
    )


# --- Cold kinds -------------------------------------------------------------------------------


def filter_values() -> tuple[dict[str, list[str]], list[str]]:
    """Every value of every filter parameter of the list, read from the FilterSet and the data.

    Returns (values by parameter, the parameters in the FilterSet's order). Choices and
    records (eras, conflicts, participants) come from the filters themselves, so a filter added
    with choices is drawn from at once; `place` takes the archive's published places (their
    slugs) and `from`/`to` its years. A parameter this cannot read gets no values, and the
    coverage test names it.
    """
    import django_filters
    from django.db.models import Max, Min

    from dialogues.listing.filters import DialogueFilterSet
    from dialogues.models import Dialogue, Place

    values: dict[str, list[str]] = {}
    for name, filter_ in DialogueFilterSet.base_filters.items():
        if isinstance(filter_, django_filters.ModelChoiceFilter):
            field = filter_.extra.get("to_field_name") or "pk"
            queryset = filter_.extra["queryset"]
            # django-filter takes a callable of the request too (the participant filter is
            # one, so that "today" is the request's day).
            queryset = queryset(None) if callable(queryset) else queryset
            found = queryset.order_by(field).values_list(field, flat=True)
            values[name] = [str(v) for v in evenly(list(found), cold.MAX_VALUES)]
        elif isinstance(filter_, django_filters.ChoiceFilter):
            values[name] = [str(value) for value, _ in filter_.extra["choices"] if value]
    # `place` names a published place by its slug; an archive without place records is
    # filtered by the words of its places, as links made before places were records are.
    places = list(Place.objects.public().order_by("slug").values_list("slug", flat=True))
    if not places:
        words = Dialogue.objects.exclude(place="").order_by("place").values_list("place", flat=True)
        places = list(words.distinct())
    values["place"] = evenly(places, cold.MAX_VALUES)
    span = Dialogue.objects.aggregate(low=Min("date_earliest"), high=Max("date_latest"))
    if span["low"] and span["high"]:
        years = [str(year) for year in range(span["low"].year, span["high"].year + 1)]
        values["from"] = values["to"] = years
    order = [name for name in DialogueFilterSet.base_filters if name != "q"]
    return {name: values[name] for name in order if name in values}, order


def _cold_kinds(kinds: dict, frequencies: Counter, n: int, seed: int) -> dict:
    from dialogues.models import Dialogue

    values, order = filter_values()
    records = list(Dialogue.objects.public().order_by("pk").values_list("slug", flat=True))
    lists = cold.build_lists(values, order, frequencies, records, n=n, seed=seed)
    query_order = ["q", *order, "page"]
    for key, params_list in lists.items():
        if key == "cold_record":
            _by_slug(kinds, key, "/dialogues/", [p["slug"] for p in params_list])
        else:
            kinds[key] = {
                "paths": [cold.render(p, query_order) for p in params_list],
                "params": params_list,
                "note": "",
            }
        kinds[key]["note"] = f"{len(params_list):,} distinct URLs, seed {seed}"
    bands = cold.word_bands(frequencies)
    return {
        "urls": n,
        "seed": seed,
        "values": {name: len(v) for name, v in values.items()},
        "bands": {name: len(words) for name, words in bands.items()},
        "coverage": cold.coverage(lists[key] for key in cold.COLD_KINDS),
    }
