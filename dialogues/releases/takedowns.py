"""Releases that hold a name withheld since they were made: withdrawn, no longer served.

A release is fixed once written (its checksums say so), so a name withheld after a release was
made stays in that release's files. Rewriting them would break every checksum and citation
that names them; serving them would show the name. A release that names, in its participations
or citations, a participant whose name is withheld today in that dialogue is therefore
*withdrawn*: its files, zip and manifest answer 410 Gone with a page saying why and pointing to
the next release that is not withdrawn, and `/data/` lists it as withdrawn with that reason. It
is served again if the withholding lifts (a date passed, or a publisher shows the name).

The check costs little per request. The pairs a release names are read from its files once and
kept in the cache for good, keyed by the files' checksums (they never change). The pairs
withheld today, by every slug the dialogue and the participant have had, are worked out once
per generation of the archive and day (`caching.cached`): a withholding bumps the generation,
and a withholding that lifts at midnight is seen on the day.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_noop

from .. import caching
from ..models.disclosure import is_withheld
from . import store
from .schema import CITATIONS, PARTICIPATIONS

# Marked for translation only: the page says it in the reader's language (`{% translate %}`).
REASON = gettext_noop(
    "It holds the name of a participant whose name has been withheld since the release was made."
)


@dataclass(frozen=True)
class Withdrawal:
    version: str
    reason: str
    # The oldest later release that is not withdrawn, if there is one.
    next: str | None


def _checksums(release: store.Release) -> tuple:
    return tuple((entry or {}).get("sha256") for entry in map(release.file, _TABLE_PATHS))


_TABLE_PATHS = (PARTICIPATIONS.path, CITATIONS.path)


def _read_pairs(release: store.Release) -> frozenset:
    """The (dialogue slug, participant slug) pairs the release's files name."""
    pairs = set()
    for path in _TABLE_PATHS:
        try:
            with open(release.path / path, newline="", encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    if row.get("dialogue") and row.get("participant"):
                        pairs.add((row["dialogue"], row["participant"]))
        except OSError:
            continue
    return frozenset(pairs)


def named_pairs(release: store.Release) -> frozenset:
    """`_read_pairs`, kept in the cache under the files' checksums (a release never changes)."""
    key = f"release-pairs:{release.version}:{':'.join(map(str, _checksums(release)))}"
    pairs = cache.get(key)
    if pairs is None:
        pairs = _read_pairs(release)
        cache.set(key, pairs, timeout=None)
    return pairs


def withheld_slug_pairs_now() -> frozenset:
    """The pairs (dialogue slug, participant slug) withheld today, by every slug each has had."""
    from ..models import Dialogue, Participant, Participation, PastSlug, WithheldPair

    ids = set(Participation.objects.withheld().values_list("dialogue_id", "participant_id"))
    ids |= {
        (pair.dialogue_id, pair.participant_id)
        for pair in WithheldPair.objects.all()
        if is_withheld(True, pair.withheld_until)
    }
    if not ids:
        return frozenset()

    def slugs(model, keys) -> dict[int, set[str]]:
        found = {
            pk: {slug}
            for pk, slug in model._base_manager.filter(pk__in=keys).values_list("pk", "slug")
        }
        kind = model._meta.model_name
        for pk, slug in PastSlug.objects.filter(kind=kind, object_id__in=keys).values_list(
            "object_id", "slug"
        ):
            found.setdefault(pk, set()).add(slug)
        return found

    dialogues = slugs(Dialogue, {d for d, _ in ids})
    people = slugs(Participant, {p for _, p in ids})
    return frozenset(
        (dialogue, person)
        for d, p in ids
        for dialogue in dialogues.get(d, ())
        for person in people.get(p, ())
    )


def withheld_slug_pairs() -> frozenset:
    """The pairs withheld today, by every slug each side has had: once per generation and day."""
    return caching.cached("withheld-slug-pairs", (), withheld_slug_pairs_now)


def is_withdrawn(release: store.Release) -> bool:
    withheld = withheld_slug_pairs()
    return bool(withheld) and not withheld.isdisjoint(named_pairs(release))


def withdrawal(release: store.Release, found: list | None = None) -> Withdrawal | None:
    """Why `release` is withdrawn and which release replaces it; None if it is served."""
    if not is_withdrawn(release):
        return None
    later = sorted(
        (other for other in (found or store.releases()) if other.key > release.key),
        key=lambda other: other.key,
    )
    replacement = next((other.version for other in later if not is_withdrawn(other)), None)
    return Withdrawal(release.version, REASON, replacement)
