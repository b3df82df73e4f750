"""Generate a synthetic archive of any size from a seed, in bulk, for load and search testing.

The records look like the real ones where it matters to the site's performance and to search:

* Titles, summaries, excerpts and notes draw their words from a vocabulary of a few thousand
  words (a core of real topical words plus pronounceable made-up ones) with probability
  proportional to 1 / rank^1.07, so word frequencies follow Zipf's law as in real text.
* Participants' activity follows a power law: a few take part in a large share of dialogues,
  while the median participant takes part in half as many as the mean.
* Every dialogue is dated inside its era (the archive's own eras when it has any), including the
  fuzzy bounds of approximate dates; about a fifth of the dates are uncertain.
* Choices (sides, kinds, roles, tracks, outcomes, venues) follow plausible skewed weights.

Every synthetic slug starts with `syn-`, which is how synthetic records are told from real ones.
The same seed gives the same records, and the same ids when the tables start empty: all
randomness comes from `random.Random` instances seeded from the seed, and timestamps fall in the
years before a fixed moment rather than before now.

Rows are built as plain tuples, a stage at a time, and written in batches (COPY on PostgreSQL,
`executemany` on SQLite, `bulk_create` elsewhere), with primary keys assigned up front so that
children can point at their parents without reading ids back. Everything, the search index
included, happens in one transaction, so a failed or interrupted run leaves the database as it
was.
"""

import importlib

# The package is also a Django app, which Django imports before the models are ready: what it
# offers is imported from its modules on first use (PEP 562), not here.
_FROM = {
    "arguments": [
        "DEFAULT_BATCH_SIZE",
        "MAX_BATCH_SIZE",
        "MAX_DIALOGUES",
        "MIN_BATCH_SIZE",
        "MIN_DIALOGUES",
        "check_batch_size",
        "check_dialogues",
        "check_seed",
    ],
    "generator": ["PREFIX", "STAGES", "Generator", "SyntheticError"],
    "runner": ["Result", "generate", "real_dialogue_count"],
    "sampling": ["EPOCH", "ERA_COUNT", "FIRST_YEAR", "LAST_YEAR", "EraSpan", "Weighted"],
    "vocabulary": ["TOPICAL_WORDS", "Words"],
}
_MODULE_OF = {name: module for module, names in _FROM.items() for name in names}


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "EPOCH",
    "ERA_COUNT",
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_BATCH_SIZE",
    "MAX_DIALOGUES",
    "MIN_BATCH_SIZE",
    "MIN_DIALOGUES",
    "PREFIX",
    "STAGES",
    "TOPICAL_WORDS",
    "EraSpan",
    "Generator",
    "Result",
    "SyntheticError",
    "Weighted",
    "Words",
    "check_batch_size",
    "check_dialogues",
    "check_seed",
    "generate",
    "real_dialogue_count",
]
